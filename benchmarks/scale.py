"""Ray Data embedding against the in-process build, and Milvus against FAISS; writes
benchmarks/SCALE.md.

    python benchmarks/scale.py [--benchmarks ../shared/benchmarks] [--docs 400] [--backend onnx-int8]
                               [--index index/bench/scifact-onnx-int8]

The same first ``--docs`` SciFact abstracts are built into a fresh index each time: in process,
then through Ray started on this machine with 1 and 2 embedding actors. The model export is
made once beforehand and reused, so every run times reading, chunking, embedding and writing.
Then a copy of the SciFact index (``--index``, as ``qa eval`` builds it) moves its vectors into a
milvus-lite file and both answer every SciFact train claim.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

from report import measured_on, write_report  # beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--benchmarks", default=os.path.join(ROOT, "..", "shared", "benchmarks"))
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--backend", default="onnx-int8")
    ap.add_argument("--index", default=os.path.join(ROOT, "index", "bench", "scifact-onnx-int8"))
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "SCALE.md"))
    args = ap.parse_args()
    import qa

    milvus = milvus_vs_faiss(args.index, os.path.join(args.benchmarks, "scifact"))

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.jsonl")
        with open(os.path.join(args.benchmarks, "scifact", "corpus.jsonl"), encoding="utf-8") as src, \
                open(corpus, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i == args.docs:
                    break
                dst.write(line)
        models = os.path.join(tmp, "first", "models")
        qa.Library.build([corpus], os.path.join(tmp, "first"), backend=args.backend, progress=False)
        base = None
        for label, ray in (("in process (all cores)", None),
                           ("Ray on this machine, 1 actor", qa.RayOptions(workers=1)),
                           ("Ray on this machine, 2 actors", qa.RayOptions(workers=2))):
            path = os.path.join(tmp, "run")
            shutil.rmtree(path, ignore_errors=True)
            shutil.copytree(models, os.path.join(path, "models"))
            start = time.perf_counter()
            lib = qa.Library.build([corpus], path, backend=args.backend, progress=False, ray=ray)
            took = time.perf_counter() - start
            n = lib.info().passages
            base = base or n / took
            rows.append(f"| {label} | {n} | {took:.1f} | {n / took:.1f} | {n / took / base:.2f}x |")
            print(rows[-1], flush=True)
    nl = "\n"
    text = f"""# Scale-out: embedding with Ray

{measured_on()}.
Command: `python benchmarks/scale.py {' '.join(sys.argv[1:])}`

Build of the first {args.docs} SciFact abstracts ({args.backend} backend), wall time including
Ray start-up and actor model loading, which a long build amortises. On one machine Ray cannot
beat the in-process build (both use every core); what it adds is that the same command runs on
a cluster (`qa index PATH --ray HEAD:6379`), where throughput grows with the number of actors
until the writer (reading, chunking, catalog writes) becomes the limit.

| build | passages | seconds | passages/s | vs in process |
|---|---|---|---|---|
{nl.join(rows)}

## Milvus against FAISS (SciFact train, 809 claims, top 10 articles)

The SciFact index copied and moved into a milvus-lite file (`qa index ... --rebuild --store
PATH.db`: vectors copied, nothing embedded). Text, BM25 postings and sentence vectors stay in
the index folder, so only the vector searches differ. Last row: the same update (5 abstracts
changed) through a FAISS copy and the Milvus copy, which changes its collections in place;
seconds include reading and hashing all 5,183 abstracts and publishing the generation.

| mode | nDCG@10 FAISS | nDCG@10 Milvus | same top 10 | mean top-10 overlap | seconds FAISS | seconds Milvus |
|---|---|---|---|---|---|---|
{nl.join(milvus)}
"""
    return write_report(args.out, text)


def milvus_vs_faiss(index: str, scifact: str) -> list[str]:
    import qa
    from qa.evaluate import load_qrels, load_queries, score_run

    qrels = load_qrels(os.path.join(scifact, "qrels", "train.tsv"))
    queries = load_queries(os.path.join(scifact, "queries.jsonl"))
    qids = [q for q in qrels if q in queries]
    questions = [queries[q] for q in qids]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "scifact")
        shutil.copytree(index, copy)
        qa.Library.build([os.path.join(scifact, "corpus.jsonl")], copy, store=os.path.join(tmp, "sf.db"),
                         progress=False)
        libs = (qa.Library.open(index), qa.Library.open(copy))
        for mode in ("hybrid", "dense"):
            runs, took = [], []
            for lib in libs:
                start = time.perf_counter()
                hits = lib.ask_many(questions, k=10, mode=mode, highlights=False)
                took.append(time.perf_counter() - start)
                runs.append({q: [h.article_id for h in row] for q, row in zip(qids, hits, strict=True)})
            ndcg = [score_run(run, {q: qrels[q] for q in qids})["ndcg@10"] for run in runs]
            same = sum(runs[0][q] == runs[1][q] for q in qids) / len(qids)
            overlap = sum(len(set(runs[0][q]) & set(runs[1][q])) / 10 for q in qids) / len(qids)
            rows.append(f"| {mode} | {ndcg[0]:.4f} | {ndcg[1]:.4f} | {same:.3f} | {overlap:.3f} "
                        f"| {took[0]:.0f} | {took[1]:.0f} |")
            print(rows[-1], flush=True)
        # An update changing 5 abstracts, through the FAISS copy and the Milvus copy.
        faiss_copy = os.path.join(tmp, "scifact-faiss")
        shutil.copytree(index, faiss_copy)
        changed = os.path.join(tmp, "corpus.jsonl")
        with open(os.path.join(scifact, "corpus.jsonl"), encoding="utf-8") as src, \
                open(changed, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i < 5:
                    doc = json.loads(line)
                    line = json.dumps({**doc, "text": doc["text"] + " This abstract was revised."}) + "\n"
                dst.write(line)
        took = []
        for path in (faiss_copy, copy):
            start = time.perf_counter()
            summary = qa.Library.build([changed], path, progress=False).last_summary
            took.append(time.perf_counter() - start)
        rows.append(f"| update: {summary.embedded} abstracts changed, {summary.kept} kept | | | | "
                    f"| {took[0]:.1f} | {took[1]:.1f} |")
        print(rows[-1], flush=True)
        for lib in libs:
            lib.close()
    return rows


if __name__ == "__main__":
    sys.exit(main())
