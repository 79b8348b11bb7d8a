"""Compare fusion variants on already-built benchmark indexes (tuning aid; train judgements only).

    python benchmarks/tune_fusion.py scifact:train squad-dev:test [--limit 1000]

Builds nothing: run benchmarks/quality.py first (it builds index/bench/NAME-BACKEND). Candidates are
fetched once per query with both scores for every candidate, then each variant re-fuses them.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


# (passage dense, best-sentence dense, lexical) weights to compare
TRIPLES = [(0.5, 0.0, 0.5), (0.2, 0.4, 0.4), (0.1, 0.5, 0.4), (0.3, 0.3, 0.4), (0.15, 0.45, 0.4),
           (0.2, 0.35, 0.45), (0.25, 0.4, 0.35), (0.0, 0.5, 0.5)]


def norm(x: np.ndarray, how: str) -> np.ndarray:
    if how == "minmax":
        lo, hi = x.min(), x.max()
        return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("sets", nargs="+")
    p.add_argument("--benchmarks", default=os.path.join(HERE, "..", "..", "shared", "benchmarks"))
    p.add_argument("--limit", type=int, default=800)
    p.add_argument("--depth", type=int, default=100)
    p.add_argument("--quick", action="store_true", help="fusion weights and sentence-max only")
    args = p.parse_args()

    import qa
    from qa.evaluate import load_qrels, load_queries, ndcg_at
    from qa.highlight import sentence_vectors
    from qa.search import _candidates

    for spec in args.sets:
        name, split = spec.split(":")
        from qa.embedder import DEFAULT_BACKEND

        lib = qa.Library.open(os.path.join("index", "bench", f"{name}-{DEFAULT_BACKEND}"))
        qrels = load_qrels(os.path.join(args.benchmarks, name, "qrels", f"{split}.tsv"))
        queries = load_queries(os.path.join(args.benchmarks, name, "queries.jsonl"))
        qids = [q for q in qrels if q in queries][: args.limit]
        qvecs = lib.embedder.encode([queries[q] for q in qids])
        data = []
        for qid, qvec in zip(qids, qvecs, strict=True):
            cands = _candidates(lib.catalog, lib.store, lib.lexicon, qvec, None, queries[qid], args.depth, "hybrid",
                                None, None)
            rows = lib.catalog.passages([c.pid for c in cands], vectors=True)
            arts = [rows[c.pid].article_id for c in cands]
            vecs = lib.store.reconstruct([c.pid for c in cands])
            avecs = lib.article_store.reconstruct([rows[c.pid].article_rowid for c in cands])
            smax = []
            for c in cands:
                sv = sentence_vectors(rows[c.pid], lib.store.dim)
                smax.append(float((sv @ qvec).max()) if sv is not None and len(sv) else 0.0)
            data.append((qid, np.array([c.dense for c in cands]), np.array([c.lexical for c in cands]), arts,
                         vecs, avecs, qvec, np.array(smax)))

        def score(w: float, how: str, art: float = 0.0, prf: float = 0.0, m: int = 3, sent: float = 0.0,
                  data=data, qrels=qrels) -> float:
            total = 0.0
            for qid, d, lx, arts, vecs, avecs, qvec, smax in data:
                fused = (w - sent) * norm(d, how) + sent * norm(smax, how) + (1 - w) * norm(lx, how)
                if prf:
                    top = np.argsort(-fused, kind="stable")[:m]
                    q2 = qvec + prf * vecs[top].mean(axis=0)
                    q2 /= np.linalg.norm(q2)
                    fused = w * norm(vecs @ q2, how) + (1 - w) * norm(lx, how)
                if art:
                    fused = fused + art * norm(avecs @ qvec, how)
                ranked, seen = [], set()
                for i in np.argsort(-fused, kind="stable"):
                    if arts[i] not in seen:
                        seen.add(arts[i])
                        ranked.append(arts[i])
                total += ndcg_at(ranked, qrels[qid], 10)
            return total / len(data)

        print(f"== {name} ({len(data)} queries, depth {args.depth})")
        for passage, sent, lexical in TRIPLES:
            print(f"passage {passage} sentence {sent} lexical {lexical}:"
                  f" {score(passage + sent, 'minmax', sent=sent):.4f}")
        if args.quick:
            continue
        for how in ("minmax", "z"):
            print(how, " ".join(f"w={w:.1f}:{score(w, how):.4f}" for w in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0)))
        for art in (0.1, 0.2, 0.3):
            print(f"article-dense +{art}", " ".join(f"w={w:.1f}:{score(w, 'minmax', art=art):.4f}" for w in (0.4, 0.5, 0.6)))
        for prf in (0.3, 0.6, 1.0):
            for m in (1, 3, 5):
                print(f"dense PRF beta={prf} m={m}", " ".join(f"w={w:.1f}:{score(w, 'minmax', prf=prf, m=m):.4f}" for w in (0.4, 0.5, 0.6)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
