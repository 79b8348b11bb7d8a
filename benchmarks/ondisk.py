"""One big machine: the on-disk IVF write path against the in-memory one; writes benchmarks/ONDISK.md.

    python benchmarks/ondisk.py [--vectors 2000000] [--index index/bench/scifact-onnx-int8]

Both paths get the same passage vectors in batches of 256, as the indexer hands them over
after embedding: real MiniLM vectors of SciFact grown synthetically (two real vectors mixed,
plus noise, as in SPEED.md). Each write runs in its own process so its peak resident memory
can be read (``ru_maxrss``). Then the on-disk index is opened as a reader would, and searched
with the real SciFact claims: recall@10 against exact search (streamed over the lists) and
latency, one query at a time. Embedding is left out: at 2M passages it would take days here.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from report import measured_on, write_report  # beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
BATCH = 256


def batches(real: np.ndarray, total: int):
    for start in range(0, total, BATCH):
        n = min(BATCH, total - start)
        rng = np.random.default_rng(start)
        a = real[rng.integers(0, len(real), n)]
        b = real[rng.integers(0, len(real), n)]
        noise = rng.standard_normal(a.shape).astype(np.float32)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        v = a + 0.6 * b + 0.6 * noise
        yield np.arange(start, start + n, dtype=np.int64), (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


class PeakAnon:
    """Peak anonymous resident memory (``RssAnon``), sampled every 10 ms. ``ru_maxrss`` also
    counts file pages mapped and touched (the lists being merged, the spool files), which
    the kernel drops under pressure, so it overstates what must fit in RAM."""

    def __init__(self) -> None:
        import threading

        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            with open("/proc/self/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("RssAnon:"):
                        self.peak = max(self.peak, int(line.split()[1]))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 1024


def write(mode: str, index: str, total: int, out: str) -> dict:
    """One write, in this process: ``ondisk`` (qa.ondisk) or ``memory`` (FaissStore + IVF)."""
    from qa.indexdir import generation_dir, read_manifest
    from qa.ondisk import OnDiskBuilder
    from qa.store import FaissStore, approximate

    gen = generation_dir(index, read_manifest(index))
    _, real = FaissStore.load(os.path.join(gen, "passages.faiss"), 384).vectors()
    anon = PeakAnon()
    start = time.perf_counter()
    if mode == "ondisk":
        store = OnDiskBuilder(real.shape[1], out)
        for ids, vectors in batches(real, total):
            store.add(ids, vectors)
        ann = store.finish()
    else:
        store = FaissStore(real.shape[1])
        for ids, vectors in batches(real, total):
            store.add(ids, vectors)
        store, ann = approximate(store, 100_000, None)
        store.save(os.path.join(out, "passages.faiss"))
    return {"seconds": time.perf_counter() - start, "ann": ann, "anon_mb": anon.stop(),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def search(index: str, folder: str, claims: list[str]) -> dict:
    import faiss

    import qa
    from qa.ondisk import load_ondisk

    lib = qa.Library.open(index)
    q = lib.embedder.encode(claims)
    with open(os.path.join(folder, "ann.json"), encoding="utf-8") as fh:
        nprobe = json.load(fh)["nprobe"]
    store = load_ondisk(os.path.join(folder, "passages.faiss"), q.shape[1], nprobe)
    best = np.full((len(q), 10), -np.inf, np.float32)
    best_ids = np.full((len(q), 10), -1, np.int64)
    for _, ids, vectors in store.cells():  # exact answers, streamed over the lists
        s, r = faiss.knn(q, vectors, min(10, len(ids)), metric=faiss.METRIC_INNER_PRODUCT)
        merged, merged_ids = np.hstack([best, s]), np.hstack([best_ids, ids[np.maximum(r, 0)]])
        order = np.argsort(-merged, axis=1, kind="stable")[:, :10]
        best, best_ids = np.take_along_axis(merged, order, 1), np.take_along_axis(merged_ids, order, 1)
    times, found = [], 0
    for v, truth in zip(q, best_ids, strict=True):
        t = time.perf_counter()
        got = store.search(v[None, :], 10)[1][0]
        times.append(time.perf_counter() - t)
        found += len(set(got.tolist()) & set(truth.tolist()))
    return {"recall": found / (10 * len(q)), "p50_ms": 1000 * float(np.percentile(times, 50)),
            "p95_ms": 1000 * float(np.percentile(times, 95))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", type=int, default=2_000_000)
    ap.add_argument("--index", default=os.path.join(ROOT, "index", "bench", "scifact-onnx-int8"))
    ap.add_argument("--benchmarks", default=os.path.join(ROOT, "..", "shared", "benchmarks"))
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "ONDISK.md"))
    ap.add_argument("--worker", choices=("ondisk", "memory"), help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        result = write(args.worker, args.index, args.vectors, args.folder)
        with open(os.path.join(args.folder, "ann.json"), "w") as fh:
            json.dump(result["ann"], fh)
        print(json.dumps(result))
        return 0

    from qa.evaluate import load_queries
    from qa.ondisk import SHARD_VECTORS

    claims = list(load_queries(os.path.join(args.benchmarks, "scifact", "queries.jsonl")).values())[:500]
    raw_mb = args.vectors * 384 * 4 / 2**20
    rows, sizes = [], {}
    with tempfile.TemporaryDirectory(dir=os.path.join(ROOT, "index")) as tmp:
        results = {}
        for mode in ("memory", "ondisk"):
            folder = os.path.join(tmp, mode)
            os.makedirs(folder)
            out = subprocess.run([sys.executable, __file__, "--worker", mode, "--vectors", str(args.vectors),
                                  "--index", args.index, "--folder", folder],
                                 check=True, capture_output=True, text=True).stdout
            results[mode] = json.loads(out.strip().splitlines()[-1])
            sizes[mode] = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)) / 2**20
            r = results[mode]
            rows.append(f"| {mode} | {r['seconds']:.0f} | **{r['anon_mb']:,.0f}** | {r['anon_mb'] / raw_mb:.2f}x "
                        f"| {r['peak_mb']:,.0f} "
                        f"| {r['ann']['nlist']} | {r['ann']['nprobe']} | {r['ann']['recall_at_10']:.3f} | {sizes[mode]:,.0f} |")
            print(rows[-1], flush=True)
            if mode == "memory":
                shutil.rmtree(folder)
        found = search(args.index, os.path.join(tmp, "ondisk"), claims)
    nl = "\n"
    text = f"""# One big machine: IVF lists merged on disk

{measured_on()}.
Command: `python benchmarks/ondisk.py {' '.join(sys.argv[1:])}`

{args.vectors:,} passage vectors (384 dimensions, {raw_mb:,.0f} MB as float32): real MiniLM
vectors of SciFact grown synthetically, handed to the store in batches of {BATCH} as the indexer
does after embedding. Each write runs in its own process. Peak anonymous memory (`RssAnon`,
sampled every 10 ms) is what has to fit in RAM; peak RSS (`ru_maxrss`) also counts pages of
mapped files (spool, shards, the lists being merged), which the kernel drops when short of
memory.

- **memory**: what writes below `ondisk_threshold` do: a flat FAISS index in memory, then
  `qa.store.approximate` (bulk read, k-means, IVF built in memory, nprobe tuned).
- **ondisk** (`qa.ondisk`): vectors spooled to `.npy` files, quantizer trained on a sample,
  shards of {SHARD_VECTORS:,} vectors built on worker threads, `merge_ondisk` into one lists file,
  nprobe tuned against exact search streamed over the lists.

| write path | seconds | peak anonymous MB | vs raw vectors | peak RSS MB (incl. mapped files) | cells | nprobe | recall@10 (mixes) | files MB |
|---|---|---|---|---|---|---|---|---|
{nl.join(rows)}

Reading the on-disk index (memory-mapped lists, `IO_FLAG_ONDISK_SAME_DIR`) with {len(claims)}
real SciFact claims, one at a time, k=10: recall@10 against exact search **{found['recall']:.3f}**,
p50 {found['p50_ms']:.1f} ms, p95 {found['p95_ms']:.1f} ms.
"""
    return write_report(args.out, text)


if __name__ == "__main__":
    sys.exit(main())
