"""Milvus's built-in BM25 against qa.lexical on the same passages; writes benchmarks/MILVUS_BM25.md.

    python benchmarks/milvus_bm25.py [--index index/bench/scifact-onnx-int8]

Why the Milvus store keeps lexical search in the index folder: the same SciFact passages (title
and text, as qa.lexical indexes them) go into a milvus-lite collection with a BM25 function
(standard tokenizer, lower case, English stemmer; k1 and b as qa.lexical's), and the 809 train
claims are searched both ways, lexical only, ranked by article as ``qa eval`` does.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from report import measured_on, write_report  # beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ANALYZER = {"tokenizer": "standard", "filter": ["lowercase", {"type": "stemmer", "language": "english"}]}


def by_article(lib, pids: list[int]) -> list[str]:
    rows = lib.catalog.passages(pids)
    ranked: list[str] = []
    for pid in pids:
        if rows[pid].article_id not in ranked:
            ranked.append(rows[pid].article_id)
    return ranked


def milvus_run(lib, texts: list[tuple[int, str]], questions: list[str], folder: str) -> tuple[list[list[int]], dict]:
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    from qa.lexical import K1, B
    from qa.text import query_terms

    c = MilvusClient(os.path.join(folder, "bm25.db"))
    schema = c.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True, analyzer_params=ANALYZER)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))
    index = c.prepare_index_params()
    index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                    params={"bm25_k1": K1, "bm25_b": B})
    c.create_collection("passages", schema=schema, index_params=index)
    start = time.perf_counter()
    for i in range(0, len(texts), 2000):
        c.insert("passages", [{"id": pid, "text": text} for pid, text in texts[i:i + 2000]])
    c.flush("passages")  # without it, searching the growing segment spun at 100% CPU here
    took = {"insert_s": time.perf_counter() - start}
    start = time.perf_counter()
    runs = []
    for q in questions:
        hits = c.search("passages", data=[" ".join(query_terms(q))], anns_field="sparse", limit=100,
                        search_params={"metric_type": "BM25"}, output_fields=[])[0]
        runs.append([int(h["id"]) for h in hits])
    took["search_ms"] = 1000 * (time.perf_counter() - start) / len(questions)
    c.close()
    return runs, took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default=os.path.join(ROOT, "index", "bench", "scifact-onnx-int8"))
    ap.add_argument("--benchmarks", default=os.path.join(ROOT, "..", "shared", "benchmarks"))
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "MILVUS_BM25.md"))
    args = ap.parse_args()

    import qa
    from qa.evaluate import load_qrels, load_queries, score_run

    scifact = os.path.join(args.benchmarks, "scifact")
    if not os.path.exists(os.path.join(args.index, "manifest.json")):
        qa.Library.build([os.path.join(scifact, "corpus.jsonl")], args.index, progress=False)
    lib = qa.Library.open(args.index)
    qrels = load_qrels(os.path.join(scifact, "qrels", "train.tsv"))
    queries = load_queries(os.path.join(scifact, "queries.jsonl"))
    qids = [q for q in qrels if q in queries]
    questions = [queries[q] for q in qids]
    texts = list(lib.catalog.lexical_texts_from(0))
    start = time.perf_counter()
    ours = [[pid for pid, _ in lib.lexicon.top(lib.lexicon.scores(q), 100)] for q in questions]
    ours_ms = 1000 * (time.perf_counter() - start) / len(questions)
    with tempfile.TemporaryDirectory() as tmp:
        theirs, took = milvus_run(lib, texts, questions, tmp)
    truth = {q: qrels[q] for q in qids}
    rows = []
    for name, run, ms in (("qa.lexical (index folder)", ours, ours_ms),
                          ("Milvus BM25 function (milvus-lite)", theirs, took["search_ms"])):
        m = score_run({q: by_article(lib, pids) for q, pids in zip(qids, run, strict=True)}, truth)
        rows.append(f"| {name} | {m['ndcg@10']:.4f} | {m['recall@10']:.4f} | {m['recall@100']:.4f} | {ms:.1f} |")
        print(rows[-1], flush=True)
    import importlib.metadata as md

    nl = "\n"
    text = f"""# Lexical search: Milvus's BM25 against qa.lexical

{measured_on()}, pymilvus {md.version('pymilvus')}, milvus-lite {md.version('milvus-lite')}.
Command: `python benchmarks/milvus_bm25.py{''.join(' ' + a for a in sys.argv[1:])}`

SciFact train: {len(qids)} claims, {len(texts):,} passages (title and text), lexical search only,
ranked by article. Milvus: a BM25 function on a text field (analyzer `{ANALYZER}`,
k1 and b as qa.lexical's), inserted in {took['insert_s']:.0f} s and flushed. Times are per
question, one at a time: the top 100 passages' ids and scores, nothing else.

| lexical search | nDCG@10 | recall@10 | recall@100 | ms per question |
|---|---|---|---|---|
{nl.join(rows)}
"""
    return write_report(args.out, text)


if __name__ == "__main__":
    sys.exit(main())
