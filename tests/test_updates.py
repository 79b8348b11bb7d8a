"""An index updated through any sequence of changes to its files, and of files taken out,
holds what a build of the files it should hold holds: each text once, at every place it is."""

from __future__ import annotations

import itertools
import json
import os
import shutil

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import qa
import qa.filestamps

SENTENCES = [
    "The harbour authority approved the new quay wall.",
    "Cheese makers opened a covered market.",
    "The winter ferry timetable starts in November.",
    "A crane lifted the old lighthouse lamp.",
    "Harbour notes\n=============",  # a heading alone: the file is one document (qa.headed)
]
NAMES = ("notes/a.txt", "notes/b.txt", "more/c.txt", "more/r.jsonl")
FOLDERS = ("notes", "more")

# a file: absent, or blocks (blank-line separated) of one or two sentences
blocks = st.one_of(st.none(), st.lists(st.lists(st.sampled_from(range(len(SENTENCES))), min_size=1, max_size=2),
                                       max_size=3))
# records with ids of their own, which may move from line to line (an id twice in a file is
# the first record's: the second is a copy of its text held anywhere, else left out)
def some_records(least: int = 0):
    return st.lists(st.tuples(st.sampled_from(["x", "y"]), st.sampled_from(range(4))), min_size=least, max_size=2,
                    unique_by=lambda record: record[0])


records = st.one_of(st.none(), some_records())
scopes = st.sampled_from([FOLDERS, FOLDERS[:1], FOLDERS[1:]])
# the files under some folders change, and then an update is given some folders (the same or
# not: a file changed outside them is left as the index has it, unless the update has to read
# it again for a copy it holds); or a file grows by a block or records (read on from where it ended:
# qa.grown); or a file moves (to the other folder, or within its own), then an update; each
# update reading .txt files whole or not (--one-per-file). A removal takes a folder or a file out.
steps = st.one_of(
    st.tuples(st.just("write"), st.tuples(*[blocks] * (len(NAMES) - 1), records), scopes, scopes, st.booleans()),
    st.tuples(st.just("grow"), st.sampled_from(NAMES[:3]),
              st.lists(st.sampled_from(range(len(SENTENCES))), min_size=1, max_size=2), st.booleans()),
    st.tuples(st.just("grow"), st.just(NAMES[3]), some_records(1), st.booleans()),
    st.tuples(st.just("remove"), st.sampled_from(["notes", "more", "notes/a.txt", "more/r.jsonl"])),
    st.tuples(st.just("move"), st.sampled_from(NAMES), st.sampled_from(FOLDERS), scopes, st.booleans()),
)


_CLOCK = itertools.count(1_600_000_000)


def dated(path) -> None:
    """A time of its own for each version of a file (a second later than any before): with
    stamps trusted at once (RACY_NS 0), a rewrite in the same clock tick with the same size
    would otherwise pass for the file as it was."""
    t = next(_CLOCK) * 10**9
    os.utime(path, ns=(t, t))


def write(root, version, scope) -> None:
    for name, content in zip(NAMES, version, strict=True):
        path = root / name
        if name.split("/")[0] not in scope:
            continue
        if content is None:
            path.unlink(missing_ok=True)
        elif name.endswith(".jsonl"):
            path.write_text("".join(json.dumps({"id": i, "text": SENTENCES[s]}) + "\n" for i, s in content),
                            encoding="utf-8")
            dated(path)
        else:
            path.write_text("\n\n".join(" ".join(SENTENCES[i] for i in b) for b in content) + "\n", encoding="utf-8")
            dated(path)


def move(root, name: str, folder: str) -> None:
    if (root / name).exists():  # to a name of its own (one moved there before is replaced)
        os.replace(root / name, root / folder / f"moved-{os.path.basename(name)}")


def fillable(root, scope) -> None:
    """An update needs a file with an article in each folder it is given."""
    for folder in scope:
        if not any(p.stat().st_size > 1 for p in (root / folder).iterdir()):
            (root / folder / "d.txt").write_text(f"{SENTENCES[3]}\n", encoding="utf-8")
            dated(root / folder / "d.txt")


def on_disk(root) -> dict[str, bytes]:
    return {f"{folder}/{p.name}": p.read_bytes() for folder in FOLDERS for p in (root / folder).iterdir()}


def record_ids(files: dict[str, bytes]) -> dict[str, set[str]]:
    return {f: {json.loads(line)["id"] for line in content.splitlines() if line.strip()}
            for f, content in files.items() if f.endswith(".jsonl")}


def held(lib) -> list[tuple[str, int, str, str]]:
    """(file, line, id, text hash) of every article and copy held. Which of two places of the
    same text holds the article and which the copy may differ: an update keeps an article
    where it is when a copy of it turns up in a file read before it in a build."""
    def name(path: str) -> str:
        return os.path.join(*path.split(os.sep)[-2:])

    rows = lib.catalog.articles_index()
    assert len({r[3] for r in rows}) == len(rows)  # each text indexed once
    text_of = {r[1]: r[3] for r in rows}
    return sorted([(name(r[4]), r[6], r[1], r[3]) for r in rows]
                  + [(name(d[3]), d[4], d[0], text_of[d[1]])
                     for copies in lib.catalog.duplicates_by_path().values() for d in copies])


def files_under(root, target: str) -> set[str]:
    path = root / target
    return {f"{target}/{p.name}" for p in path.iterdir()} if path.is_dir() else {target} if path.exists() else set()


@settings(max_examples=int(os.environ.get("QA_FUZZ_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(steps, min_size=2, max_size=4), trusted=st.booleans())
# a.txt's article kept as b.txt's, under b's id: c.txt's copy of it, not read, named a's
@example(history=[("write", (None, [[0]], None, None), FOLDERS[:1], FOLDERS[:1], False),
                  ("write", (None, None, None, None), FOLDERS, FOLDERS, False)], trusted=False)
# c.txt's new article has the id of its old copy of a.txt's first article, whose id a.txt's new one has
@example(history=[("write", ([[0, 1]], [[1]], [[2, 0]], None), FOLDERS, FOLDERS, False)], trusted=False)
# b.txt, read whole a moment after it was written, holds a copy of a.txt: once a.txt is taken
# out, b.txt was read again in blocks (a stamp too new to trust was not recorded, nor how it was read)
@example(history=[("write", ([[0], [0, 0], [2, 0]], [[0], [0, 0], [2, 0]], None, None), FOLDERS, FOLDERS, True),
                  ("remove", "notes/a.txt")], trusted=False)
# every file deleted, only notes/ updated: c.txt's record of a copy of a.txt's article, gone
# with it, stayed (c.txt, outside, was gone from disk: nothing to read it from)
@example(history=[("write", (None, None, None, None), FOLDERS, FOLDERS[:1], False)], trusted=False)
# c.txt, outside, read again for its copy of a.txt's article, no longer holds the article b.txt's
# new copy took for its original: the copy was left naming nothing
@example(history=[("write", (None, [[2]], [], None), FOLDERS, FOLDERS[:1], False),
                  ("write", (None, None, None, None), FOLDERS, FOLDERS, False)], trusted=False)
# r.jsonl's second "x" was left out, its text held by a file read again after it (d.txt)
@example(history=[("grow", "notes/a.txt", [0], False), ("write", (None, None, None, [("x", 0)]), FOLDERS, FOLDERS[:1], False),
                  ("grow", "more/r.jsonl", [("x", 3)], False)], trusted=False)
# r.jsonl's first "x" is a copy (of a.txt's): a build took the id free for its second
@example(history=[("grow", "notes/a.txt", [0], False), ("write", (None, None, None, [("x", 2)]), FOLDERS, FOLDERS, False),
                  ("grow", "notes/a.txt", [2], False), ("grow", "more/r.jsonl", [("x", 0)], False)], trusted=False)
# b.txt's new article is a copy of c.txt's (outside); a.txt's goes, so c.txt is read again for
# its copy of it, and c.txt's article, moved up a block, takes another id: b.txt's copy named the old
@example(history=[("move", "notes/b.txt", "notes", FOLDERS, False),
                  ("write", (None, [[2]], [[2]], None), FOLDERS, FOLDERS[:1], False)], trusted=False)
def test_updates_and_removals_hold_what_a_build_holds(tmp_path, fake, history, trusted):
    run(tmp_path, fake, history, trusted)


@settings(max_examples=int(os.environ.get("QA_FUZZ_MILVUS_EXAMPLES", "8")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(steps, min_size=2, max_size=4), trusted=st.booleans())
def test_updates_of_an_index_whose_vectors_are_in_milvus_hold_what_a_build_holds(tmp_path, fake, history, trusted):
    pytest.importorskip("milvus_lite", reason="pip install 'article-qa[scale]' for the Milvus tests")
    # a file of its own each example (milvus-lite serves a file it opened until the process ends)
    run(tmp_path, fake, history, trusted, store=f"vectors{next(_CLOCK)}.db")


def run(tmp_path, fake, history, trusted, store=None) -> None:
    """After each step whose files outside the folders updated are as the index last read
    them, and after a last update of every folder, the index holds what a build holds; after
    any step, it is whole (``check()``, each text once). ``trusted``: files' stamps trusted at
    once, so an unchanged file is kept without reading it; else each is read again, as one
    written a moment ago is. ``store``: a milvus-lite file in the work folder, else FAISS."""
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    for folder in FOLDERS:
        (work / folder).mkdir(parents=True)
    write(work, [[[0]], [[1]], [[0], [2]], [("x", 3)]], FOLDERS)  # something to build from
    lib = qa.Library.build([str(work / f) for f in FOLDERS], str(work / "idx"), embedder=fake, progress=False,
                           language="english", store=store and str(work / store))
    whole = dict.fromkeys(files_under(work, "notes") | files_under(work, "more"), False)  # how each was read
    seen = on_disk(work)  # each file as an update over its folder last found it
    racy = qa.filestamps.RACY_NS
    qa.filestamps.RACY_NS = 0 if trusted else racy
    try:
        for n, step in enumerate([*history, ("write", (None,) * len(NAMES), (), FOLDERS, False)]):
            kind, scope = step[0], ()
            if kind == "remove":  # taking out what the index holds from there
                target = step[1]
                gone = {f for f in whole if f == target or f.startswith(f"{target}/")}
                if not any(place[0] in gone for place in held(lib)):
                    continue  # refused (nothing from there is held): tested elsewhere
                lib.remove([str(work / target)], progress=False)
                whole = {f: w for f, w in whole.items() if f not in gone}
            else:
                if kind == "grow":
                    _, name, block, one_per_file = step
                    with open(work / name, "a", encoding="utf-8") as fh:
                        fh.write("".join(json.dumps({"id": i, "text": SENTENCES[s]}) + "\n" for i, s in block)
                                 if name.endswith(".jsonl") else "\n" + " ".join(SENTENCES[i] for i in block) + "\n")
                    dated(work / name)
                    scope = (name.split("/")[0],)
                elif kind == "move":
                    _, name, folder, scope, one_per_file = step
                    move(work, name, folder)
                else:
                    _, version, written, scope, one_per_file = step
                    write(work, version, written)
                fillable(work, scope)
                lib.update([str(work / f) for f in scope], one_per_file=one_per_file, progress=False)
                whole = {f: w for f, w in whole.items() if f.split("/")[0] not in scope}
                whole.update(dict.fromkeys(set().union(*(files_under(work, f) for f in scope)), one_per_file))
            now = on_disk(work)
            seen = {f: c for f, c in seen.items() if f.split("/")[0] not in scope}
            seen.update({f: c for f, c in now.items() if f.split("/")[0] in scope})
            assert lib.check() == []
            held(lib)  # (each text once)
            # a record read whose id a file outside holds takes it from that file (qa.indexer:
            # the id moved), where a build keeps the first; so also a file moved, then another
            # made under its old name
            shared = {f for f, ids in record_ids(now).items()
                      if any(ids & others for g, others in record_ids(now).items() if g != f)}
            if any(now.get(f) != seen.get(f) for f in whole) or any(f.split("/")[0] not in scope for f in shared):
                continue  # a file changed outside the folders updated: the index has it as it was
            read = sorted((f for f in whole if (work / f).exists() and (work / f).stat().st_size > 1),
                          key=lambda f: (FOLDERS.index(f.split("/")[0]), f))
            if not read:  # nothing to build from (a build refuses): nothing held
                assert held(lib) == []
                continue
            # a build reads every file one way: those read whole are added after by an update
            first = [f for f in read if not whole[f]] or read
            fresh = qa.Library.build([str(work / f) for f in first], str(work / f"fresh{n}"), embedder=fake,
                                     progress=False, language="english", one_per_file=whole[first[0]])
            if rest := [f for f in read if f not in first]:
                if any("already used" in s.reason for s in fresh.last_summary.skipped):
                    fresh.close()  # (a record left out, whose text the files read whole may hold:
                    continue       # not read again by the update adding them, so no build's order)
                fresh.update([str(work / f) for f in rest], one_per_file=True, progress=False)
            assert held(lib) == held(fresh)
            assert lib.info().passages == fresh.info().passages
            fresh.close()
    finally:
        qa.filestamps.RACY_NS = racy
        lib.close()
