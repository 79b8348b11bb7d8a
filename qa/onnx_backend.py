"""ONNX Runtime backend: the same model exported once to ONNX (optionally int8), run without torch.

The export needs torch and sentence-transformers once; afterwards a query process loads only
``onnxruntime`` and ``tokenizers``, which also makes a cold ``qa ask`` faster. Exports live in a
cache folder (by default the index's own ``models/`` folder), written atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import shutil
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .errors import ModelError

if TYPE_CHECKING:
    import numpy as np

    from .embedder import SpanEncoding
    from .tokens import QuestionTokens

EXPORT_VERSION = 2
# Padded tokens per run of the float model: a long passage runs (nearly) alone, short texts share
# a run. Measured here against the 32 texts per run before: SciFact abstracts 24.5 vs 19.6 texts/s
# (a big run's activations leave the cache), SQuAD paragraphs 47.6 vs 36.0, questions 519 vs 394.
BATCH_TOKENS = 512


def quantization_config() -> dict[str, Any]:
    """Dynamic int8 settings, with the CPU they were chosen for.

    Measured on MiniLM (AVX2, cosine to fp32 over 100 SciFact abstracts): per-channel int8
    weights 0.990 min / 0.994 mean; per-tensor 0.904 / 0.934; per-tensor with ``reduce_range``
    (7-bit weights, optimum's AVX2 preset) 0.650 / 0.758. So per-channel, full range, everywhere;
    VNNI and ARM dot-product instructions only make the same arithmetic faster.
    """
    machine = platform.machine().lower()
    label = "arm64" if machine in ("arm64", "aarch64") else "avx2"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            flags = next((line for line in fh if line.startswith("flags")), "")
        if "avx512_vnni" in flags or "avx_vnni" in flags:
            label = "avx512_vnni"
    except OSError:
        pass
    return {"label": label, "per_channel": True, "reduce_range": False}


def cache_key(name: str, location: str, quantized: bool) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in name)[-60:]
    digest = hashlib.sha1(f"{name}\x1f{os.path.abspath(location)}".encode()).hexdigest()[:10]
    return f"{slug}-{digest}-{'onnx-int8' if quantized else 'onnx'}"


def shared_folder(cache: str, name: str, location: str, quantized: bool) -> str:
    """Where in the machine's cache (``cache``) an index's export is kept for the next index
    built with the same model: named by what makes the export what it is (the model's files,
    the libraries that export and quantise it, the settings), so another of these never matches."""
    from importlib.metadata import PackageNotFoundError, version

    parts = [str(EXPORT_VERSION), json.dumps(quantization_config() if quantized else None, sort_keys=True)]
    for package in ("torch", "onnx", "onnxruntime", "transformers", "sentence-transformers", "tokenizers"):
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package}=-")
    if os.path.isdir(location):
        for root, _, files in sorted(os.walk(location)):
            for f in sorted(files):
                st = os.stat(os.path.join(root, f))
                parts.append(f"{os.path.relpath(os.path.join(root, f), location)}:{st.st_size}:{st.st_mtime_ns}")
    digest = hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:12]
    return os.path.join(cache, "exports", f"{cache_key(name, location, quantized)}-{digest}")


def copy_export(source: str, target: str) -> None:
    """``source``'s files into ``target``, whole or not at all: linked where the file system
    allows (an export's files are only ever replaced, never written in place), else copied."""
    tmp = f"{target}.tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        for f in os.listdir(source):
            try:
                os.link(os.path.join(source, f), os.path.join(tmp, f))
            except OSError:
                shutil.copy2(os.path.join(source, f), os.path.join(tmp, f))
        shutil.rmtree(target, ignore_errors=True)
        os.rename(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def quiet_root_logger() -> Iterator[None]:
    """onnxruntime's quantiser warns through ``logging.warning()``, which configures the root
    logger (``basicConfig``) as a side effect: left so, every library's warnings went to stderr
    for the rest of the process, into the progress bars. Its warning is silenced and the root
    logger left as it was."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers


def export(st_model, out_dir: str, quantized: bool) -> None:
    """Write ``model.onnx``, ``tokenizer.json`` and ``export.json`` for a sentence-transformers
    model made of a Transformer, a mean or CLS Pooling and optionally Normalize."""
    import torch

    modules = list(st_model)
    pooling = getattr(modules[1], "pooling_mode", None) if len(modules) > 1 else None
    names = [type(m).__name__ for m in modules]
    if pooling not in ("mean", "cls") or names[0] != "Transformer" or any(
            n not in ("Pooling", "Normalize") for n in names[1:]):
        raise ModelError(f"the ONNX backend runs Transformer + mean/CLS pooling models; this one is "
                         f"{' + '.join(names)} with pooling {pooling!r}. Use --backend torch.")
    tokenizer = st_model.tokenizer
    inputs = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names]
    model = modules[0].auto_model.eval()

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *args):
            return self.model(**dict(zip(inputs, args, strict=True))).last_hidden_state

    tmp = out_dir + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    sample = tokenizer(["an example", "a second, longer example text"], padding=True, return_tensors="pt")
    fp32 = os.path.join(tmp, "model-fp32.onnx")
    # The tracer's and the quantiser's advice is for model authors, not for our users.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(TokenEmbeddings(), tuple(sample[n] for n in inputs), fp32,
                          input_names=inputs, output_names=["token_embeddings"], opset_version=17,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*inputs, "token_embeddings"]},
                          dynamo=False)
    config = quantization_config() if quantized else None
    if quantized:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # Only the weight matrix products: quantising the embedding lookup or the attention's
        # activation-by-activation products costs far more accuracy than it saves time.
        with quiet_root_logger():
            quantize_dynamic(fp32, os.path.join(tmp, "model.onnx"), weight_type=QuantType.QInt8,
                             per_channel=config["per_channel"], reduce_range=config["reduce_range"],
                             op_types_to_quantize=["MatMul"], extra_options={"MatMulConstBOnly": True})
        os.remove(fp32)
    else:
        os.rename(fp32, os.path.join(tmp, "model.onnx"))
    tokenizer.backend_tokenizer.save(os.path.join(tmp, "tokenizer.json"))
    with open(os.path.join(tmp, "export.json"), "w", encoding="utf-8") as fh:
        json.dump({"export_version": EXPORT_VERSION, "inputs": inputs, "pooling": pooling,
                   "max_seq_length": int(st_model.max_seq_length),
                   "dimension": int(st_model.get_embedding_dimension()),
                   "quantization": config}, fh, indent=2)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.rename(tmp, out_dir)


class OnnxEmbedder:
    """Runs an exported model with ONNX Runtime; same interface as the torch embedder."""

    def __init__(self, name: str, folder: str, backend: str, threads: int | None = None) -> None:
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        with open(os.path.join(folder, "export.json"), encoding="utf-8") as fh:
            self.config = json.load(fh)
        self.name, self.backend, self._np = name, backend, np
        self.dim = int(self.config["dimension"])
        self.max_tokens = int(self.config["max_seq_length"]) - 2
        self._inputs = self.config["inputs"]
        self._counter = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        self._tok.enable_truncation(int(self.config["max_seq_length"]))
        self._tok.no_padding()
        # ONNX Runtime's dynamic int8 quantisation scales each layer's input by its range over
        # the whole run, so in a batch a text's vector depends on the texts beside it (cosine
        # 0.997 to itself among others). One text per run makes it the same however it is
        # encoded (a question alone or among many, a passage at a build or an update), a little
        # closer to float32 (SciFact abstracts' mean cosine 0.9953 vs 0.9949 in runs of 32), and
        # faster for passages (34 vs 27 abstracts/s); 32-token sentences are slower (210 vs
        # 243/s), and so are many questions at once (334 vs 785/s; one question runs alone anyway).
        self._run_tokens = 0 if backend == "onnx-int8" else BATCH_TOKENS
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Spinning worker threads keep the cores busy after each run, starving the numpy and FAISS
        # work that follows a query's encode: measured warm ask k=100 p50 21 ms without spinning,
        # 29-36 ms with it (p95 25 vs 57 ms), and the same batch throughput either way.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(os.path.join(folder, "model.onnx"), options,
                                             providers=["CPUExecutionProvider"])

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]

    def _forward(self, texts: Sequence[str]) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        """Per text: its token embeddings (padding removed) and the tokens' character offsets."""
        np = self._np
        encs = self._tok.encode_batch(list(texts))
        out: list[Any] = [None] * len(texts)
        for idx in self._runs([len(e.ids) for e in encs]):
            width = max(len(encs[i].ids) for i in idx)
            feeds = {name: np.zeros((len(idx), width), dtype=np.int64) for name in self._inputs}
            for j, i in enumerate(idx):  # padding (zeros, as the tokenizer padded) is masked out
                e = encs[i]
                for name, values in (("input_ids", e.ids), ("attention_mask", e.attention_mask),
                                     ("token_type_ids", e.type_ids)):
                    if name in feeds:
                        feeds[name][j, : len(values)] = values
            tokens = self._session.run(None, feeds)[0]
            for j, i in enumerate(idx):
                n = len(encs[i].ids)
                out[i] = (tokens[j, :n].astype(np.float32), encs[i].offsets[:n])
        return out

    def _runs(self, lengths: list[int]) -> list[list[int]]:
        """Texts (by index) grouped into runs of at most ``_run_tokens`` padded tokens, similar
        lengths together; one text per run when that is 0."""
        runs: list[list[int]] = []
        for i in sorted(range(len(lengths)), key=lengths.__getitem__):
            if runs and (len(runs[-1]) + 1) * lengths[i] <= self._run_tokens:
                runs[-1].append(i)
            else:
                runs.append([i])
        return runs

    def _pool(self, tokens: np.ndarray) -> np.ndarray:
        return tokens[0] if self.config["pooling"] == "cls" else tokens.mean(axis=0)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        np = self._np
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._vectors(self._forward(texts))

    def encode_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                     batch_size: int = 64) -> SpanEncoding:
        from .embedder import SpanEncoding, pool_spans

        np = self._np
        if not texts:
            return SpanEncoding(np.zeros((0, self.dim), np.float32), [], [])
        forward = self._forward(texts)
        pooled = [pool_spans(t, offs, ss, self.dim) for (t, offs), ss in zip(forward, spans, strict=True)]
        return SpanEncoding(self._vectors(forward), [p[0] for p in pooled], [p[1] for p in pooled])

    def encode_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[QuestionTokens]]:
        """See :func:`qa.embedder.encode_questions`."""
        from .tokens import question_tokens

        forward = self._forward(texts)
        return self._vectors(forward), [question_tokens(t, offs) for t, offs in forward]

    def _vectors(self, forward: list[tuple[np.ndarray, list[tuple[int, int]]]]) -> np.ndarray:
        np = self._np
        vectors = np.vstack([self._pool(t) for t, _ in forward])
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vectors, dtype=np.float32)
