"""Updates skip files whose stamp (size, times, inode) is unchanged, and end exactly where an
update that reads every file ends."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

import qa
import qa.filestamps
from qa import readers
from qa.indexdir import CATALOG, generation_dir, read_manifest

TRUST = 0  # RACY_NS under which any file's stamp is trusted
NEVER = 10**30  # ... and under which none is: every file is read, as before qa.filestamps


@pytest.fixture
def opened(monkeypatch):
    """Names of the files the readers open, in order (a mailbox read on from where its last
    reading ended: with the line it goes on from, ``Inbox@12``)."""
    names: list[str] = []
    real = readers.read_file

    def spy(given, absolute, stats, one_per_file, resume=None):
        names.append(os.path.basename(given) + (f"@{resume.lines + 1}" if resume is not None else ""))
        return real(given, absolute, stats, one_per_file, resume)

    monkeypatch.setattr(readers, "read_file", spy)
    return names


def catalog_state(index: str) -> tuple:
    """Everything an update decides: articles (ids, places, text), passages, duplicates."""
    db = sqlite3.connect(os.path.join(generation_dir(index, read_manifest(index)), CATALOG))
    try:
        articles = sorted(db.execute(
            "SELECT article_id, source, path, line_start, lines_mapped, title, text, url, date, author,"
            " tags, metadata, content_hash FROM articles"))
        passages = sorted(db.execute(
            "SELECT a.article_id, p.ordinal, p.char_start, p.char_end, p.line_offset_start,"
            " p.line_offset_end FROM passages p JOIN articles a ON a.id = p.article"))
        duplicates = sorted(db.execute("SELECT * FROM duplicates"))
    finally:
        db.close()
    return articles, passages, duplicates


def alike(tmp_path, fake, monkeypatch, opened):
    """``both(paths, build=False)``: the same build or update of two indexes, one trusting
    stamps, one reading every file; checks that both then hold the same articles, ids, places
    and duplicates, and gives the first's summary and the files it opened."""
    trusted, reading = str(tmp_path / "trusted"), str(tmp_path / "reading")

    def both(paths, build=False):
        results = []
        for index, racy in ((trusted, TRUST), (reading, NEVER)):
            monkeypatch.setattr(qa.filestamps, "RACY_NS", racy)
            opened.clear()
            if build:  # told its language: else its first files are read once more to find it (qa.language)
                lib = qa.Library.build([str(p) for p in paths], index, embedder=fake, progress=False,
                                       language="english")
                summary = lib.last_summary
            else:
                lib = qa.Library.open(index, embedder=fake)
                summary = lib.update([str(p) for p in paths], progress=False)
            assert lib.check() == []
            lib.close()
            results.append((summary, list(opened)))
        assert catalog_state(trusted) == catalog_state(reading)
        (summary, names), (full_summary, _) = results
        assert (summary.read, summary.kept, summary.embedded, summary.removed, summary.duplicates) == (
            full_summary.read, full_summary.kept, full_summary.embedded, full_summary.removed,
            full_summary.duplicates)
        assert [str(s) for s in summary.skipped] == [str(s) for s in full_summary.skipped]
        return summary, names

    return both


def test_an_update_ends_as_one_that_reads_every_file(small_corpus, tmp_path, fake, monkeypatch, opened):
    """The same edits, applied to two indexes of one corpus: one trusting stamps, one reading
    every file. After each update both hold the same articles, ids, places and duplicates."""
    other = tmp_path / "other"
    other.mkdir()
    both = alike(tmp_path, fake, monkeypatch, opened)

    summary, names = both([small_corpus], build=True)
    assert names == ["a.txt", "note.md", "records.jsonl"]  # a build reads every file

    summary, names = both([small_corpus])
    assert names == [] and summary.unchanged_files == 3 and not summary.changed
    assert "3 of them unchanged since they were indexed, so not opened" in summary.lines()[0]

    # note.md changes and a file appears: only they are read; the files after the first write
    # (records.jsonl) are kept without reading too.
    (small_corpus / "note.md").write_text("The bakers of Lumen went back to work on Monday.\n", encoding="utf-8")
    (small_corpus / "b.txt").write_text("A zebra escaped from the Lumen zoo.\n", encoding="utf-8")
    summary, names = both([small_corpus])
    assert names == ["b.txt", "note.md"] and summary.embedded == 2 and summary.unchanged_files == 2

    # An earlier file now holds the text of an unchanged later file's article: reading decides
    # which copy is the duplicate, so the later file is read too (a.txt from where it ended).
    with open(small_corpus / "a.txt", "a", encoding="utf-8") as fh:
        fh.write("\nThe Osk flood damaged two hundred homes in the lower town.\n")
    summary, names = both([small_corpus])
    assert names == ["a.txt@10", "records.jsonl"] and summary.duplicates == 1
    # Then, with nothing changed, neither is read: the duplicate's original is read before it.
    summary, names = both([small_corpus])
    assert names == [] and summary.duplicates == 1 and not summary.changed

    # A new earlier file takes the id of an unchanged file's article.
    (small_corpus / "a0.jsonl").write_text('{"id": "r2", "title": "Comet", "text": "A comet was seen '
                                           'over Lumen."}\n', encoding="utf-8")
    summary, names = both([small_corpus])
    assert names == ["a0.jsonl", "records.jsonl"]
    assert any("already used" in s.reason for s in summary.skipped)

    # Both conflicts undone: then no file has a duplicate or a skipped article, and all are
    # kept without reading at the next update.
    (small_corpus / "a0.jsonl").unlink()
    text = (small_corpus / "a.txt").read_text(encoding="utf-8")
    (small_corpus / "a.txt").write_text(text[:text.index("\nThe Osk flood damaged")], encoding="utf-8")
    summary, names = both([small_corpus])
    assert names == ["a.txt", "records.jsonl"] and summary.duplicates == 0 and not summary.skipped
    summary, names = both([small_corpus])
    assert names == [] and summary.unchanged_files == 4

    # A file that gives no article is read once, then said again without being read while it
    # is as it was (a docs folder's pages holding only a directive were read by every update).
    (small_corpus / "draft.md").write_text("<!-- to write: the ferry's winter timetable -->\n", encoding="utf-8")
    for read in (["draft.md"], []):
        summary, names = both([small_corpus])
        assert names == read and summary.embedded == 0 and summary.unchanged_files == 4 + (not read)
        assert [(s.path, s.reason) for s in summary.skipped] == [
            (str(small_corpus / "draft.md"), "no text in it (after its front matter, comments and HTML tags)")]
    (small_corpus / "draft.md").write_text("The winter ferry crosses six times a day.\n", encoding="utf-8")
    summary, names = both([small_corpus])
    assert names == ["draft.md"] and summary.embedded == 1 and not summary.skipped

    # The same size and modification time, other text (a tool that restores times): the change
    # time gives it away.
    path = small_corpus / "b.txt"
    st = os.stat(path)
    time.sleep(0.02)
    path.write_text("A llama escaped from the Lumen zoo.\n", encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size and os.stat(path).st_mtime_ns == st.st_mtime_ns
    summary, names = both([small_corpus])
    assert names == ["b.txt"] and summary.embedded == 1

    # Another folder's update takes an id of this corpus's unchanged file; when this corpus is
    # updated again, that file is read (its stamp no longer matches what the catalog holds).
    (other / "c.jsonl").write_text('{"id": "r1", "title": "Other", "text": "Another r1."}\n', encoding="utf-8")
    both([other])
    summary, names = both([small_corpus])
    assert names == ["records.jsonl"]

    # A file renamed and one deleted.
    (small_corpus / "b.txt").rename(small_corpus / "zoo.txt")
    (small_corpus / "note.md").unlink()
    summary, names = both([small_corpus])
    assert names == ["zoo.txt"] and summary.removed == 1 and summary.relocated == 1

    # A copy of a file and a block repeated within one: once read, the files holding the
    # duplicates are kept without reading while each duplicate's original stands.
    (small_corpus / "zz-copy.txt").write_bytes((small_corpus / "zoo.txt").read_bytes())
    with open(small_corpus / "a.txt", "a", encoding="utf-8") as fh:
        fh.write("\nA new observatory opened on Mount Pell.\nIts telescope has a four metre mirror.\n")
    summary, names = both([small_corpus])
    assert names == ["a.txt@10", "zz-copy.txt"] and summary.duplicates == 2
    summary, names = both([small_corpus])
    assert names == [] and summary.duplicates == 2 and not summary.changed
    # The copy's original goes: the copy is read, and its article is no longer a duplicate.
    (small_corpus / "zoo.txt").unlink()
    summary, names = both([small_corpus])
    assert names == ["zz-copy.txt"] and summary.duplicates == 1
    summary, names = both([small_corpus])
    assert names == [] and summary.duplicates == 1 and not summary.changed

    # A copy in a folder this update does not cover, whose original here goes: that file is
    # read too, and its copy takes the original's place (its vectors kept).
    (other / "c.jsonl").unlink()  # (its r1 and records.jsonl's take the id from each other)
    both([other])
    both([small_corpus])
    (other / "llama.txt").write_bytes((small_corpus / "zz-copy.txt").read_bytes())
    summary, names = both([other])
    assert names == ["llama.txt"] and summary.duplicates == 1
    (small_corpus / "zz-copy.txt").unlink()
    summary, names = both([small_corpus])
    assert names == ["llama.txt"] and (summary.removed, summary.relocated, summary.embedded) == (0, 1, 0)
    summary, names = both([small_corpus, other])
    assert names == [] and not summary.changed


def test_a_file_written_moments_ago_is_read_again(small_corpus, tmp_path, fake, opened):
    """Under the default RACY_NS a just-written file's times are not trusted: a second write
    within the file system's time resolution would not move them."""
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    opened.clear()
    lib.update([str(small_corpus)], progress=False)
    assert opened == ["a.txt", "note.md", "records.jsonl"]


def test_a_growing_file_read_moments_after_a_write_is_read_on_from_where_it_ended(tmp_path, fake, opened):
    """Under the default RACY_NS: `qa index --watch` reads a file a second after the write that
    woke it, too new to trust its times. A file that grows at its end is read again all the
    same, but from where that reading ended (its bytes hashed again), not from its start."""
    notes = tmp_path / "notes"
    notes.mkdir()
    path = notes / "log.txt"
    path.write_text("The ferry leaves at nine.\n\nThe crane lifts forty tonnes.\n", encoding="utf-8")
    (notes / "a.md").write_text("# Quay\n\nThe quay reopens in May.\n", encoding="utf-8")
    lib = qa.Library.build([str(notes)], str(tmp_path / "idx"), embedder=fake, progress=False, language="english")
    for n, text in enumerate(("Tolls rise in June.", "A new pier opens.")):
        lines = path.read_bytes().count(b"\n")
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"\n{text}\n")
        opened.clear()
        summary = lib.update([str(notes)], progress=False)
        assert opened == ["a.md", f"log.txt@{lines + 1}"] and summary.embedded == 1 and summary.read == 4 + n
    opened.clear()
    lib.update([str(notes)], progress=False)  # not grown: read again, whole, as any file that new
    assert opened == ["a.md", "log.txt"]
    # rewritten before its end as well as grown, within a second: the hash tells, read whole
    path.write_bytes(path.read_bytes().replace(b"nine", b"noon") + b"\nThe lighthouse is lit.\n")
    opened.clear()
    summary = lib.update([str(notes)], progress=False)
    assert opened == ["a.md", "log.txt"] and summary.embedded == 2 and summary.removed == 1
    assert [h.text for h in lib.ask("ferry leaves", k=1, mode="lexical")] == ["The ferry leaves at noon."]
    lib.close()


def test_a_files_age_counts_when_it_is_read_not_when_its_stamp_is_recorded(small_corpus, tmp_path, monkeypatch,
                                                                             opened):
    """A write may embed for hours after it read a file: a file that was new when read (a second
    write in the same time tick could follow unseen) must not be stamped at the end."""
    from fakes import FakeEmbedder

    monkeypatch.setattr(qa.filestamps, "RACY_NS", 5 * 10**8)  # the corpus was written just now
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=FakeEmbedder(delay=0.6),
                           progress=False)  # so the write ends more than RACY_NS after the reading
    opened.clear()
    lib.update([str(small_corpus)], progress=False)
    assert opened == ["a.txt", "note.md", "records.jsonl"]
    opened.clear()
    lib.update([str(small_corpus)], progress=False)  # the update above read them old enough
    assert opened == []


def test_another_reading_of_the_files_reads_them_again(small_corpus, tmp_path, fake, monkeypatch, opened):
    monkeypatch.setattr(qa.filestamps, "RACY_NS", TRUST)
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    opened.clear()
    lib.update([str(small_corpus)], progress=False, one_per_file=True)  # a.txt is one article now
    assert opened == ["a.txt", "note.md", "records.jsonl"]
    opened.clear()
    monkeypatch.setattr(qa.filestamps, "READERS", qa.filestamps.READERS + 1)  # readers changed
    lib.update([str(small_corpus)], progress=False, one_per_file=True)
    assert opened == ["a.txt", "note.md", "records.jsonl"]
    opened.clear()
    lib.update([str(small_corpus)], progress=False, one_per_file=True)
    assert opened == []


def test_a_damaged_stamps_file_only_costs_a_reading(small_corpus, tmp_path, fake, monkeypatch, opened):
    monkeypatch.setattr(qa.filestamps, "RACY_NS", TRUST)
    index = str(tmp_path / "idx")
    lib = qa.Library.build([str(small_corpus)], index, embedder=fake, progress=False)
    with open(os.path.join(index, qa.filestamps.FILE), "wb") as fh:
        fh.write(b"not a database" * 100)
    opened.clear()
    summary = lib.update([str(small_corpus)], progress=False)
    assert opened == ["a.txt", "note.md", "records.jsonl"] and not summary.changed
    opened.clear()
    lib.update([str(small_corpus)], progress=False)  # the reading above recorded them again
    assert opened == []


def test_a_file_with_records_left_out_is_not_read_again_and_they_are_still_said(tmp_path, fake, monkeypatch,
                                                                                 opened):
    """A mailbox with a message without text, a JSONL with a malformed line: the same bytes
    leave out the same, so an update keeps them unread (a Takeout mailbox is gigabytes) and
    says again what they left out. An index stamped before skips were recorded keeps working."""
    from test_mail import mbox, message

    monkeypatch.setattr(qa.filestamps, "RACY_NS", TRUST)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "mail.mbox").write_bytes(mbox(
        message("Crane", "ann@example.org", "Mon, 04 Mar 2024 09:00:00 +0000", plain="The crane lifts forty tonnes."),
        message("Only a picture", "c@example.org", "Wed, 06 Mar 2024 08:00:00 +0000", html='<img src="x.png">')))
    (corpus / "notes.jsonl").write_text('{"text": "The quay was repaired."}\n{"text": broken\n', encoding="utf-8")
    lib = qa.Library.build([str(corpus)], str(tmp_path / "idx"), embedder=fake, progress=False,
                           language="english")  # else read once more to find it (qa.language)
    said = sorted(str(s) for s in lib.last_summary.skipped)
    assert len(said) == 2 and opened == ["mail.mbox", "notes.jsonl"]
    opened.clear()
    again = lib.update([str(corpus)], progress=False)
    assert opened == [] and again.unchanged_files == 2 and sorted(str(s) for s in again.skipped) == said
    # stamps written before they held skips: the column is added, those files are read once more
    db = sqlite3.connect(tmp_path / "idx" / qa.filestamps.FILE)
    with db:
        db.execute("DROP TABLE files")
        db.execute("CREATE TABLE files(path TEXT PRIMARY KEY, source TEXT NOT NULL, stamp TEXT NOT NULL,"
                   " articles INTEGER NOT NULL)")
    db.close()
    assert sorted(str(s) for s in lib.update([str(corpus)], progress=False).skipped) == said
    assert opened == ["mail.mbox", "notes.jsonl"]
    opened.clear()
    assert sorted(str(s) for s in lib.update([str(corpus)], progress=False).skipped) == said and opened == []


def test_a_mailbox_that_grew_is_read_from_where_it_ended_and_ends_as_a_whole_reading(tmp_path, fake, monkeypatch,
                                                                                   opened):
    """Thunderbird appends new messages to a folder's file (``Inbox``): an update reads only
    them, numbered as a whole reading numbers them; a folder changed otherwise is read whole."""
    from test_mail import mbox, message

    mail = tmp_path / "Mail"
    mail.mkdir()
    inbox = mail / "Inbox"  # no extension: known by its first lines

    def note(subject: str, text: str, day: int) -> bytes:
        return message(subject, "Ann Lee <ann@example.org>", f"Mon, {day:02} Mar 2024 09:00:00 +0000", plain=text)

    old = [note("Ferry times", "The ferry leaves at nine every morning.", 4),
           message("Only a picture", "c@example.org", "Wed, 06 Mar 2024 08:00:00 +0000", html='<img src="x.png">'),
           note("Quay works", "The quay closes for a year from June.", 7)]
    inbox.write_bytes(mbox(*old))
    both = alike(tmp_path, fake, monkeypatch, opened)
    summary, names = both([mail], build=True)
    assert names == ["Inbox"] and summary.embedded == 2 and [s.reason for s in summary.skipped] == ["message has no text"]
    summary, names = both([mail])
    assert names == [] and not summary.changed

    lines = inbox.read_bytes().count(b"\n")
    # Two new messages, one with the Message-ID of an earlier one (a copy sent to oneself):
    # told apart from it as a whole reading tells them apart.
    with open(inbox, "ab") as fh:
        fh.write(mbox(note("Basin report", "The dredger removed 18,500 cubic metres of silt.", 11),
                      note("Ferry times", "From June the ferry leaves at ten.", 12)))
    summary, names = both([mail])
    assert names == [f"Inbox@{lines + 1}"] and (summary.embedded, summary.kept) == (2, 2)
    assert "(1 of them read on from where its last reading ended)" in summary.lines()[0]
    assert [s.reason for s in summary.skipped] == ["message has no text"]  # the kept part's, said again
    summary, names = both([mail])
    assert names == [] and not summary.changed
    lines = inbox.read_bytes().count(b"\n")
    with open(inbox, "ab") as fh:  # and again, from the new end
        fh.write(mbox(note("Market hall", "The market hall opens on Saturdays.", 14)))
    summary, names = both([mail])
    assert names == [f"Inbox@{lines + 1}"] and summary.embedded == 1
    lib = qa.Library.open(str(tmp_path / "trusted"), embedder=fake)
    [hit] = lib.ask("market hall Saturdays", k=1, mode="lexical")
    assert (hit.title, hit.line_start) == ("Market hall", lines + 1)
    lib.close()

    # A message changed in place (the same size) as well as one appended: read whole.
    data = inbox.read_bytes()
    with open(inbox, "r+b") as fh:
        fh.seek(data.index(b"every morning"))
        fh.write(b"every evening")
    with open(inbox, "ab") as fh:
        fh.write(mbox(note("Tide tables", "High tide is at noon on Sunday.", 15)))
    summary, names = both([mail])
    assert names == ["Inbox"] and summary.embedded == 2
    # Compacted (a message gone, the file written anew), then grown: read whole.
    inbox.write_bytes(b"From " + inbox.read_bytes().split(b"\n\nFrom ", 1)[1])  # the first message gone
    summary, names = both([mail])
    assert names == ["Inbox"] and summary.removed == 1
    lines = inbox.read_bytes().count(b"\n")
    with open(inbox, "ab") as fh:
        fh.write(mbox(note("Bridge repairs", "The bridge reopens in May.", 16)))
    summary, names = both([mail])
    assert names == [f"Inbox@{lines + 1}"] and summary.embedded == 1


def test_a_text_file_of_articles_that_grew_is_read_from_where_it_ended(tmp_path, fake, monkeypatch, opened):
    """Articles appended to a .txt of blank-line-separated blocks: an update reads only the new
    blocks when the old last one had ended (a blank line ends it, or opens what was added);
    an addition that goes on with the last block reads the file whole."""
    notes = tmp_path / "notes"
    notes.mkdir()
    path = notes / "clippings.txt"
    path.write_text("The ferry to Skerry Isle leaves at nine.\n\nThe harbour crane lifts forty tonnes.\n",
                    encoding="utf-8")
    both = alike(tmp_path, fake, monkeypatch, opened)
    summary, names = both([notes], build=True)

    def append(text: str) -> int:
        lines = path.read_bytes().count(b"\n")
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
        return lines

    lines = append("\nThe quay reopens in May after repairs.\nIts new lights are brighter.\n")
    summary, names = both([notes])  # the new part opens with a blank line
    assert names == [f"clippings.txt@{lines + 1}"] and summary.embedded == 1
    lines = append("\n\n\nThe ferry to Skerry Isle leaves at nine.\n\nTolls rise by a fifth in June.\n\n")
    summary, names = both([notes])  # a copy of the first block: a duplicate, as a whole reading finds
    assert names == [f"clippings.txt@{lines + 1}"] and summary.embedded == 1 and summary.duplicates == 1
    lines = append("The lighthouse keeper retired in 1987.\n")
    summary, names = both([notes])  # the file had ended with a blank line
    assert names == [f"clippings.txt@{lines + 1}"] and summary.embedded == 1
    lib = qa.Library.open(str(tmp_path / "trusted"), embedder=fake)
    [hit] = lib.ask("lighthouse keeper retired", k=1, mode="lexical")
    assert (hit.line_start, hit.line_end) == (lines + 1, lines + 1)
    [hit] = lib.ask("tolls rise", k=1, mode="lexical")
    assert hit.line_start == 12
    lib.close()
    append("He still climbs it on Sundays.\n")  # goes on with the last block: read whole
    summary, names = both([notes])
    assert names == ["clippings.txt"] and summary.embedded == 1 and summary.removed == 1
    # An edit before the end as well as an addition: read whole.
    path.write_bytes(path.read_bytes().replace(b"forty", b"fifty") + b"\nA new pier opens.\n")
    summary, names = both([notes])
    assert names == ["clippings.txt"] and summary.embedded == 2


def test_a_json_lines_file_that_grew_is_read_from_where_it_ended(tmp_path, fake, monkeypatch, opened):
    """A scraper appends its records to one file: an update reads only the new ones, once the
    file holds the records a reading decides its kind by (qa.tables.SAMPLE); its ids by line."""
    import json

    from qa.tables import SAMPLE

    feed = tmp_path / "feed"
    feed.mkdir()
    path = feed / "articles.jsonl"

    def records(start: int, n: int, ids: bool = False) -> str:
        return "".join(json.dumps({**({"id": f"a{i}"} if ids else {}), "title": f"Story {i}",
                                   "text": f"The harbour story number {i} tells of quay {i % 13}."}) + "\n"
                       for i in range(start, start + n))

    path.write_text(records(0, 5) + "{not json\n", encoding="utf-8")
    both = alike(tmp_path, fake, monkeypatch, opened)
    summary, names = both([feed], build=True)
    with open(path, "a", encoding="utf-8") as fh:  # too few records yet to go on from: read whole
        fh.write(records(5, 3))
    summary, names = both([feed])
    assert names == ["articles.jsonl"] and summary.embedded == 3
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(records(8, SAMPLE))
    summary, names = both([feed])
    assert names == ["articles.jsonl"]
    for start in (8 + SAMPLE, 9 + SAMPLE):
        lines = path.read_bytes().count(b"\n")
        with open(path, "a", encoding="utf-8") as fh:  # new records, with ids and without
            fh.write(records(start, 1) + records(start + 100, 1, ids=True) + "{still not json\n")
        summary, names = both([feed])
        assert names == [f"articles.jsonl@{lines + 1}"] and summary.embedded == 2
        # the kept part's malformed line said with the new ones, as one reading says them (alike() checks)
        reasons = [s.reason for s in summary.skipped]
        assert len(reasons) == 2 if start == 8 + SAMPLE else reasons[0].endswith(
            f": 3 records (lines 6, {lines}, {lines + 3})"), reasons
    lib = qa.Library.open(str(tmp_path / "trusted"), embedder=fake)
    [hit] = lib.ask(f"harbour story number {9 + SAMPLE}", k=1, mode="lexical")
    assert (hit.title, hit.line_start) == (f"Story {9 + SAMPLE}", lines + 1)
    lib.close()
    # A record rewritten in place as well as one appended: read whole.
    data = path.read_bytes().replace(b"Story 3\"", b"Story X\"")
    path.write_bytes(data + records(500, 1).encode())
    summary, names = both([feed])
    assert names == ["articles.jsonl"] and summary.embedded == 2
    # A UTF-16 file is read as UTF-8 through a copy, whose offsets are not the file's: read whole.
    wide = feed / "wide.jsonl"
    wide.write_bytes(b"\xff\xfe" + records(1000, SAMPLE + 5).encode("utf-16-le"))
    summary, names = both([feed])
    assert names == ["wide.jsonl"]
    with open(wide, "ab") as fh:
        fh.write(records(2000, 1).encode("utf-16-le"))
    summary, names = both([feed])
    assert names == ["wide.jsonl"] and summary.embedded == 1


def test_a_txt_file_that_grows_a_heading_alone_is_read_again_whole_as_a_document(tmp_path, fake, opened):
    """A file of blank-line-separated articles read on from where it ended, until what is added
    makes it a document with headings (qa.headed): then read whole, as one article."""
    notes = tmp_path / "notes"
    notes.mkdir()
    path = notes / "log.txt"
    path.write_text("The ferry leaves at nine.\n\nThe crane lifts forty tonnes.\n", encoding="utf-8")
    lib = qa.Library.build([str(notes)], str(tmp_path / "idx"), embedder=fake, progress=False, language="english")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\nTolls rise in June.\n")
    opened.clear()
    assert lib.update([str(notes)], progress=False).read == 3 and opened == ["log.txt@4"]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\nHarbour\n=======\n\nA new pier opens.\n")
    opened.clear()
    lib.update([str(notes)], progress=False)
    assert opened == ["log.txt"]
    hits = lib.ask("ferry leaves nine", k=5, mode="lexical")
    assert [(h.title, h.markup) for h in hits] == [("Harbour", "markdown")]  # its first top heading, as .md
    assert hits[0].text.startswith("The ferry leaves at nine.") and "A new pier opens." in hits[0].text
    lib.close()
