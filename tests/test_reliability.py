"""Crash safety and concurrency: SIGKILLed writers, readers during commits, untrusted indexes."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time

import pytest
from killing import answers_of, kill_loop, run_worker, state, write_corpus

import qa


@pytest.mark.parametrize("mode", ["build", "update"])
def test_sigkill_at_random_moments_leaves_the_old_or_the_new_index(tmp_path, mode):
    report = kill_loop(tmp_path, mode, kills=10, seed=1 if mode == "build" else 2)
    assert report.kills >= 10
    # kill_loop itself asserts, after every kill, that `check` passes and that the index shows
    # exactly the old or the new state; that a completed run afterwards reaches the new state
    # and leaves no stale generation.
    assert report.saw_old + report.saw_new == report.kills + report.finished
    assert report.recoveries >= 3


def test_queries_while_another_process_commits_never_fail(tmp_path):
    corpus, index = tmp_path / "corpus", str(tmp_path / "index")
    write_corpus(corpus, 300, 1)
    run_worker("build", index, corpus, None)
    old = state(index)
    write_corpus(corpus, 300, 2)
    scratch = str(tmp_path / "scratch")
    shutil.copytree(index, scratch)
    run_worker("update", scratch, corpus, None)
    new = state(scratch)

    from fakes import FakeEmbedder

    lib = qa.Library.open(index, embedder=FakeEmbedder())
    expected = {old[1]: "old", new[1]: "new"}
    stop, failures = threading.Event(), []

    def writer() -> None:
        try:
            for version in (2, 1, 2, 1):
                write_corpus(corpus, 300, version)
                run_worker("update", index, corpus, None)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)
        finally:
            stop.set()

    thread = threading.Thread(target=writer)
    thread.start()
    seen, queries = [], 0
    while not stop.is_set():
        answers = answers_of(lib)  # one call: one generation
        queries += 1
        assert answers in expected, f"neither the old nor the new state at {lib.manifest['generation']}"
        if not seen or seen[-1] != expected[answers]:
            seen.append(expected[answers])
    thread.join()
    assert not failures, failures
    assert queries > 10
    # The open library followed the other process's commits without being reopened.
    assert len(seen) >= 2 and seen[-1] == "old"


def test_a_stale_lock_and_partial_first_build_are_explained_and_cleaned(tmp_path, capsys):
    from qa.cli import main

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, 30, 1)
    index.mkdir()
    (index / ".write.lock").write_text("")  # a lock file left by a killed process, not held
    (index / "gen-000001.tmp").mkdir()
    with pytest.raises(qa.IndexNotFoundError, match="interrupted first build"):
        qa.Library.open(str(index))
    run_worker("build", str(index), corpus, None)
    assert sorted(n for n in os.listdir(index) if n.startswith("gen-")) == ["gen-000001"]
    (index / "gen-000007.tmp").mkdir()
    assert main(["check", "--index", str(index)]) == 0
    assert "gen-000007.tmp was left by an interrupted" in capsys.readouterr().err


def _small_index(tmp_path) -> str:
    corpus, index = tmp_path / "corpus", str(tmp_path / "index")
    write_corpus(corpus, 30, 1)
    run_worker("build", index, corpus, None)
    return index


def _edit_manifest(index: str, **changes) -> None:
    path = os.path.join(index, "manifest.json")
    with open(path) as fh:
        data = json.load(fh)
    data.update(changes)
    with open(path, "w") as fh:
        json.dump(data, fh)


@pytest.mark.parametrize("generation", ["../../etc", "/tmp", "gen-1", ["gen-000001"], "gen-000001/../.."])
def test_a_manifest_cannot_point_outside_its_index(tmp_path, generation):
    index = _small_index(tmp_path)
    _edit_manifest(index, generation=generation)
    with pytest.raises(qa.IndexCorruptError, match="invalid generation"):
        qa.Library.open(index)


def test_untrusted_index_files_fail_to_open_and_run_nothing(tmp_path):
    import pickle

    index = _small_index(tmp_path)
    gen = os.path.join(index, "gen-000001")
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    payload = pickle.dumps(Exploit())
    for name in ("passages.faiss", "articles.faiss"):
        with open(os.path.join(gen, name), "wb") as fh:
            fh.write(payload)
        with pytest.raises(qa.IndexCorruptError, match="cannot read vector file"):
            qa.Library.open(index)
        shutil.copyfile(os.path.join(gen, "passages.faiss" if name == "articles.faiss" else "articles.faiss"),
                        os.path.join(gen, name))
    with open(os.path.join(gen, "catalog.sqlite"), "wb") as fh:
        fh.write(payload)
    with pytest.raises(qa.IndexCorruptError, match="not a database"):
        qa.Library.open(index)
    assert not marker.exists()


def test_a_catalog_with_its_tables_dropped_is_reported(tmp_path):
    import sqlite3

    index = _small_index(tmp_path)
    db = sqlite3.connect(os.path.join(index, "gen-000001", "catalog.sqlite"))
    db.execute("DROP TABLE duplicates")
    db.commit()
    db.close()
    with pytest.raises(qa.IndexCorruptError, match="lacks duplicates"):
        qa.Library.open(index)


def test_second_writer_in_another_process_waits_for_the_first(tmp_path):
    """Two `qa index` runs at once: the second waits on the lock, both finish, no interleaving."""
    corpus, index = tmp_path / "corpus", str(tmp_path / "index")
    write_corpus(corpus, 300, 1)
    run_worker("build", index, corpus, None)
    write_corpus(corpus, 300, 2)
    results = []
    threads = [threading.Thread(target=lambda: results.append(run_worker("update", index, corpus, None)))
               for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.2)
    for t in threads:
        t.join()
    assert results == [0, 0]
    assert qa.Library.open(index, embedder=__import__("fakes").FakeEmbedder()).check() == []


def test_a_sigkilled_build_resumes_from_what_it_had_embedded(tmp_path):
    import signal
    import subprocess
    import sys

    from killing import WORKER, complete_run

    from qa.journal import pending

    corpus, index, fresh = tmp_path / "corpus", str(tmp_path / "index"), str(tmp_path / "fresh")
    write_corpus(corpus, 900, 1)
    proc = subprocess.Popen([sys.executable, str(WORKER), "build", index, str(corpus)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while pending(index) < 256 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    kept = pending(index)
    assert proc.returncode == -signal.SIGKILL and 256 <= kept < 900
    assert complete_run("build", index, corpus) == kept
    run_worker("build", fresh, corpus, None)
    assert state(index) == state(fresh) and pending(index) == 0
