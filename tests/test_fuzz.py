"""Hostile input: readers and ask never crash, whatever the bytes or the question."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qa
from qa.readers import EXTENSIONS, ReadStats, read_articles

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

text_blobs = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=2000).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.lists(st.dictionaries(st.sampled_from(["id", "_id", "title", "text", "Body", "url", "date", "tags", "x"]),
                             st.one_of(st.none(), st.integers(), st.text(max_size=50),
                                       st.lists(st.text(max_size=5), max_size=3)), max_size=6),
             max_size=5).map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
)


@FUZZ
@given(data=text_blobs, ext=st.sampled_from(EXTENSIONS))
def test_readers_never_raise(tmp_path, data, ext):
    f = tmp_path / f"fuzz{ext}"
    f.write_bytes(data)
    stats = ReadStats()
    for article in read_articles([str(f)], stats):
        assert article.text.strip() and article.line_start >= 1 and isinstance(article.title, str)
    for skip in stats.skipped:
        assert skip.path.endswith(ext) and skip.reason


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    from conftest import SAMPLES, FakeEmbedder

    return qa.Library.build([str(SAMPLES)], str(tmp_path_factory.mktemp("fz") / "idx"),
                            embedder=FakeEmbedder(), progress=False)


@FUZZ
@given(question=st.text(max_size=300), mode=st.sampled_from(["hybrid", "dense", "lexical"]))
def test_ask_returns_hits_or_a_clear_error(lib, question, mode):
    try:
        hits = lib.ask(question, k=3, mode=mode)
    except qa.InputError:
        return
    assert len(hits) <= 3 and all(isinstance(h, qa.Hit) for h in hits)


@pytest.mark.parametrize("question", ['"', "AND", "NEAR(a b)", "* OR *", "col:text", "x" * 100_000, "\u202e\u0000"])
def test_fts_syntax_in_questions_is_just_text(lib, question):
    try:
        hits = lib.ask(question, mode="lexical")
    except qa.InputError as exc:
        assert "empty" in str(exc)  # only a question with no printable text is refused
        return
    assert isinstance(hits, list) and all(isinstance(h, qa.Hit) for h in hits)
