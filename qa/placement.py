"""Where a write's vectors go: FAISS in memory, FAISS lists on disk, or Milvus collections;
and its BM25 postings.

Passage vectors and article vectors (what ``similar`` searches) follow the same rules, each
by its own count: exact below ``approx_threshold``, IVF above it, and IVF lists on disk
(``qa.ondisk``) from ``ondisk_threshold`` on, where no write holds the collection in memory.
"""

from __future__ import annotations

import os
import uuid

import numpy as np

from .catalog import Catalog
from .indexdir import ARTICLE_VECTORS, PASSAGE_VECTORS, Writer
from .lexical import LexicalIndex
from .ondisk import OnDiskBuilder, is_ondisk, load_ondisk
from .store import FaissStore, approximate

FILES = {"passages": PASSAGE_VECTORS, "articles": ARTICLE_VECTORS}


def stores_for_write(w: Writer, dim: int, ann: dict, article_ann: dict, spec: str | None,
                     ondisk_threshold: int):
    """The passage and article stores this write changes, and the manifest's ``store`` entry.

    FAISS files were copied into the new generation with the catalog (on-disk lists are read
    in place instead); Milvus collections are changed in place (versioned rows, see
    qa.milvus_store), or copied into a new pair when the vectors move or were written before
    rows were versioned. Either kind can be the source of the other.
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

        live = generation_number(w.previous["generation"])
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
        sources = (_faiss_source(w, dim, ann, "passages", target["kind"] == "faiss"),
                   _faiss_source(w, dim, article_ann, "articles", target["kind"] == "faiss"))
    if target["kind"] == "faiss":
        if prev["kind"] == "faiss":
            return sources[0], sources[1], {"kind": "faiss"}
        # Vectors coming back from Milvus: spooled straight to disk when that many would be.
        stores = tuple(OnDiskBuilder(dim, w.work, stem=stem) if source.count() >= ondisk_threshold
                       else FaissStore(dim) for stem, source in zip(FILES, sources, strict=True))
        for store, source in zip(stores, sources, strict=True):
            for ids, vectors in source.batches():
                store.add(ids, vectors)
        return stores[0], stores[1], {"kind": "faiss"}
    from .milvus_store import MilvusStore, collection_names

    _drop_faiss_copies(w)
    names = collection_names(target["prefix"], generation_number(w.generation))
    # A new owner id when vectors move: a copy of this folder moved into its own collections
    # must not count as the owner of the original's.
    owner = target.get("owner") or uuid.uuid4().hex
    stores = tuple(MilvusStore.create(target["uri"], name, dim, generation_number(w.generation), owner,
                                      source=source)
                   for name, source in zip(names, sources, strict=True))
    entry = {"kind": "milvus", "uri": target["uri"], "prefix": target["prefix"],
             "passages": names[0], "articles": names[1], "versioned": True, "owner": owner}
    return stores[0], stores[1], entry


def _faiss_source(w: Writer, dim: int, ann: dict, stem: str, staying: bool):
    """The previous generation's FAISS vectors of ``stem``: on-disk lists are read in place
    (not copied) and, when they stay FAISS, wrapped in the builder of the new generation."""
    old_file = os.path.join(w.old, FILES[stem]) if w.old else ""
    if old_file and is_ondisk(old_file):
        old = load_ondisk(old_file, dim, ann.get("nprobe"))
        return OnDiskBuilder(dim, w.work, old, w.old, ann.get("trained_on"), stem=stem) if staying else old
    path = w.path(FILES[stem])
    return FaissStore.load(path, dim, ann.get("nprobe")) if os.path.exists(path) else FaissStore(dim)


def generation_number(generation: str) -> int:
    return int(generation.split("-")[1])


def _drop_faiss_copies(w: Writer) -> None:
    """FAISS files copied from the live generation: vectors live in Milvus, so they go."""
    for name in FILES.values():
        if os.path.exists(w.path(name)):
            os.remove(w.path(name))


def on_disk_or_not(store, count: int, ondisk_threshold: int, w: Writer, stem: str):
    """The store phase 2 adds to: spooled to disk at ``ondisk_threshold`` vectors and above
    (what is stored so far fit in memory, so it is handed over from there); back in memory
    once deletes take an on-disk collection below half the threshold."""
    if store.kind in ("flat", "ivf") and count >= ondisk_threshold:
        builder = OnDiskBuilder(store.dim, w.work, stem=stem)
        for ids, vectors in store.batches():
            builder.add(ids, vectors)
        return builder
    if isinstance(store, OnDiskBuilder) and count < ondisk_threshold // 2:
        flat = FaissStore(store.dim)
        for _, ids, vectors in store.live_cells():
            flat.add(ids, vectors)
        return flat
    return store


def finish_faiss(store, approx_threshold: int, ann: dict, w: Writer, stem: str):
    """Write a FAISS store into the new generation: on-disk lists merged by their builder,
    else exact or IVF as its size asks. Returns the store and its manifest ``ann`` entry."""
    if isinstance(store, OnDiskBuilder):
        return store, store.finish()
    store, ann = approximate(store, approx_threshold, ann.get("trained_on"), of=stem)
    store.save(w.path(FILES[stem]))
    return store, ann


def written_before_current_format(w: Writer) -> bool:
    """An index an older version wrote (no BM25 postings; Milvus rows not versioned or without
    an owner): its next write converts it, whether or not any article changed."""
    where = w.previous.get("store") or {"kind": "faiss"}
    old_milvus = where["kind"] == "milvus" and not (where.get("versioned") and where.get("owner"))
    return old_milvus or not LexicalIndex.exists(w.old)


def current_postings(w: Writer, language: str) -> bool:
    """Whether the live generation has BM25 postings of this version's terms in ``language``
    (else its next write analyses every passage anew, whether or not any article changed)."""
    from .lexical import VERSION
    from .settings import language_of

    return (bool(w.old) and LexicalIndex.exists(w.old) and (w.previous or {}).get("analyzer", 1) == VERSION
            and language_of(w.previous) == language)


def write_lexical(w: Writer, catalog: Catalog, first_new: int, language: str) -> None:
    """The new generation's BM25 postings: the old ones minus removed passages plus new ones,
    or all passages analysed when the old generation has none, or has another version's terms
    or another language's."""
    from . import postings
    from .lexical import Analyzer, empty_postings

    analyzer = Analyzer(language)
    if current_postings(w, language):
        old = LexicalIndex.load(w.old, analyzer=analyzer)
        keep = old.mask(catalog.passage_ids(below=first_new))
        postings.write(w.work, old.p, keep, catalog.lexical_texts_from(first_new), analyzer)
    else:
        postings.write(w.work, empty_postings(), np.zeros(0, dtype=bool), catalog.lexical_texts_from(0), analyzer)
