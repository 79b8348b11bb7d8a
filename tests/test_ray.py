"""Embedding through Ray Data (Ray started locally) gives the index a local build gives."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import SAMPLES

import qa
from qa import sentvec

pytestmark = pytest.mark.model

if os.environ.get("QA_REQUIRE_SCALE"):
    import ray  # noqa: F401  (CI installs the scale extras: a missing Ray must fail, not skip)
else:
    pytest.importorskip("ray", reason="pip install 'article-qa[scale]' for the Ray tests")

QUESTIONS = ["How many dockworkers stopped working at the harbour?",
             "Which medicine will the countries buy together first?",
             "What did the museum put on show?"]


def contents(lib: qa.Library) -> dict:
    """Everything a build decides: ids, passage spans, vectors of passages, sentences, articles."""
    ids, vectors = lib.store.vectors()
    order = np.argsort(ids)
    rows = lib.catalog.passages(ids.tolist(), vectors=True)
    art_ids, art_vectors = lib.article_store.vectors()
    art_order = np.argsort(art_ids)
    return {
        "articles": sorted(lib.catalog.articles_index()),
        "passages": {i: (r.article_id, r.char_start, r.char_end, r.sentences) for i, r in rows.items()},
        "ids": ids[order], "vectors": vectors[order],
        "sentences": {i: sentvec.decode(r.sentence_vectors, lib.info().dimension) for i, r in rows.items()},
        "tokens": {i: r.sentence_tokens for i, r in rows.items()},
        "article_ids": art_ids[art_order], "article_vectors": art_vectors[art_order],
    }


def assert_same_index(a: qa.Library, b: qa.Library, atol: float) -> None:
    ca, cb = contents(a), contents(b)
    assert ca["articles"] == cb["articles"] and ca["passages"] == cb["passages"]
    assert np.array_equal(ca["ids"], cb["ids"]) and np.array_equal(ca["article_ids"], cb["article_ids"])
    np.testing.assert_allclose(ca["vectors"], cb["vectors"], atol=atol)
    np.testing.assert_allclose(ca["article_vectors"], cb["article_vectors"], atol=atol)
    for pid, sv in ca["sentences"].items():
        # stored as int8: values within float tolerance may round to neighbouring steps
        np.testing.assert_allclose(sv, cb["sentences"][pid], atol=atol + np.abs(sv).max() / 127 + 1e-6)
    for pid, bits in ca["tokens"].items():  # same token counts; signs of near-zero values may differ
        n = len(ca["passages"][pid][3])
        assert bits and bits[: 2 * n] == cb["tokens"][pid][: 2 * n]
        sa, sb = (np.unpackbits(np.frombuffer(x[2 * n:], np.uint8)) for x in (bits, cb["tokens"][pid]))
        assert len(sa) == len(sb) and (sa == sb).mean() > 0.99
    for q in QUESTIONS:
        assert [h.passage_id for h in a.ask(q, k=5)] == [h.passage_id for h in b.ask(q, k=5)]
    assert b.check() == []


def test_ray_build_and_update_match_local_ones(tmp_path):
    corpus = tmp_path / "news"
    shutil.copytree(SAMPLES, corpus)
    local = qa.Library.build([str(corpus)], str(tmp_path / "local"), backend="torch", progress=False)
    # The command a user runs; Ray starts on this machine, two actors, small batches.
    out = subprocess.run(
        [sys.executable, "-m", "qa.cli", "index", str(corpus), "--index", str(tmp_path / "ray"),
         "--backend", "torch", "--ray", "--ray-workers", "2", "--ray-batch-size", "8", "--quiet"],
        capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "embedded 31" in out.stdout, out.stdout
    distributed = qa.Library.open(str(tmp_path / "ray"))
    assert distributed.info().backend == "torch"
    assert_same_index(local, distributed, atol=1e-4)

    # An update through the API, one actor: a new article is embedded, the rest kept.
    world = corpus / "world.txt"
    world.write_text(world.read_text(encoding="utf-8") + "\n\nNew: a ferry line opens between the "
                     "two islands on Monday, with four sailings a day and bikes carried free.\n",
                     encoding="utf-8")
    local.update([str(corpus)], progress=False)
    summary = distributed.update([str(corpus)], progress=False, ray=qa.RayOptions(workers=1, batch_size=4))
    assert (summary.embedded, summary.kept) == (1, 31)
    assert_same_index(local, distributed, atol=1e-4)


def test_ray_options_are_checked():
    with pytest.raises(qa.InputError, match="workers"):
        qa.RayOptions(workers=0)


class _FlakyRay:
    """Ray's init failing the first `failures` times, as a local node that misses its start-up
    window does."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls, self.shutdowns = failures, 0, 0

    def init(self, **kwargs) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise Exception("The current node timed out during startup.")

    def shutdown(self) -> None:
        self.shutdowns += 1


def test_a_local_ray_that_fails_to_start_once_is_started_again():
    from qa.distributed import RayOptions, _start

    flaky = _FlakyRay(failures=1)
    _start(flaky, RayOptions(cpus=1))
    assert (flaky.calls, flaky.shutdowns) == (2, 1)
    broken = _FlakyRay(failures=5)
    with pytest.raises(qa.InputError, match="cannot start Ray on this machine: The current node timed out"):
        _start(broken, RayOptions(cpus=1))
    assert broken.calls == 2
    cluster = _FlakyRay(failures=1)  # a cluster's address is the user's to check, not retried
    with pytest.raises(qa.InputError, match="cannot start Ray on ray://head:10001"):
        _start(cluster, RayOptions(address="ray://head:10001"))
    assert cluster.calls == 1
