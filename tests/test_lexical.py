"""The BM25 index against a plain-Python oracle, SQLite FTS5, and a fresh build after updates."""

from __future__ import annotations

import math
import os
import sqlite3
from collections import Counter

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import qa
from qa.lexical import IDF_FLOOR, K1, Analyzer, B, LexicalIndex

QUESTIONS = ["harbour strike", "comet telescope", "teachers pay rise", "flood library",
             "tram airport", "Which river flooded the lower town?", "the of and"]


def build(paths, where, fake):
    return qa.Library.build([str(p) for p in paths], str(where), embedder=fake, progress=False)


def passage_texts(lib) -> dict[int, str]:
    return dict(lib.catalog.lexical_texts_from(0))


def oracle(texts: dict[int, str], question: str) -> dict[int, float]:
    """BM25 written out term by term, the way FTS5's bm25() documents it."""
    analyse = Analyzer()
    docs = {pid: Counter(analyse(t)) for pid, t in texts.items()}
    n = len(docs)
    avgdl = sum(sum(d.values()) for d in docs.values()) / n
    query = Counter(analyse(" ".join(qa.lexical.query_terms(question))))
    out = {}
    for pid, d in docs.items():
        dl = sum(d.values())
        score = 0.0
        for term, count in query.items():
            df = sum(1 for other in docs.values() if term in other)
            if d[term]:
                idf = math.log((n - df + 0.5) / (df + 0.5))
                idf = idf if idf > 0 else IDF_FLOOR
                score += count * idf * d[term] * (K1 + 1) / (d[term] + K1 * (1 - B + B * dl / avgdl))
        if score:
            out[pid] = score
    return out


def test_scores_match_a_term_by_term_oracle(samples, tmp_path, fake):
    lib = build([samples], tmp_path / "idx", fake)
    texts = passage_texts(lib)
    assert len(texts) == len(lib.lexicon) > 20
    for question in QUESTIONS:
        got = lib.lexicon.scores(question)
        want = oracle(texts, question)
        assert {p for p, s in zip(lib.lexicon.pids.tolist(), got, strict=True) if s > 0} == set(want)
        for pid, s in want.items():
            assert lib.lexicon.lookup(got, [pid])[0] == pytest.approx(s, rel=1e-9)
        top = lib.lexicon.top(got, 5)
        assert [p for p, _ in top] == sorted(want, key=lambda p: (-want[p], p))[:5]


def test_the_ideal_score_is_what_a_passage_of_average_length_holding_each_word_once_scores(tmp_path, fake):
    folder = tmp_path / "notes"
    folder.mkdir()
    # passages of the same length (a title, counted with the text, and four words): each of average length
    words = ["harbour strike crane quay", "ferry tolls night bus", "storm river flood town", "comet sky lens moon"]
    for i, text in enumerate(words * 3):
        (folder / f"n{i}.md").write_text(f"# Note\n\n{text}\n", encoding="utf-8")
    (folder / "whole.md").write_text("# Note\n\nstrike ferry flood comet\n", encoding="utf-8")
    lib = build([folder], tmp_path / "idx", fake)
    whole = next(h.passage_id for h in lib.ask("strike", k=20, mode="lexical") if h.source.endswith("whole.md"))
    for question in ("strike ferry flood comet?", "Did the strike stop the ferry?", "strike strike comet"):
        ideal = lib.lexicon.ideal(question)
        assert ideal == pytest.approx(lib.lexicon.lookup(lib.lexicon.scores(question), [whole])[0], rel=1e-9)
        assert ideal == pytest.approx(oracle(passage_texts(lib), question)[whole], rel=1e-9)
    assert lib.lexicon.ideal("the of and unknownword") == 0.0
    lib.close()


def test_scores_agree_with_sqlite_fts5_bm25(small_corpus, tmp_path, fake):
    # An independent implementation: FTS5 with the tokenizer the analyser mirrors. Only words
    # whose Porter stems agree in both are used (FTS5 adds two later rules, e.g. -logy).
    lib = build([small_corpus], tmp_path / "idx", fake)
    texts = passage_texts(lib)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(text, tokenize='porter unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO f(rowid, text) VALUES (?, ?)", list(texts.items()))
    fts5_k1 = LexicalIndex(lib.lexicon.p, k1=1.2)  # FTS5's bm25() fixes k1 at 1.2
    for question in ["bakers strike", "flooded town rain", "telescope mirror galaxy", "Lumen pay deal"]:
        words = qa.lexical.query_terms(question)
        match = " OR ".join(f'"{w}"' for w in words)
        want = dict(db.execute("SELECT rowid, -bm25(f) FROM f WHERE f MATCH ?", [match]))
        got = fts5_k1.scores(question)
        assert want and {p: s for p, s in zip(lib.lexicon.pids.tolist(), got, strict=True) if s > 0}.keys() == want.keys()
        for pid, s in want.items():
            assert fts5_k1.lookup(got, [pid])[0] == pytest.approx(s, rel=1e-6)


def test_updates_give_the_postings_of_a_fresh_build(samples, tmp_path, fake):
    lib = build([samples], tmp_path / "idx", fake)
    # Change one file, delete another, add a third; then update in place.
    world = samples / "world.txt"
    world.write_text(world.read_text(encoding="utf-8").replace("strike", "walkout"), encoding="utf-8")
    os.remove(samples / "culture.html")
    (samples / "extra.txt").write_text("Comet hunters met at the harbour to watch the night sky.\n",
                                       encoding="utf-8")
    lib.update([str(samples)])
    updated = lib.lexicon
    fresh = build([samples], tmp_path / "fresh", fake).lexicon
    assert lib.last_summary.embedded > 0 and lib.last_summary.removed > 0
    assert len(updated) == len(fresh)
    assert lib.check() == []
    # Passage ids differ between the two indexes; the same texts must score the same.
    fresh_lib = qa.Library.open(str(tmp_path / "fresh"), embedder=fake)
    ours, theirs = passage_texts(lib), passage_texts(fresh_lib)
    for question in QUESTIONS + ["walkout harbour comet"]:
        a, b = updated.scores(question), fresh.scores(question)
        assert sorted(zip(map(ours.get, updated.pids.tolist()), a.round(9), strict=True)) == \
            sorted(zip(map(theirs.get, fresh.pids.tolist()), b.round(9), strict=True))


def test_filters_restrict_lexical_results(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path / "idx", fake)
    hits = lib.ask("strike bakers", mode="lexical", k=5, filters={"date_from": "2024-01-01"})
    assert [h.title for h in hits] == ["Lumen bakery strike ends"]  # the other bakers' article is older
    assert len(lib.ask("strike bakers", mode="lexical", k=5)) == 2


def test_empty_and_stopword_questions_and_an_empty_index():
    index = LexicalIndex.build([])
    assert len(index) == 0 and index.top(index.scores("anything"), 5) == []
    index = LexicalIndex.build([(1, "the cat sat"), (2, "a dog ran")])
    assert index.top(index.scores("the"), 5) == [(1, pytest.approx(IDF_FLOOR * (K1 + 1) / (1 + K1 * (1 - B + B))))]
    assert index.top(index.scores("zebra"), 5) == []


def test_a_possessive_or_contraction_in_the_question_matches_no_passage_by_itself():
    index = LexicalIndex.build([(1, "Tom's car is red."), (2, "Paris is big."), (3, "Mary sings.")])
    # "'s" alone stems to "": it would score every passage with a possessive in it.
    assert index.top(index.scores("What's Anna’s job?"), 5) == []
    assert [p for p, _ in index.top(index.scores("Mary's songs"), 5)] == [3]
    # Letters that are words of their own stay: T cells, vitamin D.
    assert qa.lexical.query_terms("Don't T cells' role and vitamin D's") == ["t", "cells", "role", "vitamin", "d"]


def test_a_letter_that_stems_to_nothing_is_no_term():
    # Porter stems "s" to "": from "U.S." or "1990's" it would match every passage with "s" in it.
    assert Analyzer()("U.S. banks' 1990's loans, Tom s") == ["u", "bank", "1990", "loan", "tom"]
    index = LexicalIndex.build([(1, "Tom's car is red."), (2, "The U.S. Senate voted."), (3, "Mary sings.")])
    assert [p for p, _ in index.top(index.scores("Who is in the U.S. Senate?"), 5)] == [2]
    assert "" not in index.vocab


def test_pair_share_counts_adjacent_word_pairs_of_the_question():
    ix = LexicalIndex.build([(1, "anything")])
    texts = ["The land was donated by Rice University.", "Rice donated land.", "", "the LAND, Donated By rice"]
    # Question pairs after stemming: (the, land) (land, donat) (donat, by) (by, rice).
    assert ix.pair_share("The land donated by Rice", texts).tolist() == [0.75, 0.0, 0.0, 1.0]
    assert ix.pair_share("Rice", texts).tolist() == [0.0, 0.0, 0.0, 0.0]  # no pair to find


def test_missing_names_the_question_words_a_text_lacks_as_the_question_spells_them():
    ix = LexicalIndex.build([(1, "anything")])
    texts = ["The Córdoba strike closed forty bakeries.", "Rain in the lower town.", ""]
    everything = ("STRIKES", "closed", "Cordoba", "bakeries")
    # Found after analysis: "STRIKES" in "strike", "Cordoba" in "Córdoba"; "How many" and the
    # possessive are not content words.
    assert ix.missing("How many STRIKES closed Cordoba's bakeries?", texts) == [(), everything, everything]
    assert ix.missing("Who is he?", texts) == [(), (), ()]  # only stopwords: nothing to miss
    # The words asking for the answer's form: the passage gives the year, it does not say "year".
    answer = ["In 1998 the strike closed forty bakeries, Ana Ruiz said."]
    assert ix.missing("What year did the strike close that kind of bakery, and what did Ruiz say?",
                      answer) == [()]
    assert ix.missing("What year did the strike close the mills?", answer) == [("mills",)]
    # ... and after "how": "how deep" asks for a depth; "deep" elsewhere is what is asked about
    quake = ["The quake was centred eleven kilometres underground."]
    assert ix.missing("How deep was the quake?", quake) == [()]
    assert ix.missing("Was the quake deep?", quake) == [("deep",)]
    # A Chinese or Japanese letter run is a phrase, not a word: not listed.
    assert ix.missing("码头工人罢工 Valmora ストライキ?", texts) == [("Valmora",)] * 3
    # A number with its separators is one word, as the question writes it.
    notes = ["What changed in pandas 1.5 and 4,200 rows.", "Pandas 2.0 changed the copy rules."]
    assert ix.missing("What changed in pandas 2.0 for 4,200 rows?", notes) == [("2.0",), ("4,200", "rows")]


def test_coverage_is_the_idf_weighted_share_of_the_question_terms_a_text_has():
    ix = LexicalIndex.build([(1, "Port strike"), (2, "Bakery strike"), (3, "Strike talks"), (4, "Rain")])
    texts = ["The port workers' STRIKES.", "A strike.", "Rain in the town.", ""]
    port, strike, atlantis = ix.idf(["port", "strike", "atlanti"])
    # The rarer the word in the index, the more it counts; a word no passage has counts most.
    assert atlantis > port > strike > 0
    assert ix.coverage("Why did the port strike?", texts) == pytest.approx(
        [1.0, strike / (port + strike), 0.0, 0.0])
    assert ix.coverage("Port strike in Atlantis?", texts)[0] == pytest.approx(
        (port + strike) / (port + strike + atlantis))
    # A question of stopwords only is searched with them, but no text says what it is about,
    # even one holding them all; one of no words, 1.0.
    assert ix.coverage("Who is he?", [*texts, "Who is he? He is the mayor."]) == [0.0] * 5
    assert ix.coverage("?!", texts) == [1.0] * 4
    # A Chinese letter run is a phrase, not a word: only the other terms count.
    assert ix.coverage("码头工人罢工 port?", texts) == ix.coverage("port?", texts) == [1.0, 0.0, 0.0, 0.0]


def test_weak_hits_are_flagged_and_show_no_highlight(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path / "idx", fake)
    # Lexical mode has no question vector: the share of the question's terms alone decides.
    # Only the strike hits have "strike", and it is the commonest of the three words.
    hits = lib.ask("Did the Atlantis marathon strike?", k=3, mode="lexical")
    assert hits and all(h.weak and h.highlights == () for h in hits)
    hits = lib.ask("How many bakeries did the strike close?", k=3, mode="lexical")
    assert not hits[0].weak and hits[0].highlights
    assert not any(h.weak for h in lib.ask("Did the Atlantis marathon strike?", k=3, highlights=False))


def test_hits_name_the_question_words_they_lack_only_with_highlights(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path / "idx", fake)
    hits = lib.ask("Did the bakers in Atlantis strike?", k=4)
    assert hits and all("Atlantis" in h.missing for h in hits)
    # The strike articles lack only Atlantis; the title counts (the note's text has no "strike").
    strikes = [h for h in hits if "Lumen" in h.text]
    assert len(strikes) == 2 and {h.missing for h in strikes} == {("Atlantis",)}
    assert [h.missing for h in lib.ask("Did the bakers in Atlantis strike?", k=4, highlights=False)] == [()] * len(hits)


def test_damaged_postings_are_refused_and_reported(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path / "idx", fake)
    gen = os.path.join(str(tmp_path / "idx"), lib.manifest["generation"])
    indptr = np.load(os.path.join(gen, "lexical.indptr.npy"))
    np.save(os.path.join(gen, "lexical.indptr.npy"), indptr[:-1])
    with pytest.raises(qa.IndexCorruptError, match="lexical index .* damaged"):
        qa.Library.open(str(tmp_path / "idx"), embedder=fake)
    np.save(os.path.join(gen, "lexical.indptr.npy"), indptr)
    tf = np.load(os.path.join(gen, "lexical.tf.npy"))
    np.save(os.path.join(gen, "lexical.tf.npy"), tf.astype(np.float64))
    with pytest.raises(qa.IndexCorruptError, match="tf is not a one-dimensional uint16 array"):
        qa.Library.open(str(tmp_path / "idx"), embedder=fake)
    np.save(os.path.join(gen, "lexical.tf.npy"), tf)
    pids = np.load(os.path.join(gen, "lexical.pids.npy"))
    np.save(os.path.join(gen, "lexical.pids.npy"), pids + 1000)
    assert "lexical index and catalog hold different passages" in qa.Library.open(
        str(tmp_path / "idx"), embedder=fake).check()
    np.save(os.path.join(gen, "lexical.pids.npy"), np.array([b"x"], dtype=object), allow_pickle=True)
    with pytest.raises(qa.IndexCorruptError, match="cannot read the lexical index"):
        qa.Library.open(str(tmp_path / "idx"), embedder=fake)


def test_an_index_written_before_the_lexical_files_still_answers_and_gains_them(small_corpus, tmp_path, fake):
    lib = build([small_corpus], tmp_path / "idx", fake)
    before = [(h.passage_id, h.score) for h in lib.ask("flood lower town", k=3)]
    gen = os.path.join(str(tmp_path / "idx"), lib.manifest["generation"])
    for name in os.listdir(gen):
        if name.startswith("lexical."):
            os.remove(os.path.join(gen, name))
    old = qa.Library.open(str(tmp_path / "idx"), embedder=fake)
    assert [(h.passage_id, h.score) for h in old.ask("flood lower town", k=3)] == before
    old.update([str(small_corpus)])
    assert LexicalIndex.exists(os.path.join(str(tmp_path / "idx"), old.manifest["generation"]))
    assert [(h.passage_id, h.score) for h in old.ask("flood lower town", k=3)] == before


def test_highlight_word_weights_fall_with_the_sentences_that_share_them():
    # "harbour" is the passage's topic (every sentence has it); "crane" is in one sentence.
    # Equal IDF over the index, so only the spread inside the passage separates them: the
    # crane sentence wins, and the score is the weighted share of the question's words.
    from qa.highlight import rank_sentences

    sentences = ["The harbour is old.", "The harbour is busy.", "A crane at the harbour fell."]
    row = _plain_row(sentences, "f.txt")
    text = row.text
    others = [(i, w) for i, w in enumerate(["harbour", "crane", "ship", "sea"] * 5, start=2)]
    lexicon = LexicalIndex.build([(1, text), *others])
    ranked = rank_sentences("Which crane at the harbour?", None, [row], lexicon)[0]
    assert ranked[0].text == sentences[2] and ranked[0].score == 1.0
    # harbour: IDF / 3 sentences, crane: IDF / 1, so the harbour-only sentences score 1/4.
    assert [h.score for h in ranked[1:]] == [0.25, 0.25]


def test_a_table_rows_words_include_its_headers_and_headings_and_rules_answer_nothing():
    from qa.catalog import PassageRow
    from qa.highlight import rank_sentences

    lines = ["## Crane loads", "| Crane | Tonnes |", "|---|---|", "| north | forty |", "| south | twelve |",
             "    # crane notes kept by the north gate"]  # indented past a heading: a paragraph
    text = "\n".join(lines)
    spans = [(text.index(line.strip()), text.index(line.strip()) + len(line.strip())) for line in lines]
    row = PassageRow(1, 1, "a", "", text, "f.html", 1, 1, 0, len(text), None, None, tuple(spans), markup="page")
    lexicon = LexicalIndex.build([(1, text), *[(i, w) for i, w in enumerate(["gate", "ship", "sea"] * 5, start=2)]])
    ranked = {h.text: h.score for h in rank_sentences("How many tonnes does the north crane lift?", None, [row],
                                                      lexicon)[0]}
    # "| north | forty |" holds north, and crane and tonnes from its header: it beats the notes
    assert max(ranked, key=ranked.get) == "| north | forty |"
    assert ranked["| south | twelve |"] > 0 and ranked["# crane notes kept by the north gate"] > 0
    assert ranked["## Crane loads"] == ranked["| Crane | Tonnes |"] == ranked["|---|---|"] == 0.0


def test_a_hit_whose_best_sentence_is_weak_next_to_the_others_shows_no_highlight():
    from qa.highlight import HIT_FLOOR, highlights_of_hits
    from qa.types import Highlight

    def hit(*scores):
        return [Highlight(f"s{i}", 10 * i, 10 * i + 5, s) for i, s in enumerate(scores)]

    best = 0.8
    shown = highlights_of_hits([hit(best, 0.75, 0.1), hit(HIT_FLOOR * best + 0.01), hit(HIT_FLOOR * best - 0.01), []])
    assert [[h.text for h in hl] for hl in shown] == [["s0", "s1"], ["s0"], [], []]
    assert highlights_of_hits([hit(-0.2), hit(0.0)]) == [(), ()]  # nothing like the question


def _plain_postings(texts: list[str], vocab: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Term -> [(row, count)] written out directly, columns in ``vocab`` order."""
    analyse = Analyzer()
    out: dict[str, list[tuple[int, int]]] = {t: [] for t in vocab}
    for row, text in enumerate(texts):
        for term, count in Counter(analyse(text)).items():
            out[term].append((row, count))
    return out


def _as_plain(ix: LexicalIndex) -> dict[str, list[tuple[int, int]]]:
    p = ix.p
    return {t: list(zip(p.rows[p.indptr[c]:p.indptr[c + 1]].tolist(), p.tf[p.indptr[c]:p.indptr[c + 1]].tolist(),
                        strict=True)) for c, t in enumerate(p.terms)}


@pytest.mark.parametrize("chunk", [1, 3, 7, 1 << 24])
def test_postings_written_in_small_pieces_equal_a_plain_count(tmp_path, chunk):
    # Old postings are read in blocks of about `chunk` postings (one column if bigger: "harbour"
    # is in every passage) and new passages spilled in parts of `chunk`: any piece size must
    # give the same files.
    from qa import postings

    rng = np.random.default_rng(chunk)
    words = "harbour strike ferry bakers comet flood library tram airport river town pay".split()
    texts = [" ".join(["harbour", *rng.choice(words, rng.integers(1, 9)).tolist()]) for _ in range(40)]
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    analyse = Analyzer()
    postings.write(str(old_dir), qa.lexical.empty_postings(), np.zeros(0, bool),
                   [(10 + 2 * i, t) for i, t in enumerate(texts[:30])], analyse, chunk=chunk)
    old = LexicalIndex.load(str(old_dir))
    vocab = list(dict.fromkeys(t for text in texts[:30] for t in analyse(text)))
    assert _as_plain(old) == _plain_postings(texts[:30], vocab)
    keep = rng.random(30) < 0.6  # some passages removed, the rest kept
    added = texts[30:] + ["zebra crossing near the harbour"]
    postings.write(str(new_dir), old.p, keep, [(100 + i, t) for i, t in enumerate(added)], analyse, chunk=chunk)
    new = LexicalIndex.load(str(new_dir))
    rows = [t for t, k in zip(texts[:30], keep, strict=True) if k] + added
    vocab += [t for t in dict.fromkeys(t for text in added for t in analyse(text)) if t not in vocab]
    assert _as_plain(new) == _plain_postings(rows, vocab)
    assert new.pids.tolist() == [10 + 2 * i for i in np.flatnonzero(keep)] + list(range(100, 100 + len(added)))
    assert new.p.lengths.tolist() == [len(analyse(t)) for t in rows]
    assert new.check(new.pids) == [] and not [f for f in os.listdir(new_dir) if f.startswith(".")]
    with pytest.raises(ValueError, match="ascending ids above every kept passage"):
        postings.write(str(tmp_path), old.p, keep, [(5, "too low an id")], analyse)


def test_words_read_alike_are_one_term_whatever_unicode_form_they_take():
    analyse = Analyzer()
    # Soft hyphen, zero-width space and joiner, a PDF's ligature, full-width letters, a
    # decomposed accent, Turkish dotted capital I, Hebrew points: the word a reader sees.
    assert analyse("co\u00adop\u200beration co\u200dop") == ["cooper", "coop"]
    assert analyse("\ufb01nancial \ufb02ows, Ｔｏｋｙｏ １９６４") == ["financi", "flow", "tokyo", "1964"]
    assert analyse("cafe\u0301 Café CAFÉ") == ["cafe"] * 3
    assert analyse("\u0130stanbul") == ["istanbul"]
    assert analyse("क्षेत्र में") == ["क्षेत्र", "में"]  # vowel signs and viramas are parts of words
    assert analyse("\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd") == analyse("\u05e9\u05dc\u05d5\u05dd") == ["\u05e9\u05dc\u05d5\u05dd"]
    index = LexicalIndex.build([(1, "The co\u00adoperative bakery opens at six."), (2, "A bakery in town.")])
    assert [p for p, _ in index.top(index.scores("Which cooperative bakery?"), 5)] == [1, 2]
    assert index.missing("cooperative bakery", ["The co\u200boperative bakery"]) == [()]
    hindi = LexicalIndex.build([(1, "इस क्षेत्र में बारिश हुई।"), (2, "क ष त र म")])  # "rain in this area"
    assert [p for p, _ in hindi.top(hindi.scores("किस क्षेत्र में बारिश?"), 5)] == [1]
    assert hindi.missing("क्षेत्र बाढ़", ["इस क्षेत्र में बारिश हुई।"]) == [("बाढ़",)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ é\u0301İı\u00adﬁ１ßØ\u05e9\u05b8ض\u064eक्ष日한,.-'")), max_size=30))
def test_text_in_a_usual_form_is_analysed_as_the_full_normalisation_would(text):
    # A trailing zero-width space sends any text through the whole normalisation; without it,
    # text already in compatibility form takes a shortcut that must give the same terms.
    analyse = Analyzer()
    assert analyse(text) == analyse(text + "\u200b")


@given(st.lists(st.text(alphabet=st.sampled_from(list("aeiousntrlyZ1é\u0301İßﬁ1")), max_size=8), max_size=12))
@example(["s", "banks", "Banks", "naïve", "ﬁsh", "", "x1"])  # Porter stems "s" to nothing
def test_words_analysed_together_get_the_terms_each_gets_alone(words):
    analyse = Analyzer()
    assert analyse.each(words) == [analyse(w) for w in words]


def test_an_index_of_earlier_terms_is_analysed_anew_on_its_next_write(tmp_path, fake, monkeypatch):
    import json

    from qa import lexical

    articles = tmp_path / "notes"
    articles.mkdir()
    (articles / "bakery.txt").write_text("The co\u00adoperative bakery opens at six.\n", encoding="utf-8")
    (articles / "tram.txt").write_text("The tram line closes in May.\n", encoding="utf-8")

    def version_1(self, text):  # cut words at anything not a letter or digit, the soft hyphen too
        return [s for s in self._stem.stemWords(lexical._TOKEN.findall(text.lower())) if s]

    with monkeypatch.context() as m:
        m.setattr(lexical.Analyzer, "__call__", version_1)
        lib = qa.Library.build([str(articles)], str(tmp_path / "idx"), embedder=fake, progress=False)
    manifest_path = tmp_path / "idx" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["analyzer"] == lexical.VERSION
    del manifest["analyzer"]  # as versions before it wrote it
    manifest_path.write_text(json.dumps(manifest))
    lib = qa.Library.open(str(tmp_path / "idx"), embedder=fake)
    assert lib.ask("cooperative", k=2, mode="lexical") == []  # its postings hold "co" and "oper"
    summary = lib.update([str(articles)], progress=False)
    assert summary.changed and summary.embedded == 0 and summary.kept == 2  # terms anew, no vectors
    assert json.loads(manifest_path.read_text())["analyzer"] == lexical.VERSION
    [hit] = lib.ask("cooperative", k=2, mode="lexical")
    assert hit.source.endswith("bakery.txt")
    assert not lib.update([str(articles)], progress=False).changed  # and then it is current


def test_a_passage_cut_from_a_long_table_is_found_by_its_columns_names(tmp_path, fake):
    """Embedded and indexed with its table's header row and rule before it, as a card shows it."""
    rows = "".join(f"| {n} | {['timber', 'grain', 'coal'][n % 3]} |\n" for n in range(1, 150))
    text = f"# Quays\n\nThe port keeps a record of its quays.\n\n| Mooring | Cargo handled |\n|---|---|\n{rows}"
    (tmp_path / "quays.md").write_text(text, encoding="utf-8")
    (tmp_path / "plain.txt").write_text("| Mooring | Cargo handled |\n|---|---|\n" + rows, encoding="utf-8")
    (tmp_path / "news.txt").write_text("\n\n".join(f"The ferry number {n} left the harbour on time." for n in range(40)),
                                       encoding="utf-8")  # other articles, so that words have weight
    lib = qa.Library.build([str(tmp_path / f) for f in ("quays.md", "plain.txt", "news.txt")], str(tmp_path / "idx"),
                           embedder=fake, progress=False, chunk_tokens=64)
    indexed = passage_texts(lib)
    stored = {pid: r.text for pid, r in lib.catalog.passages(list(indexed)).items()}
    cut = [pid for pid, t in stored.items() if t.startswith("| ") and not t.startswith("| Mooring")]
    assert len(cut) > 4  # the table runs over many passages of both files
    for pid in cut:
        md = lib.catalog.passages([pid])[pid].source.endswith(".md")
        head = "| Mooring | Cargo handled |\n|---|---|\n" if md else ""  # a .txt is plain text: no tables
        assert indexed[pid] == f"{lib.catalog.passages([pid])[pid].title}\n{head}{stored[pid]}"
    # the stored passage is as it was: its text, offsets and sentences are the article's
    assert all(t == lib.article(lib.catalog.passages([pid])[pid].article_id)["text"][
        lib.catalog.passages([pid])[pid].char_start:lib.catalog.passages([pid])[pid].char_end]
        for pid, t in stored.items())
    # its words are in the header alone: without it, the passage holding the header would win
    [hit] = lib.ask("cargo handled at mooring 120", k=1, mode="lexical", filters={"source": "*.md"})
    assert "| 120 |" in hit.text and hit.table_header == "| Mooring | Cargo handled |\n|---|---|"


def test_a_question_in_the_passage_is_not_the_answer_the_sentence_after_it_is():
    from qa.highlight import highlights_of_hits, rank_sentences

    sentences = ["Harbour notes for March.", "How fast does silt return after dredging?",
                 "About three centimetres a year, measured at six stations.", "Why not dredge every year?",
                 "Where does it settle?", "Mostly by the lock gates."]
    row = _plain_row(sentences, "faq.txt")
    lexicon = LexicalIndex.build([(1, row.text), *[(i, w) for i, w in enumerate(["gate", "ship", "sea"] * 5, start=2)]])
    ranked = {h.text: h.score for h in rank_sentences("How fast does silt return after dredging?", None, [row],
                                                      lexicon)[0]}
    assert ranked["How fast does silt return after dredging?"] == 0.0
    assert max(ranked, key=ranked.get) == "About three centimetres a year, measured at six stations."
    # a question followed by another question passes nothing on; the last one's answer gets its own
    assert ranked["Why not dredge every year?"] == ranked["Where does it settle?"] == 0.0
    only = _plain_row(sentences[1:2], "q.txt")
    assert highlights_of_hits(rank_sentences("How fast does silt return?", None, [only], lexicon)) == [()]


def _plain_row(sentences: list[str], source: str):
    """A plain-text passage of these sentences, each its own span, as the catalog gives one."""
    from qa.catalog import PassageRow

    text = " ".join(sentences)
    spans, start = [], 0
    for s in sentences:
        spans.append((start, start + len(s)))
        start += len(s) + 1
    return PassageRow(1, 1, "a", "", text, source, 1, 1, 0, len(text), None, None, tuple(spans))
