"""Build and update: read, chunk and embed only what changed, then publish a new generation."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack

from . import __version__
from .articlesplit import content_hash, layout, split_article, text_hash
from .catalog import Catalog, place
from .chunker import sentences_in
from .embedder import Embedder, gives_tokens
from .embedding import Batch, Encoded, embed_new, local_encoder
from .filestamps import FileStamps, article_counts, grown_since, stamp
from .grown import Tail, resumable
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
from .progress import bar as progress_bar
from .readers import ReadStats, alike_once, read_articles
from .scope import (
    in_roots,
    orphaned_duplicates,
    refuse_not_indexed,
    refuse_nothing_read,
    refuse_unknown_paths,
)
from .settings import Settings, recorded, resolve
from .summaries import IndexSummary, summary_of
from .types import Article, Passage, Skip


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
    stats = ReadStats()
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

        def in_scope(path: str) -> bool:
            return full or in_roots(path, roots)

        by_content: dict[str, list[int]] = {}
        scoped: set[int] = set()
        out_of_scope_text: dict[str, str] = {}
        by_path: dict[str, list[tuple]] = {}

        def scope(row: tuple) -> None:
            rowid, article_id, chash, thash, path = row[:5]
            scoped.add(rowid)
            by_content.setdefault(chash, []).append(rowid)
            by_path.setdefault(path, []).append(row)
            out_of_scope_text.pop(thash, None)

        # Articles of files not found outside the paths given: a file moved into them claims its
        # articles (and vectors) back; the others stay, since their folder may be a drive that is
        # not mounted now. Only an update of that folder, or a removal, lets them go.
        elsewhere: dict[int, tuple[str, str]] = {}  # rowid -> (article id, text hash)
        for row in existing:
            if in_scope(row[4]):
                scope(row)
            elif not remove and not os.path.exists(row[4]):
                scope(row)
                elsewhere[row[0]] = (row[1], row[3])
            else:
                out_of_scope_text[row[3]] = row[1]

        def stay_elsewhere() -> list[tuple[int, str]]:
            """Those not claimed by an article read, nor replaced by one with their text."""
            return [(rowid, article_id) for rowid, (article_id, thash) in elsewhere.items()
                    if rowid not in kept_rows and thash not in seen_text]

        # Phase 1, streamed: decide each article as it is read; new ones go straight into the
        # catalog (on disk), so memory holds ids and hashes, never the corpus text. An article
        # read where it was needs no write; before the first one that does, the articles not yet
        # read get placeholder ids (parked), so new and moved ones cannot collide on an id.
        places = catalog.place_hashes() if w.previous else {}
        parked = False

        def park() -> None:
            nonlocal parked
            if not parked:
                catalog.park_article_ids(sorted(scoped - kept_rows))
                parked = True

        first_new = catalog.max_passage_id() + 1
        kept_rows: set[int] = set()
        removed_rows: list[int] = []
        seen_text: dict[str, str] = {}
        seen_ids: dict[str, tuple[str, int]] = {}
        duplicates: list[tuple[str, str, str, str, int]] = []
        id_taken: list[tuple[str, str, str, int, str]] = []  # (id, source, path, line, text hash): no text held
        copy_text: dict[tuple[str, int], str] = {}  # (path, line) of a copy read -> its text hash
        read = embedded = relocated = resplit = 0
        stamps = FileStamps(directory)
        cleanup.callback(stamps.close)
        # A build reads every file; so does an update that changes how articles are stored.
        trust_stamps = bool(w.previous and not full and store_spec is None
                            and not written_before_current_format(w)
                            and settings.to_dict() == recorded(w.previous))
        dups_by_path = catalog.duplicates_by_path() if trust_stamps else {}
        text_of_id = {row[1]: row[3] for row in existing}
        id_of = {row[0]: row[1] for row in existing}
        renamed: dict[str, str] = {}  # an article kept under another id: old id -> new

        def unchanged(given: str, absolute: str, st: os.stat_result) -> bool | Tail:
            """Keep a file's articles without reading it, if it is as its stamp says, none of
            its articles is claimed by what was read before it, and each of its duplicates
            still has an original read before it (else reading decides). A mailbox, JSON Lines
            file or .txt of articles grown by new ones keeps those it held: where to read on from (qa.grown)."""
            rows = by_path.get(absolute, [])
            dups = dups_by_path.get(absolute, [])
            was = stamps.get(absolute)
            if not trust_stamps or not (rows or dups) or was is None or was[0] != given or was[2] != len(rows) + len(dups):
                return False
            if was[1] == stamp(st, one_per_file, path=absolute):
                return keep_articles(absolute, given, rows, dups)
            tail = resumable(absolute, st, stamps.tail(absolute)) if grown_since(was[1], st, one_per_file) else None
            if tail is None or not keep_articles(absolute, given, rows, dups, resumed=True):
                return False
            tail.taken = frozenset(r[1] for r in rows)
            return tail

        def keep_articles(absolute: str, given: str, rows: list, dups: list, resumed: bool = False) -> bool:
            """Keep the articles a file gave when last read, unless another file took them;
            ``resumed``: and read on from where that reading ended (what it left out is said
            with what the new part leaves out, as one reading says them)."""
            nonlocal read
            if any(r[0] in kept_rows or r[1] in seen_ids or r[3] in seen_text
                   or r[3] in out_of_scope_text or r[5] != given for r in rows):
                return False
            # A duplicate's text is its original's; the original now is whoever holds that text
            # (this file's articles come before its duplicates, as when it was read).
            own = {r[3]: r[1] for r in rows}
            originals = [seen_text.get(h) or out_of_scope_text.get(h) or own.get(h)
                         for h in (text_of_id.get(d[1]) for d in dups)]
            if not all(originals) or any(d[2] != given for d in dups):
                return False
            if parked and len(catalog.unpark([(r[0], r[1]) for r in rows])) < len(rows):
                return False  # reading relocates (and so names) the ones given back
            for rowid, article_id, chash, thash, _, source, line in rows:
                kept_rows.add(rowid)
                by_content[chash].remove(rowid)
                seen_text[thash] = article_id
                seen_ids[article_id] = (source, line)
            duplicates.extend((d[0], of, *d[2:]) for d, of in zip(dups, originals, strict=True))
            for d in dups:
                seen_ids.setdefault(d[0], (d[2], d[4]))
                copy_text[d[3], d[4]] = text_of_id[d[1]]
            read += len(rows) + len(dups)
            if (left := stamps.skips(absolute)) and resumed:
                stats.carried[absolute] = left
            elif left:  # said again, as reading it would
                stats.skipped.extend(alike_once(left))
                stats.file_skips[absolute] = left
            return True

        tokens = gives_tokens(embedder)

        def split(article: Article) -> list[Passage]:
            return split_article(article, embedder, settings)

        # Reading can take minutes (an HTML page costs ~25 ms): a bar once it takes over 2 s.
        reading = progress_bar(unit=" articles", desc="reading", disable=not progress, delay=2)
        cleanup.callback(reading.close)

        def take(article: Article) -> None:
            """Decide one article read: a duplicate, kept (perhaps moved), or new."""
            nonlocal read, embedded, relocated, resplit
            read += 1
            reading.update(read - reading.n)
            th = text_hash(article.text)
            of = seen_text.get(th) or out_of_scope_text.get(th)
            if of is not None:
                duplicates.append((article.article_id, of, article.source, article.path,
                                   article.line_start))
                copy_text[article.path, article.line_start] = th
                # its id is its own, as an article's is: the one it takes if its original goes
                seen_ids.setdefault(article.article_id, (article.source, article.line_start))
                return
            if article.article_id in seen_ids:
                # decided once every file is read
                id_taken.append((article.article_id, article.source, article.path, article.line_start, th))
                stats.reread.add(article.path)  # another file took it: that may change
                return
            seen_text[th] = article.article_id
            seen_ids[article.article_id] = (article.source, article.line_start)
            ch = content_hash(article)
            candidates = by_content.get(ch)
            # Only an article's own id: the duplicates recorded are the last reading's until this
            # one ends, and the id of their original may now be an article just read (a file of
            # articles become one, which takes its first article's id: a copy's id led to it).
            clash = catalog.article_rowid(article.article_id, duplicates=False)
            if clash is not None and clash not in scoped:  # an article outside the scanned paths
                removed_rows.append(clash)
                store.remove(catalog.delete_articles([clash]))
                article_store.remove([clash])
            passages = None
            if candidates:
                rowid = candidates.pop()
                # A rebuild splits every article as this version does: one whose passages would
                # differ (split by an older version, or stored without the tokens this embedder
                # gives) is embedded again; the others are kept.
                if full:
                    passages = split(article)
                if passages is None or catalog.passage_layout(rowid) == layout(passages, tokens):
                    moved = places.get(rowid) != hash(place(article))
                    relocated += moved
                    if parked or moved:
                        park()
                        catalog.relocate_article(rowid, article)
                        if id_of[rowid] != article.article_id:
                            renamed[id_of[rowid]] = article.article_id
                    kept_rows.add(rowid)
                    return
                resplit += 1
            passages = passages if passages is not None else split(article)
            if not passages:
                stats.skipped.append(Skip(article.source, article.line_start, "no sentences"))
                return
            park()
            catalog.insert_passages(catalog.insert_article(article, ch, th), passages)
            embedded += 1

        for article in read_articles([] if remove else paths, stats, one_per_file=one_per_file,
                                     unchanged=unchanged):
            take(article)
        # Files outside this scope holding a duplicate of an article about to go: read again,
        # the duplicate takes the article's place (its vectors kept) instead of vanishing with it.
        # Such a file, changed since, may no longer hold an article that a copy read here took
        # for its original: that copy is read again, as an article. Until nothing more goes.
        read_given, files_given = read, stats.files
        read_as: dict[str, bool] = {}  # how each of those files was read: as it was indexed

        def going() -> set[int]:
            staying = {rowid for rowid, _ in stay_elsewhere()}
            return {row[0] for row in existing if row[0] in scoped and row[0] not in kept_rows
                    and row[4] not in stats.unread and row[0] not in staying}

        while True:
            orphans = orphaned_duplicates(catalog, existing, going(), stats.seen_paths, in_scope, stamps, one_per_file)
            rows_of = {path: [] for _, path, _ in orphans}
            for row in existing if orphans else ():
                if row[4] in rows_of:
                    rows_of[row[4]].append(row)
            for given, path, per_file in orphans:
                read_as[path] = per_file
                for row in rows_of[path]:
                    scope(row)
                if parked:  # as those in scope were before the first write: its articles' ids are free to take
                    catalog.park_article_ids([row[0] for row in rows_of[path]])
                for article in read_articles([given], stats, one_per_file=per_file):
                    take(article)
            stranded = [d for d in duplicates
                        if copy_text[d[3], d[4]] not in seen_text and copy_text[d[3], d[4]] not in out_of_scope_text]
            if not orphans and not stranded:
                break
            left = set(stranded)
            duplicates[:] = [d for d in duplicates if d not in left]
            again: dict[tuple[str, str], set[tuple[int, str]]] = {}  # (given, path) -> (line, text hash)
            for article_id, _, source, path, line in stranded:
                again.setdefault((source, path), set()).add((line, copy_text[path, line]))
                read -= 1  # (counted again when taken)
                if seen_ids.get(article_id) == (source, line):
                    del seen_ids[article_id]
            for (source, path), wanted in again.items():
                for article in read_articles([source], ReadStats(), one_per_file=read_as.get(path, one_per_file)):
                    if (article.line_start, text_hash(article.text)) in wanted:
                        take(article)
        # An article whose id another took is a copy if its text is held anywhere (a file read
        # after it, or one outside read again above: as a build reading that file first), else
        # left out.
        for article_id, source, path, line, th in id_taken:
            if (of := seen_text.get(th) or out_of_scope_text.get(th)) is not None:
                duplicates.append((article_id, of, source, path, line))
            else:
                taken_at = ":".join(map(str, seen_ids[article_id]))
                stats.skipped.append(Skip(source, line, f"id {article_id!r} already used at {taken_at}"))
        reading.update(read - reading.n)
        reading.close()
        if not remove:
            refuse_nothing_read(read_given, files_given, stats, paths, new_index=not w.previous)
        # Files that exist but could not be read: their articles stay as they were.
        unread = [(rowid, article_id) for rowid, article_id, _, _, path, _, _ in existing
                  if path in stats.unread and rowid in scoped and rowid not in kept_rows]
        held = catalog.unpark(unread) if parked else [rowid for rowid, _ in unread]
        kept_rows.update(held)
        stay = stay_elsewhere()
        kept_missing = catalog.unpark(stay) if parked else [rowid for rowid, _ in stay]
        kept_rows.update(kept_missing)
        gone = sorted(scoped - kept_rows)
        removed_rows += gone
        # Duplicates recorded for files of this scope that are no longer read (deleted).
        stale_duplicates = {p for p in catalog.duplicate_paths() - stats.seen_paths - stats.unread
                            if in_scope(p)}
        if (w.previous and not parked and not removed_rows and store_spec is None
                and not written_before_current_format(w) and current_postings(w, settings.language)
                and settings.to_dict() == recorded(w.previous)
                and not stale_duplicates and catalog.duplicates_of(stats.seen_paths) == set(duplicates)):
            # Nothing to write: the live generation stays, and no new one is published.
            catalog.close()
            discard(directory)  # nothing to embed: what an interrupted write left is of no use
            held_by = {p: len(by_path.get(p, ())) + len(dups_by_path.get(p, ()))
                       for p in by_path.keys() | dups_by_path.keys()}
            stamps.record(stamps.changed(stats.whole, held_by, one_per_file, skipped=stats.file_skips,
                                         tails=stats.tails))
            return summary_of(read, 0, len(kept_rows) - len(kept_missing), 0, len(duplicates), stats,
                              w.previous["counts"]["passages"], len(held), changed=False,
                              kept_missing=len(kept_missing))
        dropped = sum(len(v) for p, v in catalog.duplicates_by_path().items() if p in stale_duplicates)
        # Copies of an article that goes, in files outside this scope gone from disk since: no
        # text is left to read there (a file still there was read again, above).
        gone_ids = {id_of.get(rowid) for rowid in removed_rows} - renamed.keys()
        lost = [(path, d[1]) for path, rows in catalog.duplicates_by_path().items()
                if not in_scope(path) and path not in stats.seen_paths and not os.path.exists(path)
                for d in rows if d[1] in gone_ids]
        dropped += len(lost)
        store.remove(catalog.delete_articles(gone))
        article_store.remove(gone)
        counts = catalog.counts()
        store = on_disk_or_not(store, counts["passages"], settings.ondisk_threshold, w, "passages")
        article_store = on_disk_or_not(article_store, counts["articles"], settings.ondisk_threshold,
                                       w, "articles")
        # Phase 2: embed the new passages in batches read back from the catalog.
        journal = Journal(directory, {"model": embedder.name, "dimension": embedder.dim,
                                      "backend": getattr(embedder, "backend", "custom"),
                                      "generation": w.generation}, embedder.dim)
        resumed = embed_new(catalog, store, article_store, encoder or local_encoder(embedder),
                             first_new, progress, on_progress, journal)
        catalog.compact_segments()
        catalog.delete_duplicates(lost)  # (before renames: another article may take a gone one's id)
        # Copies in files not read name their original by its id: the one it has now.
        catalog.rename_originals(renamed)
        catalog.set_duplicates(stats.seen_paths | stale_duplicates, duplicates)
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
        stamps.record(stamps.changed(stats.whole, in_catalog, one_per_file, read_as, stats.file_skips, stats.tails))
        if store_entry["kind"] == "milvus":
            from .milvus_store import drop_stale

            for milvus in (store, article_store):  # so that a diverged copy cannot write here
                milvus.mark_published()

            prev = (w.previous or {}).get("store") or {}
            keep = [store_entry["passages"], store_entry["articles"]]
            if prev.get("uri") == store_entry["uri"]:  # readers may still be on it
                keep += [prev.get("passages"), prev.get("articles")]
            drop_stale(store_entry["uri"], store_entry["prefix"], keep, store_entry["owner"])
    return summary_of(read, embedded, len(kept_rows) - len(kept_missing), len(removed_rows) - resplit,
                      len(duplicates), stats, counts["passages"], len(held), resumed=resumed,
                      relocated=relocated, resplit=resplit, dropped_duplicates=dropped,
                      kept_missing=len(kept_missing))

