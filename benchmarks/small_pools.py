"""Ranking within small sets, where the fusion's pool holds every passage there is.

    python benchmarks/small_pools.py [INDEX]   (default index/bench/scifact-onnx-int8, built by quality.py)

Each SciFact train claim searches only its judged abstracts and the N abstracts the full index
ranks first for it (N = 20, then 5: hard neighbours, as a narrow filter or a small collection
would leave), once with the scales starting at 0 (what `qa` does when the pool does not fill)
and once at the pool's weakest passage (min-max, as for a full pool). Prints nDCG@10 of both.
"""

from __future__ import annotations

import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> int:
    import qa
    from qa import search
    from qa.embedder import encode_questions
    from qa.evaluate import load_qrels, load_queries, score_run

    index = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "index", "bench", "scifact-onnx-int8")
    data = os.path.join(ROOT, "..", "shared", "benchmarks", "scifact")
    qrels = load_qrels(os.path.join(data, "qrels", "train.tsv"))
    claims = {qid: text for qid, text in load_queries(os.path.join(data, "queries.jsonl")).items() if qid in qrels}
    ids = list(claims)
    lib = qa.Library.open(index)
    passages_of: dict[str, list[int]] = {}
    for pid, article in lib.catalog.db.execute(
            "SELECT p.id, a.article_id FROM passages p JOIN articles a ON a.id = p.article"):
        passages_of.setdefault(article, []).append(pid)
    qvecs, qtokens = encode_questions(lib.embedder, [claims[q] for q in ids])
    nearest = {}
    for start in range(0, len(ids), 64):
        chunk = ids[start:start + 64]
        for qid, hits in zip(chunk, lib.ask_many([claims[q] for q in chunk], k=20, highlights=False), strict=True):
            nearest[qid] = [h.article_id for h in hits]
    real_scale = search._scale
    for n in (20, 5):
        row = []
        for floor in (True, False):
            search._scale = (lambda x, ref, _floor=False, f=floor: real_scale(x, ref, f and _floor))
            run = {}
            for i, qid in enumerate(ids):
                articles = {a for a in qrels[qid] if a in passages_of} | set(nearest[qid][:n])
                allowed = np.array(sorted(p for a in articles for p in passages_of[a]), dtype=np.int64)
                cands = search._candidates(lib.catalog, lib.store, lib.lexicon, qvecs[i], qtokens[i], claims[qid],
                                           search.MIN_CANDIDATES, "hybrid", allowed, lib.lexicon.mask(allowed))
                picked = search._group(cands, lib.catalog, 10, 1)
                rows = lib.catalog.passages([c.pid for c in picked])
                run[qid] = [rows[c.pid].article_id for c in picked]
            row.append(score_run(run, {q: qrels[q] for q in ids})["ndcg@10"])
        search._scale = real_scale
        print(f"judged + {n} nearest abstracts: nDCG@10 scaled from 0 {row[0]:.4f}, from the weakest {row[1]:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
