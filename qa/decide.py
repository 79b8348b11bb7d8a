"""The reading half of a write: each article read is decided as it comes (kept where it was or
moved, new, a copy of a text the index holds, or left out for an id another took), then files
outside the write are read again where their copies would otherwise go with their originals."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from .articlesplit import content_hash, layout, text_hash
from .catalog import Catalog, place
from .filestamps import FileStamps, grown_since, stamp
from .grown import Tail, resumable
from .progress import bar as progress_bar
from .readers import ReadStats, alike_once, read_articles
from .scope import in_roots, orphaned_duplicates
from .types import Article, Passage, Skip


class Decisions:
    """What one write keeps, adds and leaves out, decided while streaming the articles.

    New articles go straight into the catalog (on disk), so memory holds ids and hashes, never
    the corpus text. An article read where it was needs no write; before the first one that
    does, the articles not yet read get placeholder ids (parked), so new and moved ones cannot
    collide on an id.
    """

    def __init__(self, catalog: Catalog, existing: list[tuple], roots: Sequence[str], *, full: bool,
                 remove: bool, indexed_before: bool, trust_stamps: bool, stamps: FileStamps,
                 split: Callable[[Article], list[Passage]], tokens: bool, stores: tuple,
                 one_per_file: bool, progress: bool) -> None:
        self.catalog, self.existing, self.roots, self.full = catalog, existing, roots, full
        self.stamps, self.split, self.tokens, self.stores = stamps, split, tokens, stores
        self.one_per_file, self.progress, self.trust_stamps = one_per_file, progress, trust_stamps
        self.stats = ReadStats()
        self.by_content: dict[str, list[int]] = {}
        self.scoped: set[int] = set()
        self.out_of_scope_text: dict[str, str] = {}
        self.by_path: dict[str, list[tuple]] = {}
        # Articles of files not found outside the paths given: a file moved into them claims its
        # articles (and vectors) back; the others stay, since their folder may be a drive that is
        # not mounted now. Only an update of that folder, or a removal, lets them go.
        self.elsewhere: dict[int, tuple[str, str]] = {}  # rowid -> (article id, text hash)
        for row in existing:
            if self.in_scope(row[4]):
                self.scope(row)
            elif not remove and not os.path.exists(row[4]):
                self.scope(row)
                self.elsewhere[row[0]] = (row[1], row[3])
            else:
                self.out_of_scope_text[row[3]] = row[1]
        self.places = catalog.place_hashes() if indexed_before else {}
        self.parked = False
        self.kept_rows: set[int] = set()
        self.removed_rows: list[int] = []
        self.seen_text: dict[str, str] = {}
        self.seen_ids: dict[str, tuple[str, int]] = {}
        self.duplicates: list[tuple[str, str, str, str, int]] = []
        self.id_taken: list[tuple[str, str, str, int, str]] = []  # (id, source, path, line, text hash): no text held
        self.copy_text: dict[tuple[str, int], str] = {}  # (path, line) of a copy read -> its text hash
        self.read = self.embedded = self.relocated = self.resplit = 0
        self.read_given = self.files_given = 0  # what the paths given held, before reading again
        self.read_as: dict[str, bool] = {}  # how each file read again was read: as it was indexed
        self.dups_by_path = catalog.duplicates_by_path() if trust_stamps else {}
        self.text_of_id = {row[1]: row[3] for row in existing}
        self.id_of = {row[0]: row[1] for row in existing}
        self.renamed: dict[str, str] = {}  # an article kept under another id: old id -> new
        self.taken_before = stamps.taken()
        self.left_out: list[tuple[str, str, bool, str, str]] = []  # (path, given, one per file, id, text hash)

    def in_scope(self, path: str) -> bool:
        return self.full or in_roots(path, self.roots)

    def scope(self, row: tuple) -> None:
        rowid, _, chash, thash, path = row[:5]
        self.scoped.add(rowid)
        self.by_content.setdefault(chash, []).append(rowid)
        self.by_path.setdefault(path, []).append(row)
        self.out_of_scope_text.pop(thash, None)

    def holder(self, text_hash: str) -> str | None:
        """The id of the article that holds a text: one read, or one of a file not read."""
        return self.seen_text.get(text_hash) or self.out_of_scope_text.get(text_hash)

    def stay_elsewhere(self) -> list[tuple[int, str]]:
        """Those not claimed by an article read, nor replaced by one with their text."""
        return [(rowid, article_id) for rowid, (article_id, thash) in self.elsewhere.items()
                if rowid not in self.kept_rows and thash not in self.seen_text]

    def park(self) -> None:
        if not self.parked:
            self.catalog.park_article_ids(sorted(self.scoped - self.kept_rows))
            self.parked = True

    def read_all(self, paths: Sequence[str]) -> None:
        """Read ``paths``, then what they leave to read again, and decide every article."""
        # Reading can take minutes (an HTML page costs ~25 ms): a bar once it takes over 2 s.
        self.reading = progress_bar(unit=" articles", desc="reading", disable=not self.progress, delay=2)
        try:
            for article in read_articles(paths, self.stats, one_per_file=self.one_per_file,
                                         unchanged=self.unchanged):
                self.take(article)
            self.read_given, self.files_given = self.read, self.stats.files
            self.read_again()
            self.name_originals()
            self.settle_taken_ids()
            self.reading.update(self.read - self.reading.n)
        finally:
            self.reading.close()

    def unchanged(self, given: str, absolute: str, st: os.stat_result) -> bool | Tail:
        """Keep a file's articles without reading it, if it is as its stamp says, none of
        its articles is claimed by what was read before it, and each of its duplicates
        still has an original read before it (else reading decides). A mailbox, JSON Lines
        file or .txt of articles grown by new ones keeps those it held: where to read on from (qa.grown).
        A file that gave no article, only what it left out (no text in it), is not read again
        while it is as it was: what it left out is said again."""
        rows = self.by_path.get(absolute, [])
        dups = self.dups_by_path.get(absolute, [])
        was = self.stamps.get(absolute)
        if not self.trust_stamps or was is None or was[0] != given or was[2] != len(rows) + len(dups):
            return False
        if not (rows or dups):
            if was[1] != stamp(st, self.one_per_file, path=absolute) or not (left := self.stamps.skips(absolute)):
                return False
            self.stats.skipped.extend(alike_once(left))
            self.stats.file_skips[absolute] = left
            return True
        if was[1] == stamp(st, self.one_per_file, path=absolute):
            return self.keep_articles(absolute, given, rows, dups)
        tail = (resumable(absolute, st, self.stamps.tail(absolute))
                if grown_since(was[1], st, self.one_per_file) else None)
        if tail is None or not self.keep_articles(absolute, given, rows, dups, resumed=True):
            return False
        tail.taken = frozenset(r[1] for r in rows)
        return tail

    def keep_articles(self, absolute: str, given: str, rows: list, dups: list, resumed: bool = False) -> bool:
        """Keep the articles a file gave when last read, unless another file took them;
        ``resumed``: and read on from where that reading ended (what it left out is said
        with what the new part leaves out, as one reading says them)."""
        seen_text, seen_ids, text_of_id = self.seen_text, self.seen_ids, self.text_of_id
        if any(r[0] in self.kept_rows or r[1] in seen_ids or r[3] in seen_text
               or r[3] in self.out_of_scope_text or r[5] != given for r in rows):
            return False
        # A duplicate's text is its original's; the original now is whoever holds that text
        # (this file's articles come before its duplicates, as when it was read).
        own = {r[3]: r[1] for r in rows}
        originals = [self.holder(h) or own.get(h)
                     for h in (text_of_id.get(d[1]) for d in dups)]
        if not all(originals) or any(d[2] != given for d in dups):
            return False
        if self.parked and len(self.catalog.unpark([(r[0], r[1]) for r in rows])) < len(rows):
            return False  # reading relocates (and so names) the ones given back
        for rowid, article_id, chash, thash, _, source, line in rows:
            self.kept_rows.add(rowid)
            self.by_content[chash].remove(rowid)
            seen_text[thash] = article_id
            seen_ids[article_id] = (source, line)
        self.duplicates.extend((d[0], of, *d[2:]) for d, of in zip(dups, originals, strict=True))
        for d in dups:
            seen_ids.setdefault(d[0], (d[2], d[4]))
            self.copy_text[d[3], d[4]] = text_of_id[d[1]]
        self.read += len(rows) + len(dups)
        if (left := self.stamps.skips(absolute)) and resumed:
            self.stats.carried[absolute] = left
        elif left:  # said again, as reading it would
            self.stats.skipped.extend(alike_once(left))
            self.stats.file_skips[absolute] = left
        return True

    def take(self, article: Article) -> None:
        """Decide one article read: a duplicate, kept (perhaps moved), or new."""
        catalog = self.catalog
        self.read += 1
        self.reading.update(self.read - self.reading.n)
        th = text_hash(article.text)
        of = self.holder(th)
        if of is not None:
            self.duplicates.append((article.article_id, of, article.source, article.path, article.line_start))
            self.copy_text[article.path, article.line_start] = th
            # its id is its own, as an article's is: the one it takes if its original goes
            self.seen_ids.setdefault(article.article_id, (article.source, article.line_start))
            return
        if article.article_id in self.seen_ids:
            # decided once every file is read
            self.id_taken.append((article.article_id, article.source, article.path, article.line_start, th))
            self.stats.reread.add(article.path)  # another file took it: that may change
            return
        self.seen_text[th] = article.article_id
        self.seen_ids[article.article_id] = (article.source, article.line_start)
        ch = content_hash(article)
        candidates = self.by_content.get(ch)
        # Only an article's own id: the duplicates recorded are the last reading's until this
        # one ends, and the id of their original may now be an article just read (a file of
        # articles become one, which takes its first article's id: a copy's id led to it).
        clash = catalog.article_rowid(article.article_id, duplicates=False)
        if clash is not None and clash not in self.scoped:  # an article outside the scanned paths
            self.removed_rows.append(clash)
            store, article_store = self.stores
            store.remove(catalog.delete_articles([clash]))
            article_store.remove([clash])
        passages = None
        if candidates:
            rowid = candidates.pop()
            # A rebuild splits every article as this version does: one whose passages would
            # differ (split by an older version, or stored without the tokens this embedder
            # gives) is embedded again; the others are kept.
            if self.full:
                passages = self.split(article)
            if passages is None or catalog.passage_layout(rowid) == layout(passages, self.tokens):
                moved = self.places.get(rowid) != hash(place(article))
                self.relocated += moved
                if self.parked or moved:
                    self.park()
                    catalog.relocate_article(rowid, article)
                    if self.id_of[rowid] != article.article_id:
                        self.renamed[self.id_of[rowid]] = article.article_id
                self.kept_rows.add(rowid)
                return
            self.resplit += 1
        passages = passages if passages is not None else self.split(article)
        if not passages:
            self.stats.skipped.append(Skip(article.source, article.line_start, "no sentences"))
            return
        self.park()
        catalog.insert_passages(catalog.insert_article(article, ch, th), passages)
        self.embedded += 1

    def going(self) -> set[int]:
        staying = {rowid for rowid, _ in self.stay_elsewhere()}
        return {row[0] for row in self.existing if row[0] in self.scoped and row[0] not in self.kept_rows
                and row[4] not in self.stats.unread and row[0] not in staying}

    def read_again(self) -> None:
        """Files outside this scope holding a duplicate of an article about to go: read again,
        the duplicate takes the article's place (its vectors kept) instead of vanishing with it.
        Such a file, changed since, may no longer hold an article that a copy read here took
        for its original: that copy is read again, as an article. Until nothing more goes."""
        copy_text, duplicates = self.copy_text, self.duplicates
        while True:
            orphans = orphaned_duplicates(self.catalog, self.existing, self.going(), self.stats.seen_paths,
                                          self.in_scope, self.stamps, self.one_per_file)
            orphans += self.taken_free({path for _, path, _ in orphans})
            rows_of = {path: [] for _, path, _ in orphans}
            for row in self.existing if orphans else ():
                if row[4] in rows_of:
                    rows_of[row[4]].append(row)
            for given, path, per_file in orphans:
                self.read_as[path] = per_file
                for row in rows_of[path]:
                    self.scope(row)
                if self.parked:  # as those in scope were before the first write: its articles' ids are free to take
                    self.catalog.park_article_ids([row[0] for row in rows_of[path]])
                for article in read_articles([given], self.stats, one_per_file=per_file):
                    self.take(article)
            stranded = [d for d in duplicates if self.holder(copy_text[d[3], d[4]]) is None]
            if not orphans and not stranded:
                return
            left = set(stranded)
            duplicates[:] = [d for d in duplicates if d not in left]
            again: dict[tuple[str, str], set[tuple[int, str]]] = {}  # (given, path) -> (line, text hash)
            for article_id, _, source, path, line in stranded:
                again.setdefault((source, path), set()).add((line, copy_text[path, line]))
                self.read -= 1  # (counted again when taken)
                if self.seen_ids.get(article_id) == (source, line):
                    del self.seen_ids[article_id]
            for (source, path), wanted in again.items():
                for article in read_articles([source], ReadStats(),
                                             one_per_file=self.read_as.get(path, self.one_per_file)):
                    if (article.line_start, text_hash(article.text)) in wanted:
                        self.take(article)

    def name_originals(self) -> None:
        """Each copy names the article that holds its text now: one read again after the copy
        was read may have moved in its file, and so taken another id (a .txt block's)."""
        for n, (article_id, _, source, path, line) in enumerate(self.duplicates):
            th = self.copy_text[path, line]
            if (of := self.holder(th)) is not None:
                self.duplicates[n] = (article_id, of, source, path, line)

    def taken_free(self, already: set[str]) -> list[tuple[str, str, bool]]:
        """(path as given, absolute path, one article per file) of the files outside this scope,
        not read, holding a record left out for an id that is free now (its holder goes or
        took another) or whose text is now held (it is a copy): read again, as a build takes it."""
        if not self.taken_before:
            return []
        staying = {article_id for _, article_id in self.stay_elsewhere()} | {
            row[1] for row in self.existing if row[0] in self.scoped and row[4] in self.stats.unread}
        free = {self.id_of[rowid] for rowid in self.scoped} - self.seen_ids.keys() - staying
        return [(given, path, per_file) for path, (given, per_file, records) in self.taken_before.items()
                if path not in already and path not in self.stats.seen_paths and not self.in_scope(path)
                and os.path.exists(path) and any(i in free or t in self.seen_text for i, t in records)]

    def settle_taken_ids(self) -> None:
        """An article whose id another took is a copy if its text is held anywhere (a file read
        after it, or one outside read again: as a build reading that file first), else left out."""
        for article_id, source, path, line, th in self.id_taken:
            if (of := self.holder(th)) is not None:
                self.duplicates.append((article_id, of, source, path, line))
            else:
                taken_at = ":".join(map(str, self.seen_ids[article_id]))
                self.left_out.append((path, source, self.read_as.get(path, self.one_per_file), article_id, th))
                self.stats.skipped.append(Skip(source, line, f"id {article_id!r} already used at {taken_at}"))

    def record_left_out(self) -> None:
        """Remember, by file, the records left out for a taken id (once the write is published)."""
        # Only files that held such records have rows to drop: those read, and those of the
        # scope not read (gone, or taken out), unless they could not be read (kept as they were).
        read = {path for path in self.taken_before if self.full or path in self.stats.seen_paths
                or (self.in_scope(path) and path not in self.stats.unread)}
        self.stamps.record_taken(read, self.left_out)

    def keep_unread(self) -> tuple[list[int], list[int]]:
        """Articles kept though not read: those of files that exist but could not be read (as
        they were), and those of missing files outside the paths (see ``elsewhere``). Returns
        both lists of rows, as kept."""
        unread = [(rowid, article_id) for rowid, article_id, _, _, path, _, _ in self.existing
                  if path in self.stats.unread and rowid in self.scoped and rowid not in self.kept_rows]
        held = self.catalog.unpark(unread) if self.parked else [rowid for rowid, _ in unread]
        self.kept_rows.update(held)
        stay = self.stay_elsewhere()
        kept_missing = self.catalog.unpark(stay) if self.parked else [rowid for rowid, _ in stay]
        self.kept_rows.update(kept_missing)
        return held, kept_missing
