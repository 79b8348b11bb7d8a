"""An index updated through any sequence of changes to its files, and of files taken out,
holds what a build of the files it should hold holds: each text once, at every place it is."""

from __future__ import annotations

import itertools
import json
import os
import shutil

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
# the first record's: the second is a copy of a text read before it, else left out, so which
# depends on the order files are read in)
records = st.one_of(st.none(), st.lists(st.tuples(st.sampled_from(["x", "y"]), st.sampled_from(range(4))), max_size=2,
                                        unique_by=lambda record: record[0]))
# the files under the folders an update is given change (the others stay as they were), or a
# file grows by a block (read on from where it ended: qa.grown), each update reading .txt files
# whole or not (--one-per-file); a removal takes a folder or a file out
steps = st.one_of(
    st.tuples(st.tuples(*[blocks] * (len(NAMES) - 1), records),
              st.sampled_from([FOLDERS, FOLDERS[:1], FOLDERS[1:]]), st.booleans()),
    st.tuples(st.tuples(st.sampled_from(NAMES[:3]), st.lists(st.sampled_from(range(len(SENTENCES))), min_size=1,
                                                             max_size=2)), st.just(("grows",)), st.booleans()),
    st.tuples(st.none(), st.sampled_from([("notes",), ("more",), ("notes/a.txt",), ("more/r.jsonl",)]),
              st.just(False)),
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
    for folder in scope:  # an update needs a file with an article in each folder it is given
        if not any(p.stat().st_size > 1 for p in (root / folder).iterdir()):
            (root / folder / "d.txt").write_text(f"{SENTENCES[3]}\n", encoding="utf-8")
            dated(root / folder / "d.txt")


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
@example(history=[((None, [[0]], None, None), FOLDERS[:1], False), ((None, None, None, None), FOLDERS, False)],
         trusted=False)
# c.txt's new article has the id of its old copy of a.txt's first article, whose id a.txt's new one has
@example(history=[(([[0, 1]], [[1]], [[2, 0]], None), FOLDERS, False)], trusted=False)
# b.txt, read whole a moment after it was written, holds a copy of a.txt: once a.txt is taken
# out, b.txt was read again in blocks (a stamp too new to trust was not recorded, nor how it was read)
@example(history=[(([[0], [0, 0], [2, 0]], [[0], [0, 0], [2, 0]], None, None), FOLDERS, True),
                  (None, ("notes/a.txt",), False)], trusted=False)
def test_updates_and_removals_hold_what_a_build_holds(tmp_path, fake, history, trusted):
    """``trusted``: files' stamps trusted at once, so an unchanged file is kept without reading
    it; else each is read again, as one written a moment ago is."""
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    for folder in FOLDERS:
        (work / folder).mkdir(parents=True)
    write(work, [[[0]], [[1]], [[0], [2]], [("x", 3)]], FOLDERS)  # something to build from
    lib = qa.Library.build([str(work / f) for f in FOLDERS], str(work / "idx"), embedder=fake, progress=False,
                           language="english")
    whole = dict.fromkeys(files_under(work, "notes") | files_under(work, "more"), False)  # how each was read
    racy = qa.filestamps.RACY_NS
    qa.filestamps.RACY_NS = 0 if trusted else racy
    try:
        for n, (version, scope, one_per_file) in enumerate(history):
            if version is None:  # taking out what the index holds from there
                target = scope[0]
                gone = {f for f in whole if f == target or f.startswith(f"{target}/")}
                if not any(place[0] in gone for place in held(lib)):
                    continue  # refused (nothing from there is held): tested elsewhere
                lib.remove([str(work / target)], progress=False)
                whole = {f: w for f, w in whole.items() if f not in gone}
            else:
                if scope == ("grows",):
                    name, block = version
                    with open(work / name, "a", encoding="utf-8") as fh:
                        fh.write("\n" + " ".join(SENTENCES[i] for i in block) + "\n")
                    dated(work / name)
                    scope = (name.split("/")[0],)
                else:
                    write(work, version, scope)
                lib.update([str(work / f) for f in scope], one_per_file=one_per_file, progress=False)
                whole = {f: w for f, w in whole.items() if f.split("/")[0] not in scope}
                whole.update(dict.fromkeys(set().union(*(files_under(work, f) for f in scope)), one_per_file))
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
                fresh.update([str(work / f) for f in rest], one_per_file=True, progress=False)
            assert held(lib) == held(fresh)
            assert lib.check() == [] and lib.info().passages == fresh.info().passages
            fresh.close()
    finally:
        qa.filestamps.RACY_NS = racy
        lib.close()
