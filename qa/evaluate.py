"""Retrieval metrics and ``qa eval`` over a BEIR-layout dataset."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
from collections.abc import Sequence

from .errors import InputError

CUTOFFS = {"ndcg@10": 10, "mrr@10": 10, "recall@1": 1, "recall@10": 10, "recall@100": 100}


def ndcg_at(ranked: Sequence[str], rels: dict[str, int], k: int) -> float:
    """nDCG@k with linear gain (trec_eval / BEIR): sum rel_i / log2(i + 1)."""
    dcg = sum(rels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((r for r in rels.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mrr_at(ranked: Sequence[str], rels: dict[str, int], k: int) -> float:
    for i, d in enumerate(ranked[:k]):
        if rels.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: Sequence[str], rels: dict[str, int], k: int) -> float:
    """BEIR recall: |relevant in top k| / |relevant|."""
    relevant = {d for d, r in rels.items() if r > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def score_run(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean of each metric over the queries that have judgements."""
    totals = dict.fromkeys(CUTOFFS, 0.0)
    n = 0
    for qid, rels in qrels.items():
        if not any(r > 0 for r in rels.values()):
            continue
        ranked = run.get(qid, [])
        n += 1
        totals["ndcg@10"] += ndcg_at(ranked, rels, 10)
        totals["mrr@10"] += mrr_at(ranked, rels, 10)
        for name in ("recall@1", "recall@10", "recall@100"):
            totals[name] += recall_at(ranked, rels, CUTOFFS[name])
    return {m: (v / n if n else 0.0) for m, v in totals.items()}


def load_qrels(path: str) -> dict[str, dict[str, int]]:
    if not os.path.exists(path):
        raise InputError(f"no judgements at {path}; pick another --split")
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 3 or row[0] == "query-id":
                continue
            qrels.setdefault(row[0], {})[row[1]] = int(float(row[2]))
    return qrels


def _asked(lib, questions: list[str], k: int, mode: str) -> list[list | None]:
    """Each question's hits, None for one that cannot be asked (no word in it: "???")."""
    try:
        return list(lib.ask_many(questions, k=k, mode=mode, highlights=False))
    except InputError:
        if len(questions) == 1:
            return [None]
        return [hits for q in questions for hits in _asked(lib, [q], k, mode)]


def load_queries(path: str) -> dict[str, str]:
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                record = json.loads(line)
                out[str(record["_id"])] = record["text"]
    return out


def run_eval(dataset: str, split: str = "test", index: str | None = None,
             modes: Sequence[str] = ("lexical", "dense", "hybrid"), limit: int | None = None,
             k: int = 100, backend: str | None = None) -> dict:
    """Index the dataset's corpus (reusing an index already built from it) and score each mode."""
    from .indexdir import MANIFEST
    from .library import Library
    from .progress import bar

    corpus = os.path.join(dataset, "corpus.jsonl")
    for needed in (corpus, os.path.join(dataset, "queries.jsonl")):
        if not os.path.exists(needed):
            raise InputError(f"{needed} is missing; a BEIR dataset has corpus.jsonl, queries.jsonl "
                             "and qrels/<split>.tsv")
    qrels = load_qrels(os.path.join(dataset, "qrels", f"{split}.tsv"))
    queries = load_queries(os.path.join(dataset, "queries.jsonl"))
    qids = [q for q in qrels if q in queries][:limit]
    qrels = {q: qrels[q] for q in qids}
    if index is None:
        tag = hashlib.sha1(os.path.abspath(dataset).encode()).hexdigest()[:8]
        index = os.path.join("index", "eval", f"{os.path.basename(os.path.normpath(dataset))}-{tag}")
    # An existing index is brought up to date with the backend that built it (a write may not
    # mix backends); questions then use the backend asked for.
    existing = os.path.exists(os.path.join(index, MANIFEST))
    lib = Library.build([corpus], index, backend=None if existing else backend)
    if existing and backend and backend != lib.info().backend:
        lib = Library.open(index, backend=backend)
    report = {"dataset": dataset, "split": split, "queries": len(qids),
              "documents": lib.info().articles, "index": index, "modes": {}}
    batch, unasked = 64, set()
    for mode in modes:
        run: dict[str, list[str]] = {}
        for start in bar(iterable=range(0, len(qids), batch), desc=f"eval {mode}", unit="batch"):
            chunk = qids[start : start + batch]
            for qid, hits in zip(chunk, _asked(lib, [queries[q] for q in chunk], k, mode), strict=True):
                if hits is None:  # it counts, with no hits, as a run without results for it does
                    unasked.add(qid)
                run[qid] = [h.article_id for h in hits or ()]
        report["modes"][mode] = score_run(run, qrels)
    report["unasked"] = sorted(unasked)
    return report
