"""Index and query a BEIR dataset with txtai (run in a venv that has txtai); prints JSON.

    python benchmarks/txtai_run.py DATASET_DIR MODEL_DIR [--split train] [--max-docs N]

Called by ``benchmarks/speed.py`` with a separate interpreter, so txtai's dependencies never enter
article-qa's environment. Documents are indexed whole (title + text), as txtai users do, once, in a
hybrid index (dense + BM25); the queries then run four ways: hybrid and dense-only (fusion weight
1.0), each with txtai's default IVF ``nprobe`` and with every cell probed (exact search).
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
    embeddings = Embeddings({"path": args.model, "content": False, "backend": "faiss", "hybrid": True})
    start = time.perf_counter()
    embeddings.index((doc_id, text, None) for doc_id, text in docs)
    index_s = time.perf_counter() - start
    import faiss

    ann = embeddings.ann
    try:
        nlist = faiss.extract_index_ivf(ann.backend).nlist
    except RuntimeError:  # txtai keeps up to 5,000 documents in a flat index
        nlist = 0
    out = {"documents": len(docs), "index_s": index_s, "nlist": nlist,
           "default_nprobe": ann.nprobe() if nlist else 0, "runs": {}}
    for probe in ("default", "exact"):
        if probe == "exact" and nlist:
            ann.config.setdefault("faiss", {})["nprobe"] = nlist
        for name, weights in (("hybrid", None), ("dense", 1.0)):
            for q in list(queries.values())[:10]:
                embeddings.search(q, 10, weights=weights)
            run, times = {}, []
            for qid in qids:
                start = time.perf_counter()
                results = embeddings.search(queries[qid], 100, weights=weights)
                times.append(time.perf_counter() - start)
                run[qid] = [str(r[0]) for r in results]
            times.sort()
            out["runs"][f"{name} {probe}"] = {"query_p50_ms": 1000 * times[len(times) // 2], "run": run}
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
