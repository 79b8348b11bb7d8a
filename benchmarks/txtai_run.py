"""Index and query a BEIR dataset with txtai (run in a venv that has txtai); prints JSON.

    python benchmarks/txtai_run.py DATASET_DIR MODEL_DIR [--split train] [--hybrid]

Called by ``benchmarks/speed.py`` with a separate interpreter, so txtai's dependencies never enter
article-qa's environment. Documents are indexed whole (title + text), as txtai users do.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("model")
    ap.add_argument("--split", default="train")
    ap.add_argument("--hybrid", action="store_true")
    ap.add_argument("--max-docs", type=int, help="index only the first N documents (timing runs)")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from txtai import Embeddings

    docs = []
    with open(os.path.join(args.dataset, "corpus.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                docs.append((str(d["_id"]), f"{d.get('title', '')}\n{d['text']}".strip()))
    docs = docs[: args.max_docs]
    queries = {}
    with open(os.path.join(args.dataset, "queries.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                q = json.loads(line)
                queries[str(q["_id"])] = q["text"]
    qids = []
    with open(os.path.join(args.dataset, "qrels", f"{args.split}.tsv"), encoding="utf-8") as fh:
        for line in fh:
            qid = line.split("\t")[0]
            if qid in queries and qid not in qids:
                qids.append(qid)
    config = {"path": args.model, "content": False, "backend": "faiss"}
    if args.hybrid:
        config["hybrid"] = True
    embeddings = Embeddings(config)
    start = time.perf_counter()
    embeddings.index((doc_id, text, None) for doc_id, text in docs)
    index_s = time.perf_counter() - start
    for q in list(queries.values())[:10]:
        embeddings.search(q, 10)
    run, times = {}, []
    for qid in qids:
        start = time.perf_counter()
        results = embeddings.search(queries[qid], 100)
        times.append(time.perf_counter() - start)
        run[qid] = [str(r[0]) for r in results]
    times.sort()
    json.dump({"documents": len(docs), "index_s": index_s, "query_p50_ms": 1000 * times[len(times) // 2],
               "query_p95_ms": 1000 * times[int(0.95 * len(times))], "run": run}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
