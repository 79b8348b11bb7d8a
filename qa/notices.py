"""What the page and the command line say around the hits: that none seems to answer, that one
article filled its share, a message, a question offered as respelt. Text is escaped in HTML."""

from __future__ import annotations

import html
from collections.abc import Sequence

from .types import Hit


def weak_notice(hits: Sequence[Hit]) -> str | None:
    """What to say above hits that are all weak (``Hit.weak``), naming the question's words
    none of them has; None when any hit seems to answer."""
    if not hits or not all(h.weak for h in hits):
        return None
    absent = [w for w in hits[0].missing if all(w in h.missing for h in hits[1:])]
    words = f"{', '.join(absent[:-1])} or {absent[-1]}" if len(absent) > 1 else "".join(absent)
    lacking = f" (none mentions {words})" if absent else ""
    return f"No passage seems to answer this{lacking}; the closest follow."


def language_notice(question: str, hits: Sequence[Hit], language: str) -> str | None:
    """What to add when no hit seems to answer (all weak) a question that does not read as the
    index's ``language`` (its stemmer and function words; the bundled model reads English only);
    None otherwise."""
    from .language import reads_as_another

    if not hits or not all(h.weak for h in hits) or not reads_as_another(question, language):
        return None
    name = language.removesuffix("_porter").title()
    return f"The question does not read as {name}, the language of this index: asked in {name}, it may find more."


def common_words_notice(question: str, stopwords: frozenset[str]) -> str | None:
    """What to say when ``question`` has words but only common ones (``stopwords``, the index
    language's): no passage can be found about what it asks. None otherwise."""
    from .text import only_common_words, query_terms

    if not only_common_words(question, stopwords):
        return None
    asked = query_terms(question, stopwords)
    listed = ", ".join(asked[:6]) + (", ..." if len(asked) > 6 else "")
    return f"The question has only common words ({listed}): add a word for what you are asking about."


def per_article_notice(hits: Sequence[Hit], more: int, how: str) -> str | None:
    """What to say under hits that one article (or a few) filled with its share, when asking
    with more passages per article found ``more`` of them; ``how`` says how to ask so
    ("raise “Passages per article”", "ask with --per-article 3"). None when that found none
    beyond ``hits``."""
    if more <= len(hits):
        return None
    n = len({h.article_id for h in hits})
    return (f"{'Only one article matches' if n == 1 else f'Only {n} articles match'}: {how} to see up "
            f"to {more} of {'its' if n == 1 else 'their'} passages.")


def message(text: str, kind: str = "info") -> str:
    return f'<div class="qa-msg qa-{kind}">{html.escape(text)}</div>'


def suggestion(question: str) -> str:
    """A note offering the question as :meth:`qa.Library.did_you_mean` spells it: a link that
    asks it (the page's script keeps the other options; the address alone asks it with defaults)."""
    from urllib.parse import quote_plus

    shown = html.escape(question)
    return (f'<div class="qa-msg qa-info">Did you mean <a class="qa-suggest" href="?q={html.escape(quote_plus(question))}"'
            f' data-question="{shown}">{shown}</a>?</div>')
