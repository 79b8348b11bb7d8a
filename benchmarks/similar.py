"""How long ``Library.similar`` takes for an indexed article (k 5), words in common included:
warm, one article at a time, over the first N articles of a benchmark's corpus.

    python benchmarks/similar.py [--dataset scifact] [--articles 300]

Uses the benchmark index benchmarks/quality.py builds (index/bench/NAME-onnx-int8).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    import qa

    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="scifact")
    p.add_argument("--articles", type=int, default=300)
    args = p.parse_args()
    corpus = ROOT.parent / "shared" / "benchmarks" / args.dataset / "corpus.jsonl"
    with corpus.open(encoding="utf-8") as fh:
        ids = [json.loads(line)["_id"] for line, _ in zip(fh, range(args.articles), strict=False)]
    lib = qa.Library.open(str(ROOT / "index" / "bench" / f"{args.dataset}-onnx-int8"))
    lib.similar(ids[0], k=5)  # warm
    took = []
    for article in ids:
        start = time.perf_counter()
        lib.similar(article, k=5)
        took.append((time.perf_counter() - start) * 1e3)
    took.sort()
    print(f"{args.dataset}: similar of {len(ids)} articles, k 5: p50 {statistics.median(took):.2f} ms, "
          f"p95 {took[int(0.95 * (len(took) - 1))]:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
