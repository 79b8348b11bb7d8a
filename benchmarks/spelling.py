"""Did you mean (qa.spelling): how many of a benchmark's questions are offered a spelling, what
an offer costs, and a seeded sample of the offers (the word asked, the word offered) to judge
by eye whether each fixes a typo.

    python benchmarks/spelling.py [--dataset squad-dev] [--sample 40]

Uses the benchmark index benchmarks/quality.py builds (index/bench/NAME-onnx-int8) and every
question of the dataset's queries.jsonl (no judgements).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    import qa

    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="squad-dev")
    p.add_argument("--sample", type=int, default=40)
    args = p.parse_args()
    data = ROOT.parent / "shared" / "benchmarks" / args.dataset
    questions = [json.loads(line)["text"] for line in (data / "queries.jsonl").open()]
    lib = qa.Library.open(str(ROOT / "index" / "bench" / f"{args.dataset}-onnx-int8"))
    start = time.perf_counter()
    offers = [(q, fixed) for q in questions if (fixed := lib.did_you_mean(q))]
    took = (time.perf_counter() - start) / len(questions) * 1e3
    print(f"{args.dataset}: {len(offers)} of {len(questions)} questions offered a spelling; {took:.3f} ms a question")
    for asked, fixed in random.Random(3).sample(offers, min(args.sample, len(offers))):
        print("  ", [(a, b) for a, b in zip(asked.split(), fixed.split(), strict=True) if a != b])
    return 0


if __name__ == "__main__":
    sys.exit(main())
