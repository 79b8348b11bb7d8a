"""Build and update: read, chunk and embed only what changed, then publish a new generation."""

from __future__ import annotations

import hashlib
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import __version__
from .catalog import Catalog
from .chunker import chunk
from .embedder import Embedder, encode_spans
from .errors import InputError
from .indexdir import ARTICLE_VECTORS, CATALOG, PASSAGE_VECTORS, Writer, check_model, now
from .ondisk import ONDISK_THRESHOLD, OnDiskBuilder, is_ondisk, load_ondisk
from .readers import ReadStats, read_articles
from .store import APPROX_THRESHOLD, FaissStore, approximate
from .types import Article, IndexSummary, Skip

EMBED_BATCH = 128
Batch = tuple[list[int], list[str], list[list[tuple[int, int]]]]  # ids, texts, sentence spans
Encoded = tuple[Sequence[int], np.ndarray, list[np.ndarray]]  # ids, vectors, sentence vectors


@dataclass(frozen=True)
class Settings:
    """What shapes passages and vectors; recorded in the manifest."""

    chunk_tokens: int = 200
    overlap_sentences: int = 1
    # Passages above which the index is approximate (IVF), and above which its lists live on
    # disk (qa.ondisk). None: as the index recorded them, else the defaults.
    approx_threshold: int | None = None
    ondisk_threshold: int | None = None

    def __post_init__(self) -> None:
        for name in ("approx_threshold", "ondisk_threshold"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise InputError(f"{name} must be a whole number of passages, at least 1, not {value!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"chunk_tokens": self.chunk_tokens, "overlap_sentences": self.overlap_sentences,
                "approx_threshold": self.approx_threshold, "ondisk_threshold": self.ondisk_threshold}


def _resolve(asked: Settings, recorded: dict | None) -> Settings:
    """The settings of this write: chunking as the index recorded it (its passages were cut
    that way); thresholds as asked, else as recorded, else the defaults."""
    recorded = recorded or {}
    return Settings(
        recorded.get("chunk_tokens", asked.chunk_tokens),
        recorded.get("overlap_sentences", asked.overlap_sentences),
        asked.approx_threshold or recorded.get("approx_threshold", APPROX_THRESHOLD),
        asked.ondisk_threshold or recorded.get("ondisk_threshold", ONDISK_THRESHOLD))


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
    encoder: Callable[[Iterator[Batch]], Iterator[Encoded]] | None = None,
    store_spec: str | None = None,
) -> IndexSummary:
    """Make the index at ``directory`` reflect ``paths``.

    Args:
        full: the index should hold exactly ``paths`` (a build); otherwise articles outside them
            are left alone (an update).
        on_progress: optional callable(done, total, message) for UIs.
        encoder: turns batches of passages into vectors (default: ``embedder`` in this process;
            ``qa.distributed.ray_encoder`` spreads them over a Ray cluster).
        store_spec: where vectors live: ``faiss`` (files in the index folder),
            ``milvus://HOST:PORT/NAME`` or a milvus-lite ``PATH.db``; default: as before.
    """
    roots = [os.path.abspath(p) for p in paths]
    stats = ReadStats()
    with Writer(directory) as w:
        if w.previous:
            check_model(w.previous, embedder.name, embedder.dim, directory)
        settings = _resolve(settings, (w.previous or {}).get("settings"))
        catalog = Catalog(w.path(CATALOG))
        ann = (w.previous or {}).get("ann") or {}
        article_ann = (w.previous or {}).get("article_ann") or {}
        store, article_store, store_entry = _stores(w, embedder.dim, ann, store_spec,
                                                    article_ann.get("nprobe"), settings.ondisk_threshold)

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

        # Phase 1, streamed: decide each article as it is read; new ones go straight into the
        # catalog (on disk), so memory holds ids and hashes, never the corpus text.
        catalog.park_article_ids(sorted(scoped))  # kept articles get their ids back below
        first_new = catalog.max_passage_id() + 1
        kept_rows: set[int] = set()
        removed_rows: list[int] = []
        seen_text: dict[str, str] = {}
        seen_ids: dict[str, tuple[str, int]] = {}
        duplicates: list[tuple[str, str, str, str, int]] = []
        read = embedded = 0
        for article in read_articles(paths, stats, one_per_file=one_per_file):
            read += 1
            th = text_hash(article.text)
            of = seen_text.get(th) or out_of_scope_text.get(th)
            if of is not None:
                duplicates.append((article.article_id, of, article.source, article.path,
                                   article.line_start))
                continue
            if article.article_id in seen_ids:
                source, line = seen_ids[article.article_id]
                stats.skipped.append(Skip(article.source, article.line_start,
                    f"id {article.article_id!r} already used at {source}:{line}"))
                continue
            seen_text[th] = article.article_id
            seen_ids[article.article_id] = (article.source, article.line_start)
            ch = content_hash(article)
            candidates = by_content.get(ch)
            clash = catalog.article_rowid(article.article_id)
            if clash is not None:  # an article outside the scanned paths had this id
                removed_rows.append(clash)
                store.remove(catalog.delete_articles([clash]))
                article_store.remove([clash])
            if candidates:
                rowid = candidates.pop()
                kept_rows.add(rowid)
                catalog.relocate_article(rowid, article)
                continue
            passages = chunk(article.text, embedder.count_tokens, settings.chunk_tokens,
                             embedder.max_tokens, settings.overlap_sentences)
            if not passages:
                stats.skipped.append(Skip(article.source, article.line_start, "no sentences"))
                continue
            catalog.insert_passages(catalog.insert_article(article, ch, th), passages)
            embedded += 1

        gone = sorted(scoped - kept_rows)
        removed_rows += gone
        store.remove(catalog.delete_articles(gone))
        article_store.remove(gone)
        store = _on_disk_or_not(store, catalog.counts()["passages"], settings, w)
        # Phase 2: embed the new passages in batches read back from the catalog.
        _embed_new(catalog, store, article_store, encoder or local_encoder(embedder), first_new,
                   progress, on_progress)
        catalog.set_duplicates(stats.seen_paths, duplicates)
        catalog.commit()
        _write_lexical(w, catalog, first_new)
        counts = catalog.counts()
        catalog.close()
        if store.kind == "milvus":  # HNSW from the threshold on
            from .milvus_store import collection_names

            fresh = collection_names(store_entry["prefix"], _number(w.generation))[0]
            store, ann = store.approximate(settings.approx_threshold, ann, fresh)
            store_entry["passages"] = store.collection
        elif isinstance(store, OnDiskBuilder):
            ann = store.finish()  # writes the passage vector files itself
        else:
            store, ann = approximate(store, settings.approx_threshold, ann.get("trained_on"))
        if not isinstance(store, OnDiskBuilder):
            store.save(w.path(PASSAGE_VECTORS))
        if article_store.kind == "milvus":
            article_ann = {}
        elif isinstance(store, OnDiskBuilder):
            # No vectors are read in bulk on disk: the article index stays the kind it was,
            # with the nprobe measured when last tuned (not yet beyond RAM, see README).
            article_ann = article_ann if article_store.kind == "ivf" else {}
        else:  # similar(): article vectors go approximate from the same threshold
            article_store, article_ann = approximate(article_store, settings.approx_threshold,
                                                     article_ann.get("trained_on"))
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
            "article_ann": article_ann,
            "store": store_entry,
            "counts": counts,
            "created": created,
            "updated": now(),
        })
        if store_entry["kind"] == "milvus":
            from .milvus_store import drop_stale

            for milvus in (store, article_store):  # so that a diverged copy cannot write here
                milvus.mark_published()

            prev = (w.previous or {}).get("store") or {}
            keep = [store_entry["passages"], store_entry["articles"]]
            if prev.get("uri") == store_entry["uri"]:  # readers may still be on it
                keep += [prev.get("passages"), prev.get("articles")]
            drop_stale(store_entry["uri"], store_entry["prefix"], keep, store_entry["owner"])
    return IndexSummary(
        read=read, embedded=embedded, kept=len(kept_rows), removed=len(removed_rows),
        duplicates=len(duplicates), skipped=tuple(stats.skipped), files=stats.files,
        ignored_files=stats.ignored_files, passages=counts["passages"],
    )


def _stores(w: Writer, dim: int, ann: dict, spec: str | None, article_nprobe: int | None,
            ondisk_threshold: int):
    """The passage and article stores this write changes, and the manifest's ``store`` entry.

    FAISS files were copied into the new generation with the catalog; Milvus collections are
    changed in place (versioned rows, see qa.milvus_store), or copied into a new pair when the
    vectors move or were written before rows were versioned. Either kind can be the source of
    the other.
    """
    prev = (w.previous or {}).get("store") or {"kind": "faiss"}
    if spec is None:
        target = prev
    elif spec == "faiss":
        target = {"kind": "faiss"}
    else:
        from .milvus_store import parse_store

        uri, prefix = parse_store(spec)
        target = {"kind": "milvus", "uri": uri, "prefix": prefix}
    if prev["kind"] == "milvus":
        from .milvus_store import MilvusStore

        live = _number(w.previous["generation"])
        same = (target.get("uri"), target.get("prefix")) == (prev["uri"], prev["prefix"])
        # The collections this folder names are its own: claimed if written before owners.
        owner = (prev.get("owner") or uuid.uuid4().hex) if same else None
        if prev.get("versioned") and same:
            # Changed in place: rows carry the generations that added and removed them.
            stores = (MilvusStore.open(prev["uri"], prev["passages"], dim, ann.get("ef"),
                                       live + 1, writer=True, owner=owner),
                      MilvusStore.open(prev["uri"], prev["articles"], dim, None, live + 1,
                                       writer=True, owner=owner))
            for store in stores:
                store.begin_write(live)
            _drop_faiss_copies(w)
            return stores[0], stores[1], {**prev, "owner": owner}
        view = live if prev.get("versioned") else None
        sources = (MilvusStore.open(prev["uri"], prev["passages"], dim, generation=view, owner=owner),
                   MilvusStore.open(prev["uri"], prev["articles"], dim, generation=view, owner=owner))
        target = {**target, "owner": owner}
    else:
        old_vectors = os.path.join(w.old, PASSAGE_VECTORS) if w.old else ""
        if old_vectors and is_ondisk(old_vectors):  # read in place: its lists are not copied
            old = load_ondisk(old_vectors, dim, ann.get("nprobe"))
            passages = OnDiskBuilder(dim, w.work, old, w.old, ann.get("trained_on"))
            if target["kind"] != "faiss":
                passages = old
        else:
            passages = _load_store(w.path(PASSAGE_VECTORS), dim, ann.get("nprobe"))
        sources = (passages, _load_store(w.path(ARTICLE_VECTORS), dim, article_nprobe))
    if target["kind"] == "faiss":
        if prev["kind"] == "faiss":
            return sources[0], sources[1], {"kind": "faiss"}
        # Vectors coming back from Milvus: spooled straight to disk when that many would be.
        big = sources[0].count() >= ondisk_threshold
        stores = (OnDiskBuilder(dim, w.work) if big else FaissStore(dim), FaissStore(dim))
        for store, source in zip(stores, sources, strict=True):
            for ids, vectors in source.batches():
                store.add(ids, vectors)
        return stores[0], stores[1], {"kind": "faiss"}
    from .milvus_store import MilvusStore, collection_names

    _drop_faiss_copies(w)
    names = collection_names(target["prefix"], _number(w.generation))
    # A new owner id when vectors move: a copy of this folder moved into its own collections
    # must not count as the owner of the original's.
    owner = target.get("owner") or uuid.uuid4().hex
    stores = tuple(MilvusStore.create(target["uri"], name, dim, _number(w.generation), owner,
                                      source=source)
                   for name, source in zip(names, sources, strict=True))
    entry = {"kind": "milvus", "uri": target["uri"], "prefix": target["prefix"],
             "passages": names[0], "articles": names[1], "versioned": True, "owner": owner}
    return stores[0], stores[1], entry


def _number(generation: str) -> int:
    return int(generation.split("-")[1])


def _drop_faiss_copies(w: Writer) -> None:
    """FAISS files copied from the live generation: vectors live in Milvus, so they go."""
    for name in (PASSAGE_VECTORS, ARTICLE_VECTORS):
        if os.path.exists(w.path(name)):
            os.remove(w.path(name))


def _on_disk_or_not(store, passages: int, settings: Settings, w: Writer):
    """The passage store phase 2 adds to: spooled to disk at ``ondisk_threshold`` passages and
    above (what is stored so far fit in memory, so it is handed over from there); back in
    memory once deletes take an on-disk collection below half the threshold."""
    if store.kind in ("flat", "ivf") and passages >= settings.ondisk_threshold:
        builder = OnDiskBuilder(store.dim, w.work)
        for ids, vectors in store.batches():
            builder.add(ids, vectors)
        return builder
    if isinstance(store, OnDiskBuilder) and passages < settings.ondisk_threshold // 2:
        flat = FaissStore(store.dim)
        for _, ids, vectors in store.live_cells():
            flat.add(ids, vectors)
        return flat
    return store


def _write_lexical(w: Writer, catalog: Catalog, first_new: int) -> None:
    """The new generation's BM25 postings: the old ones minus removed passages plus new ones,
    or all passages analysed when the old generation has none (written before qa.lexical)."""
    from . import postings
    from .lexical import Analyzer, LexicalIndex, empty_postings

    if w.old and LexicalIndex.exists(w.old):
        old = LexicalIndex.load(w.old)
        keep = old.mask(catalog.passage_ids(below=first_new))
        postings.write(w.work, old.p, keep, catalog.lexical_texts_from(first_new), old.analyzer)
    else:
        postings.write(w.work, empty_postings(), np.zeros(0, dtype=bool),
                       catalog.lexical_texts_from(0), Analyzer())


def _load_store(path: str, dim: int, nprobe: int | None = None) -> FaissStore:
    return FaissStore.load(path, dim, nprobe) if os.path.exists(path) else FaissStore(dim)


def local_encoder(embedder: Embedder) -> Callable[[Iterator[Batch]], Iterator[Encoded]]:
    """Encode batches in this process, in order."""

    def run(batches: Iterator[Batch]) -> Iterator[Encoded]:
        for ids, texts, spans in batches:
            vectors, sentence_vectors = encode_spans(embedder, texts, spans)
            yield ids, vectors, sentence_vectors

    return run


def _embed_new(catalog, store, article_store, encode, first_new, progress, on_progress) -> None:
    """Embed passages from id ``first_new`` on, in batches that span articles; an article's
    vector (the normalised mean of its passages) is added once its last passage is done.
    ``encode`` may return batches in any order and size (a Ray pipeline does)."""
    from tqdm import tqdm

    total = catalog.passages_from_count(first_new)
    bar = tqdm(total=total, unit="passage", desc="embedding", file=sys.stderr,
               disable=not progress or total < 256, smoothing=0.1)
    sums: dict[int, np.ndarray] = {}
    left = catalog.passages_left_per_article(first_new)
    article_of: dict[int, int] = {}  # passages handed to the encoder and not yet back

    def batches() -> Iterator[Batch]:
        for batch in catalog.iter_passages_from(first_new, EMBED_BATCH):
            ids, texts, spans = [], [], []
            for pid, arow, title, text, char_start, sentences in batch:
                full = embed_input(title, text)
                shift = len(full) - len(text) - char_start  # article offset -> offset in full
                ids.append(pid)
                texts.append(full)
                spans.append([(a + shift, b + shift) for a, b in sentences])
                article_of[pid] = arow
            yield ids, texts, spans

    done = 0
    for got_ids, vectors, sentence_vectors in encode(batches()):
        ids = [int(i) for i in got_ids]
        store.add(np.asarray(ids, dtype=np.int64), vectors)
        catalog.set_sentence_vectors(
            [(pid, sv.astype(np.float16).tobytes()) for pid, sv in zip(ids, sentence_vectors, strict=True)])
        finished = []
        for pid, vec in zip(ids, vectors, strict=True):
            arow = article_of.pop(pid)
            sums[arow] = sums.get(arow, 0) + vec
            left[arow] -= 1
            if left[arow] == 0:
                finished.append(arow)
        if finished:
            mean = np.vstack([sums.pop(a) for a in finished])
            mean /= np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
            article_store.add(np.asarray(finished, dtype=np.int64), mean)
        done += len(ids)
        bar.update(len(ids))
        if on_progress:
            on_progress(done, total, "embedding passages")
    bar.close()
    if article_of:
        raise RuntimeError(f"the encoder returned no vectors for {len(article_of)} passages")
