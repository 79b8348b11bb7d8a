"""What a write copies: the catalog only when written to, sentence vectors never (segments)."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

import qa
from qa.indexdir import read_manifest
from qa.segments import plan_compaction


def gen_dir(lib) -> str:
    return os.path.join(lib.path, read_manifest(lib.path)["generation"])


def segments(lib) -> list[str]:
    return sorted(n for n in os.listdir(gen_dir(lib)) if n.startswith("sentences-"))


def stored_blobs(lib) -> dict[int, tuple[bytes | None, bytes | None]]:
    ids = lib.store.ids().tolist()
    return {pid: (r.sentence_vectors, r.sentence_tokens) for pid, r in lib.catalog.passages(ids, vectors=True).items()}


@pytest.fixture
def copies(monkeypatch) -> list[str]:
    """Names of the files copied from here on."""
    copied: list[str] = []
    real_copy = shutil.copyfile

    def spy(src, dst, *args, **kwargs):
        copied.append(os.path.basename(src))
        return real_copy(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", spy)
    return copied


def test_plan_compaction_moves_mostly_dead_and_small_segments():
    sizes = {1: 1000, 2: 1000, 3: 40, 4: 500}
    live = {1: 1000, 2: 400, 3: 40, 4: 500}
    # 2 is less than half live, 3 is under 1/32 of the 2,540 bytes; 4 is the writer's own.
    assert plan_compaction(sizes, live, current=4) == [2, 3]
    assert plan_compaction({1: 1000, 2: 1000}, {1: 1000}, current=5) == [2]  # nothing live in 2
    assert plan_compaction({1: 1000, 2: 1000}, {1: 500, 2: 1000}, current=5) == []  # half live stays


def test_the_catalog_is_copied_only_when_written_and_sentence_vectors_never(small_corpus, tmp_path, fake, copies):
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert segments(lib) == ["sentences-000001.bin"]
    live = os.path.join(gen_dir(lib), "catalog.sqlite")
    with open(live, "rb") as fh:
        published = fh.read()
    before = stored_blobs(lib)
    assert all(v for v, _ in before.values())
    copies.clear()
    assert not lib.update([str(small_corpus)], progress=False).changed
    assert "catalog.sqlite" not in copies and "passages.faiss" in copies
    with open(live, "rb") as fh:  # read in place, never written
        assert fh.read() == published

    copies.clear()  # an added article: one catalog copy, the old segment linked, a new one beside it
    (small_corpus / "new.txt").write_text("Lighthouse keepers of Pell count seabirds.\n", encoding="utf-8")
    s = lib.update([str(small_corpus)], progress=False)
    assert s.changed and s.embedded == 1 and copies.count("catalog.sqlite") == 1
    assert not [c for c in copies if c.startswith("sentences-")]
    assert segments(lib) == ["sentences-000001.bin", "sentences-000002.bin"]
    after = stored_blobs(lib)
    assert {pid: after[pid] for pid in before} == before and len(after) == len(before) + 1
    assert lib.ask("seabirds lighthouse", k=1, mode="lexical")[0].source.endswith("new.txt")
    assert lib.check() == []

    copies.clear()  # a new setting writes no catalog row: publishing copies the catalog as it was
    s = lib.update([str(small_corpus)], progress=False, approx_threshold=5000)
    assert s.changed and copies.count("catalog.sqlite") == 1 and stored_blobs(lib) == after
    assert lib.check() == [] and lib.info().articles == 7


def test_deleted_passages_bytes_are_compacted_away(small_corpus, tmp_path, fake):
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    kept = {pid: blobs for pid, blobs in stored_blobs(lib).items()}
    (small_corpus / "a.txt").unlink()  # three of six articles: more than half the bytes go
    s = lib.update([str(small_corpus)], progress=False)
    assert s.removed == 3 and lib.check() == []
    after = stored_blobs(lib)
    assert after == {pid: kept[pid] for pid in after} and len(after) == len(kept) - 3
    # The first segment was less than half live: its live bytes moved to the new one.
    assert segments(lib) == ["sentences-000002.bin"]
    size = os.path.getsize(os.path.join(gen_dir(lib), "sentences-000002.bin"))
    assert size == sum(len(v) + len(t or b"") for v, t in after.values())
    hit = lib.ask("bakers returned to work after a pay deal", k=1)[0]
    assert hit.title == "Lumen bakery strike ends" and hit.highlights


def test_an_index_with_sentence_vectors_in_its_catalog_answers_and_moves_them_out(small_corpus, tmp_path, fake):
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    blobs = stored_blobs(lib)
    asked = [(h.passage_id, h.score, h.highlights) for h in lib.ask("flood in the lower town", k=3)]
    # Rewrite the published generation as indexes before segment files were: blobs inline.
    gen = gen_dir(lib)
    lib.close()
    db = sqlite3.connect(os.path.join(gen, "catalog.sqlite"))
    db.executemany("UPDATE passages SET sentence_vectors=?, sentence_tokens=?, blob_segment=NULL,"
                   " blob_offset=NULL, vectors_len=NULL, tokens_len=NULL WHERE id=?",
                   [(v, t, pid) for pid, (v, t) in blobs.items()])
    db.commit()
    db.close()
    os.remove(os.path.join(gen, "sentences-000001.bin"))
    old = qa.Library.open(str(tmp_path / "idx"), embedder=fake)
    assert [(h.passage_id, h.score, h.highlights) for h in old.ask("flood in the lower town", k=3)] == asked
    assert stored_blobs(old) == blobs and old.check() == []
    (small_corpus / "new.txt").write_text("Lighthouse keepers of Pell count seabirds.\n", encoding="utf-8")
    old.update([str(small_corpus)], progress=False)
    assert segments(old) == ["sentences-000002.bin"] and old.check() == []
    assert {pid: b for pid, b in stored_blobs(old).items() if pid in blobs} == blobs
    inline = sqlite3.connect(os.path.join(gen_dir(old), "catalog.sqlite")).execute(
        "SELECT count(*) FROM passages WHERE sentence_vectors IS NOT NULL").fetchone()[0]
    assert inline == 0
    # The new article changes BM25's statistics, not the highlights read from the moved bytes.
    assert [(h.passage_id, h.highlights) for h in old.ask("flood in the lower town", k=3)] == [
        (pid, highlights) for pid, _, highlights in asked]


@pytest.mark.parametrize("damage", ["remove", "truncate"])
def test_a_missing_or_cut_segment_is_reported(small_corpus, tmp_path, fake, damage):
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    path = os.path.join(gen_dir(lib), "sentences-000001.bin")
    lib.close()
    if damage == "remove":
        os.remove(path)
    else:
        os.truncate(path, os.path.getsize(path) // 2)
    broken = qa.Library.open(str(tmp_path / "idx"), embedder=fake)
    problems = broken.check()
    assert len(problems) == 1 and ("is missing" if damage == "remove" else "cut short") in problems[0]
    # Questions that need the sentence vectors fail with the same clear error, not garbage;
    # lexical search without highlights reads none.
    with pytest.raises(qa.IndexCorruptError, match="cannot read sentence vectors.*qa check"):
        broken.ask("observatory telescope mirror", k=6, mode="lexical")
    hits = broken.ask("observatory telescope mirror", k=3, mode="lexical", highlights=False)
    assert hits[0].title.startswith("A new observatory")


def test_a_reader_keeps_reading_its_generation_after_a_writer_removed_it(small_corpus, tmp_path, fake):
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    before = stored_blobs(lib)
    reader = qa.Library.open(str(tmp_path / "idx"), embedder=fake)  # has read no sentence vector yet
    old_gen = gen_dir(reader)
    (small_corpus / "a.txt").unlink()  # the writer compacts segment 1 away and removes gen 1
    lib.update([str(small_corpus)], progress=False)
    assert not os.path.exists(old_gen)
    # What the reader opened is still whole: a query already under way finishes on it.
    assert stored_blobs(reader) == before and all(v for v, _ in before.values())


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs Linux's /proc")
def test_answering_maps_no_segment_into_the_process(small_corpus, tmp_path, fake):
    # A mapped segment brings the pages around every read into the process (fault-around), so
    # its memory grew with each question; pread leaves them to the page cache.
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    reader = qa.Library.open(str(tmp_path / "idx"), embedder=fake)
    hits = reader.ask("observatory telescope mirror", k=3)
    assert hits[0].highlights, "the question read no sentence vectors"
    with open("/proc/self/maps") as fh:
        mapped = [line for line in fh if "sentences-" in line]
    assert segments(lib) and mapped == []
