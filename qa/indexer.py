"""Build and update: read, chunk and embed only what changed, then publish a new generation."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import __version__
from .catalog import Catalog
from .chunker import chunk
from .embedder import Embedder, encode_spans
from .indexdir import ARTICLE_VECTORS, CATALOG, PASSAGE_VECTORS, Writer, check_model, now
from .readers import ReadStats, read_articles
from .store import APPROX_THRESHOLD, FaissStore, approximate
from .types import Article, IndexSummary, Passage, Skip

EMBED_BATCH = 128


@dataclass(frozen=True)
class Settings:
    """What shapes passages and vectors; recorded in the manifest."""

    chunk_tokens: int = 200
    overlap_sentences: int = 1
    approx_threshold: int = APPROX_THRESHOLD  # passages; above, an approximate (IVF) index

    def to_dict(self) -> dict[str, Any]:
        return {"chunk_tokens": self.chunk_tokens, "overlap_sentences": self.overlap_sentences,
                "approx_threshold": self.approx_threshold}


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def content_hash(a: Article) -> str:
    return hashlib.sha256(f"{a.title}\x1f{a.text}".encode()).hexdigest()


def embed_input(title: str, passage_text: str) -> str:
    """The text embedded for a passage: its article's title gives later passages their context."""
    if passage_text.startswith(title.rstrip("…")):
        return passage_text
    return f"{title}\n{passage_text}"


def _in_scope(path: str, roots: Sequence[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def index_paths(
    directory: str,
    paths: Sequence[str],
    embedder: Embedder,
    settings: Settings,
    one_per_file: bool = False,
    full: bool = False,
    progress: bool = True,
    on_progress=None,
) -> IndexSummary:
    """Make the index at ``directory`` reflect ``paths``.

    Args:
        full: the index should hold exactly ``paths`` (a build); otherwise articles outside them
            are left alone (an update).
        on_progress: optional callable(done, total, message) for UIs.
    """
    roots = [os.path.abspath(p) for p in paths]
    stats = ReadStats()
    with Writer(directory) as w:
        if w.previous:
            check_model(w.previous, embedder.name, embedder.dim, directory)
            prev_settings = w.previous.get("settings", {})
            settings = Settings(prev_settings.get("chunk_tokens", settings.chunk_tokens),
                                prev_settings.get("overlap_sentences", 1),
                                prev_settings.get("approx_threshold", settings.approx_threshold))
        catalog = Catalog(w.path(CATALOG))
        ann = (w.previous or {}).get("ann") or {}
        store = _load_store(w.path(PASSAGE_VECTORS), embedder.dim, ann.get("nprobe"))
        article_store = _load_store(w.path(ARTICLE_VECTORS), embedder.dim)

        existing = catalog.articles_index()
        by_content: dict[str, list[int]] = {}
        scoped: set[int] = set()
        out_of_scope_text: dict[str, str] = {}
        for rowid, article_id, chash, thash, path in existing:
            if full or _in_scope(path, roots) or not os.path.exists(path):
                scoped.add(rowid)
                by_content.setdefault(chash, []).append(rowid)
            else:
                out_of_scope_text[thash] = article_id

        kept: list[tuple[int, Article]] = []
        new: list[tuple[Article, str, str, list[Passage]]] = []
        seen_text: dict[str, Article] = {}
        seen_ids: dict[str, Article] = {}
        duplicates: list[tuple[str, str, str, str, int]] = []
        read = 0
        for article in read_articles(paths, stats, one_per_file=one_per_file):
            read += 1
            th = text_hash(article.text)
            first = seen_text.get(th)
            of = first.article_id if first else out_of_scope_text.get(th)
            if of is not None:
                duplicates.append((article.article_id, of, article.source, article.path,
                                   article.line_start))
                continue
            if article.article_id in seen_ids:
                other = seen_ids[article.article_id]
                stats.skipped.append(Skip(article.source, article.line_start,
                    f"id {article.article_id!r} already used at {other.source}:{other.line_start}"))
                continue
            seen_text[th] = article
            seen_ids[article.article_id] = article
            ch = content_hash(article)
            candidates = by_content.get(ch)
            if candidates:
                kept.append((candidates.pop(), article))
            else:
                passages = chunk(article.text, embedder.count_tokens, settings.chunk_tokens,
                                 embedder.max_tokens, settings.overlap_sentences)
                if passages:
                    new.append((article, ch, th, passages))
                else:
                    stats.skipped.append(Skip(article.source, article.line_start, "no sentences"))

        kept_rows = {rowid for rowid, _ in kept}
        removed_rows = sorted(scoped - kept_rows)
        clash = {a.article_id for a, *_ in new} | {a.article_id for _, a in kept}
        for rowid, article_id, *_ in existing:
            if rowid not in scoped and article_id in clash:
                removed_rows.append(rowid)  # the same id now comes from the scanned paths
        store.remove(catalog.delete_articles(removed_rows))
        article_store.remove(removed_rows)
        catalog.park_article_ids([rowid for rowid, _ in kept])
        for rowid, article in kept:
            catalog.relocate_article(rowid, article)

        total = sum(len(p) for *_, p in new)
        _embed_new(catalog, store, article_store, embedder, new, total, progress, on_progress)
        catalog.set_duplicates(stats.seen_paths, duplicates)
        catalog.commit()
        counts = catalog.counts()
        catalog.close()
        store, ann = approximate(store, settings.approx_threshold, ann.get("trained_on"))
        store.save(w.path(PASSAGE_VECTORS))
        article_store.save(w.path(ARTICLE_VECTORS))
        created = w.previous.get("created") if w.previous else now()
        w.publish({
            "package_version": __version__,
            "model": embedder.name,
            "backend": getattr(embedder, "backend", "custom"),
            "dimension": embedder.dim,
            "max_tokens": embedder.max_tokens,
            "settings": {**settings.to_dict(), "index_kind": store.kind},
            "ann": ann,
            "counts": counts,
            "created": created,
            "updated": now(),
        })
    return IndexSummary(
        read=read, embedded=len(new), kept=len(kept), removed=len(removed_rows),
        duplicates=len(duplicates), skipped=tuple(stats.skipped), files=stats.files,
        ignored_files=stats.ignored_files, passages=counts["passages"],
    )


def _load_store(path: str, dim: int, nprobe: int | None = None) -> FaissStore:
    return FaissStore.load(path, dim, nprobe) if os.path.exists(path) else FaissStore(dim)


def _embed_new(catalog, store, article_store, embedder, new, total, progress, on_progress) -> None:
    """Insert new articles and embed their passages in batches that span articles."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit="passage", desc="embedding", file=sys.stderr,
               disable=not progress or total < 256, smoothing=0.1)
    pending_ids: list[int] = []
    pending_text: list[str] = []
    pending_spans: list[list[tuple[int, int]]] = []
    sums: dict[int, np.ndarray] = {}
    owners: dict[int, int] = {}
    left: dict[int, int] = {}
    done = 0

    def flush() -> None:
        nonlocal done
        if not pending_ids:
            return
        vectors, sentence_vectors = encode_spans(embedder, pending_text, pending_spans)
        ids = np.asarray(pending_ids, dtype=np.int64)
        store.add(ids, vectors)
        catalog.set_sentence_vectors(
            [(pid, sv.astype(np.float16).tobytes()) for pid, sv in zip(pending_ids, sentence_vectors, strict=True)])
        finished = []
        for pid, vec in zip(pending_ids, vectors, strict=True):
            arow = owners.pop(pid)
            sums[arow] = sums.get(arow, 0) + vec
            left[arow] -= 1
            if left[arow] == 0:
                finished.append(arow)
        if finished:
            mean = np.vstack([sums.pop(a) for a in finished])
            mean /= np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
            article_store.add(np.asarray(finished, dtype=np.int64), mean)
        done += len(pending_ids)
        bar.update(len(pending_ids))
        if on_progress:
            on_progress(done, total, "embedding passages")
        pending_ids.clear()
        pending_text.clear()
        pending_spans.clear()

    for article, ch, th, passages in new:
        arow = catalog.insert_article(article, ch, th)
        ids = catalog.insert_passages(arow, passages)
        left[arow] = len(ids)
        for pid, p in zip(ids, passages, strict=True):
            owners[pid] = arow
            text = embed_input(article.title, p.text)
            shift = len(text) - len(p.text) - p.char_start  # article offset -> offset in text
            pending_ids.append(pid)
            pending_text.append(text)
            pending_spans.append([(a + shift, b + shift) for a, b in p.sentences])
            if len(pending_ids) >= EMBED_BATCH:
                flush()
    flush()
    bar.close()
