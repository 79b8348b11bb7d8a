"""Filtered search through Milvus: an id list against a deeper unfiltered search; writes
benchmarks/MILVUS_FILTER.md.

    python benchmarks/milvus_filter.py [--vectors 200000]

A filter (source glob, dates, tags) is resolved to the passage ids it allows in the catalog.
`MilvusStore.search` sends few of them as an ``id in [...]`` filter, and applies many to a
deeper unfiltered search instead (see ``RESULT_COST`` in qa/milvus_store.py). Here both ways
run on the same random unit vectors in a milvus-lite file, alternating query by query, for
allowed sets from half the collection down to 0.5% of it; k = 100 (what `ask` asks the store
for). "same ids" compares the two ways' results for every query.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np
from report import measured_on, write_report  # beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
DIM, K, QUERIES = 384, 100, 20


def main() -> int:
    from qa import milvus_store as ms

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vectors", type=int, default=200_000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    rows = []
    with tempfile.TemporaryDirectory(dir=os.path.join(ROOT, "index")) as tmp:
        uri = os.path.join(tmp, "filter.db")
        writer = ms.MilvusStore.create(uri, "bench_g000001_passages", DIM, 1, "bench")
        ids = np.arange(1, args.vectors + 1, dtype=np.int64)
        for start in range(0, args.vectors, 20_000):
            v = rng.standard_normal((min(20_000, args.vectors - start), DIM)).astype(np.float32)
            writer.add(ids[start:start + len(v)], v / np.linalg.norm(v, axis=1, keepdims=True))
        writer.save("")
        store = ms.MilvusStore.open(uri, "bench_g000001_passages", DIM, generation=1)
        queries = rng.standard_normal((QUERIES, DIM)).astype(np.float32)
        for share in (0.5, 0.25, 0.1, 0.02, 0.005):
            allowed = np.sort(rng.choice(ids, int(args.vectors * share), replace=False))
            listed = ms._id_filter(allowed)
            ours, plain, same = [], [], True
            for q in queries:
                t = time.perf_counter()
                got = store.search(q[None, :], K, allowed)[1]
                ours.append(time.perf_counter() - t)
                t = time.perf_counter()
                want = store._search(q[None, :], K, listed)[1]
                plain.append(time.perf_counter() - t)
                same = same and np.array_equal(got, want)
            limit = int(np.ceil(2 * K * args.vectors / len(allowed)))
            deep = limit * ms.RESULT_COST < len(allowed) and limit <= ms.MAX_LIMIT
            way = f"unfiltered, {limit} deep" if deep else "id list"
            rows.append(f"| {len(allowed):,} ({share:.1%}) | {way} | **{1000 * np.median(ours):.0f}** "
                        f"| {1000 * np.median(plain):.0f} | {'yes' if same else 'NO'} |")
        del store, writer
    text = f"""# Filtered search through Milvus

{measured_on()}.
Command: `python benchmarks/milvus_filter.py --vectors {args.vectors}`

{args.vectors:,} random unit vectors ({DIM} dimensions) in a milvus-lite file, exact (FLAT)
search, k = {K}, {QUERIES} queries one at a time, median ms per search. `qa` = what
`MilvusStore.search` does with that many allowed ids; "id list" = all of them sent as
`id in [...]` (what it did before for every filter). Both ways alternate query by query.

| allowed ids | `qa` searches | `qa` ms | id list ms | same ids |
|---|---|---|---|---|
{chr(10).join(rows)}
"""
    return write_report(os.path.join(ROOT, "benchmarks", "MILVUS_FILTER.md"), text)


if __name__ == "__main__":
    sys.exit(main())
