"""An article as the index stores it: the hashes that tell a changed one from an unchanged one,
and its passages, with the lines each covers."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from .chunker import chunk
from .pagelines import line_at
from .types import Article, Passage, markup_of


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def content_hash(a: Article) -> str:
    """Title and text; and where lines come from anchors, their lines relative to the first,
    which passages store (a page whose paragraphs moved apart gets its passages anew; one that
    moved whole is relocated, as a text file's article is)."""
    anchors = "".join(f"\x1f{c}:{line - a.line_start}" for c, line in a.line_anchors)
    return hashlib.sha256(f"{a.title}\x1f{a.text}{anchors}".encode()).hexdigest()


def split_article(article: Article, embedder, settings) -> list[Passage]:
    """The article's passages as ``settings`` (chunk size, overlap) and the embedder's token
    count cut them: a page's lines and a Markdown file's blocks kept whole where they can be."""
    markup = markup_of(article.source, article.markup)
    passages = chunk(article.text, embedder.count_tokens, settings.chunk_tokens, embedder.max_tokens,
                     settings.overlap_sentences, line_blocks=markup == "page", markdown=markup == "markdown")
    return _anchored(passages, article)


def _anchored(passages: list[Passage], a: Article) -> list[Passage]:
    """Passages' lines from the article's anchors instead of newlines counted in its text."""
    if not a.line_anchors:
        return passages
    first = a.line_start
    return [dataclasses.replace(p, line_offset_start=line_at(a.line_anchors, p.char_start, first) - first,
                                line_offset_end=line_at(a.line_anchors, max(p.char_end - 1, p.char_start), first)
                                - first) for p in passages]


def layout(passages: list[Passage], tokens: bool) -> list[tuple[int, int, str, int]]:
    """Passages as :meth:`Catalog.passage_layout` gives them back once stored by an embedder
    that gives (``tokens``) or does not give its tokens."""
    return [(p.char_start, p.char_end, json.dumps(p.sentences), int(tokens)) for p in passages]
