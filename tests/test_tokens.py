"""Token sign bits and the question-to-sentence token score, against brute-force numpy."""

from __future__ import annotations

import re

import numpy as np
import pytest
from fakes import FakeEmbedder

import qa
from qa import sentvec, tokens
from qa.embedder import SpanEncoding, pool_spans
from qa.highlight import WEIGHTS, rank_sentences


def _oracle(q: np.ndarray, toks: np.ndarray, offsets, spans, shares=None, joined=None) -> list[float]:
    """Loops over every question token and sentence token, from the float embeddings' signs
    (``joined``: a sentence's other sentence, whose tokens count as its own when it has some)."""
    shares = np.ones(len(q)) if shares is None else shares
    out = []
    for j, (a, b) in enumerate(spans):
        def within(a, b):
            return [t for t, (s, e) in zip(toks, offsets, strict=True) if e > s and s >= a and e <= b]
        inside = within(a, b)
        if inside and joined and joined[j] is not None:
            inside += within(*spans[joined[j]])
        if not inside:
            out.append(0.0)
            continue
        signs = [np.where(t > 0, 1.0, -1.0) / np.sqrt(len(t)) for t in inside]
        best = [max(float(qt @ s) for s in signs) for qt in q]
        out.append(sum(w * b for w, b in zip(shares, best, strict=True)) / sum(shares))
    return out


def test_token_scores_match_brute_force():
    rng = np.random.default_rng(3)
    for dim in (384, 20):  # 20: rows of packed bits end mid-byte
        toks = rng.standard_normal((30, dim)).astype(np.float32)
        # [CLS], 28 word pieces, [SEP]; sentence 3 lies past the tokens (truncated away)
        offsets = [(0, 0), *[(4 * i, 4 * i + 3) for i in range(28)], (0, 0)]
        spans = [(0, 40), (40, 112), (200, 260), (112, 200)]
        blob = pool_spans(toks, offsets, spans, dim)[1]
        qt = tokens.question_tokens(rng.standard_normal((7, dim)), [(0, 0), *[(i, i + 1) for i in range(5)], (0, 0)])
        q = qt.vectors
        assert q.shape == (5, dim) and np.allclose(np.linalg.norm(q, axis=1), 1)
        assert qt.spans == ((0, 1), (1, 2), (2, 3), (3, 4), (4, 5))
        got = tokens.scores(q, blob, len(spans))
        assert np.allclose(got, _oracle(q, toks, offsets, spans), atol=1e-5)
        assert got[2] == 0.0
        shares = np.array([1.0, 0.1, 1.0, 0.0, 0.5])
        weighted = tokens.scores(q, blob, len(spans), shares)
        assert np.allclose(weighted, _oracle(q, toks, offsets, spans, shares), atol=1e-5)
        assert not np.allclose(weighted, got)
        assert np.allclose(tokens.scores(q, blob, len(spans), np.zeros(5)), got)  # no shares: the plain mean
        joined = [None, 0, 1, 2]  # a table's rows take their header's tokens: 3 has none of its own
        both = tokens.scores(q, blob, len(spans), shares, joined)
        assert np.allclose(both, _oracle(q, toks, offsets, spans, shares, joined), atol=1e-5)
        assert both[0] == weighted[0] and both[2] == 0.0 and (both[[1, 3]] >= weighted[[1, 3]]).all()
        assert tokens.scores(q, blob, len(spans) + 1) is None  # not this passage's sentences
        assert tokens.scores(q[:, : dim - 8], blob, len(spans)) is None  # another model's width
        assert tokens.scores(q, None, len(spans)) is None


class TokenFake(FakeEmbedder):
    """The fake's words as its tokens: each word's vector, with the word's character offsets."""

    name = "test/fake-hash-64-tokens"

    def _forward(self, text):
        words = list(re.finditer(r"\w+", text.lower()))
        toks = np.vstack([np.zeros(self.dim), *(self._word(m.group(0)) for m in words)]).astype(np.float32)
        return toks, [(0, 0), *(m.span() for m in words)]

    def encode_spans(self, texts, spans):
        pooled = [pool_spans(*self._forward(t), ss, self.dim) for t, ss in zip(texts, spans, strict=True)]
        return SpanEncoding(self.encode(texts), [p[0] for p in pooled], [p[1] for p in pooled])

    def encode_tokens(self, texts):
        return self.encode(texts), [tokens.question_tokens(*self._forward(t)) for t in texts]


def three_articles(folder) -> list[str]:
    docs = {"port.md": "# Port strike\n\nThe dockworkers stopped work at the harbour. Cranes stood still.\n",
            "rain.md": "# Rain\n\nFloods closed the lower town. The river rose over the harbour wall.\n",
            "vote.md": "# Vote\n\nThe union will vote on the contract on Friday. Workers want more pay.\n"}
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [str(folder / name) for name in docs]


def without_tokens(fake: TokenFake):
    """The same model, used without its tokens (as an older version used it)."""
    class NoTokens:
        name, dim, max_tokens = fake.name, fake.dim, fake.max_tokens
        count_tokens, encode = fake.count_tokens, fake.encode

    return NoTokens()


def test_highlights_use_stored_tokens(tmp_path):
    (tmp_path / "port.md").write_text(  # no heading: its score would go to the sentence under it
        "---\ntitle: Port strike\n---\n\nThe dockworkers met on Monday. They stopped work at the harbour after the vote. "
        "Cranes stood still all week. The union wants a new contract.\n", encoding="utf-8")
    fake = TokenFake()
    lib = qa.Library.build([str(tmp_path / "port.md")], str(tmp_path / "idx"), embedder=fake, progress=False)
    question = "Where did the dockworkers stop work?"
    hit = lib.ask(question, k=1)[0]
    row = lib.catalog.passages([hit.passage_id], vectors=True)[hit.passage_id]
    assert row.sentence_tokens  # stored at index time, from the same pass as the vectors
    qvec, [qtok] = fake.encode_tokens([question])
    ranked = rank_sentences(question, qvec[0], [row], lib.lexicon, qtok)[0]
    plain = {h.char_start: h.score for h in rank_sentences(question, qvec[0], [row], lib.lexicon)[0]}
    matched = tokens.scores(qtok.vectors, row.sentence_tokens, len(row.sentences))
    vecs = sentvec.decode(row.sentence_vectors, fake.dim)
    for (a, _), m, v in zip(row.sentences, matched, vecs @ qvec[0], strict=True):
        # plain = 0.7 cosine + 0.3 words, so words = (plain - 0.7 cosine) / 0.3
        words = (plain[a] - 0.7 * v) / 0.3
        want = WEIGHTS[0] * m + WEIGHTS[1] * v + WEIGHTS[2] * words
        assert abs(next(h.score for h in ranked if h.char_start == a) - want) < 1e-3
    assert [h.text for h in hit.highlights] == [h.text for h in ranked[: len(hit.highlights)]]
    assert lib.highlight(question, hit.article_id)[0].text == ranked[0].text
    assert ranked[0].text == "They stopped work at the harbour after the vote."


def test_title_words_do_not_pick_the_sentence(tmp_path, monkeypatch):
    """The question's words that are in the article's title score a sentence as if the question
    had not said them (tokens and words alike; the question's vector is the whole question's),
    unless it has no other words."""
    (tmp_path / "port.md").write_text(
        "# Port strike\n\nThe port strike began on Monday. It ended at the harbour on Friday after "
        "a vote. Cranes stood still all week.\n", encoding="utf-8")
    fake = TokenFake()
    lib = qa.Library.build([str(tmp_path / "port.md")], str(tmp_path / "idx"), embedder=fake, progress=False)
    row = next(iter(lib.catalog.passages([1], vectors=True).values()))

    def scores(question, qvec=None):
        vec, [qtok] = fake.encode_tokens([question])
        ranked = rank_sentences(question, vec[0] if qvec is None else qvec, [row], lib.lexicon, qtok)[0]
        return {h.char_start: h.score for h in ranked}

    full, without = "When did the port strike end at the harbour?", "When did the end at the harbour?"
    qvec = fake.encode([full])[0]
    monkeypatch.setattr(qa.highlight, "TITLE_WORD_WEIGHT", 1.0)
    as_before = scores(full)
    monkeypatch.setattr(qa.highlight, "TITLE_WORD_WEIGHT", 0.0)
    got, want = scores(full), scores(without, qvec)
    assert got.keys() == want.keys() and all(abs(got[a] - want[a]) < 1e-6 for a in got)
    assert got != as_before
    best = max(got, key=got.get)
    assert row.text[best - row.char_start:].startswith("It ended at the harbour")
    # Only the title's words (and stopwords): they count, as they did.
    only = "What about the port strike?"
    monkeypatch.setattr(qa.highlight, "TITLE_WORD_WEIGHT", 1.0)
    plain = scores(only)
    monkeypatch.setattr(qa.highlight, "TITLE_WORD_WEIGHT", 0.0)
    assert scores(only) == plain


def test_token_match_is_a_fusion_signal(tmp_path):
    """With tokens, hybrid scores are the fusion without them plus TOKEN_WEIGHT times the
    question-to-passage token score, scaled from 0 to the best, renormalised (all candidates of
    this small corpus are within PAIR_DEPTH, so every one gets it)."""
    from qa.search import PAIR_DEPTH, TOKEN_WEIGHT, WEIGHTS

    fake = TokenFake()
    lib = qa.Library.build(three_articles(tmp_path), str(tmp_path / "idx"), embedder=fake, progress=False)
    plain = qa.Library.open(lib.path, embedder=without_tokens(fake))
    question = "Where did the dockworkers stop work?"
    hits = {h.passage_id: h.score for h in lib.ask(question, k=50, per_article=50, highlights=False)}
    base = {h.passage_id: h.score for h in plain.ask(question, k=50, per_article=50, highlights=False)}
    assert set(hits) == set(base) and len(hits) <= PAIR_DEPTH
    q = fake.encode_tokens([question])[1][0]
    rows = lib.catalog.passages(list(hits), vectors=True)

    def matched(pid):  # every question token's best sign-scaled cosine over the passage's tokens
        r = rows[pid]
        n = len(r.sentences)
        bits = np.unpackbits(np.frombuffer(r.sentence_tokens[2 * n:], np.uint8).reshape(-1, fake.dim // 8), axis=1)
        return float(np.mean([max((bits * 2.0 - 1) @ t) / np.sqrt(fake.dim) for t in q.vectors]))

    m = {pid: matched(pid) for pid in hits}
    lo, hi = min(*m.values(), 0.0), max(m.values())  # every passage is in the pool: scaled from 0
    for pid, score in hits.items():
        want = (base[pid] * WEIGHTS + TOKEN_WEIGHT * (m[pid] - lo) / (hi - lo)) / (WEIGHTS + TOKEN_WEIGHT)
        assert abs(score - want) < 1e-5
    assert max(hits, key=hits.get) == max(m, key=m.get)  # the port passage, by both


def test_an_index_stored_without_tokens_ranks_old_and_new_passages_alike_until_a_rebuild(tmp_path):
    """An index an older version wrote holds no tokens; an update adds passages with them. The
    token signal then counts for no passage (it would lift the new ones for having tokens),
    and a rebuild embeds the old ones again with their tokens, as a fresh build has them."""
    fake = TokenFake()
    paths = three_articles(tmp_path)
    index = str(tmp_path / "idx")
    qa.Library.build(paths[:2], index, embedder=without_tokens(fake), progress=False)
    lib = qa.Library.open(index, embedder=fake)
    assert lib.update(paths, progress=False).embedded == 1  # vote.md, with its tokens

    def stored(lib):
        rows = lib.catalog.passages(lib.catalog.passage_ids().tolist(), vectors=True)
        return {r.source.rsplit("/", 1)[-1]: r.sentence_tokens is not None for r in rows.values()}

    def scores(lib):
        return {h.article_id: h.score for h in lib.ask("Where did the workers stop work?", k=50,
                                                       highlights=False)}

    assert stored(lib) == {"port.md": False, "rain.md": False, "vote.md": True}
    assert scores(lib) == pytest.approx(scores(qa.Library.open(index, embedder=without_tokens(fake))), abs=1e-6)

    again = qa.Library.build(paths, index, embedder=fake, progress=False)  # a rebuild
    s = again.last_summary
    assert (s.embedded, s.resplit, s.kept) == (2, 2, 1)
    assert "embedded 2 (2 of them unchanged but split or embedded anew by this version)" in s.lines()[1]
    assert stored(again) == {"port.md": True, "rain.md": True, "vote.md": True}
    fresh = qa.Library.build(paths, str(tmp_path / "fresh"), embedder=fake, progress=False)
    assert scores(again) == pytest.approx(scores(fresh), abs=1e-6)
    assert scores(fresh) != pytest.approx(scores(qa.Library.open(index, embedder=without_tokens(fake))), abs=1e-3)
    s = qa.Library.build(paths, index, embedder=fake, progress=False).last_summary
    assert (s.embedded, s.resplit, s.changed) == (0, 0, False)
