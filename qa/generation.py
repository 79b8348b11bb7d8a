"""The published generation of an index, opened for reading: its catalog, BM25 index and vectors.

A :class:`qa.Library` holds one generation's parts and swaps them for the next when another
process publishes one (:func:`manifest_stamp` tells, for one ``stat``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from .errors import IndexCorruptError, IndexMismatchError


@dataclass
class Parts:
    manifest: dict[str, Any]
    stamp: tuple[int, int]  # the manifest's (inode, mtime) when it was read
    catalog: Any  # qa.catalog.Catalog
    lexicon: Any  # qa.lexical.LexicalIndex
    store: Any  # passage vectors: qa.store.FaissStore or qa.milvus_store.MilvusStore
    article_store: Any  # article vectors, the same kind


def manifest_stamp(path: str) -> tuple[int, int]:
    """The manifest's (inode, mtime): a writer publishes by replacing it, so a new one means a
    new generation; (0, 0) when it cannot be read."""
    from .indexdir import MANIFEST

    try:
        st = os.stat(os.path.join(path, MANIFEST))
    except OSError:
        return (0, 0)
    return (st.st_ino, st.st_mtime_ns)


def open_parts(path: str) -> Parts:
    """Open the generation the manifest names.

    Raises:
        IndexCorruptError, IndexMismatchError, OSError, sqlite3.Error: the index is broken (a
            writer that published meanwhile, removing the generation being opened, is retried).
    """
    from .catalog import Catalog
    from .indexdir import ARTICLE_VECTORS, CATALOG, PASSAGE_VECTORS, generation_dir, read_manifest
    from .lexical import Analyzer, LexicalIndex
    from .settings import language_of
    from .store import FaissStore

    for attempt in range(5):
        stamp = manifest_stamp(path)
        manifest = read_manifest(path)
        try:
            gen = generation_dir(path, manifest)
            dim = manifest["dimension"]
            catalog = Catalog(os.path.join(gen, CATALOG), readonly=True)
            analyzer = Analyzer(language_of(manifest))
            if LexicalIndex.exists(gen):
                lexicon = LexicalIndex.load(gen, analyzer=analyzer)
            else:  # written before qa.lexical: analyse once now; the next write saves it
                lexicon = LexicalIndex.build(catalog.lexical_texts_from(0), analyzer)
            where = manifest.get("store") or {"kind": "faiss"}
            if where["kind"] == "milvus":
                from .milvus_store import MilvusStore

                view = int(manifest["generation"][4:]) if where.get("versioned") else None
                store = MilvusStore.open(where["uri"], where["passages"], dim,
                                         (manifest.get("ann") or {}).get("ef"), view)
                articles = MilvusStore.open(where["uri"], where["articles"], dim, generation=view)
            else:
                # Mapped: a published generation's files never change (writers copy them).
                store = FaissStore.load(os.path.join(gen, PASSAGE_VECTORS), dim,
                                        (manifest.get("ann") or {}).get("nprobe"), mapped=True)
                articles = FaissStore.load(os.path.join(gen, ARTICLE_VECTORS), dim,
                                           (manifest.get("article_ann") or {}).get("nprobe"), mapped=True)
            return Parts(manifest, stamp, catalog, lexicon, store, articles)
        except (IndexCorruptError, IndexMismatchError, OSError, sqlite3.Error):
            # A writer may have published (and removed our generation) while we opened it:
            # then the manifest has changed and the new generation is complete. Otherwise
            # the index really is broken.
            if attempt == 4 or read_manifest(path).get("generation") == manifest["generation"]:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def problems(manifest: dict[str, Any], catalog, lexicon, store, article_store) -> list[str]:
    """What disagrees among a generation's manifest, catalog, BM25 index and vectors (empty: all agree)."""
    import numpy as np

    found = list(catalog.check())
    found += lexicon.check(catalog.passage_ids())
    passage_ids = set(catalog.ids_for(catalog.filter_sql(None, None, None)))
    vector_ids = set(store.ids().tolist())
    if passage_ids != vector_ids:
        found.append(f"{len(passage_ids - vector_ids)} passages lack vectors, "
                     f"{len(vector_ids - passage_ids)} vectors lack passages")
    article_ids = {r[0] for r in catalog.articles_index()}
    if article_ids != set(article_store.ids().tolist()):
        found.append("article vectors and articles differ")
    counts = catalog.counts()
    if manifest.get("counts", {}).get("passages") != counts["passages"]:
        found.append("manifest passage count differs from the catalog")
    if store.dim != manifest["dimension"]:
        found.append("vector dimension differs from the manifest")
    sample = sorted(vector_ids)[:50]
    if sample:
        norms = np.linalg.norm(store.reconstruct(sample), axis=1)
        if not np.allclose(norms, 1.0, atol=1e-3):
            found.append("vectors are not normalised")
    return found
