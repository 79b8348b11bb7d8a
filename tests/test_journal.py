"""Resuming an interrupted build or update from its journal (qa.journal)."""

from __future__ import annotations

import hashlib
import os
from types import SimpleNamespace

import numpy as np
import pytest
from fakes import FakeEmbedder
from killing import write_corpus

import qa
import qa.indexer
from qa.cli import main
from qa.embedder import SpanEncoding, encode_spans
from qa.journal import JOURNAL, RECORDS, pending


class TokenFake(FakeEmbedder):
    """A fake that also gives token bits, as the real backends do, so they go through the journal."""

    name = "test/fake-with-tokens"

    def encode_spans(self, texts, spans):
        plain = SimpleNamespace(encode=self.encode, dim=self.dim)  # the generic path, no tokens
        vectors, sentence_vectors, _ = encode_spans(plain, texts, spans)
        tokens = [hashlib.sha256(t.encode()).digest() * (1 + len(t) % 3) for t in texts]
        return SpanEncoding(vectors, sentence_vectors, tokens)


def interrupt(corpus, index, after: int = 1000) -> int:
    """Build until the fake fails after ``after`` texts; how many passages the journal kept."""
    crashing = TokenFake()
    crashing.fail_after = after
    with pytest.raises(RuntimeError, match="simulated crash"):
        build(corpus, index, crashing)
    return pending(str(index))


def build(corpus, index, embedder):
    return qa.Library.build([str(corpus)], str(index), embedder=embedder, progress=False)


def contents(lib: qa.Library) -> tuple:
    """Everything embedding produced, by passage: vectors, article vectors, sentence blobs."""
    ids, vectors = lib.store.vectors()
    order = np.argsort(ids)
    arts, avectors = lib.article_store.vectors()
    aorder = np.argsort(arts)
    rows = lib.catalog.passages(ids.tolist(), vectors=True)
    sentences = sorted((pid, r.text, r.sentence_vectors, r.sentence_tokens) for pid, r in rows.items())
    assert all(s[2] and s[3] for s in sentences)
    return (ids[order].tolist(), vectors[order].tobytes(), arts[aorder].tolist(),
            avectors[aorder].tobytes(), sentences)


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "corpus", 600, 1)  # 600 passages: five batches


@pytest.fixture
def fresh(corpus, tmp_path):
    """What an uninterrupted build gives, and how many texts it embedded."""
    embedder = TokenFake()
    with build(corpus, tmp_path / "fresh", embedder) as lib:
        return contents(lib), embedder.texts_encoded


def test_an_interrupted_first_build_resumes_where_it_stopped(corpus, tmp_path, fresh):
    index = tmp_path / "idx"
    done = interrupt(corpus, index, 1000)  # kept, though nothing was published
    assert done == 256  # texts: a passage and its two sentences are three; two batches were done
    with pytest.raises(qa.IndexNotFoundError, match=f"left {done} embedded passages there; run the same"):
        qa.Library.open(str(index))

    again = TokenFake()
    with build(corpus, index, again) as lib:
        assert lib.last_summary.resumed == done
        assert f"resumed: {done} passages" in "\n".join(lib.last_summary.lines())
        assert again.texts_encoded == fresh[1] - 3 * done  # the rest, once
        assert contents(lib) == fresh[0] and lib.check() == []
    assert not os.path.exists(index / JOURNAL) and pending(str(index)) == 0


def test_each_interruption_adds_to_what_the_last_one_kept(corpus, tmp_path, fresh):
    index = tmp_path / "idx"
    kept = [interrupt(corpus, index, stop) for stop in (700, 500, 400)]
    assert kept == [128 * 1, 128 * 2, 128 * 3]  # finished batches only; none embedded twice
    last = TokenFake()
    with build(corpus, index, last) as lib:
        assert last.texts_encoded == fresh[1] - 3 * kept[-1] and lib.last_summary.resumed == kept[-1]
        assert contents(lib) == fresh[0]


def test_an_interrupted_update_resumes_even_after_the_files_changed(corpus, tmp_path, capsys):
    index = tmp_path / "idx"
    build(corpus, index, TokenFake()).close()
    write_corpus(corpus, 600, 2)  # changes, removes and adds articles
    crashing = TokenFake()
    crashing.fail_after = 500
    with pytest.raises(RuntimeError):
        qa.Library.open(str(index), embedder=crashing).update([str(corpus)], progress=False)
    done = pending(str(index))
    assert done == 128
    with qa.Library.open(str(index), embedder=TokenFake()) as lib:
        assert lib.info().articles == 600  # the old index still answers meanwhile
    assert main(["check", "--index", str(index)]) == 0
    assert f"left {done} embedded passages in journal/" in capsys.readouterr().err
    (corpus / "late.txt").write_text("A late report on the harbour strike.\n", encoding="utf-8")
    with qa.Library.open(str(index), embedder=TokenFake()) as lib:
        s = lib.update([str(corpus)], progress=False)
        assert s.resumed == done and lib.check() == []
        expected = TokenFake()
        with build(corpus, tmp_path / "fresh", expected) as ref:
            assert [(h.article_id, h.text) for h in lib.ask("harbour strike wages", k=5)] == \
                   [(h.article_id, h.text) for h in ref.ask("harbour strike wages", k=5)]
    assert pending(str(index)) == 0


def test_a_torn_journal_is_cut_and_a_damaged_record_embedded_again(corpus, tmp_path, fresh):
    index = tmp_path / "idx"
    done = interrupt(corpus, index)
    records = index / JOURNAL / RECORDS
    size = records.stat().st_size
    with open(records, "r+b") as fh:  # the last record half written
        fh.truncate(size - size // done // 2)
    segment = next(p for p in (index / JOURNAL).iterdir() if p.name.startswith("sentences-"))
    with open(segment, "r+b") as fh:  # a page of the first passage's sentence vectors lost
        fh.seek(10)
        fh.write(b"\0" * 64)
    again = TokenFake()
    with build(corpus, index, again) as lib:
        assert lib.last_summary.resumed == done - 2
        assert contents(lib) == fresh[0] and lib.check() == []


def test_a_journal_of_another_model_is_not_used(corpus, tmp_path, fresh):
    index = tmp_path / "idx"
    assert interrupt(corpus, index) > 0
    other = FakeEmbedder()  # another name: its vectors would differ
    with build(corpus, index, other) as lib:
        assert lib.last_summary.resumed == 0 and lib.info().model == FakeEmbedder.name
    assert not os.path.exists(index / JOURNAL)


def test_a_failed_first_build_that_embedded_nothing_leaves_no_folder(tmp_path):
    crashing = TokenFake()
    crashing.fail_after = 0
    (tmp_path / "one.txt").write_text("A single short article.\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        build(tmp_path / "one.txt", tmp_path / "idx", crashing)
    assert not (tmp_path / "idx").exists()


def test_the_journal_of_a_published_write_is_not_said_to_be_resumable(corpus, tmp_path, monkeypatch, capsys):
    # A process stopped after publishing, before removing its journal (seen once in the SIGKILL
    # test): `qa check` said the next `qa index` would reuse its 600 passages; it cannot (the
    # next write is of the next generation) and reuses none.
    index = tmp_path / "idx"
    with monkeypatch.context() as m:
        m.setattr(qa.indexer, "discard", lambda directory: None)
        build(corpus, index, TokenFake()).close()
    assert os.path.getsize(index / JOURNAL / RECORDS) > 0 and pending(str(index)) == 0
    assert main(["check", "--index", str(index)]) == 0
    assert "journal" not in capsys.readouterr().err
    (corpus / "part0.txt").write_text("A new report on the harbour strike.\n", encoding="utf-8")
    with qa.Library.open(str(index), embedder=TokenFake()) as lib:
        assert lib.update([str(corpus)], progress=False).resumed == 0
    assert not os.path.exists(index / JOURNAL)
