"""An index updated through any sequence of changes to its files holds what a build of the
files as they end up holds: the same articles at the same places, the same copies."""

from __future__ import annotations

import json
import os
import shutil

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import qa

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
files = st.one_of(st.none(), st.lists(st.lists(st.sampled_from(range(len(SENTENCES))), min_size=1, max_size=2),
                                      max_size=3))
# what changes, and the folders the update is given (a file outside them is left as it was)
# records with ids of their own, which may move from file to file
records = st.one_of(st.none(), st.lists(st.tuples(st.sampled_from(["x", "y"]), st.sampled_from(range(4))), max_size=2))
versions = st.lists(st.tuples(st.tuples(*[files] * (len(NAMES) - 1), records), st.sampled_from([FOLDERS, FOLDERS[:1], FOLDERS[1:]])),
                    min_size=2, max_size=4)


def write(root, version, scope=FOLDERS) -> None:
    for name, blocks in zip(NAMES, version, strict=True):
        path = root / name
        if name.split("/")[0] not in scope:
            continue
        if blocks is None:
            path.unlink(missing_ok=True)
        elif name.endswith(".jsonl"):
            path.write_text("".join(json.dumps({"id": i, "text": SENTENCES[s]}) + "\n" for i, s in blocks), encoding="utf-8")
        else:
            path.write_text("\n\n".join(" ".join(SENTENCES[i] for i in b) for b in blocks) + "\n", encoding="utf-8")


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


@settings(max_examples=int(os.environ.get("QA_FUZZ_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=versions)
# a.txt's article kept as b.txt's, under b's id: c.txt's copy of it, not read, named a's
@example(history=[((None, [[0]], None, None), FOLDERS[:1]), ((None, None, None, None), FOLDERS)])
# c.txt's new article has the id of its old copy of a.txt's first article, whose id a.txt's new one has
@example(history=[(([[0, 1]], [[1]], [[2, 0]], None), FOLDERS)])
def test_updates_through_any_changes_hold_what_a_build_holds(tmp_path, fake, history):
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    for folder in FOLDERS:
        (work / folder).mkdir(parents=True)
    write(work, [[[0]], [[1]], [[0], [2]], [("x", 3)]])  # something to build from
    folders = [str(work / f) for f in FOLDERS]
    lib = qa.Library.build(folders, str(work / "idx"), embedder=fake, progress=False, language="english")
    try:
        for n, (version, scope) in enumerate(history):
            write(work, version, scope)
            for folder in scope:  # an update needs a file in each folder it is given
                if not any(p.stat().st_size > 1 for p in (work / folder).iterdir()):
                    (work / folder / "d.txt").write_text(f"{SENTENCES[3]}\n", encoding="utf-8")
            lib.update([str(work / f) for f in scope], progress=False)
            fresh = qa.Library.build(folders, str(work / f"fresh{n}"), embedder=fake, progress=False,
                                     language="english")
            assert held(lib) == held(fresh)
            assert lib.check() == [] and lib.info().passages == fresh.info().passages
            fresh.close()
    finally:
        lib.close()
