"""Embedding on a Ray cluster (or Ray on this machine): same readers, chunker and index.

The writer process reads and chunks as usual and keeps the catalog; only the model calls move
to a pool of Ray Data actors, each loading the model once. Passage ids are assigned before
embedding, so a Ray build gives the same index as a local one (vectors equal within float
tolerance, since batches are padded differently).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np

from .embedding import Batch, Encoded
from .errors import InputError


@dataclass(frozen=True)
class RayOptions:
    """How to embed with Ray.

    Attributes:
        address: a running cluster to join (``auto``, ``HOST:6379`` or ``ray://HOST:10001``);
            ``None`` starts Ray on this machine for the build and stops it afterwards.
        workers: embedding actors, each holding one copy of the model.
        batch_size: passages per model call.
        cpus: CPUs given to Ray started on this machine (default: all).
        threads: model threads per actor (default: local CPUs / workers; on a cluster, every
            core of the actor's node).
        window: passages handed to Ray per dataset, bounding what the driver holds.
    """

    address: str | None = None
    workers: int = 2
    batch_size: int = 64
    cpus: int | None = None
    threads: int | None = None
    window: int = 20_000

    def __post_init__(self) -> None:
        for name in ("workers", "batch_size", "window"):
            if getattr(self, name) < 1:
                raise InputError(f"Ray option {name} must be at least 1, got {getattr(self, name)}")


class _EncodeActor:
    """One Ray Data actor: loads the model once, then encodes the batches it is given."""

    def __init__(self, model: str, backend: str, cache_dir: str, threads: int | None) -> None:
        from .embedder import load_embedder

        self.embedder = load_embedder(model, backend, cache_dir=cache_dir, threads=threads)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        from .embedder import encode_spans

        spans = [[tuple(s) for s in json.loads(x)] for x in batch["spans"]]
        vectors, sentence_vectors, sentence_tokens = encode_spans(self.embedder, list(batch["text"]), spans)
        return {"id": np.asarray(batch["id"], dtype=np.int64),
                "vector": np.asarray(vectors, dtype=np.float32),
                "sentences": np.array([sv.astype(np.float32).tobytes() for sv in sentence_vectors],
                                      dtype=object),
                "tokens": np.array([t or b"" for t in sentence_tokens], dtype=object)}


def ray_encoder(options: RayOptions, model: str, backend: str, cache_dir: str,
                dim: int) -> Callable[[Iterator[Batch]], Iterator[Encoded]]:
    """An encoder for ``index_paths`` that runs the model in a Ray Data actor pool."""
    # Ray Data logs each dataset at INFO; the build has its own progress bar. Errors still
    # raise. Read when ray.data is first imported.
    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "ERROR")
    try:
        import ray
    except ImportError as exc:
        raise InputError("--ray needs Ray: pip install 'article-qa[scale]' "
                         "(or pip install 'ray[data]')") from exc

    def run(batches: Iterator[Batch]) -> Iterator[Encoded]:
        started = not ray.is_initialized()
        if started:
            _start(ray, options)
        try:
            cpus = int(ray.cluster_resources().get("CPU", 1))
            threads = options.threads or (max(1, cpus // options.workers) if options.address is None
                                          else None)
            ctx = ray.data.DataContext.get_current()
            ctx.enable_progress_bars = False  # the build shows its own bar with rate and ETA
            rows = (row for ids, texts, spans in batches
                    for row in zip(ids, texts, spans, strict=True))
            while window := list(islice(rows, options.window)):
                items = [{"id": i, "text": t, "spans": json.dumps(s)} for i, t, s in window]
                ds = ray.data.from_items(items).map_batches(
                    _EncodeActor, fn_constructor_args=(model, backend, cache_dir, threads),
                    batch_size=options.batch_size, batch_format="numpy",
                    compute=ray.data.ActorPoolStrategy(size=options.workers),
                    num_cpus=min(1.0, cpus / (options.workers + 1)))
                for out in ds.iter_batches(batch_size=options.batch_size, batch_format="numpy"):
                    yield ([int(i) for i in out["id"]], np.asarray(out["vector"], dtype=np.float32),
                           [np.frombuffer(b, np.float32).reshape(-1, dim) for b in out["sentences"]],
                           [bytes(t) or None for t in out["tokens"]])
        finally:
            if started:
                ray.shutdown()

    return run


def _start(ray, options: RayOptions, attempts: int = 2) -> None:
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    for attempt in range(1, attempts + 1):
        try:
            if options.address:
                ray.init(address=options.address, logging_level=logging.ERROR, log_to_driver=False)
            else:
                ray.init(num_cpus=options.cpus or os.cpu_count(), include_dashboard=False,
                         logging_level=logging.ERROR, log_to_driver=False)
            return
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
            # A local node gives its raylet a fixed 30 s to register; on a busy machine that
            # can pass once and not the next time. A cluster's address is not guessed twice.
            if attempt < attempts and not options.address:
                ray.shutdown()
                continue
            where = options.address or "this machine"
            raise InputError(f"cannot start Ray on {where}: {exc}. Check the address "
                             "(`ray status` on the head node) or run without --ray") from exc


def encoder_for(ray: RayOptions | None, embedder, path: str):
    """The Ray encoder for the index at ``path``, or None (``ray`` None) for embedding in this
    process."""
    if ray is None:
        return None
    from .embedder import BACKENDS

    backend = getattr(embedder, "backend", None)
    if backend not in BACKENDS:
        raise InputError("Ray workers load the model by name: pass model= (and backend=), "
                         "not a custom embedder object")
    return ray_encoder(ray, embedder.name, backend, os.path.join(path, "models"), embedder.dim)
