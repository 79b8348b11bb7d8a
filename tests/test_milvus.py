"""The Milvus store (milvus-lite file and loopback server) answers as the FAISS default does."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from conftest import SAMPLES
from fakes import FakeEmbedder

import qa
from qa import milvus_store

if os.environ.get("QA_REQUIRE_SCALE"):
    import pymilvus  # noqa: F401  (CI installs the scale extras: a missing client must fail)
else:
    pytest.importorskip("milvus_lite", reason="pip install 'article-qa[scale]' for the Milvus tests")

QUESTIONS = ["How many dockworkers stopped working at the harbour?", "How strong was the quake?",
             "library reopens after the flood", "Which medicine will the countries buy together?"]


def same_answers(a: qa.Library, b: qa.Library) -> None:
    for q in QUESTIONS:
        for mode in ("dense", "hybrid", "lexical"):
            assert [(h.passage_id, round(h.score, 5)) for h in a.ask(q, k=5, mode=mode)] == \
                   [(h.passage_id, round(h.score, 5)) for h in b.ask(q, k=5, mode=mode)]
        assert a.ask(q, k=3) == b.ask(q, k=3)  # references, highlights, ranks: everything
        only = {"source": "*world.txt"}
        assert [h.passage_id for h in a.ask(q, k=3, filters=only)] == \
               [h.passage_id for h in b.ask(q, k=3, filters=only)]
    first = a.catalog.articles_index()[0][1]
    assert a.similar(first, k=4) == b.similar(first, k=4)
    assert b.check() == []


def collections(lib: qa.Library) -> list[str]:
    from qa.milvus_store import client

    return sorted(client(lib.manifest["store"]["uri"]).list_collections())


def test_milvus_lite_file_build_update_and_a_failed_write(tmp_path, monkeypatch):
    corpus = tmp_path / "news"
    shutil.copytree(SAMPLES, corpus)
    fake = FakeEmbedder()
    local = qa.Library.build([str(corpus)], str(tmp_path / "faiss"), embedder=fake, progress=False)
    db = str(tmp_path / "vectors.db")
    monkeypatch.chdir(tmp_path)  # a relative path is recorded absolute
    lib = qa.Library.build([str(corpus)], str(tmp_path / "milvus"), embedder=fake, progress=False,
                           store="vectors.db#news")
    assert lib.info().index_kind == "milvus" and lib.manifest["store"]["uri"] == db
    assert not os.path.exists(os.path.join(lib.path, lib.manifest["generation"], "passages.faiss"))
    same_answers(local, lib)

    # Each write copies the live collections into the next generation's: batch by batch (here
    # 7 vectors at a time), never the whole collection read at once.
    def refuse(*a, **k):
        raise AssertionError("a whole collection was read into memory")

    monkeypatch.setattr(milvus_store, "_BATCH", 7)
    monkeypatch.setattr(milvus_store.MilvusStore, "vectors", refuse)
    world = corpus / "world.txt"
    world.write_text(world.read_text(encoding="utf-8").replace("dockworkers", "port workers")
                     + "\n\nA ferry line opens between the two islands on Monday.\n", encoding="utf-8")
    (corpus / "science.jsonl").unlink()
    local.update([str(corpus)], progress=False)
    lib.update([str(corpus)], progress=False)
    same_answers(local, lib)
    assert collections(lib) == ["news_g000001_articles", "news_g000001_passages",
                                "news_g000002_articles", "news_g000002_passages"]

    # A write that dies while embedding leaves the old collections serving the old catalog;
    # the next write (same generation number: the dead one never published) replaces them.
    (corpus / "extra.txt").write_text("A new bakery opened on the square.\n\nThe choir sang.\n")
    before = lib.ask(QUESTIONS[0], k=3)
    fake.fail_after = fake.texts_encoded
    with pytest.raises(RuntimeError, match="simulated crash"):
        lib.update([str(corpus)], progress=False)
    fake.fail_after = None
    assert "news_g000003_passages" in collections(lib)  # the dead write's leftovers
    lib.refresh()
    assert lib.ask(QUESTIONS[0], k=3) == before and lib.check() == []
    local.update([str(corpus)], progress=False)
    lib.update([str(corpus)], progress=False)
    same_answers(local, lib)
    assert collections(lib) == ["news_g000002_articles", "news_g000002_passages",
                                "news_g000003_articles", "news_g000003_passages"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def milvus_server(tmp_path):
    port = free_port()
    exe = os.path.join(os.path.dirname(sys.executable), "milvus-lite")
    proc = subprocess.Popen([exe, "server", "--data-dir", str(tmp_path / "milvus-data"),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.model
def test_cli_through_a_loopback_milvus_server(tmp_path, milvus_server):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}

    def qa_cli(*args):
        out = subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True,
                             text=True, env=env, timeout=300)
        assert out.returncode == 0, out.stderr
        return out.stdout

    qa_cli("index", str(SAMPLES), "--index", str(tmp_path / "faiss"), "--quiet")
    # The same folder of files again, vectors moved to Milvus: reused, not embedded again.
    shutil.copytree(tmp_path / "faiss", tmp_path / "milvus")
    out = qa_cli("index", str(SAMPLES), "--index", str(tmp_path / "milvus"), "--rebuild",
                 "--store", f"milvus://127.0.0.1:{milvus_server}/samples", "--quiet")
    assert "embedded 0, kept 31" in out
    assert "milvus" in qa_cli("info", "--index", str(tmp_path / "milvus"))
    for q in QUESTIONS:
        assert qa_cli("ask", q, "--index", str(tmp_path / "faiss")) == \
               qa_cli("ask", q, "--index", str(tmp_path / "milvus"))
    qa_cli("check", "--index", str(tmp_path / "milvus"))


SCIFACT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared",
                       "benchmarks", "scifact")


@pytest.mark.skipif(not os.path.isdir(SCIFACT), reason="../shared/benchmarks/scifact not present")
def test_milvus_answers_scifact_train_claims_like_faiss(tmp_path):
    # The check, at test size: SciFact abstracts with the hashed bag-of-words embedder
    # (the store is what differs here, not the model; benchmarks/scale.py runs the full set
    # with the real model). Same top 10 for the claims, same nDCG@10.
    from qa.evaluate import load_qrels, load_queries, score_run

    corpus = tmp_path / "corpus.jsonl"
    with open(os.path.join(SCIFACT, "corpus.jsonl"), encoding="utf-8") as src:
        corpus.write_text("".join(line for _, line in zip(range(1000), src, strict=False)), encoding="utf-8")
    fake = FakeEmbedder()
    faiss_lib = qa.Library.build([str(corpus)], str(tmp_path / "faiss"), embedder=fake, progress=False)
    shutil.copytree(tmp_path / "faiss", tmp_path / "milvus")
    milvus_lib = qa.Library.build([str(corpus)], str(tmp_path / "milvus"), embedder=fake, progress=False,
                                  store=str(tmp_path / "sf.db"))
    assert milvus_lib.last_summary.embedded == 0 and milvus_lib.info().index_kind == "milvus"
    docs = {r[1] for r in faiss_lib.catalog.articles_index()}
    qrels = {q: rels for q, rels in load_qrels(os.path.join(SCIFACT, "qrels", "train.tsv")).items()
             if set(rels) & docs}
    queries = load_queries(os.path.join(SCIFACT, "queries.jsonl"))
    qids = sorted(q for q in qrels if q in queries)
    assert len(qids) > 100
    for mode in ("hybrid", "dense"):
        runs = [{q: [h.article_id for h in hits] for q, hits in
                 zip(qids, lib.ask_many([queries[q] for q in qids], k=10, mode=mode, highlights=False),
                     strict=True)} for lib in (faiss_lib, milvus_lib)]
        same = sum(runs[0][q] == runs[1][q] for q in qids) / len(qids)
        ndcg = [score_run(run, {q: qrels[q] for q in qids})["ndcg@10"] for run in runs]
        assert same >= 0.98 and abs(ndcg[0] - ndcg[1]) <= 0.01 and ndcg[0] > 0.1, (mode, same, ndcg)


def test_big_milvus_collection_switches_to_hnsw_with_measured_recall(tmp_path):
    import numpy as np
    from killing import write_corpus

    fake = FakeEmbedder()
    corpus = write_corpus(tmp_path / "big", 1500, 1)
    lib = qa.Library.build([str(corpus)], str(tmp_path / "idx"), embedder=fake, progress=False,
                           approx_threshold=1200, store=str(tmp_path / "v.db"))
    ann = lib.info().ann
    assert ann["kind"] == "hnsw" and ann["recall_at_10"] >= 0.95 and lib.store.ef == ann["ef"]
    assert lib.check() == []
    ids, vectors = lib.store.vectors()
    questions = [f"report {i} on the flood in district {i % 17} with {i % 11} vehicles" for i in range(40)]
    found = 0
    for hits, q in zip(lib.ask_many(questions, k=10, mode="dense", per_article=10), questions, strict=True):
        truth = ids[np.argsort(-(vectors @ fake.encode([q])[0]), kind="stable")[:10]]
        found += len(set(truth.tolist()) & {h.passage_id for h in hits})
    assert found / (10 * len(questions)) >= 0.9
    write_corpus(corpus, 1500, 2)  # changes a third, removes a file, adds one: below the threshold
    lib.update([str(corpus)], progress=False)
    assert lib.info().ann == {} and lib.store.ef is None and lib.check() == []
    assert any("New report" in h.text for h in lib.ask("new report harbour strike", k=3, mode="dense"))
