"""Taking files out of an index, and the duplicates that stand in for an article removed."""

from __future__ import annotations

import os

import numpy as np
import pytest

import qa
import qa.cli
import qa.filestamps

QUAY = "The harbour authority approved the new quay wall on Tuesday after years of delays."
CHEESE = "Cheese makers in the old town opened a covered market for their stalls."
FERRY = "The winter ferry timetable starts in November with two crossings a day."


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def two_folders(tmp_path):
    """d1/x.txt holds QUAY (the original, read first) and CHEESE; d2/y.txt a copy of QUAY and FERRY."""
    write(tmp_path / "d1" / "x.txt", f"{QUAY}\n\n{CHEESE}\n")
    write(tmp_path / "d2" / "y.txt", f"{FERRY}\n\n{QUAY}\n")
    return tmp_path / "d1", tmp_path / "d2"


def vectors_by_text(lib) -> dict[str, np.ndarray]:
    rows = lib.catalog.passages(lib.store.ids().tolist())
    return {r.text: lib.store.reconstruct([pid])[0] for pid, r in rows.items()}


def sources(lib) -> list[tuple[str, int]]:
    return sorted((os.path.relpath(r[4], lib.path + "/.."), r[6]) for r in lib.catalog.articles_index())


def test_an_update_that_removes_an_original_keeps_its_duplicate_elsewhere(tmp_path, fake):
    d1, d2 = two_folders(tmp_path)
    lib = qa.Library.build([str(d1), str(d2)], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert lib.info().duplicates == 1
    before = vectors_by_text(lib)
    encoded = fake.texts_encoded
    (d1 / "x.txt").unlink()
    s = lib.update([str(d1)], progress=False)  # d2 is not given: its copy was lost before
    assert (s.removed, s.embedded, s.relocated) == (1, 0, 1)
    assert fake.texts_encoded == encoded
    assert lib.check() == [] and lib.info().duplicates == 0
    assert sources(lib) == [("d2/y.txt", 1), ("d2/y.txt", 3)]
    hit = lib.ask("quay wall harbour authority", k=1)[0]
    assert (hit.source, hit.line_start, hit.text) == (str(d2 / "y.txt"), 3, QUAY)
    after = vectors_by_text(lib)
    assert after.keys() == {QUAY, FERRY}
    for text in after:
        np.testing.assert_array_equal(after[text], before[text])
    # Nothing is left to do: the next update of both folders changes nothing.
    assert lib.update([str(d1), str(d2)], progress=False).changed is False


def test_remove_takes_a_folder_out_and_leaves_the_rest_as_it_was(samples, tmp_path, fake):
    lib = qa.Library.build([str(samples)], str(tmp_path / "idx"), embedder=fake, progress=False)
    kept = {pid: r for pid, r in lib.catalog.passages(lib.store.ids().tolist()).items()
            if "local" not in r.source.split(os.sep)}
    before = lib.info()
    s = lib.remove(str(samples / "local"), progress=False)
    assert s.removed == 4 and s.embedded == 0 and s.changed
    info = lib.info()
    assert (info.articles, info.passages) == (before.articles - 4, len(kept)) and len(kept) < before.passages
    assert lib.check() == []
    now = lib.catalog.passages(lib.store.ids().tolist())
    assert now.keys() == kept.keys() and all(now[p].text == kept[p].text for p in kept)
    # Neither search finds them: not the vectors, not the BM25 postings.
    for mode in ("hybrid", "dense", "lexical"):
        assert not [h for h in lib.ask("market hall cooperative residents", k=10, mode=mode)
                    if "local" in h.source.split(os.sep)]
    # Reopened from disk, the same; an update of the folder reads and embeds them again.
    lib = qa.Library.open(str(tmp_path / "idx"), embedder=fake)
    assert lib.info().articles == info.articles
    again = lib.update([str(samples / "local")], progress=False)
    assert (again.embedded, again.unchanged_files) == (4, 0)
    assert lib.info().articles == before.articles


def test_remove_matches_a_path_as_given_from_the_current_folder(tmp_path, fake, monkeypatch):
    d1, d2 = two_folders(tmp_path)
    monkeypatch.chdir(tmp_path)
    lib = qa.Library.build(["d1", "d2"], str(tmp_path / "idx"), embedder=fake, progress=False)
    s = lib.remove(os.path.join("d1", "x.txt"), progress=False)
    # x.txt's QUAY was the original of y.txt's copy: the copy now stands for it, from y.txt,
    # named as it was given.
    assert (s.removed, s.relocated, s.embedded) == (1, 1, 0)
    assert sources(lib) == [("d2/y.txt", 1), ("d2/y.txt", 3)]
    assert [h.source for h in lib.ask("quay wall", k=2)] == ["d2/y.txt", "d2/y.txt"]
    assert lib.check() == [] and lib.info().duplicates == 0
    # From another folder, a relative path is taken from there, else as the sources are listed
    # (as given when indexed).
    (tmp_path / "elsewhere" / "d2").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "elsewhere")
    with pytest.raises(qa.InputError, match="holds no article from d3"):
        lib.remove("d3", progress=False)
    assert lib.remove(os.path.join("d2", "y.txt"), progress=False).removed == 2  # not ./d2, empty here
    assert lib.info().articles == 0 and lib.ask("quay wall", k=2) == []
    lib.update([str(d2)], progress=False)
    assert lib.remove(os.path.join("..", "d2"), progress=False).removed == 2


def test_files_of_articles_rewritten_as_one_article_each_lose_none(tmp_path, fake):
    """y.txt's first article was a copy of x.txt's; each file then becomes one article, whose id
    is its first article's. Looking up the new y article's id found the old copy's original,
    by its id now x's new article, and removed that as an article of another file."""
    x = write(tmp_path / "d" / "x.txt", f"{QUAY}\n\n{CHEESE}\n")
    y = write(tmp_path / "d" / "y.txt", f"{QUAY}\n\n{FERRY}\n")
    lib = qa.Library.build([str(tmp_path / "d")], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert lib.info().duplicates == 1
    write(x, f"{QUAY} {CHEESE}\n")
    write(y, f"{QUAY} {FERRY}\n")
    s = lib.update([str(tmp_path / "d")], progress=False)
    assert (s.read, s.embedded, s.duplicates) == (2, 2, 0)
    assert lib.check() == [] and sources(lib) == [("d/x.txt", 1), ("d/y.txt", 1)]
    assert {h.source for h in lib.ask("quay wall", k=5, mode="lexical")} == {str(x), str(y)}
    lib.close()


def test_a_copy_outside_the_folder_updated_follows_its_original_to_the_file_it_moved_to(tmp_path, fake):
    """d1/x.txt's QUAY moves to d1/z.txt, kept (not embedded again) under z's id; d2/y.txt's copy
    of it, not read, named x's id: it lost its original, and once z went too, the text was gone
    from the index although y.txt still holds it."""
    d1, d2 = two_folders(tmp_path)
    lib = qa.Library.build([str(d1), str(d2)], str(tmp_path / "idx"), embedder=fake, progress=False)
    (d1 / "x.txt").unlink()
    write(d1 / "z.txt", f"{QUAY}\n")
    s = lib.update([str(d1)], progress=False)
    assert (s.embedded, s.relocated, s.removed) == (0, 1, 1)
    z_id = next(r[1] for r in lib.catalog.articles_index() if r[4] == str(d1 / "z.txt"))
    assert [d[1] for d in lib.catalog.duplicates_by_path()[str(d2 / "y.txt")]] == [z_id]
    write(d1 / "z.txt", f"{CHEESE}\n")
    lib.update([str(d1)], progress=False)
    assert lib.check() == [] and sources(lib) == [("d1/z.txt", 1), ("d2/y.txt", 1), ("d2/y.txt", 3)]
    assert lib.ask("quay wall harbour authority", k=1)[0].source == str(d2 / "y.txt")
    lib.close()


def test_a_copy_read_again_from_a_file_changed_since_takes_an_id_its_file_held(tmp_path, fake):
    """d2/y.txt, outside the folder updated, holds a copy of the article d1/x.txt loses, and has
    changed since it was indexed (a block opens it): read again, its copy, now its second block,
    takes the id its second article had. That failed the update: UNIQUE constraint failed."""
    d1, d2 = two_folders(tmp_path)  # y.txt: FERRY, then a copy of x.txt's QUAY
    lib = qa.Library.build([str(d1), str(d2)], str(tmp_path / "idx"), embedder=fake, progress=False)
    write(d2 / "y.txt", f"{CHEESE} Again.\n\n{FERRY}\n\n{QUAY}\n")
    write(d1 / "x.txt", f"{CHEESE}\n")
    s = lib.update([str(d1)], progress=False)
    assert (s.embedded, s.removed) == (1, 0)  # y's new first block; QUAY's and FERRY's vectors kept
    assert lib.check() == [] and sources(lib) == [("d1/x.txt", 1), ("d2/y.txt", 1), ("d2/y.txt", 3), ("d2/y.txt", 5)]
    assert lib.ask("quay wall harbour authority", k=1)[0].line_start == 5
    lib.close()


def test_a_copy_in_a_file_gone_from_outside_the_folder_updated_goes_with_its_original(tmp_path, fake):
    """d2/y.txt, outside the folder updated, held a copy of the article d1/x.txt loses, and is
    gone from disk: no text is left there to stand in for it. The copy's record stayed, naming
    an article the index no longer held (and ``check()`` did not see it)."""
    d1, d2 = two_folders(tmp_path)  # y.txt: FERRY, then a copy of x.txt's QUAY
    lib = qa.Library.build([str(d1), str(d2)], str(tmp_path / "idx"), embedder=fake, progress=False)
    (d2 / "y.txt").unlink()
    write(d1 / "x.txt", f"{CHEESE}\n")
    s = lib.update([str(d1)], progress=False)
    assert (s.removed, s.dropped_duplicates) == (1, 1)
    assert lib.check() == [] and lib.info().duplicates == 0
    # y.txt's FERRY stays as the index had it, until d2 is updated or removed
    assert sources(lib) == [("d1/x.txt", 1), ("d2/y.txt", 1)]
    assert lib.update([str(d1), str(d2)], progress=False).removed == 1 and sources(lib) == [("d1/x.txt", 1)]
    lib.close()


def test_a_copy_of_an_article_that_a_file_read_again_no_longer_holds_is_read_as_an_article(tmp_path, fake):
    """d1/x.txt now holds FERRY, a copy of d2/y.txt's; x.txt's QUAY goes, so y.txt, outside the
    folder updated, is read again for its copy of it; but y.txt has changed since, and holds
    neither: its FERRY goes too. x.txt's copy of it was left naming an article the index no
    longer held (FERRY was nowhere to be found); it is read again, as the article."""
    d1, d2 = two_folders(tmp_path)  # y.txt: FERRY, then a copy of x.txt's QUAY
    lib = qa.Library.build([str(d1), str(d2)], str(tmp_path / "idx"), embedder=fake, progress=False)
    before = vectors_by_text(lib)
    write(d1 / "x.txt", f"{FERRY}\n")
    write(d2 / "y.txt", f"{CHEESE} Again.\n")
    s = lib.update([str(d1)], progress=False)
    assert (s.embedded, s.duplicates) == (1, 0)  # y.txt's new text; FERRY's vectors kept
    assert lib.check() == [] and sources(lib) == [("d1/x.txt", 1), ("d2/y.txt", 1)]
    np.testing.assert_array_equal(vectors_by_text(lib)[FERRY], before[FERRY])
    assert lib.ask("winter ferry timetable", k=1)[0].source == str(d1 / "x.txt")
    lib.close()


def test_a_record_whose_id_is_taken_is_a_copy_of_its_text_held_anywhere(tmp_path, fake):
    """A record whose id an earlier record of its file took is a copy when its text is held, by
    a file read after it too: it was left out (said "id already used"), so the copy a build
    records depended on the order files were read in, and an update that read a file outside
    its folders again, after its own, missed one a build of the same files found."""
    d1, d2 = tmp_path / "d1", tmp_path / "d2"
    write(d1 / "a.jsonl", json_lines(("r1", QUAY), ("r1", FERRY)))
    write(d1 / "b.txt", f"{FERRY}\n")
    lib = qa.Library.build([str(d1)], str(tmp_path / "idx"), embedder=fake, progress=False)
    s = lib.last_summary
    assert (s.duplicates, s.skipped) == (1, ())
    assert copies(lib) == [("d1/a.jsonl", 2, "r1", FERRY)]
    lib.close()
    # d2/d.txt holds a copy of r1's CHEESE; r1 becomes QUAY, and the record after it CHEESE
    # again: d.txt, outside the folder updated, is read again and holds the text; r1's second
    # record is its copy, as in a build reading d1 then d2.
    write(d1 / "a.jsonl", json_lines(("r1", CHEESE)))
    write(d2 / "d.txt", f"{CHEESE}\n")
    (d1 / "b.txt").unlink()
    lib = qa.Library.build([str(d1), str(d2)], str(tmp_path / "idx2"), embedder=fake, progress=False)
    write(d1 / "a.jsonl", json_lines(("r1", QUAY), ("r1", CHEESE)))
    s = lib.update([str(d1)], progress=False)
    assert (s.duplicates, s.skipped, s.relocated) == (1, (), 1)
    assert sources(lib) == [("d1/a.jsonl", 1), ("d2/d.txt", 1)]
    assert copies(lib) == [("d1/a.jsonl", 2, "r1", CHEESE)]
    assert lib.check() == []
    lib.close()


def test_a_record_left_out_for_a_taken_id_comes_in_when_its_id_is_free_or_its_text_held(tmp_path, fake):
    """Two exports of one site, in folders of their own, give an id to different texts: the
    later one's record is left out ("id already used"). When the earlier one's goes (its folder
    removed, or its id changed), the later one's takes the id, and when its text is held by a
    file read later it is that text's copy, as in a build of what is left, though its file is
    outside the folders written."""
    old, new = tmp_path / "2023", tmp_path / "2024"
    write(old / "export.jsonl", json_lines(("p7", QUAY)))
    write(new / "export.jsonl", json_lines(("p7", FERRY), ("p8", CHEESE)))
    lib = qa.Library.build([str(old), str(new)], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert [s.line for s in lib.last_summary.skipped if "already used" in s.reason] == [1]
    s = lib.remove(str(old), progress=False)
    assert (s.removed, s.embedded) == (1, 1)
    assert s.removal_lines([str(old)])[1] == ("indexed 1 article of files elsewhere, read again: left out before, "
                                              "as the articles removed had their ids")
    assert sources(lib) == [("2024/export.jsonl", 1), ("2024/export.jsonl", 2)]
    assert lib.ask("winter ferry timetable", k=1)[0].article_id == "p7" and lib.check() == []
    lib.close()

    # The earlier record's id changed (its text kept): the id is free.
    lib = qa.Library.build([str(old), str(new)], str(tmp_path / "idx2"), embedder=fake, progress=False)
    write(old / "export.jsonl", json_lines(("p7-old", QUAY)))
    s = lib.update([str(old)], progress=False)
    assert s.embedded == 1 and not s.skipped
    assert {r[1] for r in lib.catalog.articles_index()} == {"p7-old", "p7", "p8"} and lib.check() == []
    lib.close()

    # The text left out is now held by an article of the folder written: a copy of it.
    write(old / "export.jsonl", json_lines(("p7", QUAY)))
    lib = qa.Library.build([str(old), str(new)], str(tmp_path / "idx3"), embedder=fake, progress=False)
    write(old / "ferry.txt", f"{FERRY}\n")
    s = lib.update([str(old)], progress=False)
    assert s.duplicates == 1
    assert copies(lib) == [("2024/export.jsonl", 1, "p7", FERRY)] and lib.check() == []
    lib.close()


def json_lines(*records: tuple[str, str]) -> str:
    return "".join(f'{{"id": "{i}", "text": "{t}"}}\n' for i, t in records)


def copies(lib) -> list[tuple[str, int, str, str]]:
    """(file, line, id, text of its original) of every copy recorded."""
    text = {r[1]: r[2] for r in lib.catalog.db.execute("SELECT id, article_id, text FROM articles")}
    return sorted((os.path.relpath(d[3], lib.path + "/.."), d[4], d[0], text[d[1]])
                  for rows in lib.catalog.duplicates_by_path().values() for d in rows)


def test_a_copy_is_read_again_as_its_file_was_indexed(tmp_path, fake, monkeypatch):
    monkeypatch.setattr(qa.filestamps, "RACY_NS", 0)  # stamps of files written moments ago trusted
    # y.txt was indexed one article per file; reading it again for the copy keeps it so.
    write(tmp_path / "d1" / "x.txt", f"{QUAY}\n")
    write(tmp_path / "d2" / "y.txt", f"{QUAY}\n")
    write(tmp_path / "d2" / "z.txt", f"{QUAY}\n\n{FERRY}\n")
    lib = qa.Library.build([str(tmp_path / "d1")], str(tmp_path / "idx"), embedder=fake, progress=False)
    lib.update([str(tmp_path / "d2")], one_per_file=True, progress=False)
    assert lib.info().articles == 2  # x's QUAY and z whole; y is x's duplicate
    s = lib.remove(str(tmp_path / "d1"), progress=False)
    assert (s.removed, s.relocated) == (0, 1)
    assert sources(lib) == [("d2/y.txt", 1), ("d2/z.txt", 1)]
    assert lib.check() == []
    # ... and its stamp says so: an update reading one article per file finds nothing to do,
    # one reading blocks reads both again (z.txt's QUAY block is then y.txt's duplicate).
    s = lib.update([str(tmp_path / "d2")], one_per_file=True, progress=False)
    assert (s.changed, s.unchanged_files) == (False, 2)
    s = lib.update([str(tmp_path / "d2")], progress=False)
    assert s.unchanged_files == 0 and (lib.info().articles, lib.info().duplicates) == (2, 1)


def test_remove_drops_the_records_of_duplicates_in_the_removed_files(tmp_path, fake):
    d1, d2 = two_folders(tmp_path)
    write(d2 / "copy.txt", f"{CHEESE}\n")
    lib = qa.Library.build([str(d1), str(d2)], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert lib.info().duplicates == 2
    s = lib.remove(str(d2), progress=False)
    assert (s.removed, s.dropped_duplicates, s.relocated) == (1, 2, 0)
    assert lib.info().duplicates == 0 and lib.info().articles == 2
    assert s.removal_lines([str(d2)])[0] == f"removed 1 article and 2 duplicates read from {d2}"


def test_remove_works_on_files_already_deleted(tmp_path, fake):
    d1, d2 = two_folders(tmp_path)
    lib = qa.Library.build([str(d1), str(d2)], str(tmp_path / "idx"), embedder=fake, progress=False)
    (d2 / "y.txt").unlink()
    d2.rmdir()
    s = lib.remove(str(d2), progress=False)
    assert (s.removed, s.dropped_duplicates) == (1, 1)
    assert sources(lib) == [("d1/x.txt", 1), ("d1/x.txt", 3)]


def test_removing_what_the_index_does_not_hold_is_refused_and_changes_nothing(tmp_path, fake):
    d1, d2 = two_folders(tmp_path)
    lib = qa.Library.build([str(d1)], str(tmp_path / "idx"), embedder=fake, progress=False)
    updated = lib.manifest["updated"]
    listing = sorted(os.listdir(tmp_path / "idx"))
    for path in (str(d2), str(tmp_path / "typo"), str(d1 / "x.txt.bak")):
        with pytest.raises(qa.InputError, match="holds no article from .*Nothing was changed"):
            lib.remove([str(d1 / "x.txt"), path], progress=False)
    assert sorted(os.listdir(tmp_path / "idx")) == listing
    lib = qa.Library.open(str(tmp_path / "idx"), embedder=fake)
    assert lib.manifest["updated"] == updated and lib.info().articles == 2
    with pytest.raises(qa.InputError, match="at least one"):
        lib.remove([], progress=False)


def test_articles_of_a_folder_not_found_outside_the_paths_given_stay(tmp_path, fake, capsys):
    # Another folder's update while this one is away (a drive not mounted) keeps its articles
    # and says so; they go only when their own folder is updated or removed.
    d1, d2 = two_folders(tmp_path)
    write(d2 / "z.txt", f"{CHEESE}!\n")
    lib = qa.Library.build([str(d1), str(d2)], str(tmp_path / "idx"), embedder=fake, progress=False)
    ids = sorted(r[1] for r in lib.catalog.articles_index())
    d2.rename(tmp_path / "unmounted")
    write(d1 / "new.txt", f"{FERRY} Extra sailings at Easter.\n")  # a write, which parks ids
    s = lib.update([str(d1)], progress=False)
    assert (s.embedded, s.removed, s.kept_missing) == (1, 0, 2)
    assert "kept 2 articles of files that were not found, where this update did not look" in "\n".join(s.lines())
    assert sorted(r[1] for r in lib.catalog.articles_index()) == sorted(ids + [lib.ask("Easter", k=1)[0].article_id])
    assert lib.ask("winter ferry timetable", k=1, mode="lexical")[0].source == str(d2 / "y.txt")
    assert lib.check() == []
    (tmp_path / "unmounted").rename(d2)  # back: nothing to do for it
    assert lib.update([str(d2)], progress=False).changed is False
    # Moved into the paths given, a file takes its articles (and vectors) back.
    (d2 / "y.txt").rename(d1 / "y.txt")
    encoded = fake.texts_encoded
    s = lib.update([str(d1)], progress=False)
    assert (s.embedded, s.relocated, s.removed, s.kept_missing) == (0, 1, 0, 0)
    assert fake.texts_encoded == encoded and lib.check() == []
    # `qa info` marks a source whose file is not found.
    (d2 / "z.txt").rename(tmp_path / "z.txt")
    capsys.readouterr()
    assert qa.cli.main(["info", "--index", lib.path]) == 0
    listed = {line.split()[1]: line for line in capsys.readouterr().out.split("sources\n")[1].splitlines()}
    assert listed[str(d2 / "z.txt")].endswith("(file not found: `qa index` or `qa remove` its folder to drop it)")
    assert "not found" not in listed[str(d1 / "x.txt")]
    (tmp_path / "z.txt").rename(d2 / "z.txt")
    # Gone for good: an update of its folder drops the rest.
    (d2 / "z.txt").unlink()
    assert lib.update([str(d1)], progress=False).kept_missing == 1
    s = lib.update([str(d2)], progress=False)
    assert (s.removed, s.kept_missing) == (1, 0) and lib.info().articles == 4


def test_an_article_read_with_the_text_of_one_not_found_elsewhere_replaces_it(tmp_path, fake):
    write(tmp_path / "a" / "keep.md", f"---\ntitle: Keep\n---\n\n{CHEESE}\n")
    write(tmp_path / "b" / "note.md", f"---\ntitle: One\n---\n\n{QUAY}\n")
    lib = qa.Library.build([str(tmp_path / "a"), str(tmp_path / "b")], str(tmp_path / "idx"), embedder=fake,
                           progress=False)
    (tmp_path / "b" / "note.md").unlink()
    write(tmp_path / "a" / "note.md", f"---\ntitle: Two\n---\n\n{QUAY}\n")  # moved, retitled
    s = lib.update([str(tmp_path / "a")], progress=False)
    assert (s.embedded, s.removed, s.kept_missing) == (1, 1, 0)
    assert [h.title for h in lib.ask("quay wall", k=5)] == ["Two", "Keep"]  # its text indexed once
