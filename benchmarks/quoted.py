"""Questions that quote words: nDCG@10 with quoted words looked for side by side (qa.phrases),
without (the quotes ignored), and with no fallback (no passage holding them: no hits); and how
often the top highlighted sentence of the gold paragraph holds the answer, with the sentences
holding the quoted words first (qa.highlight) and without.

    python benchmarks/quoted.py [--dataset squad-dev --split test]

Uses the benchmark index benchmarks/quality.py builds (index/bench/NAME-onnx-int8).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    import qa
    import qa.phrases
    from qa.evaluate import ndcg_at

    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="squad-dev")
    p.add_argument("--split", default="test")
    args = p.parse_args()
    data = ROOT.parent / "shared" / "benchmarks" / args.dataset
    qrels: dict[str, dict[str, int]] = {}
    for line in (data / "qrels" / f"{args.split}.tsv").read_text().splitlines()[1:]:
        q, c, s = line.split("\t")
        qrels.setdefault(q, {})[c] = int(s)
    queries = [json.loads(line) for line in (data / "queries.jsonl").open()]
    asked = [q for q in queries if q["_id"] in qrels and qa.phrases.quoted(q["text"])]
    lib = qa.Library.open(str(ROOT / "index" / "bench" / f"{args.dataset}-onnx-int8"))
    print(f"{args.dataset} ({args.split}): {len(asked)} of {len(queries)} questions quote words")
    holding = qa.phrases.holding

    def strict(question, lexicon, read, allowed):  # no passage holds them: nothing
        held = holding(question, lexicon, read, allowed)
        return held if held is None or len(held[0]) else (np.array([-1], dtype=np.int64), 0)

    for name, how in (("quoted words side by side", holding), ("quotes ignored", lambda *a: None),
                      ("side by side, no fallback", strict)):
        qa.phrases.holding = how
        start = time.perf_counter()
        hits = lib.ask_many([q["text"] for q in asked], k=10, highlights=False)
        took = time.perf_counter() - start
        scores = [ndcg_at([h.article_id for h in found], qrels[q["_id"]], 10)
                  for q, found in zip(asked, hits, strict=True)]
        empty = sum(not found for found in hits)
        print(f"  {name}: nDCG@10 {np.mean(scores):.4f}, questions without a hit {empty}, "
              f"{took / max(len(asked), 1) * 1000:.0f} ms a question")
    qa.phrases.holding = holding
    import qa.highlight

    quoted_first = qa.highlight._quoted_first
    answered = [q for q in asked if (q.get("metadata") or {}).get("answers")]
    for name, how in (("holding the quoted words first", quoted_first), ("as unquoted", lambda s, _: s)):
        qa.highlight._quoted_first = how
        held = 0
        for q in answered:
            gold = next(d for d, r in qrels[q["_id"]].items() if r > 0)
            top = lib.highlight(q["text"], gold)
            held += bool(top) and any(a in top[0].text for a in q["metadata"]["answers"])
        print(f"  highlight, sentences {name}: the answer in the top sentence of the gold paragraph "
              f"{held} of {len(answered)} ({held / max(len(answered), 1):.3f})")
    qa.highlight._quoted_first = quoted_first
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
