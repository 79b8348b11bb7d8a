"""Retrieval and highlight quality on the public benchmarks; writes benchmarks/RESULTS.md.

    python benchmarks/quality.py [--benchmarks ../shared/benchmarks] [--out benchmarks/RESULTS.md]

Every figure comes from the default ``Library.ask`` settings (one setting for all corpora). The
indexes are built under ``index/bench/`` and reused on later runs when the corpus is unchanged.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

DATASETS = [("scifact", "train", "SciFact (train judgements: 809 claims, 5,183 abstracts)"),
            ("squad-dev", "test", "SQuAD v1.1 dev as paragraph retrieval (10,570 questions, 2,067 paragraphs)")]
METRICS = ["ndcg@10", "mrr@10", "recall@1", "recall@10", "recall@100"]


def highlight_accuracy(lib, dataset: str, limit: int | None) -> tuple[float, int]:
    """Share of questions whose top highlighted sentence of the gold paragraph holds an answer."""
    from qa.evaluate import load_qrels

    qrels = load_qrels(os.path.join(dataset, "qrels", "test.tsv"))
    hits = total = 0
    with open(os.path.join(dataset, "queries.jsonl"), encoding="utf-8") as fh:
        queries = [json.loads(line) for line in fh if line.strip()]
    for q in queries[:limit]:
        answers = (q.get("metadata") or {}).get("answers") or []
        gold = [d for d, r in qrels.get(q["_id"], {}).items() if r > 0]
        if not answers or not gold:
            continue
        top = lib.highlight(q["text"], gold[0])
        total += 1
        hits += bool(top) and any(a in top[0].text for a in answers)
    return hits / max(total, 1), total


def highlight_floor(lib, dataset: str, limit: int | None, step: int = 5) -> tuple[dict, int]:
    """What the floor on weak hits' highlights (``qa.highlight.HIT_FLOOR``) keeps and removes in
    the top 5 hits of every ``step``-th question: the share of gold-paragraph hits whose top
    highlight holds the answer, and the share of hits without any answer string that show a
    highlight, with the floor and without it (0)."""
    import qa.highlight
    from qa.evaluate import load_qrels

    qrels = load_qrels(os.path.join(dataset, "qrels", "test.tsv"))
    with open(os.path.join(dataset, "queries.jsonl"), encoding="utf-8") as fh:
        queries = [json.loads(line) for line in fh if line.strip()]
    queries = [q for q in queries[:limit] if (q.get("metadata") or {}).get("answers") and qrels.get(q["_id"])]
    queries = queries[::step]
    out, floor = {}, qa.highlight.HIT_FLOOR
    for value in (floor, 0.0):
        qa.highlight.HIT_FLOOR = value
        kept = gold = shown = without = 0
        for start in range(0, len(queries), 64):
            chunk = queries[start:start + 64]
            for q, hits in zip(chunk, lib.ask_many([q["text"] for q in chunk], k=5), strict=True):
                answers = q["metadata"]["answers"]
                for h in hits:
                    if not any(a in h.text for a in answers):
                        without += 1
                        shown += bool(h.highlights)
                    elif qrels[q["_id"]].get(h.article_id, 0) > 0:
                        gold += 1
                        kept += bool(h.highlights) and any(a in h.highlights[0].text for a in answers)
        out[value] = (kept / max(gold, 1), shown / max(without, 1))
    qa.highlight.HIT_FLOOR = floor
    return out, len(queries)


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("onnxruntime", "onnx", "transformers", "sentence-transformers", "torch", "faiss-cpu"):
        with contextlib.suppress(PackageNotFoundError):
            out.append(f"{name} {version(name)}")
    return ", ".join(out)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--benchmarks", default=os.path.join(os.path.dirname(HERE), "..", "shared", "benchmarks"))
    p.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    p.add_argument("--limit", type=int, help="only the first N queries per dataset (quick look)")
    p.add_argument("--backend", help="torch, onnx or onnx-int8 (default: the library's default)")
    args = p.parse_args()

    import qa
    from qa.embedder import DEFAULT_BACKEND
    from qa.evaluate import run_eval

    backend = args.backend or DEFAULT_BACKEND

    sections = []
    for name, split, title in DATASETS:
        path = os.path.join(args.benchmarks, name)
        if not os.path.isdir(path):
            print(f"skipping {name}: {path} not found", file=sys.stderr)
            continue
        index = os.path.join("index", "bench", f"{name}-{backend}")
        start = time.time()
        report = run_eval(path, split=split, index=index, limit=args.limit, backend=backend)
        seconds = time.time() - start
        rows = ["| mode | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
        for mode, values in report["modes"].items():
            rows.append(f"| {mode} | " + " | ".join(f"{values[m]:.4f}" for m in METRICS) + " |")
        best_single = max(report["modes"]["lexical"]["ndcg@10"], report["modes"]["dense"]["ndcg@10"])
        margin = report["modes"]["hybrid"]["ndcg@10"] - best_single
        text = [f"### {title}", "", f"{report['queries']} queries scored, split `{split}`; "
                f"{seconds:.0f} s including indexing when the index was not yet built.", "", *rows, "",
                f"Hybrid minus the better single mode, nDCG@10: **{margin:+.4f}**."]
        if name.startswith("squad"):
            acc, n = highlight_accuracy(qa.Library.open(index), path, args.limit)
            text += ["", f"Highlight: the top highlighted sentence of the gold paragraph contains an "
                     f"answer string for **{acc:.3f}** of {n} questions."]
            floors, n = highlight_floor(qa.Library.open(index), path, args.limit)
            (floor, (kept, shown)), (_, (kept0, shown0)) = floors.items()
            text += ["", f"Highlights in the top 5 hits of {n} questions (every 5th): a hit's best "
                     f"sentence is shown only if it scores at least {floor} of the best sentence among "
                     f"the hits. Gold-paragraph hits whose top highlight holds the answer: **{kept:.3f}** "
                     f"({kept0:.3f} without that floor); hits without the answer that still show a "
                     f"highlight: **{shown:.3f}** ({shown0:.3f} without it)."]
        sections.append("\n".join(text))
        print("\n".join(text), file=sys.stderr)

    from qa.highlight import WEIGHTS
    from qa.lexical import K1, B
    from qa.search import (
        LEXICAL_WEIGHT,
        PAIR_DEPTH,
        PAIR_WEIGHT,
        PASSAGE_WEIGHT,
        SENTENCE_WEIGHT,
        TOKEN_WEIGHT,
    )

    lines = [
        "# Retrieval quality", "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()} ({os.cpu_count()} cores) "
        f"with article-qa {qa.__version__}, the bundled all-MiniLM-L6-v2 on the {backend} backend, "
        "default settings "
        f"(hybrid: min-max score fusion of passage cosine {PASSAGE_WEIGHT}, best-sentence cosine "
        f"{SENTENCE_WEIGHT} and BM25 (`qa.lexical`, Porter stemming, k1 {K1}, b {B}) {LEXICAL_WEIGHT}, "
        f"then, for the best {PAIR_DEPTH}, {PAIR_WEIGHT} times the share of the question's word pairs "
        f"found side by side and {TOKEN_WEIGHT} times the match of the question's tokens to the passage's; "
        f"highlights: sentence token match {WEIGHTS[0]}, sentence cosine {WEIGHTS[1]}, "
        f"question words {WEIGHTS[2]}).",
        "", "The int8 model is quantised on the machine the first time it is used, so its vectors (and the "
        f"dense and hybrid figures, by a few thousandths) follow the installed libraries: {_versions()}.",
        "", "Command:", "", "```bash",
        "python benchmarks/quality.py" + (f" --limit {args.limit}" if args.limit else "")
        + (f" --backend {args.backend}" if args.backend else ""), "```", "",
        *[s + "\n" for s in sections],
    ]
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
