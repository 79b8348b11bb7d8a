"""The ``qa`` command line. Heavy imports happen inside the command functions."""

from __future__ import annotations

import argparse
import json
import os
import sys
from functools import partial

from .errors import InputError, NotFoundError, QAError

DEFAULT_INDEX = os.path.join("index", "default")


class _Parser(argparse.ArgumentParser):
    """Takes an argument holding a space for a value, not an option, unless its first word is an option;
    and a lone `-word` too, unless it is an option or a short option with its number (`-k5`, `-k=5`).

    argparse means to (its last rule), but first matches a short option's letters: the question
    `-harbour Who went on strike` (a -word leaving passages out) read as -h with the value `arbour ...`,
    and `-harbour` alone as -h, "ignored explicit argument 'arbour'".
    """

    def _parse_optional(self, arg_string):
        name = arg_string.split("=", 1)[0]
        words = name.split()
        if len(words) > 1 and words[0] not in self._option_string_actions:
            return None
        if (len(words) == 1 and len(arg_string) > 2 and arg_string[1] != "-" and not arg_string[2].isdigit()
                and name not in self._option_string_actions):
            return None
        return super()._parse_optional(arg_string)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="qa",
        description="Ask questions of a collection of articles; get passages with exact references.",
        epilog="Example: qa index samples/news && qa ask 'Who won the election?'",
    )
    from . import __version__

    p.add_argument("--version", action="version", version=f"article-qa {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def with_index(sp):
        sp.add_argument("--index", default=DEFAULT_INDEX, metavar="DIR",
                        help=f"index directory (default {DEFAULT_INDEX})")
        return sp

    def with_backend(sp):
        sp.add_argument("--backend", choices=("torch", "onnx", "onnx-int8"),
                        help="how to run the model (default: what built the index; new indexes: "
                             "onnx-int8). onnx/onnx-int8 export the model once into the index folder")
        return sp

    sp = with_backend(with_index(sub.add_parser("index", help="build or update an index from files and folders")))
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp.add_argument("--model", help="sentence-transformers model name or path "
                    "(default sentence-transformers/all-MiniLM-L6-v2, bundled)")
    sp.add_argument("--one-per-file", action="store_true",
                    help=".txt files: the whole file is one article (default: one per blank-line block, unless a "
                         "heading stands alone in one: then one Markdown document)")
    sp.add_argument("--rebuild", action="store_true",
                    help="make the index hold exactly PATHs, every article split as this version splits "
                         "it (default: update them, keep the rest)")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    sp.add_argument("--watch", nargs="?", type=_seconds, const=0.0, metavar="SECONDS",
                    help="(after the PATHs) then keep the index in step with them, saying what changed, until "
                         "Ctrl+C: updated when they change and every SECONDS all the same (default 300; 10 where "
                         "changes cannot be watched; give less for a network drive others write to)")
    sp.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                    help="(after the PATHs) embed in a Ray Data actor pool: alone, Ray starts on this machine; with "
                         "an ADDRESS (auto, HOST:6379, ray://HOST:10001) it joins that cluster")
    sp.add_argument("--ray-workers", type=int, default=2, metavar="N",
                    help="embedding actors, one model copy each (default 2)")
    sp.add_argument("--ray-batch-size", type=int, default=64, metavar="N",
                    help="passages per model call (default 64)")
    sp.add_argument("--approx-threshold", type=int, metavar="N",
                    help="above N passages search an approximate IVF index (default 100000; "
                         "recorded in the index)")
    sp.add_argument("--ondisk-threshold", type=int, metavar="N",
                    help="above N passages keep the IVF lists on disk and write without holding "
                         "all vectors in memory (default 2000000; recorded in the index)")
    sp.add_argument("--language", metavar="NAME",
                    help="the articles' language, whose sentence rules split them and whose stemmer full-text "
                         "search uses: english, german, french, spanish, ... (default for a new index: the one "
                         "whose function words its articles use, English unless clearly another; recorded "
                         "in the index; a new one re-analyses its passages and splits new and changed articles, "
                         "--rebuild all of them)")
    sp.add_argument("--store", metavar="WHERE",
                    help="where vectors live: faiss (files in the index folder, the default), "
                         "milvus://HOST:PORT/NAME, or a milvus-lite file PATH.db")

    sp = with_index(sub.add_parser(
        "remove", help="take the articles of files or folders out of an index",
        description="Take the articles read from these files or folders (everything under them) out of the "
                    "index, whether or not the files still exist. Nothing else changes; the files are not touched. "
                    "A PATH is taken from the current folder, else as `qa info` lists the sources."))
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")

    sp = with_backend(with_index(sub.add_parser(
        "ask", help="ask a question",
        description="Ask a question; or pipe questions in, one a line (QUESTION '-', or none), answered in "
                    "batches with the model loaded once; or, in a terminal, give none to be asked for one "
                    "after another.")))
    sp.add_argument("question", nargs="?", help="the question (words in \"quotes\": passages holding them side by side; "
                    "-word or -\"words\": passages holding them left out); '-' reads them from standard input, one a line")
    sp.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    sp.add_argument("--mode", choices=("hybrid", "dense", "lexical"), default="hybrid")
    sp.add_argument("--per-article", type=int, default=1, help="passages per article (default 1)")
    sp.add_argument("--source", help="only sources matching this glob, e.g. '*news*' or '*.md', or under this folder")
    sp.add_argument("--date-from", help="only articles dated on or after YYYY-MM-DD")
    sp.add_argument("--date-to", help="only articles dated on or before YYYY-MM-DD")
    sp.add_argument("--tag", action="append", default=[], help="only articles with this tag (or a tag nested in it: project/alpha for project)")
    sp.add_argument("--author", help="only articles whose author (a message's sender) contains this, in any case")
    sp.add_argument("--around", type=_passages, nargs="?", const=1, default=0, metavar="N",
                    help="also print the text before and after each passage: that of N passages on each "
                         "side (default 1, at most 10)")
    sp.add_argument("--json", action="store_true", help="one JSON object per hit and line (with the question it "
                                                        "answers when they are piped in)")

    sp = with_backend(with_index(sub.add_parser(
        "similar", help="articles similar to an article",
        description="Articles like one in the index (by id or by the reference qa ask prints: "
                    "FILE or FILE:LINE, a PDF's FILE:pPAGE, a Word document's FILE:¶PARAGRAPH, an e-book's "
                    "FILE:§CHAPTER), like a file that is not indexed, or like --text.")))
    sp.add_argument("article_id", nargs="?", metavar="ARTICLE",
                    help="an article id, FILE:LINE, FILE holding one article, or any file to compare")
    sp.add_argument("--text", help="compare with this text instead of an article")
    sp.add_argument("-k", type=int, default=5, help="number of articles (default 5)")
    sp.add_argument("--json", action="store_true", help="one JSON object per article and line")

    sp = with_index(sub.add_parser("info", help="what an index holds and what built it"))
    sp.add_argument("--json", action="store_true")

    sp = with_index(sub.add_parser("check", help="verify that manifest, catalog and vectors agree"))

    sp = with_backend(with_index(sub.add_parser("serve", help="start the web UI")))
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=7860)
    sp.add_argument("--auth", metavar="USER:PASSWORD",
                    help="require this login (or set QA_AUTH=user:password)")
    sp.add_argument("--watch", nargs="+", metavar="PATH",
                    help="keep the index in step with these folders while serving (built from them if new)")
    sp.add_argument("--every", type=_seconds, metavar="SECONDS",
                    help="with --watch: seconds between updates when nothing was seen to change (default 300; "
                         "10 where changes cannot be watched)")

    sp = sub.add_parser("eval", help="measure retrieval quality on a BEIR-layout dataset")
    sp.add_argument("dataset", metavar="DATASET_DIR")
    sp.add_argument("--split", default="test")
    sp.add_argument("--index", metavar="DIR", help="use (or build) the index here; "
                    "default: a folder under index/eval/")
    sp.add_argument("--mode", action="append", choices=("hybrid", "dense", "lexical"),
                    help="modes to compare (default all three)")
    sp.add_argument("--limit", type=int, help="only the first N queries")
    with_backend(sp)
    sp.add_argument("--json", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except QAError as exc:
        print(f"qa {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted" + _resumable(args), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _resumable(args) -> str:
    """What an interrupted `qa index` keeps, for the message."""
    if args.command != "index":
        return ""
    from .journal import pending

    kept = pending(args.index)
    return (f"; the {kept} passages embedded so far are kept: run the same command again to resume"
            if kept else "")


def cmd_index(args) -> int:
    from .indexdir import MANIFEST
    from .library import Library

    progress = not args.quiet
    ray = None
    if args.ray:
        from .distributed import RayOptions

        ray = RayOptions(address=None if args.ray == "local" else args.ray, workers=args.ray_workers,
                         batch_size=args.ray_batch_size)
    new = not os.path.exists(os.path.join(args.index, MANIFEST))
    gone: set[str] = set()
    if not new and not args.rebuild:
        if args.store:
            raise InputError("--store applies to a new index or with --rebuild")
        lib = Library.open(args.index, model=args.model, backend=args.backend)
        # watching, a drive not mounted yet keeps its articles, as in later rounds (said after a
        # typo's error)
        summary = lib.update(args.paths, one_per_file=args.one_per_file, progress=progress, ray=ray,
                             approx_threshold=args.approx_threshold, ondisk_threshold=args.ondisk_threshold,
                             language=args.language, keep_gone=args.watch is not None)
        if args.watch is not None:
            from .watch import look

            gone = look(args.paths, (), print)
    else:
        lib = Library.build(args.paths, args.index, model=args.model, backend=args.backend,
                            one_per_file=args.one_per_file, progress=progress, ray=ray,
                            store=args.store, approx_threshold=args.approx_threshold,
                            ondisk_threshold=args.ondisk_threshold, language=args.language)
        summary = lib.last_summary
    for line in summary.lines():
        print(line)
    language = lib.info().settings.get("language", "english")
    if new and not args.language and language != "english":  # qa.language: found, not asked
        print(f"language: {language}, as the articles read (--rebuild --language english to say otherwise)")
    print(f"index: {args.index}")
    if args.watch is not None:
        from .watch import described, every, file_events, watch

        events = file_events(args.paths, [args.index], partial(print, flush=True))
        seconds = every(args.watch, events)
        print(f"{described(args.paths, seconds, events)} (Ctrl+C stops)", flush=True)
        try:
            watch(partial(lib.update, one_per_file=args.one_per_file, progress=False, ray=ray), args.paths,
                  seconds, report=partial(print, flush=True), events=events, gone=gone)
        except KeyboardInterrupt:
            print("stopped watching")
        finally:
            if events is not None:
                events.stop()
    return 0


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < 10**6:
        raise argparse.ArgumentTypeError(f"{value} is not a number of seconds above 0")
    return seconds


def _passages(value: str) -> int:
    from .around import MAX_PASSAGES

    if not value.isdigit() or not 1 <= int(value) <= MAX_PASSAGES:
        raise argparse.ArgumentTypeError(f"{value} is not a number of passages from 1 to {MAX_PASSAGES}")
    return int(value)


def cmd_remove(args) -> int:
    from .library import Library

    summary = Library.open(args.index).remove(args.paths, progress=not args.quiet)
    for line in summary.removal_lines(args.paths):
        print(line)
    print(f"index: {args.index}")
    return 0


def filters_of(args):
    from .search import Filters

    return Filters(args.source, args.date_from, args.date_to, tuple(args.tag), (args.author or "").strip() or None)


def cmd_similar(args) -> int:
    from .library import Library

    if (args.article_id is None) == (args.text is None):
        raise InputError("give one of ARTICLE (an id, FILE or FILE:LINE) and --text TEXT")
    lib = Library.open(args.index, backend=args.backend)
    try:
        hits = lib.similar(args.article_id, k=args.k, text=args.text)
    except NotFoundError:
        if args.article_id is None or not os.path.isfile(args.article_id):
            raise
        hits = lib.similar_to_file(args.article_id, k=args.k)
        print(f"{args.article_id} is not in the index: articles like its text", file=sys.stderr)
    for h in hits:
        if args.json:
            print(json.dumps(h.to_dict(), ensure_ascii=False))
        else:
            extra = (f"  {h.url}" if h.url else "") + (f"  ({h.date})" if h.date else "")
            common = f"\n   in common: {', '.join(h.in_common)}" if h.in_common else ""
            print(f"{h.rank}. {h.reference}{extra}  score {h.score:.3f}\n   {h.title}  [{h.article_id}]{common}")
    return 0


def cmd_info(args) -> int:
    from .infoprint import print_info

    return print_info(args)


def cmd_check(args) -> int:
    from .indexdir import leftovers
    from .journal import pending
    from .library import Library

    problems = Library.open(args.index).check()
    for name in leftovers(args.index):
        print(f"note: {name} was left by an interrupted or superseded write; the next "
              "`qa index` removes it", file=sys.stderr)
    if kept := pending(args.index):
        print(f"note: an interrupted write left {kept} embedded passages in journal/; the next "
              "`qa index` of the same files reuses them", file=sys.stderr)
    if problems:
        for p in problems:
            print(f"problem: {p}", file=sys.stderr)
        return 5
    print(f"{args.index}: manifest, catalog and vectors agree")
    return 0


def cmd_serve(args) -> int:
    from .serving import serve

    serve(args.index, host=args.host, port=args.port, auth=args.auth or os.environ.get("QA_AUTH"),
          backend=args.backend, watch=args.watch, watch_every=args.every)
    return 0


def cmd_eval(args) -> int:
    from .evaluate import run_eval

    report = run_eval(args.dataset, split=args.split, index=args.index,
                      modes=args.mode or ["lexical", "dense", "hybrid"], limit=args.limit,
                      backend=args.backend)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    metrics = list(next(iter(report["modes"].values())).keys())
    print(f"{report['dataset']} ({report['split']}: {report['queries']} queries, "
          f"{report['documents']} documents)")
    print("mode      " + "".join(f"{m:>12}" for m in metrics))
    for mode, values in report["modes"].items():
        print(f"{mode:<10}" + "".join(f"{values[m]:>12.4f}" for m in metrics))
    if report["unasked"]:  # scored as found nothing
        shown = ", ".join(report["unasked"][:5]) + (", ..." if len(report["unasked"]) > 5 else "")
        print(f"{len(report['unasked'])} queries could not be asked (no word in them), scored as finding nothing: {shown}")
    return 0


def cmd_ask(args) -> int:
    from .asking import cmd_ask as ask

    return ask(args)


COMMANDS = {"index": cmd_index, "remove": cmd_remove, "ask": cmd_ask, "similar": cmd_similar, "info": cmd_info,
            "check": cmd_check, "serve": cmd_serve, "eval": cmd_eval}

if __name__ == "__main__":
    sys.exit(main())
