"""Passage and article vectors beyond RAM: IVF lists merged on disk, against a brute-force oracle."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from fakes import similar_recall
from killing import write_corpus

import qa
import qa.ondisk
import qa.placement
from qa.errors import IndexCorruptError
from qa.indexdir import generation_dir, read_manifest
from qa.store import FaissStore

QUESTIONS = [f"report {i} on the flood in district {i % 17} with {i % 11} vehicles" for i in range(40)]


def oracle_top(lib, fake, question: str, k: int) -> list[int]:
    ids, vectors = lib.store.vectors()
    return ids[np.argsort(-(vectors @ fake.encode([question])[0]), kind="stable")[:k]].tolist()


def dense_recall(lib, fake) -> float:
    found = 0
    for hits, q in zip(lib.ask_many(QUESTIONS, k=10, mode="dense", per_article=10), QUESTIONS, strict=True):
        found += len(set(oracle_top(lib, fake, q, 10)) & {h.passage_id for h in hits})
    return found / (10 * len(QUESTIONS))


@pytest.fixture
def small_shards(monkeypatch):
    monkeypatch.setattr(qa.ondisk, "SHARD_VECTORS", 700)  # several shards and spool files


def test_on_disk_index_builds_updates_and_answers_like_exact_search(tmp_path, fake, small_shards, capfd, monkeypatch):
    corpus = write_corpus(tmp_path / "big", 3000, 1)
    index = str(tmp_path / "idx")
    lib = qa.Library.build([str(corpus)], index, embedder=fake, progress=False,
                           approx_threshold=500, ondisk_threshold=1000)
    info = lib.info()
    assert info.index_kind == "ivf-ondisk" and info.ann["on_disk"] and info.passages == 3000
    assert info.ann["recall_at_10"] >= 0.95 and lib.check() == []
    gen = generation_dir(index, read_manifest(index))
    names = set(os.listdir(gen))
    assert {"passages.faiss", "passages.ivfdata", "passages.trained.faiss"} <= names
    # 3,000 articles: their vectors (what similar() searches) go on disk by the same rule.
    assert {"articles.faiss", "articles.ivfdata", "articles.trained.faiss"} <= names
    assert info.articles == 3000 and info.article_ann["on_disk"] and lib.article_store.kind == "ivf-ondisk"
    assert info.article_ann["recall_at_10"] >= 0.95 and similar_recall(lib) >= 0.9
    assert not [n for n in names if "spool-" in n or "shard-" in n]
    assert dense_recall(lib, fake) >= 0.9
    # Probing every cell makes the approximate index exact: same ids as the oracle.
    lib.store._ivf.nprobe = lib.store._ivf.nlist
    for q in QUESTIONS[:10]:
        assert [h.passage_id for h in lib.ask(q, k=10, mode="dense", per_article=10)] == oracle_top(lib, fake, q, 10)
    assert "resizing" not in capfd.readouterr().out  # FAISS's printf went to stderr
    qa.Library.open(index, embedder=fake).ask(QUESTIONS[0], k=1)  # a reader: nothing printed on opening
    assert "IO_FLAG" not in "".join(capfd.readouterr())
    trained_on, articles_trained_on = info.ann["trained_on"], info.article_ann["trained_on"]

    # An update must not load every vector into memory: no bulk read, no in-memory IVF.
    def refuse(*a, **k):
        raise AssertionError("the on-disk write path read all vectors into memory")

    monkeypatch.setattr(FaissStore, "vectors", refuse)
    monkeypatch.setattr(qa.placement, "approximate", refuse)
    write_corpus(corpus, 3000, 2)  # changes a third, removes a file, adds one
    lib.update([str(corpus)], progress=False)
    monkeypatch.undo()
    info = lib.info()
    assert info.index_kind == "ivf-ondisk" and info.ann["trained_on"] == trained_on  # trained once
    assert info.article_ann["trained_on"] == articles_trained_on and similar_recall(lib) >= 0.9
    assert lib.check() == [] and info.passages == len(lib.store.ids()) < 3000
    assert any("New report" in h.text for h in lib.ask("new report harbour strike", k=3, mode="dense"))
    assert dense_recall(lib, fake) >= 0.9
    assert sorted(lib.store.ids().tolist()) == sorted(lib.catalog.passage_ids().tolist())


def test_on_disk_index_opens_where_it_was_moved_and_refuses_a_cut_lists_file(tmp_path, fake, small_shards):
    corpus = write_corpus(tmp_path / "big", 1500, 1)
    lib = qa.Library.build([str(corpus)], str(tmp_path / "idx"), embedder=fake, progress=False,
                           approx_threshold=500, ondisk_threshold=1000)
    want = [[h.passage_id for h in hits] for hits in lib.ask_many(QUESTIONS[:5], k=5)]
    shutil.copytree(tmp_path / "idx", tmp_path / "moved")
    shutil.rmtree(tmp_path / "idx")
    moved = qa.Library.open(str(tmp_path / "moved"), embedder=fake)
    assert [[h.passage_id for h in hits] for hits in moved.ask_many(QUESTIONS[:5], k=5)] == want
    assert moved.check() == []
    lists = os.path.join(generation_dir(str(tmp_path / "moved"), read_manifest(str(tmp_path / "moved"))),
                         "passages.ivfdata")
    with open(lists, "r+b") as fh:
        fh.truncate(os.path.getsize(lists) // 2)
    with pytest.raises(IndexCorruptError, match="cut"):
        qa.Library.open(str(tmp_path / "moved"), embedder=fake)


def test_growing_past_the_threshold_goes_on_disk_and_shrinking_comes_back(tmp_path, fake, small_shards):
    corpus = write_corpus(tmp_path / "big", 900, 1)
    lib = qa.Library.build([str(corpus)], str(tmp_path / "idx"), embedder=fake, progress=False,
                           approx_threshold=500, ondisk_threshold=1300)
    assert lib.info().index_kind == "ivf"
    write_corpus(corpus, 1800, 1)
    lib.update([str(corpus)], progress=False)
    assert lib.info().index_kind == "ivf-ondisk" and lib.info().passages == 1800 and lib.check() == []
    assert lib.article_store.kind == "ivf-ondisk" and similar_recall(lib) >= 0.9
    (corpus / "part0.txt").unlink()
    (corpus / "part1.txt").unlink()
    lib.update([str(corpus)], progress=False)
    assert lib.info().index_kind == "ivf" and lib.info().passages == 600 and lib.check() == []
    assert lib.article_store.kind == "ivf" and not lib.info().article_ann.get("on_disk")
    assert similar_recall(lib) >= 0.9
    q = "report 7 on the telescope with a large mirror"
    lib.store._ivf.nprobe = lib.store._ivf.nlist
    assert [h.passage_id for h in lib.ask(q, k=5, mode="dense")] == oracle_top(lib, fake, q, 5)


def test_thresholds_given_are_recorded_and_kept_until_given_again(tmp_path, fake):
    corpus = write_corpus(tmp_path / "c", 800, 1)
    index = str(tmp_path / "idx")
    lib = qa.Library.build([str(corpus)], index, embedder=fake, progress=False, approx_threshold=400)
    assert lib.info().index_kind == "ivf" and read_manifest(index)["settings"]["approx_threshold"] == 400
    write_corpus(corpus, 800, 2)
    lib.update([str(corpus)], progress=False)  # not given: the recorded one holds
    assert lib.info().index_kind == "ivf" and read_manifest(index)["settings"]["approx_threshold"] == 400
    lib = qa.Library.build([str(corpus)], index, embedder=fake, progress=False, approx_threshold=5000)
    assert lib.info().index_kind == "flat" and read_manifest(index)["settings"]["approx_threshold"] == 5000
    before = read_manifest(index)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(qa.InputError, match="approx_threshold must be a whole number"):
            lib.update([str(corpus)], progress=False, approx_threshold=bad)
    assert read_manifest(index) == before and lib.check() == []


def test_exact_knn_matches_numpy_and_leaves_faiss_settings_alone():
    import faiss

    from qa.store import exact_knn

    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((5000, 32)).astype(np.float32)
    q = rng.standard_normal((100, 32)).astype(np.float32)  # enough queries for the BLAS path
    before = faiss.cvar.distance_compute_blas_threshold
    scores, rows = exact_knn(q, vectors, 10)
    oracle = np.argsort(-(q @ vectors.T), axis=1)[:, :10]
    assert (rows == oracle).all()
    assert np.allclose(scores, np.take_along_axis(q @ vectors.T, oracle, axis=1), atol=1e-4)
    assert faiss.cvar.distance_compute_blas_threshold == before
