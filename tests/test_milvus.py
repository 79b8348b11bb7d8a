"""The Milvus store (milvus-lite file and loopback server) answers as the FAISS default does."""

from __future__ import annotations

import dataclasses
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
from qa import indexdir, milvus_store

if os.environ.get("QA_REQUIRE_SCALE"):
    import pymilvus  # noqa: F401  (CI installs the scale extras: a missing client must fail)
else:
    pytest.importorskip("milvus_lite", reason="pip install 'article-qa[scale]' for the Milvus tests")

QUESTIONS = ["How many dockworkers stopped working at the harbour?", "How strong was the quake?",
             "library reopens after the flood", "Which medicine will the countries buy together?"]


def same_hits(x: list, y: list) -> None:
    """Equal in everything; scores within float32 noise (Milvus and FAISS sum in other orders,
    so a score rounded to 6 places can land either side of a rounding boundary)."""
    assert [dataclasses.replace(h, score=0.0) for h in x] == [dataclasses.replace(h, score=0.0) for h in y]
    assert all(abs(g.score - h.score) <= 2e-6 for g, h in zip(x, y, strict=True)), (x, y)


def same_answers(a: qa.Library, b: qa.Library) -> None:
    for q in QUESTIONS:
        for mode in ("dense", "hybrid", "lexical"):
            same_hits(a.ask(q, k=5, mode=mode), b.ask(q, k=5, mode=mode))
        same_hits(a.ask(q, k=3), b.ask(q, k=3))  # references, highlights, ranks: everything
        only = {"source": "*world.txt"}
        assert [h.passage_id for h in a.ask(q, k=3, filters=only)] == \
               [h.passage_id for h in b.ask(q, k=3, filters=only)]
    first = a.catalog.articles_index()[0][1]
    same_hits(a.similar(first, k=4), b.similar(first, k=4))
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

    # An update changes the live collections in place: nothing is copied or read in bulk.
    # Readers still on the previous generation keep seeing exactly what it had.
    def refuse(*a, **k):
        raise AssertionError("a collection was read in bulk")

    where = lib.manifest["store"]
    old_view = milvus_store.MilvusStore.open(where["uri"], where["passages"], fake.dim, generation=1)
    before_ids = sorted(old_view.ids().tolist())
    monkeypatch.setattr(milvus_store.MilvusStore, "vectors", refuse)
    monkeypatch.setattr(milvus_store.MilvusStore, "batches", refuse)
    world = corpus / "world.txt"
    world.write_text(world.read_text(encoding="utf-8").replace("dockworkers", "port workers")
                     + "\n\nA ferry line opens between the two islands on Monday.\n", encoding="utf-8")
    (corpus / "science.jsonl").unlink()
    local.update([str(corpus)], progress=False)
    lib.update([str(corpus)], progress=False)
    same_answers(local, lib)
    assert collections(lib) == ["news_g000001_articles", "news_g000001_passages"]
    assert lib.manifest["store"]["passages"] == "news_g000001_passages"
    assert sorted(old_view.ids().tolist()) == before_ids != sorted(lib.store.ids().tolist())
    monkeypatch.undo()

    # A write that dies while embedding leaves its rows in the collections, unseen: the live
    # generation still answers as before. The next write (same generation number: the dead one
    # never published) removes them first.
    (corpus / "extra.txt").write_text("A new bakery opened on the square.\n\nThe choir sang.\n")
    world.write_text(world.read_text(encoding="utf-8").replace("ferry line", "ferry route"), encoding="utf-8")
    before = [lib.ask(q, k=3) for q in QUESTIONS]

    def crash(*a, **k):
        raise RuntimeError("simulated crash")

    with monkeypatch.context() as m:  # dies after every row is written, before publishing
        m.setattr(indexdir.Writer, "publish", crash)
        with pytest.raises(RuntimeError, match="simulated crash"):
            lib.update([str(corpus)], progress=False)
    everything = milvus_store.MilvusStore.open(where["uri"], where["passages"], fake.dim)  # no view
    assert everything.count() > lib.store.count()  # the dead write's rows are there
    lib.refresh()
    assert [lib.ask(q, k=3) for q in QUESTIONS] == before and lib.check() == []
    local.update([str(corpus)], progress=False)
    lib.update([str(corpus)], progress=False)
    same_answers(local, lib)
    # What remains: the live rows and those the previous generation's readers may still need.
    gen2 = milvus_store.MilvusStore.open(where["uri"], where["passages"], fake.dim, generation=2)
    everything._count = None
    assert everything.count() == len(set(lib.store.ids().tolist()) | set(gen2.ids().tolist()))
    assert collections(lib) == ["news_g000001_articles", "news_g000001_passages"]
    # Removing a folder takes its rows out of the collections too.
    assert local.remove(str(corpus / "local"), progress=False).removed == 4
    assert lib.remove(str(corpus / "local"), progress=False).removed == 4
    same_answers(local, lib)
    assert lib.check() == [] and lib.store.count() == local.store.count()


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
    assert lib.manifest["store"]["passages"].endswith("_g000001_passages")  # indexed in place

    # Changes a third, removes a file, adds one: 1,040 passages, below the threshold but above
    # half of it, so it stays HNSW (changed in place, ef measured again: it shrank by a third).
    write_corpus(corpus, 1500, 2)
    lib.update([str(corpus)], progress=False)
    ann = lib.info().ann
    assert ann["kind"] == "hnsw" and ann["passages"] == 1040 and ann["recall_at_10"] >= 0.95
    assert lib.manifest["store"]["passages"].endswith("_g000001_passages") and lib.check() == []
    assert any("New report" in h.text for h in lib.ask("new report harbour strike", k=3, mode="dense"))
    # Below half the threshold: exact again, in a new collection (readers keep the HNSW one).
    lib.update([str(corpus)], progress=False, approx_threshold=3000)
    assert lib.info().ann == {} and lib.store.ef is None and lib.check() == []
    assert lib.manifest["store"]["passages"].endswith("_g000003_passages")
    assert lib.store.count() == 1040
    assert any("New report" in h.text for h in lib.ask("new report harbour strike", k=3, mode="dense"))


def test_collections_written_before_rows_were_versioned_are_read_then_copied(tmp_path):
    # Indexes written before versioned rows have plain (id, vector) collections and no
    # "versioned" in the manifest: readers search them unfiltered; the next write copies them.
    import json

    from pymilvus import DataType

    fake = FakeEmbedder()
    local = qa.Library.build([str(SAMPLES)], str(tmp_path / "faiss"), embedder=fake, progress=False)
    lib = qa.Library.build([str(SAMPLES)], str(tmp_path / "milvus"), embedder=fake, progress=False,
                           store=str(tmp_path / "v.db#old"))
    where = lib.manifest["store"]
    c = milvus_store.client(where["uri"])
    for key, source in (("passages", lib.store), ("articles", lib.article_store)):
        name = f"old_plain_{key}"
        schema = c.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=fake.dim)
        index = c.prepare_index_params()
        index.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        c.create_collection(name, schema=schema, index_params=index)
        ids, vectors = source.vectors()
        c.insert(name, [{"id": int(i), "vector": v.tolist()} for i, v in zip(ids, vectors, strict=True)])
        c.flush(name)
        where = {**where, key: name}
    lib.close()
    manifest_path = tmp_path / "milvus" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["store"] = {k: v for k, v in where.items() if k != "versioned"}
    manifest_path.write_text(json.dumps(manifest))

    old = qa.Library.open(str(tmp_path / "milvus"), embedder=fake)
    assert old.store.generation is None and old.store.collection == "old_plain_passages"
    same_answers(local, old)
    old.update([str(SAMPLES)], progress=False)
    assert old.manifest["store"]["versioned"] and old.store.collection == "old_g000002_passages"
    same_answers(local, old)
    assert "old_plain_passages" in collections(old)  # readers of generation 1 may still use it


def test_milvus_updates_killed_at_random_moments_and_a_reader_meanwhile(tmp_path, milvus_server):
    # Versioned rows make the manifest the only switch: an update SIGKILLed at any moment
    # leaves the old or the new state, and a reader asking all along (another process writes)
    # only ever sees one of the two.
    import random
    import signal
    import threading

    from killing import answers_of, run_worker, state, write_corpus

    corpus, index = write_corpus(tmp_path / "corpus", 300, 1), str(tmp_path / "idx")
    qa.Library.build([str(corpus)], index, embedder=FakeEmbedder(), progress=False,
                     store=f"milvus://127.0.0.1:{milvus_server}/kills").close()
    states = {1: state(index)}
    write_corpus(corpus, 300, 2)
    start = time.perf_counter()
    run_worker("update", index, corpus, None)
    full = time.perf_counter() - start
    states[2] = state(index)
    assert states[1] != states[2]
    answers = {states[v][1]: v for v in states}

    reader = qa.Library.open(index, embedder=FakeEmbedder())
    stop, seen = threading.Event(), []

    def ask_all_along() -> None:
        while not stop.is_set():
            seen.append(answers.get(answers_of(reader)))  # one call: one generation

    thread = threading.Thread(target=ask_all_along)
    thread.start()
    rng, version, kills, outcomes = random.Random(5), 2, 0, []
    try:
        while (kills < 5 or len(set(outcomes)) < 2) and len(outcomes) < 30:
            target = 3 - version
            write_corpus(corpus, 300, target)
            late = full * (2.0 if len(outcomes) % 2 else 0.9)  # every other run may finish
            kills += run_worker("update", index, corpus, rng.uniform(0.1, late)) == -signal.SIGKILL
            now = state(index)  # also runs `check`: catalog and collections agree
            assert now in (states[version], states[target])
            version = target if now == states[target] else version
            outcomes.append(version)
    finally:
        stop.set()
        thread.join()
    assert kills >= 5 and len(set(outcomes)) == 2, (kills, outcomes)
    assert len(seen) > 10 and None not in seen and set(seen) == {1, 2}
    # A completed update afterwards reaches the new state; what the collection keeps is what
    # the live and the replaced generation see (the killed writes' rows are gone).
    write_corpus(corpus, 300, 3 - version)
    run_worker("update", index, corpus, None)
    assert state(index) == states[3 - version]
    lib = qa.Library.open(index, embedder=FakeEmbedder())
    where, live = lib.manifest["store"], int(lib.manifest["generation"][4:])
    views = [milvus_store.MilvusStore.open(where["uri"], where["passages"], lib.store.dim, generation=g)
             for g in (live - 1, live, None)]
    assert views[2].count() == len(set(views[0].ids().tolist()) | set(views[1].ids().tolist()))


def test_a_copied_index_folder_cannot_write_to_collections_its_original_moved_on(tmp_path):
    fake = FakeEmbedder()
    corpus = tmp_path / "news"
    shutil.copytree(SAMPLES, corpus)
    lib = qa.Library.build([str(corpus)], str(tmp_path / "a"), embedder=fake, progress=False,
                           store=str(tmp_path / "v.db#shared"))
    shutil.copytree(tmp_path / "a", tmp_path / "b")  # both name the same collections
    (corpus / "extra.txt").write_text("A new bakery opened on the square.\n")
    lib.update([str(corpus)], progress=False)
    answers = [lib.ask(q, k=3) for q in QUESTIONS]
    copy = qa.Library.open(str(tmp_path / "b"), embedder=fake)  # one generation behind: readable
    (corpus / "extra.txt").unlink()
    with pytest.raises(qa.IndexMismatchError, match="another copy of this index folder"):
        copy.update([str(corpus)], progress=False)
    copy.close()
    assert [lib.ask(q, k=3) for q in QUESTIONS] == answers and lib.check() == []
    lib.update([str(corpus)], progress=False)  # two generations ahead: the copy may miss rows
    with pytest.raises(qa.IndexMismatchError, match="moved on to generation 3"):
        qa.Library.open(str(tmp_path / "b"), embedder=fake)
    # A fresh copy moved into its own collections: vectors copied, nothing embedded.
    answers = [lib.ask(q, k=3) for q in QUESTIONS]
    shutil.rmtree(tmp_path / "b")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    copy = qa.Library.build([str(corpus)], str(tmp_path / "b"), embedder=fake, progress=False,
                            store=str(tmp_path / "v.db#mine"))
    assert copy.manifest["store"]["prefix"] == "mine" and copy.check() == []
    assert copy.last_summary.embedded == 0
    assert [lib.ask(q, k=3) for q in QUESTIONS] == answers
    for q, hits in zip(QUESTIONS, answers, strict=True):
        same_hits(copy.ask(q, k=3), hits)


def test_an_index_and_its_milvus_lite_file_deleted_are_built_again_in_the_same_session(tmp_path):
    # The client kept for the deleted file (and milvus-lite's server for its path) still held the
    # old collections: the new build was refused as sharing them with another index folder.
    fake = FakeEmbedder()
    lib = qa.Library.build([str(SAMPLES)], str(tmp_path / "idx"), embedder=fake, progress=False,
                           store=str(tmp_path / "v.db"))
    answers = [lib.ask(q, k=3) for q in QUESTIONS]
    lib.close()
    shutil.rmtree(tmp_path / "idx")
    shutil.rmtree(tmp_path / "v.db")  # (milvus-lite keeps a folder under the name)
    again = qa.Library.build([str(SAMPLES)], str(tmp_path / "idx"), embedder=fake, progress=False,
                             store=str(tmp_path / "v.db"))
    assert again.check() == [] and os.path.exists(tmp_path / "v.db")
    for q, hits in zip(QUESTIONS, answers, strict=True):
        same_hits(again.ask(q, k=3), hits)
    again.close()


def test_two_index_folders_given_the_same_store_name_never_drop_each_others_vectors(tmp_path):
    fake = FakeEmbedder()
    store = str(tmp_path / "v.db")  # both take the default collection prefix, "qa"
    a = qa.Library.build([str(SAMPLES)], str(tmp_path / "a"), embedder=fake, progress=False, store=store)
    answers = [a.ask(q, k=3) for q in QUESTIONS]
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("The harbour festival returns in June with boat races.\n")
    # Same generation, so the same collection names: refused with the way out, nothing dropped.
    with pytest.raises(qa.IndexMismatchError, match=r"belongs to another index folder.*PATH\.db#NAME"):
        qa.Library.build([str(other)], str(tmp_path / "b"), embedder=fake, progress=False, store=store)
    assert [a.ask(q, k=3) for q in QUESTIONS] == answers
    # Another generation number, so other names: the second folder's clean-up of stale "qa_"
    # collections must leave the first folder's alone.
    b = qa.Library.build([str(other)], str(tmp_path / "b"), embedder=fake, progress=False)
    (other / "more.txt").write_text("Boat races start at noon from the old pier.\n")
    b.close()
    b = qa.Library.build([str(other)], str(tmp_path / "b"), embedder=fake, progress=False, store=store)
    assert b.manifest["store"]["passages"] == "qa_g000002_passages"
    assert a.manifest["store"]["passages"] in collections(b)
    b.update([str(other)], progress=False)  # in place, then clean-up again
    assert [a.ask(q, k=3) for q in QUESTIONS] == answers and a.check() == []
    a.update([str(SAMPLES)], progress=False)
    assert b.check() == [] and len(b.ask("boat races", k=3)) == 2


def test_search_among_many_allowed_ids_matches_a_numpy_oracle(tmp_path, monkeypatch):
    # Few allowed ids go to Milvus as a filter; with many, an unfiltered search deep enough to
    # hold k of them is filtered here (deeper while too few), else the id list after all.
    import numpy as np

    monkeypatch.setattr(milvus_store, "MAX_LIMIT", 400)
    rng = np.random.default_rng(7)
    dim, n = 8, 3000
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(10, 10 + n, dtype=np.int64)
    uri = str(tmp_path / "v.db")
    writer = milvus_store.MilvusStore.create(uri, "t_g000001_passages", dim, 1, "me")
    writer.add(ids, vectors)
    writer.save("")
    # Generation 2 removes 500 rows and adds 500: a reader of generation 1 must not notice.
    later = milvus_store.MilvusStore.open(uri, "t_g000001_passages", dim, generation=2, writer=True, owner="me")
    later.remove(ids[:500].tolist())
    later.add(ids + 100_000, vectors[::-1].copy())
    later.save("")
    reader = milvus_store.MilvusStore.open(uri, "t_g000001_passages", dim, generation=1)
    seen = []
    search = reader._client.search
    monkeypatch.setattr(reader._client, "search",
                        lambda *a, **kw: seen.append((kw["filter"], kw["limit"])) or search(*a, **kw))
    queries = rng.standard_normal((3, dim)).astype(np.float32)
    far = ids[np.argsort(vectors @ queries[0])[:1000]]  # none near the first query
    cases = [(np.sort(rng.choice(ids, size, replace=False)), k)
             for size, k in ((30, 10), (2500, 10), (1200, 10), (1200, 300))] + [(np.sort(far), 10)]
    for allowed, k in cases:
        seen.clear()
        got_scores, got_ids = reader.search(queries, k, allowed)
        exact = queries @ vectors[np.isin(ids, allowed)].T
        for row in range(len(queries)):
            order = np.argsort(-exact[row])[:k]
            want = allowed[order]
            assert got_ids[row][:len(want)].tolist() == want.tolist(), (len(allowed), k)
            assert np.allclose(got_scores[row][:len(want)], exact[row][order], atol=1e-5)
            assert (got_ids[row][len(want):] == -1).all()
        sent = [f.count(",") + 1 if f.startswith("id in") else f.startswith("added <=") and limit
                for f, limit in seen]
        if len(allowed) in (2500, 1200) and k == 10:
            assert sent == [int(np.ceil(2 * k * n / len(allowed)))]  # unfiltered, versioned
        elif len(allowed) == len(far):  # 60 -> 240 -> 400 deep, then the list
            assert sent == [60, 240, 400, 1000]
        else:
            assert sent == [len(allowed)]


def test_vectors_moved_back_from_milvus_beyond_the_on_disk_threshold_go_straight_to_disk(tmp_path, monkeypatch):
    from killing import write_corpus

    from qa.ondisk import OnDiskBuilder
    from qa.store import FaissStore

    fake = FakeEmbedder()
    corpus = write_corpus(tmp_path / "big", 3000, 1)  # 3,000 one-passage articles
    index = str(tmp_path / "idx")
    lib = qa.Library.build([str(corpus)], index, embedder=fake, progress=False, approx_threshold=500,
                           ondisk_threshold=1000, store=str(tmp_path / "v.db"))
    questions = ["harbour strike over wages in district 3", "telescope with a large mirror", "flood boats"]
    before = [[h.passage_id for h in lib.ask(q, k=5, mode="lexical")] for q in questions]
    lib.close()
    added = {"faiss": 0, "ondisk": 0}
    for cls, key in ((FaissStore, "faiss"), (OnDiskBuilder, "ondisk")):
        def spy(self, ids, vectors, _add=cls.add, _key=key):
            added[_key] += len(ids)
            return _add(self, ids, vectors)
        monkeypatch.setattr(cls, "add", spy)
    lib = qa.Library.build([str(corpus)], index, embedder=fake, progress=False, store="faiss")
    # 3,000 passages and 3,000 articles, both beyond the threshold: none held in memory.
    assert added == {"faiss": 0, "ondisk": 6000}
    assert lib.info().index_kind == "ivf-ondisk" and lib.article_store.kind == "ivf-ondisk"
    assert lib.check() == []
    assert lib.last_summary.embedded == 0
    assert [[h.passage_id for h in lib.ask(q, k=5, mode="lexical")] for q in questions] == before


def test_every_write_seals_both_collections_before_publishing(tmp_path, monkeypatch):
    """Rows left unflushed are searched one by one by milvus-lite in the writing process (a
    server that took an upload), and readers must find every row the manifest names."""
    corpus = tmp_path / "news"
    shutil.copytree(SAMPLES, corpus)
    events: list[str] = []
    save, publish = milvus_store.MilvusStore.save, indexdir.Writer.publish

    def saved(self, path):
        events.append(f"save {self.collection}")
        return save(self, path)

    def published(self, manifest):
        events.append(f"publish {manifest['store']['passages']} {manifest['store']['articles']}")
        return publish(self, manifest)

    monkeypatch.setattr(milvus_store.MilvusStore, "save", saved)
    monkeypatch.setattr(indexdir.Writer, "publish", published)
    fake = FakeEmbedder()
    lib = qa.Library.build([str(corpus)], str(tmp_path / "milvus"), embedder=fake, progress=False,
                           store=str(tmp_path / "vectors.db"))
    (corpus / "extra.txt").write_text("A ferry line opens between the two islands on Monday.\n")
    lib.update([str(corpus)])
    publishes = [i for i, e in enumerate(events) if e.startswith("publish")]
    assert len(publishes) == 2
    for start, end in zip([0, publishes[0] + 1], publishes, strict=True):  # each write's own saves
        _, passages, articles = events[end].split()
        assert {f"save {passages}", f"save {articles}"} <= set(events[start:end])
