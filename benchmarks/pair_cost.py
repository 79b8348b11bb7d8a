"""What the word-pair signal costs `ask`: p50/p95 with it, with it stubbed out, and with it again.

    python benchmarks/pair_cost.py [INDEX]   (default index/bench/scifact-onnx-int8, built by quality.py)

300 SciFact claims, one at a time, k=5, hybrid. Prints one line; the machine is noisy, so the
figures are measured alternately in one run.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> int:
    import qa
    from qa.evaluate import load_queries
    from qa.lexical import LexicalIndex

    index = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "index", "bench", "scifact-onnx-int8")
    lib = qa.Library.open(index)
    claims = list(load_queries(os.path.join(ROOT, "..", "shared", "benchmarks", "scifact",
                                            "queries.jsonl")).values())[:300]

    def run() -> tuple[float, float]:
        times = []
        for q in claims:
            start = time.perf_counter()
            lib.ask(q, k=5)
            times.append(time.perf_counter() - start)
        return float(np.percentile(times, 50)) * 1000, float(np.percentile(times, 95)) * 1000

    lib.ask(claims[0])
    with_pairs = run()
    real = LexicalIndex.pair_share
    LexicalIndex.pair_share = lambda self, question, texts: np.zeros(len(texts))
    without = run()
    LexicalIndex.pair_share = real
    again = run()
    fmt = "{:.1f}/{:.1f}"
    print(f"ask p50/p95 ms: with pairs {fmt.format(*with_pairs)}, without {fmt.format(*without)}, "
          f"with again {fmt.format(*again)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
