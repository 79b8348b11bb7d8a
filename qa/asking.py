"""``qa ask``: one question, questions piped in a line each, or a prompt to ask one after another.

The model loads once per run, so a script with a thousand questions pipes them in (``qa ask -
< questions.txt``) instead of starting ``qa`` a thousand times; they are answered in batches
through :meth:`qa.Library.ask_many`. With ``--json`` each hit's line says which question it
answers (``question``). Run in a terminal without a question, it asks for one, then the next,
until Ctrl-D.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from functools import partial
from typing import TypeVar

from .errors import InputError

T = TypeVar("T")

BATCH = 64  # questions embedded together


def cmd_ask(args) -> int:
    from .cli import filters_of
    from .library import Library

    lib = Library.open(args.index, backend=args.backend)
    filters = filters_of(args)
    if args.question not in (None, "-"):
        _answer(lib, args, filters, args.question, lib.ask(args.question, k=args.k, mode=args.mode, filters=filters,
                                                          per_article=args.per_article))
        return 0
    if args.question is None and sys.stdin.isatty():
        return _prompt(lib, args, filters)
    asked, failed = 0, 0
    for batch in _batches(_lines(sys.stdin), BATCH):
        asked += len(batch)
        questions = [question for _, question in batch]
        ask = partial(lib.ask_many, k=args.k, mode=args.mode, filters=filters, per_article=args.per_article)
        try:
            answers: list[list | None] = list(ask(questions))
        except InputError as exc:  # a line that is no question ("???") does not lose the others
            alone = [_alone(ask, question) for question in questions]
            if all(isinstance(hits, InputError) for hits in alone):
                raise exc from None  # the filters, or the one question: said once
            answers = []
            for (number, _), hits in zip(batch, alone, strict=True):
                if isinstance(hits, InputError):
                    print(f"qa ask: error: line {number}: {hits}", file=sys.stderr)
                answers.append(None if isinstance(hits, InputError) else hits)
        for question, hits in zip(questions, answers, strict=True):
            if hits is None:
                failed += 1
                continue
            if not args.json:
                print(f"── {question}")  # a hit's lines end with a blank one
            _answer(lib, args, filters, question, hits, tag=True)
        sys.stdout.flush()  # a script reading the answers as they come gets each batch's
    if not asked:
        raise InputError('no question: give one (qa ask "How ...?"), or pipe them in, one a line')
    return InputError.exit_code if failed else 0


def _alone(ask, question: str) -> list | InputError:
    """A piped question's hits, asked alone, or why it cannot be asked."""
    try:
        return ask([question])[0]
    except InputError as exc:
        return exc


def _prompt(lib, args, filters) -> int:
    with contextlib.suppress(ImportError):  # not on Windows
        import readline  # noqa: F401 - input() then edits the line and recalls earlier questions
    print("Ask a question (Ctrl-D to end).", file=sys.stderr)
    while True:
        try:
            question = _read("question> ").strip()
        except EOFError:
            print(file=sys.stderr)
            return 0
        if not question:
            continue
        try:
            hits = lib.ask(question, k=args.k, mode=args.mode, filters=filters, per_article=args.per_article)
        except InputError as exc:  # a slip ("-harbour" alone) is said, and the next question asked
            print(f"error: {exc}", file=sys.stderr)
            continue
        _answer(lib, args, filters, question, hits)


def _read(prompt: str) -> str:
    """A line typed at the prompt; the prompt on stderr when stdout is not the terminal (``qa ask
    --json > answers.jsonl``), so the file holds answers only."""
    if sys.stdout.isatty():
        return input(prompt)
    sys.stderr.write(prompt)
    sys.stderr.flush()
    return input()


def _answer(lib, args, filters, question: str, hits: list, tag: bool = False) -> None:
    """One question's hits as ``qa ask`` prints them; ``tag``: JSON lines name the question."""
    from .hitprint import print_hit
    from .notices import common_words_notice, language_notice, per_article_notice, weak_notice
    from .phrases import notice as unquoted

    contexts = [lib.around(h.passage_id, args.around) if args.around else None for h in hits]
    if args.json:
        for h, context in zip(hits, contexts, strict=True):
            around = {"around": dataclasses.asdict(context)} if context else {}
            print(json.dumps(({"question": question} if tag else {}) | h.to_dict() | around, ensure_ascii=False))
        return
    fixed = lib.did_you_mean(question)
    if not hits:
        print((f"Did you mean: {fixed}\n" if fixed else "") + "no passages match; try other words, --mode dense, "
              "or fewer filters")
        return
    analyzer = lib.lexicon.analyzer
    foreign = language_notice(question, hits, analyzer.language)
    for notice in (fixed and f"Did you mean: {fixed}", unquoted(question, hits, analyzer), weak_notice(hits),
                   common_words_notice(question, analyzer.stopwords), foreign):
        if notice:
            print(notice + "\n")
    for h, context in zip(hits, contexts, strict=True):
        print_hit(h, args.mode, context)
    if len(hits) < args.k and args.per_article < args.k:  # one long document: it holds more
        more = len(lib.ask(question, k=args.k, mode=args.mode, filters=filters, per_article=args.k, highlights=False))
        notice = per_article_notice(hits, more, f"ask with --per-article {more}")
        if notice:
            print(notice)


def _lines(stream) -> Iterator[tuple[int, str]]:
    """(line number, question) of the lines that are not blank."""
    return ((number, line.strip()) for number, line in enumerate(stream, 1) if line.strip())


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch
