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
    queries, qrels = _queries(dataset, limit, answers=True)
    hits = 0
    for q in queries:
        answers = q["metadata"]["answers"]
        gold = [d for d, r in qrels[q["_id"]].items() if r > 0]
        top = lib.highlight(q["text"], gold[0])
        hits += bool(top) and any(a in top[0].text for a in answers)
    return hits / max(len(queries), 1), len(queries)


def answer_marks(lib, dataset: str, limit: int | None) -> dict[str, int]:
    """Of the questions asking for a number, a date or a quantity (qa.answerspan): how many, how
    often the gold paragraph's top highlight holds an answer string, how often one is marked
    in it, and how often the mark is (part of) an answer string or holds one."""
    from qa.answerspan import _ASKS, answer_in

    queries, qrels = _queries(dataset, limit, answers=True)
    queries = [q for q in queries if any(asks.search(q["text"]) for asks, _ in _ASKS)]
    out = {"asking": len(queries), "holds": 0, "marked": 0, "marked where it holds": 0, "right": 0,
           "first hits marked": 0, "first hits right": 0}
    for q, hits in _ask_all(lib, queries, 1):  # as a card shows it: the first hit's mark
        if hits and hits[0].answer:
            h = hits[0]
            mark = h.text[h.answer[0] - h.char_start:h.answer[1] - h.char_start]
            out["first hits marked"] += 1
            out["first hits right"] += any(mark in a or a in mark for a in q["metadata"]["answers"])
    for q in queries:
        gold = [d for d, r in qrels[q["_id"]].items() if r > 0]
        top = lib.highlight(q["text"], gold[0])
        if not top:
            continue
        answers, sentence = q["metadata"]["answers"], top[0].text
        holds = any(a in sentence for a in answers)
        out["holds"] += holds
        span = answer_in(q["text"], sentence, lib.lexicon)
        if span:
            mark = sentence[span[0]:span[1]]
            out["marked"] += 1
            out["marked where it holds"] += holds
            out["right"] += any(mark in a or a in mark for a in answers)
    return out


def _queries(dataset: str, limit: int | None, step: int = 1, answers: bool = False) -> tuple[list[dict], dict]:
    """Every ``step``-th query with judgements (and answer strings, if asked), and the qrels."""
    from qa.evaluate import load_qrels

    split = "test" if os.path.exists(os.path.join(dataset, "qrels", "test.tsv")) else "train"
    qrels = load_qrels(os.path.join(dataset, "qrels", f"{split}.tsv"))
    with open(os.path.join(dataset, "queries.jsonl"), encoding="utf-8") as fh:
        queries = [json.loads(line) for line in fh if line.strip()]
    queries = [q for q in queries[:limit] if qrels.get(q["_id"])
               and (not answers or (q.get("metadata") or {}).get("answers"))]
    return queries[::step], qrels


def _ask_all(lib, queries: list[dict], k: int):
    for start in range(0, len(queries), 64):
        chunk = queries[start:start + 64]
        yield from zip(chunk, lib.ask_many([q["text"] for q in chunk], k=k), strict=True)


def highlight_floor(lib, dataset: str, limit: int | None, step: int = 5) -> tuple[dict, int]:
    """What the two rules that hide highlights (a hit's best sentence below ``HIT_FLOOR`` of the
    best among the hits; a weak hit, ``Hit.weak``) keep and remove in the top 5 hits of every
    ``step``-th question: the share of gold-paragraph hits whose top highlight holds the answer,
    and the share of hits without any answer string that show a highlight, with the rules and
    without them."""
    import qa.highlight
    import qa.hits

    queries, qrels = _queries(dataset, limit, step, answers=True)
    out, floor, weak = {}, qa.highlight.HIT_FLOOR, qa.hits.weak
    for rules in (True, False):
        qa.highlight.HIT_FLOOR = floor if rules else 0.0
        qa.hits.weak = weak if rules else (lambda coverage, cosine: False)
        kept = gold = shown = without = 0
        for q, hits in _ask_all(lib, queries, 5):
            answers = q["metadata"]["answers"]
            for h in hits:
                if not any(a in h.text for a in answers):
                    without += 1
                    shown += bool(h.highlights)
                elif qrels[q["_id"]].get(h.article_id, 0) > 0:
                    gold += 1
                    kept += bool(h.highlights) and any(a in h.highlights[0].text for a in answers)
        out[rules] = (kept / max(gold, 1), shown / max(without, 1))
    qa.highlight.HIT_FLOOR, qa.hits.weak = floor, weak
    return out, len(queries)


def weak_flags(libs: dict, paths: dict, limit: int | None) -> list[str]:
    """How often the top hit is weak (``Hit.weak``) for questions whose answer is in the index
    and for questions it cannot answer: asked of the other dataset's index, and (SQuAD) with the
    gold paragraph's whole Wikipedia article left out (the first hit from another article)."""
    from qa.highlight import WEAK_BELOW

    squad, scifact = "squad-dev", "scifact"
    rows = []

    def share(name, queries, lib, k=1, pick=lambda q, hits: hits[0] if hits else None):
        picked = [(q, h) for q, hits in _ask_all(lib, queries, k) if (h := pick(q, hits)) is not None]
        rows.append(f"| {name} | {len(picked)} | {sum(h.weak for _, h in picked) / max(len(picked), 1):.3f} |")
        return picked

    sq, sq_rels = _queries(paths[squad], limit, step=5)
    sf, sf_rels = _queries(paths[scifact], limit)
    share("SQuAD dev (every 5th question), its own index", sq, libs[squad])
    tops = share("SciFact train claims, its own index", sf, libs[scifact])
    relevant = [sf_rels[q["_id"]].get(h.article_id, 0) > 0 for q, h in tops]
    flagged = [r for r, (_, h) in zip(relevant, tops, strict=True) if h.weak]
    gold_titles = {q["_id"]: {h.title for h in hits if sq_rels[q["_id"]].get(h.article_id, 0) > 0}
                   for q, hits in _ask_all(libs[squad], sq, 100)}
    share("SQuAD dev, its Wikipedia article left out (first hit from another)", sq, libs[squad], 100,
          lambda q, hits: next((h for h in hits if h.title not in gold_titles[q["_id"]]), None)
          if gold_titles[q["_id"]] else None)
    share("SciFact train claims asked of the SQuAD index", sf, libs[squad])
    share("SQuAD dev questions asked of the SciFact index", sq, libs[scifact])
    return ["### Weak hits: questions with an answer in the index and without one", "",
            "A hit is weak when the IDF-weighted share of the question's terms it contains plus its best "
            f"sentence's cosine to the question is below {WEAK_BELOW} (`qa.highlight.weak`); "
            "`qa ask` and the web page say so, and show no highlight in it. The share of top hits "
            "flagged weak:", "", "| questions | asked | top hit weak |", "|---|---|---|", *rows, "",
            f"Of the {len(flagged)} SciFact claims whose top hit is weak, that hit is a judged-relevant "
            f"abstract for {sum(flagged)} ({sum(flagged) / max(len(flagged), 1):.2f}; of all "
            f"{len(relevant)} top hits, {sum(relevant) / max(len(relevant), 1):.2f} are)."]


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
    from qa.highlight import HIT_FLOOR

    backend = args.backend or DEFAULT_BACKEND

    sections, libs, paths = [], {}, {}
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
            (kept, shown), (kept0, shown0) = floors[True], floors[False]
            text += ["", f"Highlights in the top 5 hits of {n} questions (every 5th): a hit's best "
                     f"sentence is shown only if it scores at least {HIT_FLOOR} of the best sentence among "
                     "the hits and the hit is not weak (below). Gold-paragraph hits whose top highlight "
                     f"holds the answer: **{kept:.3f}** ({kept0:.3f} without those two rules); hits "
                     f"without the answer that still show a highlight: **{shown:.3f}** ({shown0:.3f} "
                     "without them)."]
            m = answer_marks(qa.Library.open(index), path, args.limit)
            text += ["", f"Numbers, dates and quantities (`qa.answerspan`, `Hit.answer`): {m['asking']} questions "
                     "ask for one (how many, what number, what percentage or share, how much of, when opening the question, what or "
                     "which year, date, century, decade or month; how long, how often, how far, tall, high, deep, wide, big, "
                     "large or old, what age, what temperature, how hot or cold, how much with a word of money: cost, paid, spent...). Of the "
                     f"{m['holds']} whose top highlight in the gold paragraph holds an answer string, one is "
                     "marked in bold for "
                     f"{m['marked where it holds']} (**{m['marked where it holds'] / max(m['holds'], 1):.3f}**); "
                     f"of all {m['marked']} marks, **{m['right'] / max(m['marked'], 1):.3f}** are (part of) an "
                     "answer string or hold one. As the cards show it (the first hit's top highlight only, "
                     "right or wrong hit): the first hit has a mark for "
                     f"{m['first hits marked']} of the {m['asking']} questions, and it is (part of) an answer "
                     f"string for **{m['first hits right'] / max(m['first hits marked'], 1):.3f}** of them."]
        sections.append("\n".join(text))
        print("\n".join(text), file=sys.stderr)
        libs[name], paths[name] = qa.Library.open(index), path
    if len(libs) == len(DATASETS):
        sections.append("\n".join(weak_flags(libs, paths, args.limit)))
        print(sections[-1], file=sys.stderr)

    from qa.highlight import TITLE_WORD_WEIGHT, WEIGHTS
    from qa.lexical import K1, B
    from qa.search import (
        LEXICAL_CEILING,
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
        f"{SENTENCE_WEIGHT} and BM25 (`qa.lexical`, Porter stemming, k1 {K1}, b {B}) {LEXICAL_WEIGHT}, the best "
        f"BM25 counting in full from {LEXICAL_CEILING} of a whole-question match's, "
        f"then, for the best {PAIR_DEPTH}, {PAIR_WEIGHT} times the share of the question's word pairs "
        f"found side by side and {TOKEN_WEIGHT} times the match of the question's tokens to the passage's; "
        f"highlights: sentence token match {WEIGHTS[0]}, sentence cosine {WEIGHTS[1]}, "
        f"question words {WEIGHTS[2]}; words of the article's title weighted {TITLE_WORD_WEIGHT} in both).",
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
