"""Picked passages as the hits a search returns: their best-answering sentences, where in a
document they are (sections, fenced code, a table's header), the question's words they miss,
whether they answer at all, and the words in quotes they hold."""

from __future__ import annotations

from . import markdown, phrases
from .answerspan import answer_in
from .highlight import best_cosine, highlights_of_hits, rank_passages, weak
from .types import Hit


def hits_of(picked, catalog, lexicon, question, qvec, qtokens, highlights: bool,
          copies: dict[int, tuple[str, ...]] | None = None) -> list[Hit]:
    """Turn picked passages into hits with their best-answering sentences highlighted."""
    found = catalog.passages([c.pid for c in picked], vectors=highlights)
    rows = [found[c.pid] for c in picked]  # _group picked only passages this catalog has
    passages = rank_passages(question, qvec, rows, lexicon, qtokens) if highlights else []
    ranked = [p.sentences for p in passages] if highlights else [[] for _ in rows]
    missing, flagged = [()] * len(rows), [False] * len(rows)
    if highlights:
        texts = [f"{r.title}\n{r.text}" for r in rows]
        missing = lexicon.missing(question, texts)
        flagged = [weak(cov, best_cosine(r, qvec, c.dense))
                   for cov, r, c in zip(lexicon.coverage(question, texts), rows, picked, strict=True)]
    # A weak hit's best sentence would read as the answer: it shows none, nor sets the bar for
    # the others' (a weak hit holding the word its title lacked took the first hit's highlight).
    shown = highlights_of_hits(ranked, [0.0 if w else p.strength for p, w in zip(passages, flagged, strict=True)]
                               if highlights else None)
    shown = [() if w else s for s, w in zip(shown, flagged, strict=True)]
    # The first hit's only: on the others the number a sentence gives is rarely the answer (on
    # SQuAD dev's top 5, 0.20 of their marks against 0.83 of the first's).
    answers = [_answer(question, s[0], lexicon) if s and i == 0 else None for i, s in enumerate(shown)]
    context = _context(catalog, rows, shown)
    hits = []
    for rank, (cand, row) in enumerate(zip(picked, rows, strict=True), 1):
        top = shown[rank - 1]
        section, in_code, header = context.get(row.passage_id, ((), False, None))
        hits.append(Hit(
            rank=rank, score=round(cand.score, 6), article_id=row.article_id,
            passage_id=row.passage_id, title=row.title, text=row.text, source=row.source,
            line_start=row.line_start, line_end=row.line_end, char_start=row.char_start,
            char_end=row.char_end, url=row.url, date=row.date, highlights=top,
            dense_rank=cand.dense_rank, lexical_rank=cand.lexical_rank,
            starts_in_code=in_code, section=section, table_header=header, missing=missing[rank - 1],
            weak=flagged[rank - 1], markup=row.markup, copies=(copies or {}).get(row.passage_id, ()),
            author=row.author, quoted=tuple((row.char_start + a, row.char_start + b) for a, b in
                                            phrases.places(question, row.text, lexicon.analyzer)),
            answer=answers[rank - 1],
        ))
    return hits


def _context(catalog, rows, shown) -> dict[int, tuple[tuple[str, ...], bool, str | None]]:
    """By passage id, for Markdown and pages (their headings and code are marked as Markdown's:
    qa.htmlpage): the section its top highlight sits under (the passage's start's, without one:
    a passage running from one section into the next answers in the second), whether it starts
    in fenced code, and the header of the table it starts in."""
    structured = [(r, s[0].char_start if s else r.char_start) for r, s in zip(rows, shown, strict=True)
                  if r.markup != "plain"]
    texts = catalog.article_texts({r.article_rowid for r, _ in structured})
    context = {}
    for rowid, text in texts.items():  # one pass over each article, however many of its passages
        mine = [(r, at) for r, at in structured if r.article_rowid == rowid]
        title = mine[0][0].title
        starts = markdown.sections(text, [(r.char_start, r.text) for r, _ in mine], title)
        answers = markdown.sections(text, [(at, r.text[at - r.char_start:]) for r, at in mine], title)
        for (r, _), (_, in_code), (section, _) in zip(mine, starts, answers, strict=True):
            header = None if in_code else markdown.table_header(text, r.char_start, r.text)
            context[r.passage_id] = (section, in_code, header)
    return context


def _answer(question: str, best, lexicon) -> tuple[int, int] | None:
    """Where in the article the number, date or quantity answering ``question`` in sentence ``best`` is."""
    span = answer_in(question, best.text, lexicon)
    return (best.char_start + span[0], best.char_start + span[1]) if span else None
