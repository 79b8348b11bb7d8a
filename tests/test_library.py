"""Library behaviour with the fake embedder: search against an oracle, updates, safety."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import threading

import numpy as np
import pytest
from conftest import SAMPLES
from fakes import similar_recall

import qa
from qa.embedding import embed_input
from qa.indexdir import Writer, read_manifest
from qa.search import LEXICAL_WEIGHT


def build(paths, tmp_path, fake, **kw):
    return qa.Library.build([str(p) for p in paths], str(tmp_path / "idx"), embedder=fake,
                            progress=False, **kw)


def all_passages(lib):
    ids = lib.store.ids().tolist()
    return lib.catalog.passages(ids, vectors=True)


def test_build_and_ask_returns_referenced_hits(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    s = lib.last_summary
    assert (s.read, s.embedded, s.kept, s.removed, len(s.skipped)) == (6, 6, 0, 0, 0)
    hits = lib.ask("bakers strike night shifts", k=3)
    assert hits[0].source.endswith("a.txt") and hits[0].line_start == 1 and hits[0].line_end == 2
    assert hits[0].title == "Bakers in Lumen went on strike over night shifts."
    assert [h.rank for h in hits] == [1, 2, 3]
    assert all(isinstance(h, qa.Hit) for h in hits)
    hl = hits[0].highlights[0]
    assert hits[0].text[hl.char_start - hits[0].char_start: hl.char_end - hits[0].char_start] == hl.text


def visible(source_line: str) -> str:
    """An HTML source line's text as a browser shows it."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", source_line)).split())


def test_line_start_points_at_the_article_in_its_file(samples, tmp_path, fake):
    lib = build([samples], tmp_path, fake, chunk_tokens=30)
    html_passages = 0
    for row in all_passages(lib).values():
        with open(row.source, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        if row.source.endswith((".txt", ".md")):
            first_words = row.text.split("\n")[0].strip()
            assert first_words in lines[row.line_start - 1], row
            last = row.text.split("\n")[-1].strip()
            assert last in lines[row.line_end - 1], row
        elif row.source.endswith((".jsonl", ".csv")):
            assert row.text.split("\n")[0][:30] in lines[row.line_start - 1]
        elif row.source.endswith(".html"):  # the source lines a passage's first and last words are on
            words = re.sub(r"^#{1,6} ", "", row.text).split()  # a heading's mark is not in the page
            assert " ".join(words[:2]) in visible(lines[row.line_start - 1]), row
            assert words[-1] in visible(lines[row.line_end - 1]), row
            html_passages += 1
    assert html_passages >= 4  # the page's passages point at their own lines


def test_dense_search_matches_numpy_oracle(samples, tmp_path, fake):
    lib = build([samples], tmp_path, fake, chunk_tokens=30)
    rows = all_passages(lib)
    ids = np.array(sorted(rows))
    matrix = fake.encode([embed_input(rows[i].title, rows[i].text) for i in ids])
    for question in ["dockworkers strike at the port", "comet visible in October", "coffee liver", "bridge repairs ferry"]:
        q = fake.encode([question])[0]
        expected = ids[np.argsort(-(matrix @ q), kind="stable")][:8].tolist()
        hits = lib.ask(question, k=8, mode="dense", per_article=1000)
        assert [h.passage_id for h in hits] == expected
        scores = [h.score for h in hits]
        assert np.allclose(scores, np.sort(matrix @ q)[::-1][:8], atol=1e-5)


def test_hybrid_ranks_are_the_component_ranks(samples, tmp_path, fake):
    lib = build([samples], tmp_path, fake)
    question = "nurses strike in Quebec hospitals"
    dense = [h.passage_id for h in lib.ask(question, k=100, mode="dense", per_article=100)]
    lexical = [h.passage_id for h in lib.ask(question, k=100, mode="lexical", per_article=100)]
    hits = lib.ask(question, k=5, per_article=100)
    for h in hits:
        assert h.dense_rank == dense.index(h.passage_id) + 1
        assert h.lexical_rank == (lexical.index(h.passage_id) + 1 if h.passage_id in lexical else None)
    assert hits[0].article_id == lib.ask(question, k=1, mode="lexical")[0].article_id
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_lexical_uses_stemming(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    hits = lib.ask("flooding", mode="lexical", k=5)
    assert {h.article_id for h in hits} >= {"r1"}


def test_per_article_limits_passages_per_article(samples, tmp_path, fake):
    lib = build([samples], tmp_path, fake, chunk_tokens=20)
    hits = lib.ask("library flood books volunteers", k=10)
    ids = [h.article_id for h in hits]
    assert len(ids) == len(set(ids)) == 10
    hits2 = lib.ask("library flood books volunteers", k=10, per_article=2)
    counts = {a: [h.article_id for h in hits2].count(a) for a in set(h.article_id for h in hits2)}
    assert max(counts.values()) == 2 and len(hits2) == 10


def test_filters(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    hits = lib.ask("Osk flood lower town", k=5, filters={"date_from": "2024-01-01"})
    assert hits and all(h.date and h.date >= "2024-01-01" for h in hits)
    hits = lib.ask("telescope", k=5, filters=qa.Filters(source="*.jsonl"))
    assert hits and all(h.source.endswith(".jsonl") for h in hits)
    # a folder (no wildcard): the files under it, as given to qa index or absolute
    (small_corpus / "later").mkdir()
    (small_corpus / "later" / "pell.txt").write_text("The Mount Pell telescope closed for repairs.\n")
    (small_corpus / "laterals.txt").write_text("Lateral thinking about telescopes.\n")
    lib.update([small_corpus])
    for folder in (f"{small_corpus}/later", f"{small_corpus}/later/", str((small_corpus / "later").resolve())):
        assert [h.source for h in lib.ask("telescope", k=5, filters={"source": folder})] == [
            f"{small_corpus}/later/pell.txt"]
    [only] = lib.ask("flood", k=5, filters={"tags": ["weather"]})
    # The only candidate matches the question's word: it does not score 0 for lack of others.
    assert only.article_id == "r1" and only.lexical_rank == 1 and only.score >= LEXICAL_WEIGHT
    assert lib.ask("flood", filters={"date_to": "1999-01-01"}) == []
    dated = [h.date for h in lib.ask("Osk flood lower town", k=5, filters={"date_from": "2024", "date_to": "2024"})]
    assert dated and all(d.startswith("2024") for d in dated)
    with pytest.raises(qa.InputError):
        lib.ask("flood", filters={"colour": "red"})
    for bad, says in (({"date_from": "2025-13-01"}, "date from '2025-13-01' is not a date"),
                      ({"date_to": "yesterday"}, "date to 'yesterday' is not a date"),
                      ({"date_from": "2024-02", "date_to": "2024-01"}, "date from 2024-02 is after date to 2024-01")):
        with pytest.raises(qa.InputError, match=re.escape(says)):
            lib.ask("flood", filters=bad)


def test_a_tag_filter_takes_its_nested_tags_too(tmp_path, fake):
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, text in (("a.md", "Kiln firing plan #pottery/glaze"), ("b.md", "Kiln repair quote #Pottery"),
                       ("c.md", "Kiln for sale #pottery-class"), ("d.md", "Kiln wiring #potterY/glaze/blue")):
        (notes / name).write_text(text + "\n", encoding="utf-8")
    lib = build([notes], tmp_path, fake)

    def names(tag):
        return sorted(os.path.basename(h.source) for h in lib.ask("kiln", k=10, filters={"tags": [tag]}))

    assert names("pottery") == ["a.md", "b.md", "d.md"]  # not pottery-class, another tag
    assert names("Pottery/Glaze") == ["a.md", "d.md"]
    assert names("pottery/glaze/blue") == ["d.md"]
    assert names("glaze") == []


def test_similar_excludes_itself_and_its_duplicates(small_corpus, tmp_path, fake):
    dup = small_corpus / "copy.jsonl"
    dup.write_text(json.dumps({"id": "dup", "text": "The Osk flood damaged two hundred homes in the lower town."}) + "\n")
    lib = build([small_corpus], tmp_path, fake)
    assert lib.last_summary.duplicates == 1
    sims = lib.similar("r1", k=10)
    assert "r1" not in [s.article_id for s in sims] and "dup" not in [s.article_id for s in sims]
    assert sims[0].title.startswith("The river Osk flooded")
    assert [s.rank for s in sims] == list(range(1, len(sims) + 1))
    by_text = lib.similar(text="telescope mirror observatory", k=2)
    assert by_text[0].article_id in {"r2"} or "observatory" in by_text[0].title
    with pytest.raises(qa.NotFoundError):
        lib.similar("nope")


def test_a_count_of_results_must_be_a_whole_number_at_least_one(small_corpus, tmp_path, fake):
    import numpy as np

    lib = build([small_corpus], tmp_path, fake)
    for bad in (0, -1, 2.5, "3", True, None):
        with pytest.raises(qa.InputError, match=f"k must be a whole number, at least 1, not {re.escape(repr(bad))}"):
            lib.ask("strike", k=bad)
        with pytest.raises(qa.InputError, match="k must be a whole number"):
            lib.similar("r1", k=bad)  # similar gave 10 articles for k=0
        with pytest.raises(qa.InputError, match="per_article must be a whole number"):
            lib.ask("strike", per_article=bad)
    assert len(lib.ask("strike", k=np.int64(2))) == 2 and len(lib.similar(text="river flood", k=np.int32(1))) == 1


def test_a_question_needs_a_word_and_a_long_one_is_cut_between_words(small_corpus, tmp_path, fake):
    from qa.search import MAX_QUESTION_CHARS, clean_question

    lib = build([small_corpus], tmp_path, fake)
    for empty, says in (("", "the question is empty"), (" \n\t", "the question is empty"),
                        ("???", "the question '???' has no words"), ('""', "the question '\"\"' has no words"),
                        ("- -", "the question '- -' has no words")):
        with pytest.raises(qa.InputError, match=re.escape(says)):
            lib.ask(empty)
    assert clean_question("Ölpreis?") == "Ölpreis?" and clean_question("  why\n  not ") == "why not"
    long = clean_question("flood " * 1000)
    assert long == ("flood " * 1000)[:MAX_QUESTION_CHARS].rsplit(" ", 1)[0] and not long.endswith("floo")
    assert len(clean_question("x" * 5000)) == MAX_QUESTION_CHARS  # one word: cut where it must be
    assert "floo" not in lib.ask("flood " * 1000)[0].missing


def test_a_file_outside_the_index_is_split_and_embedded_as_the_index_would(tmp_path, fake):
    """A copy of an indexed article finds it with similarity 1: its passages split as its kind
    of file is and embedded with its title (the text split as plain text, without the title on
    each passage, gave another vector)."""
    import shutil

    folder = tmp_path / "docs"
    folder.mkdir()
    para = lambda topic: " ".join(f"The {topic} step {i} is done with care." for i in range(15))  # noqa: E731
    (folder / "guide.md").write_text(f"# Harbour guide\n\n{para('mooring')}\n\n## Fees\n\n```\nfee = 12\n```\n\n"
                                     f"{para('fee')}\n", encoding="utf-8")
    (folder / "page.html").write_text(
        f"<html><head><title>Tide tables</title></head><body><main><h1>Tide tables</h1><p>{para('tide')}</p>"
        f"<h2>Spring tides</h2><pre><code>high = 5.2\nlow = 0.4</code></pre><p>{para('spring')}</p></main></body></html>",
        encoding="utf-8")
    (folder / "other.md").write_text(f"# Bakery news\n\n{para('bread')}\n", encoding="utf-8")
    lib = build([folder], tmp_path, fake, chunk_tokens=40)
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("guide.md", "page.html"):
        shutil.copy(folder / name, outside / name)
        [hit] = lib.similar_to_file(str(outside / name), k=1)
        assert hit.source.endswith(f"docs/{name}") and hit.score == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(qa.InputError):
        lib.similar_to_file(str(outside / "missing.md"))


def test_similar_takes_the_reference_ask_prints(small_corpus, tmp_path, fake, monkeypatch):
    (small_corpus / "copy.jsonl").write_text(json.dumps({"id": "dup", "text": "The Osk flood damaged two hundred homes in the lower town."}) + "\n")
    lib = build([small_corpus], tmp_path, fake)
    hit = lib.ask("river Osk flooded the lower town", k=1)[0]
    assert hit.reference == f"{small_corpus / 'a.txt'}:5-6"
    by_id = lib.similar(hit.article_id, k=3)
    assert lib.similar(hit.reference, k=3) == by_id
    assert lib.similar(f"{small_corpus / 'a.txt'}:6", k=3) == by_id  # any line of the article
    assert lib.article(f"{small_corpus / 'a.txt'}:5")["article_id"] == hit.article_id
    # A duplicate's reference stands for the article it repeats; neither is similar to itself.
    sims = [s.article_id for s in lib.similar(f"{small_corpus / 'copy.jsonl'}:1", k=10)]
    assert "r1" not in sims and "dup" not in sims and sims
    monkeypatch.chdir(small_corpus.parent)  # a path relative to where the user stands
    note = lib.article("corpus/note.md")
    assert note["title"] == "Lumen bakery strike ends"
    with pytest.raises(qa.InputError, match=r"holds 3 articles.*a\.txt:1, .*a\.txt:5, .*a\.txt:8"):
        lib.similar("corpus/a.txt")
    for missing in ("corpus/a.txt:0", "corpus/nothing.txt:3", "elsewhere/note.md"):
        with pytest.raises(qa.NotFoundError, match="no article with id or reference"):
            lib.similar(missing)


def test_update_adds_changes_removes_and_skips_unchanged(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    before = fake.texts_encoded
    again = lib.update([str(small_corpus)], progress=False)
    assert (again.embedded, again.kept, again.removed, again.relocated) == (0, 6, 0, 0)
    assert fake.texts_encoded == before  # nothing embedded twice

    (small_corpus / "new.txt").write_text("A zebra escaped from the Lumen zoo.\n", encoding="utf-8")
    txt = small_corpus / "a.txt"
    txt.write_text("Inserted first block.\n\n" + txt.read_text(encoding="utf-8"), encoding="utf-8")
    (small_corpus / "note.md").unlink()
    s = lib.update([str(small_corpus)], progress=False)
    assert (s.embedded, s.kept, s.removed, s.relocated) == (2, 5, 1, 3)  # a.txt's three moved down
    assert "kept 5 unchanged (3 of them moved or with new metadata, not embedded again)" in s.lines()[1]
    assert lib.ask("zebra escaped zoo", k=1)[0].source.endswith("new.txt")
    # The unchanged article moved down by two lines; its reference follows it.
    hit = lib.ask("observatory Mount Pell mirror", k=1, mode="lexical")[0]
    assert hit.line_start == 10
    assert lib.ask("bakers returned to work after a pay deal", k=1, mode="lexical")[0].article_id != "note"
    assert lib.check() == []
    reopened = qa.Library.open(lib.path, embedder=fake)
    assert reopened.info().articles == 7
    (small_corpus / "records.jsonl").rename(small_corpus / "renamed.jsonl")
    before = fake.texts_encoded
    s = lib.update([str(small_corpus)], progress=False)
    assert (s.embedded, s.removed, s.relocated, fake.texts_encoded) == (0, 0, 2, before)
    assert lib.ask("Andromeda galaxy first image", k=1, mode="lexical")[0].source.endswith("renamed.jsonl")


def test_an_index_inside_the_corpus_is_not_read_as_articles(small_corpus, fake):
    """`qa index .` with the index folder under `.`: its vocabulary, catalog and model export are
    not articles (every update used to index them); articles uploaded through the UI are."""
    idx = small_corpus / "idx"
    lib = qa.Library.build([str(small_corpus)], str(idx), embedder=fake, progress=False)
    corpus_sources = {src for src, _ in lib.info().sources}
    (idx / "models").mkdir()
    (idx / "models" / "tokenizer.json").write_text('{"text": "a tokenizer file", "id": "tok"}')
    (idx / "uploads").mkdir()
    (idx / "uploads" / "ferry.txt").write_text("The ferry to Osk runs again after the flood.\n")
    s = lib.update([str(small_corpus)], progress=False)
    assert (s.embedded, s.removed, s.skipped) == (1, 0, ())
    assert {src for src, _ in lib.info().sources} == corpus_sources | {str(idx / "uploads" / "ferry.txt")}
    # A copy of an index (no lock file) is recognised by its manifest and generation.
    copy = small_corpus / "old-copy"
    shutil.copytree(idx, copy, ignore=shutil.ignore_patterns(".write.lock", "uploads"))
    s = lib.update([str(small_corpus)], progress=False)
    assert (s.embedded, s.removed, s.skipped) == (0, 0, ())
    assert lib.check() == []


def test_pages_marked_noindex_are_said_by_each_write_and_a_named_or_uploaded_one_is_read(tmp_path, fake, monkeypatch):
    monkeypatch.setattr("qa.filestamps.RACY_NS", 0)  # the files were written just now: trust their times
    docs = tmp_path / "docs"
    docs.mkdir()
    page = '<html><head><title>{t}</title>{m}</head><body><main><h1>{t}</h1><p>{t} opens at nine.</p></main></body></html>'
    (docs / "harbour.html").write_text(page.format(t="Harbour office", m=""), encoding="utf-8")
    hidden = page.format(t="Printable harbour guide", m='<meta name="robots" content="noindex">')
    (docs / "print.html").write_text(hidden, encoding="utf-8")
    idx = tmp_path / "idx"
    lib = qa.Library.build([str(docs)], str(idx), embedder=fake, progress=False)
    s = lib.last_summary
    assert s.noindex == (str(docs / "print.html"),) and [src for src, _ in lib.info().sources] == [str(docs / "harbour.html")]
    assert ("not indexed, as their site marks 1 page noindex (print, contents and moved pages; name a file to index "
            f"it): {docs / 'print.html'}") in s.lines()
    s = lib.update([str(docs)], progress=False)
    # Read again (its bytes, no extraction) and said again: naming it would change how it is read.
    assert (s.noindex, s.unchanged_files, s.embedded, s.removed) == ((str(docs / "print.html"),), 1, 0, 0)
    s = lib.update([str(docs), str(docs / "print.html")], progress=False)  # named: read, whatever holds it
    assert (s.embedded, s.noindex) == (1, ())
    (idx / "uploads").mkdir()  # as the web UI stores what is added there
    (idx / "uploads" / "guide.html").write_text(hidden.replace("Printable", "Uploaded"), encoding="utf-8")
    s = lib.update([f"{idx / 'uploads'}{os.sep}"], progress=False)
    assert (s.embedded, s.noindex) == (1, ())


def test_an_update_that_changes_nothing_publishes_nothing_and_any_change_is_written(small_corpus, tmp_path, fake):
    blocks = ["Ferries replace the closed bridge.", "Tram line two opens in May.", "The zoo gets a panda."]
    listing = small_corpus / "city.txt"
    listing.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    lib = build([small_corpus], tmp_path, fake)
    generation = read_manifest(lib.path)["generation"]
    s = lib.update([str(small_corpus)], progress=False)
    assert (s.changed, s.embedded, s.kept, s.removed) == (False, 0, 9, 0)
    assert "nothing changed" in s.lines()[-1] and s.passages == lib.info().passages == 9
    assert read_manifest(lib.path)["generation"] == generation
    # (files.sqlite, qa.filestamps, appears once files are old enough to trust their times)
    assert sorted(set(os.listdir(lib.path)) - {"files.sqlite"}) == [".write.lock", generation, "manifest.json"]

    def where(text):
        hit = lib.ask(text, k=1, mode="lexical")[0]
        return hit.article_id, hit.line_start

    ids = [where(b)[0] for b in blocks]
    # The first and last blocks swap places: nothing to embed, but their positional ids swap
    # (each one taken by the other), so the parked ids must make way.
    listing.write_text("\n\n".join(blocks[::-1]) + "\n", encoding="utf-8")
    s = lib.update([str(small_corpus)], progress=False)
    assert (s.changed, s.embedded, s.kept) == (True, 0, 9) and lib.check() == []
    assert [where(b) for b in blocks] == [(ids[2], 5), (ids[1], 3), (ids[0], 1)]
    # A duplicate text only adds a record of it; a threshold given is recorded: both are written.
    (small_corpus / "copy.txt").write_text(blocks[1] + "\n", encoding="utf-8")
    s = lib.update([str(small_corpus)], progress=False)
    assert (s.changed, s.duplicates, s.embedded) == (True, 1, 0) and lib.info().duplicates == 1
    assert lib.update([str(small_corpus)], progress=False).changed is False
    (small_corpus / "copy.txt").unlink()  # its record of a duplicate goes with it
    s = lib.update([str(small_corpus)], progress=False)
    assert (s.changed, s.duplicates, s.removed) == (True, 0, 0) and lib.info().duplicates == 0
    s = lib.update([str(small_corpus)], progress=False, approx_threshold=5000)
    assert s.changed and read_manifest(lib.path)["settings"]["approx_threshold"] == 5000


def test_articles_of_a_file_that_cannot_be_read_are_kept_not_removed(small_corpus, tmp_path, fake, monkeypatch):
    import qa.readers

    lib = build([small_corpus], tmp_path, fake)
    question = "bakers returned to work after a pay deal"
    before = lib.ask(question, k=1, mode="lexical")[0]
    assert before.source.endswith("note.md")

    def broken(*args, **kwargs):
        raise OSError("Input/output error")
        yield

    monkeypatch.setattr(qa.readers, "_read_md", broken)
    s = lib.update([str(small_corpus)], progress=False)
    assert (s.removed, s.kept_unread, s.changed) == (0, 1, False) and lib.info().articles == 6
    assert any("note.md" in str(k) and "could not parse" in k.reason for k in s.skipped)
    assert any("kept 1 article of files that could not be read" in line for line in s.lines())
    # With other changes in the same update (ids are parked), it keeps its id too.
    (small_corpus / "new.txt").write_text("A zebra escaped from the Lumen zoo.\n", encoding="utf-8")
    s = lib.update([str(small_corpus)], progress=False)
    assert (s.embedded, s.removed, s.kept_unread) == (1, 0, 1) and lib.check() == []
    assert lib.ask(question, k=1, mode="lexical")[0].article_id == before.article_id
    monkeypatch.undo()
    (small_corpus / "note.md").unlink()  # really gone: removed as usual
    assert lib.update([str(small_corpus)], progress=False).removed == 1 and lib.info().articles == 6


def test_when_every_given_file_fails_nothing_is_published(small_corpus, tmp_path, fake):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x00\x01 not text")
    (bad / "empty.md").write_text("", encoding="utf-8")
    with pytest.raises(qa.InputError, match="no article could be read") as exc:
        build([bad], tmp_path, fake)
    assert "binary.txt" in str(exc.value) and "empty.md" in str(exc.value)
    assert not (tmp_path / "idx").exists()  # a failed first build leaves no folder behind
    (tmp_path / "nothing").mkdir()
    for name in ("a.png", "b.PNG", "Makefile", ".notes.txt"):
        (tmp_path / "nothing" / name).write_text("x", encoding="utf-8")
    with pytest.raises(qa.InputError, match=r"found no article files .* \(4 files ignored: 2 \.png, "
                       r"1 hidden, 1 without an extension; read are \.txt "):
        build([tmp_path / "nothing"], tmp_path, fake)
    assert not (tmp_path / "idx").exists()

    lib = build([small_corpus], tmp_path, fake)
    manifest = read_manifest(lib.path)
    with pytest.raises(qa.InputError, match="Nothing was changed"):
        lib.update([str(bad)], progress=False)
    assert read_manifest(lib.path) == manifest and lib.info().articles == 6
    assert lib.ask("bakers returned to work", k=1, mode="lexical")[0].source.endswith("note.md")


def test_cleanup_after_a_failed_first_build_spares_another_writers_folder(small_corpus, tmp_path, fake):
    from qa.indexdir import remove_unpublished

    racing = tmp_path / "racing"
    with Writer(str(racing)) as w:  # another process building the same new index meanwhile
        assert remove_unpublished(str(racing)) is False
        assert os.path.isdir(w.work)
    lib = build([small_corpus], tmp_path, fake)
    assert remove_unpublished(lib.path) is False and lib.info().articles == 6  # published: kept
    (racing / "models").mkdir()
    assert remove_unpublished(str(racing)) is True and not racing.exists()


def test_update_of_one_folder_keeps_the_others(small_corpus, samples, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    s = lib.update([str(samples)], progress=False)
    assert s.removed == 0 and lib.info().articles == 6 + 31


def test_manifest_mismatch_is_a_clear_error(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    with pytest.raises(qa.IndexMismatchError, match="built with model"):
        qa.Library.open(lib.path, model="some/other-model")
    manifest = os.path.join(lib.path, "manifest.json")
    with open(manifest) as fh:
        data = json.load(fh)
    data["format_version"] = 99
    with open(manifest, "w") as fh:
        json.dump(data, fh)
    with pytest.raises(qa.IndexMismatchError, match="format version"):
        qa.Library.open(lib.path, embedder=fake)
    with pytest.raises(qa.IndexNotFoundError):
        qa.Library.open(str(tmp_path / "nothing"))
    with open(manifest, "w") as fh:  # damaged outside article-qa (a disk, an editor)
        fh.write("{garbage")
    with pytest.raises(qa.IndexCorruptError, match=f"The index is damaged .*: build it again, into a new folder "
                                                   f"or after deleting {re.escape(lib.path)}$"):
        qa.Library.open(lib.path, embedder=fake)


def test_crash_during_update_leaves_the_old_index(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    (small_corpus / "more.txt").write_text("\n\n".join(f"Extra article {i} about goats." for i in range(5)))
    fake.fail_after = fake.texts_encoded + 2
    with pytest.raises(RuntimeError, match="simulated crash"):
        lib.update([str(small_corpus)], progress=False)
    fake.fail_after = None
    reopened = qa.Library.open(lib.path, embedder=fake)
    assert reopened.info().articles == 6 and reopened.check() == []
    assert [n for n in os.listdir(lib.path) if n.endswith(".tmp")] == []


def test_stale_generation_from_a_kill_is_removed(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    os.makedirs(os.path.join(lib.path, "gen-000009.tmp"))
    assert not lib.update([str(small_corpus)], progress=False).changed  # removed all the same
    assert sorted(n for n in os.listdir(lib.path) if n.startswith("gen-")) == ["gen-000001"]
    (small_corpus / "extra.txt").write_text("A late article about ferries.\n", encoding="utf-8")
    os.makedirs(os.path.join(lib.path, "gen-000009.tmp"))
    assert lib.update([str(small_corpus)], progress=False).changed
    assert sorted(n for n in os.listdir(lib.path) if n.startswith("gen-")) == ["gen-000002"]


def test_second_writer_fails_clearly(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    entered, release = threading.Event(), threading.Event()

    def hold():
        with Writer(lib.path):
            entered.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    entered.wait(10)
    try:
        with pytest.raises(qa.IndexLockedError, match="another process"), Writer(lib.path, lock_timeout=0.2):
            pass
    finally:
        release.set()
        t.join()


def test_check_finds_disagreement(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    assert lib.check() == []
    with pytest.raises(RuntimeError, match="read-only"):  # readers map the files: not changeable
        lib.store.remove([lib.store.ids()[0]])
    from qa.store import FaissStore

    path = os.path.join(lib.path, lib.manifest["generation"], "passages.faiss")
    vectors = FaissStore.load(path, fake.dim)
    vectors.remove([vectors.ids()[0]])
    vectors.save(path + ".new")
    os.replace(path + ".new", path)
    assert any("lack vectors" in p for p in qa.Library.open(lib.path, embedder=fake).check())


def test_bad_questions_raise_input_error(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    for bad in ["", "   ", "\x00\x01"]:
        with pytest.raises(qa.InputError):
            lib.ask(bad)
    with pytest.raises(qa.InputError):
        lib.ask("x", mode="fuzzy")
    assert isinstance(lib.ask("😀 日本語 " * 20000), list)


def test_ask_many_equals_ask(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    qs = ["bakers strike", "telescope", "flood"]
    assert lib.ask_many(qs, k=3) == [lib.ask(q, k=3) for q in qs]


def test_a_question_reads_each_passage_once(small_corpus, tmp_path, fake, monkeypatch):
    # Fusion, the copies check and the hits all read passages; what one read, the next reuses.
    lib = build([small_corpus], tmp_path, fake)
    asks = [(q, mode, hl) for q in ("bakers strike night shifts", "flood")
            for mode in ("hybrid", "dense", "lexical") for hl in (True, False)]
    expected = [lib.ask(q, k=3, mode=mode, highlights=hl) for q, mode, hl in asks]
    reads = []
    real = lib.catalog.passages
    monkeypatch.setattr(lib.catalog, "passages",
                        lambda ids, vectors=False: reads.extend((i, vectors) for i in ids) or real(ids, vectors))
    for (q, mode, hl), hits in zip(asks, expected, strict=True):
        reads.clear()
        assert lib.ask(q, k=3, mode=mode, highlights=hl) == hits
        assert reads and len(reads) == len(set(reads)), (mode, hl, reads)  # once each way at most
        # Read without vectors only before being read with them, never after.
        assert all(not (v is False and (i, True) in reads[:n]) for n, (i, v) in enumerate(reads))


def test_document_frequencies_stay_exact_through_updates(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path, fake)
    (small_corpus / "note.md").unlink()
    (small_corpus / "z.txt").write_text("Bakers bake bread in Lumen every night.\n")
    lib.update([str(small_corpus)], progress=False)
    expected: dict[str, int] = {}
    for _, text in lib.catalog.lexical_texts_from(0):
        for t in set(lib.lexicon.analyzer(text)):
            expected[t] = expected.get(t, 0) + 1
    assert expected["baker"] == 2 and "pay" not in expected  # note.md's words are gone
    terms = sorted(expected) + ["pay", "zzz"]
    assert lib.lexicon.document_frequencies(terms) == [expected.get(t, 0) for t in terms]


def test_every_sentence_has_a_stored_vector(samples, tmp_path, fake):
    from qa.highlight import sentence_vectors

    lib = build([samples], tmp_path, fake, chunk_tokens=30)
    for row in all_passages(lib).values():
        vecs = sentence_vectors(row, fake.dim)
        assert vecs is not None and len(vecs) == len(row.sentences)
        first = row.text[row.sentences[0][0] - row.char_start: row.sentences[0][1] - row.char_start]
        expected = fake.encode([first])[0]  # stored as int8: off by at most half a step
        assert np.allclose(vecs[0], expected, rtol=0, atol=np.abs(expected).max() / 254 + 1e-6)


def test_fused_score_matches_an_independent_recomputation(samples, tmp_path, fake):
    from qa.search import (
        FUSION_DEPTH,
        LEXICAL_WEIGHT,
        PAIR_DEPTH,
        PAIR_WEIGHT,
        PASSAGE_WEIGHT,
        SENTENCE_WEIGHT,
        WEIGHTS,
    )

    lib = build([samples], tmp_path, fake, chunk_tokens=30)
    question = "strike of dockworkers at the Valmora port"
    rows = all_passages(lib)
    q = fake.encode([question])[0]
    dense_list = [h.passage_id for h in lib.ask(question, k=FUSION_DEPTH, mode="dense", per_article=1000)]
    lexical = {h.passage_id: h.score for h in lib.ask(question, k=1000, mode="lexical", per_article=1000)}
    lexical_list = list(lexical)[:FUSION_DEPTH]
    pool = set(dense_list) | set(lexical_list)

    def cos(pid):
        return float(fake.encode([embed_input(rows[pid].title, rows[pid].text)])[0] @ q)

    def best(pid):
        r = rows[pid]
        return max(float(fake.encode([r.text[a - r.char_start:b - r.char_start]])[0] @ q) for a, b in r.sentences)

    analyse = lib.lexicon.analyzer  # tested on its own; here only how pairs are counted

    def pairs(pid):
        q, t = analyse(question), analyse(rows[pid].title + "\n" + rows[pid].text)
        wanted = {(q[i], q[i + 1]) for i in range(len(q) - 1)}
        return len(wanted & {(t[i], t[i + 1]) for i in range(len(t) - 1)}) / len(wanted)

    signals = {pid: (cos(pid), best(pid), lexical.get(pid, 0.0), pairs(pid)) for pid in rows}
    assert any(s[3] > 0 for s in signals.values())  # the question has a phrase in the corpus

    def scaled(pid, i, ref=pool):
        ref = [signals[p][i] for p in ref]
        lo = min(ref) if len(pool) >= FUSION_DEPTH else min(*ref, 0.0)  # all there is: from 0
        return (signals[pid][i] - lo) / (max(ref) - lo)

    base = {pid: PASSAGE_WEIGHT * scaled(pid, 0) + SENTENCE_WEIGHT * scaled(pid, 1) + LEXICAL_WEIGHT * scaled(pid, 2)
            for pid in rows}
    top = sorted(base, key=lambda p: -base[p])[:PAIR_DEPTH]  # only these get the word-pair share
    expected = {pid: (base[pid] + (PAIR_WEIGHT * scaled(pid, 3, top) if pid in top else 0)) / WEIGHTS
                for pid in rows}
    hits = lib.ask(question, k=5, per_article=1000)
    order = sorted(expected, key=lambda p: -expected[p])[:5]
    assert [h.passage_id for h in hits] == order
    for h in hits:
        assert h.score == pytest.approx(expected[h.passage_id], abs=2e-3)  # int8 sentence vectors


def test_approximate_index_above_the_threshold_keeps_recall_updates_and_deletes(tmp_path, fake):
    import numpy as np
    from killing import write_corpus

    corpus = write_corpus(tmp_path / "big", 3000, 1)
    lib = qa.Library.build([str(corpus)], str(tmp_path / "idx"), embedder=fake, progress=False,
                           approx_threshold=1000)
    info = lib.info()
    assert info.index_kind == "ivf" and info.ann["recall_at_10"] >= 0.95 and lib.check() == []
    # Recall of dense search against a brute-force oracle, on questions (not stored vectors).
    ids, vectors = lib.store.vectors()
    questions = [f"report {i} on the flood in district {i % 17} with {i % 11} vehicles" for i in range(60)]
    found = total = 0
    for hits, q in zip(lib.ask_many(questions, k=10, mode="dense", per_article=10), questions, strict=True):
        truth = set(ids[np.argsort(-(vectors @ fake.encode([q])[0]))[:10]].tolist())
        found += len(truth & {h.passage_id for h in hits})
        total += 10
    assert found / total >= 0.9
    # The article vectors (what similar() searches) go approximate from the same threshold.
    assert info.articles >= 1000 and info.article_ann["recall_at_10"] >= 0.95
    assert lib.article_store.kind == "ivf"
    assert similar_recall(lib) >= 0.9
    write_corpus(corpus, 3000, 2)  # changes a third, removes a file, adds one
    lib.update([str(corpus)], progress=False)
    assert lib.info().index_kind == "ivf" and lib.check() == []
    assert lib.info().passages == len(lib.store.ids()) < 3000
    assert any("New report" in h.text for h in lib.ask("new report harbour strike", k=3, mode="dense"))
    # Deletes that take it below half the threshold bring exact search back.
    (corpus / "part0.txt").unlink()
    (corpus / "part1.txt").unlink()
    lib.update([str(corpus)], progress=False)
    assert lib.info().index_kind == "flat" and lib.info().ann == {} and lib.check() == []
    assert lib.article_store.kind == "flat" and lib.info().article_ann == {}
    ids, vectors = lib.store.vectors()
    assert len(ids) == lib.info().passages == 40
    q = "new report 7 about a harbour strike"
    truth = ids[np.argsort(-(vectors @ fake.encode([q])[0]), kind="stable")[:5]].tolist()
    assert [h.passage_id for h in lib.ask(q, k=5, mode="dense")] == truth


@pytest.mark.parametrize("same_text", [True, False])
def test_an_id_that_moves_to_another_folder_replaces_the_old_article(tmp_path, fake, same_text):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "r.jsonl").write_text('{"id": "x", "title": "Old", "text": "The old text about ferries."}\n')
    lib = qa.Library.build([str(a)], str(tmp_path / "idx"), embedder=fake, progress=False)
    text = "The old text about ferries." if same_text else "A new text about trains."
    (b / "r.jsonl").write_text(json.dumps({"id": "x", "title": "Old", "text": text}) + "\n")
    lib.update([str(b)], progress=False)
    assert lib.check() == []
    assert [r[1] for r in lib.catalog.articles_index()] == ["x"]
    # Identical text stays indexed once (at its first place, b's copy counts as a duplicate);
    # changed text under the same id replaces the old article.
    expected = os.path.join("a" if same_text else "b", "r.jsonl")
    assert lib.article("x")["source"].endswith(expected)


def test_a_threshold_below_one_ivf_cell_of_vectors_still_builds_and_answers(tmp_path, fake):
    # IVF training wants 39 vectors per cell: 31 passages make one cell, not zero (which crashed).
    lib = qa.Library.build([str(SAMPLES)], str(tmp_path / "idx"), embedder=fake, progress=False,
                           approx_threshold=10)
    info = lib.info()
    assert info.index_kind == "ivf" and info.ann["nlist"] == 1 and info.article_ann["nlist"] == 1
    assert lib.check() == [] and len(lib.ask("harbour strike", k=3)) == 3
    first = lib.catalog.articles_index()[0][1]
    assert len(lib.similar(first, k=3)) == 3


def test_a_path_that_does_not_exist_is_refused_unless_the_index_holds_articles_from_it(tmp_path, fake):
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("Harbour workers strike over wages.\n\nA telescope gets a new mirror.\n")
    index = str(tmp_path / "idx")
    with pytest.raises(qa.InputError, match="no such file or directory: .*typo.*Nothing was changed"):
        qa.Library.build([str(tmp_path / "typo")], index, embedder=fake, progress=False)
    assert not os.path.exists(os.path.join(index, "manifest.json"))
    lib = qa.Library.build([str(news)], index, embedder=fake, progress=False)
    with pytest.raises(qa.InputError, match="typo"):
        lib.update([str(news), str(tmp_path / "typo")], progress=False)
    assert lib.info().articles == 2
    # A folder the index holds articles from was removed: the update removes them.
    (news / "a.txt").unlink()
    news.rmdir()
    assert lib.update([str(news)], progress=False).removed == 2 and lib.info().articles == 0


def test_a_file_named_twice_is_read_once(samples, tmp_path, fake):
    # A folder and a file or folder inside it (a shell glob, a habit): not duplicates of themselves.
    paths = [str(samples), str(samples / "local"), str(samples / "world.txt"), str(samples)]
    lib = qa.Library.build(paths, str(tmp_path / "idx"), embedder=fake, progress=False)
    s = lib.last_summary
    assert (s.read, s.files, s.duplicates) == (31, 8, 0) and lib.info().duplicates == 0
    assert "local/market-hall.md" in {os.path.relpath(p, samples) for p, _ in lib.info().sources}


def test_the_title_is_embedded_once_with_each_passage():
    assert embed_input("Ferry times", "The winter timetable starts.") == "Ferry times\nThe winter timetable starts."
    assert embed_input("Ferry times", "Ferry times\nThe winter...") == "Ferry times\nThe winter..."
    assert embed_input("Ferry times", "# Ferry times\n\nThe winter...") == "# Ferry times\n\nThe winter..."
    assert embed_input("A long title cut…", "A long title cut short by the reader") == "A long title cut short by the reader"


PAGE = """<!DOCTYPE html>
<html><head><title>Ten tips for tomatoes</title>
<script>var tip = "Tomatoes need water";</script>
<link rel="canonical" href="https://ex.org/tomatoes"></head>
<body>
<nav>Home | Garden</nav>
<main>
<h1>Ten tips for tomatoes</h1>
<p>Tomatoes need <b>six hours</b> of sun
a day, and more in the north &amp; west. Shade cloth helps in
a heat wave.</p>
<h2>Watering</h2>
<ul>
  <li>Water the roots, not the leaves.</li>
  <li>Water in the morning so the leaves dry by night.</li>
</ul>
<p>Feed them every two weeks once the first fruit sets.</p>
</main>
</body></html>
"""


def test_an_html_pages_passages_point_at_their_source_lines_through_updates(tmp_path, fake):
    page = tmp_path / "site" / "tomatoes.html"
    page.parent.mkdir()
    page.write_text(PAGE, encoding="utf-8")
    lib = build([page.parent], tmp_path, fake, chunk_tokens=12)

    def lines_of(question):
        return [(h.line_start, h.line_end) for h in lib.ask(question, k=1, mode="lexical")]

    # Its sentence is on lines 10-11 of the <p> of lines 9-11; the heading after it (line 12) opens
    # the next passage, as no passage ends on a heading (each line of a page's text is a block).
    assert lines_of("shade cloth heat wave") == [(10, 11)]
    assert lines_of("feed every two weeks fruit") == [(17, 17)]
    assert lib.ask("feed every two weeks", k=1)[0].reference == f"{page}:17"
    # An older index's reference to the page (`:1`, before its text) still names the article.
    assert lib.article(f"{page}:1")["title"] == lib.article(f"{page}:17")["title"] == "Ten tips for tomatoes"
    # Markup above moved the page down whole: a relocation, nothing embedded again.
    page.write_text(PAGE.replace("<body>", "<body>\n<!-- ad -->\n"), encoding="utf-8")
    before = fake.texts_encoded
    s = lib.update([str(page.parent)], progress=False)
    assert (s.embedded, s.relocated, fake.texts_encoded) == (0, 1, before)
    assert lines_of("shade cloth heat wave") == [(12, 13)] and lines_of("feed every two weeks fruit") == [(19, 19)]
    # The same text with its paragraphs moved apart: its passages get their new lines.
    page.write_text(PAGE.replace("<h2>", "\n\n\n<h2>"), encoding="utf-8")
    s = lib.update([str(page.parent)], progress=False)
    assert s.embedded == 1 and lines_of("shade cloth heat wave") == [(10, 11)]
    assert lines_of("feed every two weeks fruit") == [(20, 20)]
    assert lib.check() == []
    # Its headings are marked as Markdown's: the passage under "Watering" names it.
    text = lib.article(f"{page}:1")["text"]
    assert text.startswith("# Ten tips for tomatoes\n") and "\n## Watering\n" in text
    assert lib.ask("feed every two weeks fruit", k=1, mode="lexical")[0].section == ("Watering",)


def test_a_hit_names_the_section_of_its_answer_when_its_passage_runs_into_the_next(tmp_path, fake):
    import contextlib
    import io

    from qa.hitprint import print_hit

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.md").write_text("# Guide\n\n## Install\n\nRun the installer as an administrator.\n\n"
                                      "### Upgrade\n\nAn upgrade keeps your settings and saved berths.\n\n"
                                      "## Remove\n\nUninstall it from the control panel.\n", encoding="utf-8")
    lib = build([folder], tmp_path, fake)
    [hit] = lib.ask("Does an upgrade keep saved berths?", k=1, mode="lexical")
    assert hit.text.startswith("# Guide") and "## Remove" in hit.text  # one passage, three sections
    assert hit.highlights[0].text == "An upgrade keeps your settings and saved berths."
    assert hit.section == ("Install", "Upgrade")
    assert lib.ask("Does an upgrade keep saved berths?", k=1, mode="lexical", highlights=False)[0].section == ()
    [hit] = lib.ask("How do I uninstall it from the control panel?", k=1, mode="lexical")
    assert hit.section == ("Remove",)
    out = io.StringIO()  # qa ask prints it on the title line
    with contextlib.redirect_stdout(out):
        print_hit(hit, "lexical")
    assert out.getvalue().split("\n")[1] == "   Guide › Remove"


def test_hits_know_when_a_markdown_passage_starts_inside_fenced_code(tmp_path, fake):
    from qa import markdown
    from qa.render import marked_passage

    folder = tmp_path / "docs"
    folder.mkdir()
    code = "\n".join(f"    total_{i} = compute_{i}(values)  # step {i}" for i in range(40))
    (folder / "guide.md").write_text(
        f"# Guide\n\nCompute the totals like this:\n\n```python\n{code}\n```\n\n## After\n\nThen print the totals.\n"
        "\n~~~\nshell code\n~~~\n", encoding="utf-8")
    lib = build([folder], tmp_path, fake, chunk_tokens=40)
    rows = all_passages(lib)
    text = lib.catalog.db.execute("SELECT text FROM articles").fetchone()[0]
    kinds = markdown.line_kinds(text.split("\n"))
    # Oracle: the kind of the line each passage starts on, from one pass over the whole article
    # (a closing fence's line is inside: the code ends after it).

    def inside(line: int) -> bool:
        closing = kinds[line] == markdown.FENCE and kinds[:line].count(markdown.FENCE) % 2 == 1
        return kinds[line] == markdown.CODE or closing

    expected = {pid for pid, r in rows.items() if inside(text.count("\n", 0, r.char_start))}
    assert len(expected) >= 3 and len(expected) < len(rows)
    found = markdown.sections(text, [(r.char_start, r.text) for r in rows.values()], "Guide")
    assert {pid for pid, (_, in_code) in zip(rows, found, strict=True) if in_code} == expected
    hits = lib.ask("total_30 compute_30", k=3, mode="lexical")
    assert hits[0].starts_in_code and hits[0].passage_id in expected
    card = marked_passage(hits[0])
    assert card.startswith('<pre class="qa-code">') and "# step 30" in card and "```" not in card


def test_a_records_html_body_is_read_as_a_page_with_sections_and_code(tmp_path, fake):
    """A blog's JSON export (WordPress's REST API): its posts' HTML bodies have headings and
    code, which hits and cards show as an HTML page's."""
    import sqlite3

    from qa.hitprint import shown_text
    from qa.render import marked_passage

    steps = "".join(f"<p>Step {i} of the setup is careful and slow.</p>" for i in range(12))
    (tmp_path / "posts.json").write_text(json.dumps([{"id": 7, "title": {"rendered": "Tide planner"},
        "content": {"rendered": f"<p>It shipped.</p><h2>Installing</h2>{steps}<p>Run the installer:</p>"
                                "<pre><code>pip install tideplanner\ntideplanner --port 8080</code></pre>"
                                f"<h2>Configuring</h2>{steps}<p>Set TIDE_HOME to the data folder.</p>"}}]),
        encoding="utf-8")
    lib = build([tmp_path / "posts.json"], tmp_path, fake, chunk_tokens=40)
    [hit] = lib.ask("run the installer tideplanner port", k=1, mode="lexical")
    assert hit.markup == "page" and hit.section == ("Installing",)
    card = marked_passage(hit)
    assert '<pre class="qa-code">' in card and "tideplanner --port 8080" in card and "```" not in card
    shown = shown_text(hit)
    assert "tideplanner --port 8080" in shown.split("\n") and "```" not in shown
    [last] = lib.ask("TIDE_HOME data folder", k=1, mode="lexical")
    assert last.section == ("Configuring",)
    # A catalog written before markups were stored answers as before: by the source's extension.
    db = sqlite3.connect(os.path.join(lib.path, read_manifest(lib.path)["generation"], "catalog.sqlite"))
    db.execute("ALTER TABLE articles DROP COLUMN markup")
    db.commit()
    db.close()
    lib.close()
    old = qa.Library.open(str(tmp_path / "idx"), embedder=fake)
    [hit] = old.ask("TIDE_HOME data folder", k=1, mode="lexical")
    assert hit.markup == "plain" and hit.section == ()


def test_hits_know_when_a_pages_passage_starts_inside_its_code(tmp_path, fake):
    from qa.hitprint import shown_text
    from qa.render import marked_passage

    folder = tmp_path / "site"
    folder.mkdir()
    code = "\n".join(f"    total_{i} = compute_{i}(values)  # step {i}" for i in range(40))
    (folder / "guide.html").write_text(
        "<html><head><meta charset='utf-8'><title>Guide</title></head><body><main>\n<h1>Guide</h1>\n"
        f"<p>Compute the totals like this, one step at a time.</p>\n<pre><code>{code}\n</code></pre>\n"
        "<h2>After</h2>\n<p>Then print the totals.</p>\n</main></body></html>", encoding="utf-8")
    lib = build([folder], tmp_path, fake, chunk_tokens=40)
    [hit] = lib.ask("total_30 compute_30", k=1, mode="lexical")
    assert hit.starts_in_code and hit.section == ()
    assert hit.line_start == 4 + 30 - hit.text.split("\n").index("    total_30 = compute_30(values)  # step 30")
    card = marked_passage(hit)
    assert card.startswith('<pre class="qa-code">') and "    total_30 = compute_30(values)  # step 30" in card
    assert "```" not in card and shown_text(hit) == hit.text
    assert lib.article(hit.article_id)["text"].count("\n```\n") == 2
    [closing] = lib.ask("print the totals after", k=1, mode="lexical")  # over the closing fence
    card = marked_passage(closing)
    assert card.startswith('<pre class="qa-code">') and '</pre><div class="qa-heading">After</div>' in card
    assert "```" not in card + shown_text(closing)


def test_markdown_hits_carry_the_headings_they_sit_under(tmp_path, fake):
    from qa import markdown

    folder = tmp_path / "docs"
    folder.mkdir()
    para = lambda topic: " ".join(f"The {topic} step {i} is done with care." for i in range(12))  # noqa: E731
    (folder / "manual.md").write_text(
        f"---\ntitle: Manual\n---\n# Manual\n\n{para('intro')}\n\n## Setup\n\n{para('setup')}\n\n"
        f"### Linux\n\n{para('linux')}\n\n```sh\n# apt install\n```\n\n{para('packaging')}\n\n"
        f"Usage\n-----\n\n{para('usage')}\n", encoding="utf-8")
    (folder / "notes.txt").write_text(f"# Not Markdown\n\n{para('plain')}\n", encoding="utf-8")
    lib = build([folder], tmp_path, fake, chunk_tokens=40)
    rows = all_passages(lib)
    text = lib.catalog.db.execute("SELECT text FROM articles WHERE source LIKE '%.md'").fetchone()[0]
    lines = text.split("\n")
    kinds = markdown.line_kinds(lines)

    # Oracle from one pass of line kinds over the whole article: the headings above each line.
    def headings_before(line: int) -> list[tuple[int, str]]:
        chain: list[tuple[int, str]] = []
        for i in range(line):
            if kinds[i] != markdown.HEADING:
                continue
            if lines[i].lstrip().startswith("#"):
                level, name = len(lines[i]) - len(lines[i].lstrip("#")), lines[i].lstrip("#").strip()
            else:
                level, name = (1 if lines[i + 1].strip()[0] == "=" else 2), lines[i].strip()
            chain = [h for h in chain if h[0] < level] + [(level, name)]
        return chain

    expected = {}
    for pid, r in rows.items():
        if not r.source.endswith(".md"):
            continue
        first = text.count("\n", 0, r.char_start)
        chain = headings_before(first)
        if kinds[first] == markdown.HEADING:  # the passage opens with its own heading
            opening = headings_before(first + 2)[-1][0]
            chain = [h for h in chain if h[0] < opening]
        expected[pid] = tuple(name for level, name in chain if (level, name) != (1, "Manual"))
    assert {("Setup", "Linux"), ("Setup",), ()} <= set(expected.values())
    for question, section in [("linux step 9", ("Setup", "Linux")), ("packaging step 7", ("Setup", "Linux")),
                              ("usage step 11", ("Usage",))]:
        hit = lib.ask(question, k=1, mode="lexical", highlights=False)
        assert hit[0].section == expected[hit[0].passage_id] == section, question
        # With highlights, the headings above its top highlight: here those above its start.
        hit = lib.ask(question, k=1, mode="lexical")[0]
        at = text.count("\n", 0, hit.highlights[0].char_start)
        assert hit.section == tuple(name for _, name in headings_before(at) if name != "Manual") == section, question
    assert lib.ask("plain step 3", k=1, mode="lexical")[0].section == ()  # a .txt file has none
    # All of the article's passages in one pass, and each on its own from the text before it.
    found = markdown.sections(text, [(rows[pid].char_start, rows[pid].text) for pid in expected], "Manual")
    assert dict(zip(expected, (section for section, _ in found), strict=True)) == expected
    assert all(markdown.section(text[: rows[pid].char_start], rows[pid].text, "Manual")[0] == expected[pid]
               for pid in expected)


def test_a_write_does_not_mix_vectors_of_two_backends(small_corpus, tmp_path):
    from fakes import FakeEmbedder

    int8, fp32 = FakeEmbedder(), FakeEmbedder()
    int8.backend, fp32.backend = "onnx-int8", "onnx"
    lib = build([small_corpus], tmp_path, int8)
    assert lib.manifest["backend"] == "onnx-int8"
    (small_corpus / "new.txt").write_text("Ferry crews voted to strike over winter timetables.\n", encoding="utf-8")
    with pytest.raises(qa.IndexMismatchError, match="made with the onnx-int8 backend.*build into a new folder"):
        qa.Library.open(str(tmp_path / "idx"), embedder=fp32).update([str(small_corpus)], progress=False)
    with pytest.raises(qa.IndexMismatchError):
        build([small_corpus], tmp_path, fp32)
    assert qa.Library.open(str(tmp_path / "idx")).manifest["generation"] == lib.manifest["generation"]
    summary = qa.Library.open(str(tmp_path / "idx"), embedder=int8).update([str(small_corpus)], progress=False)
    assert summary.embedded == 1  # the same backend goes on as before


def test_a_rebuild_splits_unchanged_articles_anew_and_embeds_only_those_that_differ(tmp_path, fake, monkeypatch):
    import qa.articlesplit
    from qa.chunker import chunk

    folder = tmp_path / "docs"
    folder.mkdir()
    body = " ".join(f"Sentence {i} of the guide." for i in range(30))
    (folder / "guide.md").write_text(f"# Guide\n{body}\n## Usage\n{body}\n", encoding="utf-8")
    (folder / "notes.txt").write_text("Plain notes about bread.\n\nMore notes about cheese.\n", encoding="utf-8")
    # An older version split Markdown as plain text.
    monkeypatch.setattr(qa.articlesplit, "chunk", lambda *a, **kw: chunk(*a, **{**kw, "markdown": False}))
    build([folder], tmp_path, fake, chunk_tokens=40)
    monkeypatch.undo()

    def guide_passages(lib):
        return sorted((r.char_start, r.char_end, r.sentences) for r in all_passages(lib).values()
                      if r.source.endswith(".md"))

    old = guide_passages(qa.Library.open(str(tmp_path / "idx"), embedder=fake))
    s = qa.Library.open(str(tmp_path / "idx"), embedder=fake).update([str(folder)], progress=False)
    assert (s.embedded, s.resplit) == (0, 0)  # an update keeps what unchanged articles have
    lib = build([folder], tmp_path, fake, chunk_tokens=40)
    s = lib.last_summary
    assert (s.embedded, s.resplit, s.kept, s.removed) == (1, 1, 2, 0)
    assert "embedded 1 (1 of them unchanged but split or embedded anew by this version), kept 2 unchanged, removed 0" in s.lines()[1]
    fresh = build([folder], tmp_path / "fresh", fake, chunk_tokens=40)
    assert guide_passages(lib) == guide_passages(fresh) != old
    assert lib.check() == [] and lib.info().articles == 3
    hit = lib.ask("Sentence 29 of the guide", k=1, mode="lexical")[0]
    assert hit.source.endswith("guide.md") and hit.section in ((), ("Usage",))
    again = build([folder], tmp_path, fake, chunk_tokens=40).last_summary
    assert (again.embedded, again.resplit, again.changed) == (0, 0, False)


def test_fewer_articles_than_k_do_not_grow_the_candidates_to_the_whole_index(tmp_path, fake, monkeypatch):
    book = tmp_path / "book.md"
    book.write_text("# Harbour book\n\n" + "\n\n".join(
        f"Chapter {i} tells of crane number {i} at the harbour. The dockers moved {i * 7} crates that day."
        for i in range(400)), encoding="utf-8")
    (tmp_path / "note.txt").write_text("A short note about harbour cranes and the dockers.\n", encoding="utf-8")
    lib = qa.Library.build([str(book), str(tmp_path / "note.txt")], str(tmp_path / "idx"),
                           embedder=fake, progress=False)
    assert lib.info().passages > qa.search.MIN_CANDIDATES  # more than a first round takes
    rounds = []
    real = qa.search._candidates
    monkeypatch.setattr(qa.search, "_candidates", lambda *a: rounds.append(a[6]) or real(*a))

    def ask(**kw):
        rounds.clear()
        return [(h.passage_id, h.score) for h in lib.ask("How many crates did the dockers move?", k=5, **kw)]

    alone = ask(filters={"source": "*book.md"})
    assert len(alone) == 1 and rounds == [qa.search.MIN_CANDIDATES]  # its one article has its hit
    both = ask()
    assert len(both) == 2 and len(rounds) <= 2
    both_three = ask(per_article=3)
    assert len(both_three) == 4 and len(rounds) <= 2  # the note has one passage
    # The same hits as growing the candidates until the whole index was searched.
    monkeypatch.setattr(lib.catalog, "article_count", lambda *a: 10**9)
    assert ask(filters={"source": "*book.md"}) == alone and len(rounds) > 1
    assert ask() == both and ask(per_article=3) == both_three


def test_in_a_small_collection_a_lesser_hit_does_not_score_zero(tmp_path, fake):
    # Every passage is in the fusion's pool: scales start at 0, not at the weaker passage's
    # scores (which made the second of two hits score 0.000 whatever it held).
    d = tmp_path / "two"
    d.mkdir()
    (d / "a.txt").write_text("Dockworkers at the port of Valmora went on strike over automation.\n\n"
                             "Port officials in Valmora said the cranes would stay idle.\n", encoding="utf-8")
    lib = qa.Library.build([str(d)], str(tmp_path / "idx"), embedder=fake, progress=False)
    first, second = lib.ask("Why did the Valmora dockworkers strike?", k=2)
    assert first.score > second.score > 0.1
    assert "Dockworkers" in first.text


def test_the_text_around_a_passage_is_the_articles_text_between_its_neighbours(tmp_path, fake):
    body = "\n\n".join(f"Paragraph {i} says the pier number {i} was rebuilt in stone in the year {1900 + i}."
                       for i in range(40))
    (tmp_path / "pier.md").write_text("# Piers\n\n" + body + "\n", encoding="utf-8")
    (tmp_path / "one.txt").write_text("A single short note about the ferry.\n", encoding="utf-8")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=48)
    text = lib.article(lib.ask("pier", k=1, mode="lexical")[0].article_id)["text"]
    hits = sorted(lib.ask("pier rebuilt stone", k=50, mode="lexical", per_article=50), key=lambda h: h.char_start)
    assert len(hits) > 5 and hits[0].source.endswith("pier.md")
    for i, hit in enumerate(hits):
        for n in (1, 3):
            got = lib.around(hit.passage_id, n)
            first = hits[max(i - n, 0)].char_start
            if i == 0:
                assert got.before is None
            else:  # all of the article from the n-th passage before it up to where it starts
                assert got.before.text == text[first:hit.char_start].strip()
                assert got.before.char_start == first and got.before.line_start == hits[max(i - n, 0)].line_start
                assert got.before.line_end <= hit.line_start and got.before.reference.startswith(hit.source)
            if i == len(hits) - 1:
                assert got.after is None
            else:  # from where it ends to the end of the n-th after it: the shared sentence not twice
                last = hits[min(i + n, len(hits) - 1)]
                assert got.after.text == text[hit.char_end:last.char_end].strip()
                assert got.after.line_start >= hit.line_end and got.after.line_end == last.line_end
                assert hit.text.strip() not in got.after.text
    [note] = lib.ask("single short note ferry", k=1, mode="lexical")
    assert lib.around(note.passage_id) == qa.Around(None, None)  # an article of one passage
    with pytest.raises(qa.NotFoundError):
        lib.around(10**9)
    with pytest.raises(qa.InputError):
        lib.around(note.passage_id, 0)


def test_a_library_open_elsewhere_sees_an_update_in_everything_it_answers(small_corpus, tmp_path, fake):
    """A server's Library (opened once) and ``qa index`` in another process: info, titles,
    articles and the text around a hit follow the newest generation, as ask does."""
    writer = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    reader = qa.Library.open(writer.path, embedder=fake)
    before = reader.info()
    (small_corpus / "e.md").write_text("# Lighthouse keepers\n\nThree keepers lived below the tower.\n")
    writer.update([str(small_corpus)], progress=False)
    assert reader.info().articles == before.articles + 1
    [(article_id, title, _)] = reader.find_articles("Lighthouse")
    assert title == "Lighthouse keepers" and "Three keepers" in reader.article(article_id)["text"]
    [hit] = writer.ask("keepers below the tower", k=1, mode="lexical")
    assert reader.around(hit.passage_id) == qa.Around(None, None)  # its one passage


def test_filter_by_author_a_part_of_the_name_or_address_in_any_case(tmp_path, fake, capsys):
    rows = [{"id": "a", "title": "Crane", "text": "The crane lifts forty tonnes at the quay.", "author": "Lena Marsh"},
            {"id": "b", "title": "Quay", "text": "The quay crane was repaired in May.", "author": "Łucja Nowak"},
            {"id": "c", "title": "Ferry", "text": "The crane on the ferry quay is old.", "author": "ops@harbour.example"},
            {"id": "d", "title": "Tide", "text": "The crane stops at low tide on the quay."}]
    (tmp_path / "posts.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    lib = qa.Library.build([str(tmp_path / "posts.jsonl")], str(tmp_path / "idx"), embedder=fake, progress=False)

    def by(author: str) -> list[str]:
        return sorted(h.article_id for h in lib.ask("crane quay", k=10, mode="lexical", filters={"author": author}))

    assert sorted(h.article_id for h in lib.ask("crane quay", k=10, mode="lexical")) == ["a", "b", "c", "d"]
    assert by("lena") == ["a"] and by("MARSH") == ["a"] and by("łucja") == ["b"] and by("ŁUCJA NOWAK") == ["b"]
    assert by("harbour.example") == ["c"] and by("nobody") == [] and by("  ") == ["a", "b", "c", "d"]
    assert [h.article_id for h in lib.ask("crane", k=10, mode="hybrid", filters=qa.Filters(author="nowak"))] == ["b"]
    with pytest.raises(qa.InputError, match="use source, date_from, date_to, tags, author"):
        lib.ask("crane", filters={"writer": "lena"})
    from qa.cli import main

    assert main(["ask", "crane quay", "--index", lib.path, "--mode", "lexical", "--author", "Lena"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("1. ") and "(Lena Marsh)" in printed and "\n2. " not in printed
