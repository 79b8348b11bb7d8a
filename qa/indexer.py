"""Build and update: read, chunk and embed only what changed, then publish a new generation."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack

from . import __version__
from .articlesplit import split_article
from .catalog import Catalog
from .chunker import sentences_in
from .decide import Decisions
from .embedder import Embedder, gives_tokens
from .embedding import Batch, Encoded, embed_new, local_encoder
from .filestamps import FileStamps, article_counts
from .indexdir import CATALOG, Writer, check_backend, check_model, now
from .journal import Journal, discard
from .language import language_of_articles
from .lexical import VERSION as LEXICAL_VERSION
from .placement import (
    current_postings,
    finish_faiss,
    generation_number,
    on_disk_or_not,
    stores_for_write,
    write_lexical,
    written_before_current_format,
)
from .scope import refuse_not_indexed, refuse_nothing_read, refuse_unknown_paths
from .settings import Settings, recorded, resolve
from .summaries import IndexSummary, summary_of


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
    remove: bool = False,
    keep_gone: bool = False,
) -> IndexSummary:
    """Make the index at ``directory`` reflect ``paths``.

    Articles that duplicate a removed one (the same text in a file this call does not read)
    take its place: their files are read again, so that text stays searchable.

    Args:
        full: the index should hold exactly ``paths`` (a build); otherwise articles outside them
            are left alone (an update).
        remove: take the articles from ``paths`` out of the index without reading them, and
            nothing else.
        keep_gone: a path that does not exist (a drive not mounted yet) keeps its articles, as
            missing files outside the paths do, instead of their going.
        on_progress: optional callable(done, total, message) for UIs.
        encoder: turns batches of passages into vectors (default: ``embedder`` in this process;
            ``qa.distributed.ray_encoder`` spreads them over a Ray cluster).
        store_spec: where vectors live: ``faiss`` (files in the index folder),
            ``milvus://HOST:PORT/NAME`` or a milvus-lite ``PATH.db``; default: as before.
    """
    roots = [os.path.abspath(p) for p in paths]
    with Writer(directory) as w, ExitStack() as cleanup:
        if w.previous:
            check_model(w.previous, embedder.name, embedder.dim, directory)
            check_backend(w.previous, getattr(embedder, "backend", None), directory)
        settings = resolve(settings, (w.previous or {}).get("settings"),
                           detect=lambda: language_of_articles(paths, one_per_file))
        cleanup.enter_context(sentences_in(settings.language))  # read and split in its language
        catalog = Catalog(w.path(CATALOG), copy_from=w.catalog_source,
                          segment=generation_number(w.generation))
        # Closed before the folder goes, also on failure: an open connection rolling back later
        # would delete the rollback journal of the same-named catalog a retry writes.
        cleanup.callback(catalog.close)
        ann = (w.previous or {}).get("ann") or {}
        article_ann = (w.previous or {}).get("article_ann") or {}
        store, article_store, store_entry = stores_for_write(w, embedder.dim, ann, article_ann, store_spec,
                                                             settings.ondisk_threshold)

        existing = catalog.articles_index()
        if remove:
            refuse_not_indexed(paths, roots, [row[4] for row in existing] + list(catalog.duplicate_paths()))
        else:
            refuse_unknown_paths(paths, roots, [row[4] for row in existing])
            if keep_gone:
                here = [i for i, r in enumerate(roots) if os.path.exists(r)]
                paths, roots = [paths[i] for i in here], [roots[i] for i in here]

        stamps = FileStamps(directory)
        cleanup.callback(stamps.close)
        # A build reads every file; so does an update that changes how articles are stored.
        trust_stamps = bool(w.previous and not full and store_spec is None
                            and not written_before_current_format(w)
                            and settings.to_dict() == recorded(w.previous))
        first_new = catalog.max_passage_id() + 1
        d = Decisions(catalog, existing, roots, full=full, remove=remove, indexed_before=bool(w.previous),
                      trust_stamps=trust_stamps, stamps=stamps,
                      split=lambda article: split_article(article, embedder, settings),
                      tokens=gives_tokens(embedder), stores=(store, article_store),
                      one_per_file=one_per_file, progress=progress)
        stats = d.stats
        d.read_all([] if remove else paths)
        if not remove:
            refuse_nothing_read(d.read_given, d.files_given, stats, paths, new_index=not w.previous)
        held, kept_missing = d.keep_unread()
        gone = sorted(d.scoped - d.kept_rows)
        removed_rows = d.removed_rows + gone
        # Duplicates recorded for files of this scope that are no longer read (deleted).
        stale_duplicates = {p for p in catalog.duplicate_paths() - stats.seen_paths - stats.unread
                            if d.in_scope(p)}
        if (w.previous and not d.parked and not removed_rows and store_spec is None
                and not written_before_current_format(w) and current_postings(w, settings.language)
                and settings.to_dict() == recorded(w.previous)
                and not stale_duplicates and catalog.duplicates_of(stats.seen_paths) == set(d.duplicates)):
            # Nothing to write: the live generation stays, and no new one is published.
            catalog.close()
            discard(directory)  # nothing to embed: what an interrupted write left is of no use
            held_by = {p: len(d.by_path.get(p, ())) + len(d.dups_by_path.get(p, ()))
                       for p in d.by_path.keys() | d.dups_by_path.keys()}
            stamps.record(stamps.changed(stats.whole, held_by, one_per_file, skipped=stats.file_skips,
                                         tails=stats.tails))
            d.record_left_out()
            return summary_of(d.read, 0, len(d.kept_rows) - len(kept_missing), 0, len(d.duplicates), stats,
                              w.previous["counts"]["passages"], len(held), changed=False,
                              kept_missing=len(kept_missing))
        dropped = sum(len(v) for p, v in catalog.duplicates_by_path().items() if p in stale_duplicates)
        # Copies of an article that goes, in files outside this scope gone from disk since: no
        # text is left to read there (a file still there was read again, above).
        gone_ids = {d.id_of.get(rowid) for rowid in removed_rows} - d.renamed.keys()
        lost = [(path, dup[1]) for path, rows in catalog.duplicates_by_path().items()
                if not d.in_scope(path) and path not in stats.seen_paths and not os.path.exists(path)
                for dup in rows if dup[1] in gone_ids]
        dropped += len(lost)
        store.remove(catalog.delete_articles(gone))
        article_store.remove(gone)
        counts = catalog.counts()
        store = on_disk_or_not(store, counts["passages"], settings.ondisk_threshold, w, "passages")
        article_store = on_disk_or_not(article_store, counts["articles"], settings.ondisk_threshold,
                                       w, "articles")
        # Then embed the new passages in batches read back from the catalog.
        journal = Journal(directory, {"model": embedder.name, "dimension": embedder.dim,
                                      "backend": getattr(embedder, "backend", "custom"),
                                      "generation": w.generation}, embedder.dim)
        resumed = embed_new(catalog, store, article_store, encoder or local_encoder(embedder),
                             first_new, progress, on_progress, journal)
        catalog.compact_segments()
        catalog.delete_duplicates(lost)  # (before renames: another article may take a gone one's id)
        # Copies in files not read name their original by its id: the one it has now.
        catalog.rename_originals(d.renamed)
        catalog.set_duplicates(stats.seen_paths | stale_duplicates, d.duplicates)
        catalog.commit()
        write_lexical(w, catalog, first_new, settings.language)
        counts = catalog.counts()
        in_catalog = article_counts(catalog.db) if stats.whole else {}
        catalog.close()
        if store.kind == "milvus":  # HNSW from the threshold on
            from .milvus_store import collection_names

            fresh = collection_names(store_entry["prefix"], generation_number(w.generation))[0]
            store, ann = store.approximate(settings.approx_threshold, ann, fresh)
            store_entry["passages"] = store.collection
            article_ann = {}
            # Sealed before the manifest names them: readers find every row, and this process
            # (a server that took an upload) does not search unflushed rows one by one, which
            # took milvus-lite 0.4 s a question over 11k passages against 20 ms once flushed.
            for milvus in (store, article_store):
                milvus.save("")
        else:  # similar()'s article vectors follow the passages' rules, by their own count
            store, ann = finish_faiss(store, settings.approx_threshold, ann, w, "passages")
            article_store, article_ann = finish_faiss(article_store, settings.approx_threshold,
                                                      article_ann, w, "articles")
        created = w.previous.get("created") if w.previous else now()
        removed_set = set(removed_rows)
        gone_from = {row[4] for row in existing if row[0] in removed_set}
        # Files kept without reading keep their stamps: their articles are as they were.
        stamps.forget(None if full else (stats.seen_paths - stats.unchanged) | gone_from)
        w.publish({
            "package_version": __version__,
            "model": embedder.name,
            "backend": getattr(embedder, "backend", "custom"),
            "dimension": embedder.dim,
            "max_tokens": embedder.max_tokens,
            "settings": {**settings.to_dict(), "index_kind": store.kind},
            "analyzer": LEXICAL_VERSION,
            "ann": ann,
            "article_ann": article_ann,
            "store": store_entry,
            "counts": counts,
            "created": created,
            "updated": now(),
        })
        discard(directory)
        stamps.record(stamps.changed(stats.whole, in_catalog, one_per_file, d.read_as, stats.file_skips, stats.tails))
        d.record_left_out()
        if store_entry["kind"] == "milvus":
            from .milvus_store import drop_stale

            for milvus in (store, article_store):  # so that a diverged copy cannot write here
                milvus.mark_published()

            prev = (w.previous or {}).get("store") or {}
            keep = [store_entry["passages"], store_entry["articles"]]
            if prev.get("uri") == store_entry["uri"]:  # readers may still be on it
                keep += [prev.get("passages"), prev.get("articles")]
            drop_stale(store_entry["uri"], store_entry["prefix"], keep, store_entry["owner"])
    return summary_of(d.read, d.embedded, len(d.kept_rows) - len(kept_missing), len(removed_rows) - d.resplit,
                      len(d.duplicates), stats, counts["passages"], len(held), resumed=resumed,
                      relocated=d.relocated, resplit=d.resplit, dropped_duplicates=dropped,
                      kept_missing=len(kept_missing))

