"""Words in quotes in a question: passages holding them side by side, else the question unquoted."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys

import pytest

import qa
from qa.lexical import Analyzer
from qa.phrases import left_out, notice, places, quoted


def test_quoted_phrases_in_the_quotes_people_type():
    assert quoted('Who said "a lifeline for the island"?') == ["a lifeline for the island"]
    assert quoted("“Night bus” or „Nachtbus“ or «bus de nuit» or „Nachtzug”") == [
        "Night bus", "Nachtbus", "bus de nuit", "Nachtzug"]
    assert quoted('"ferry" and "ferry" and "" and " ? "') == ["ferry"]  # once; no word: nothing asked
    assert quoted("The bakers' strike and 5'11\" tall") == []  # apostrophes and an unpaired quote


def test_the_places_of_quoted_words_in_a_text():
    text = "A free ferry runs. Free\nFerries, and the FREE-ferry service! Café ﬁsh; ferry free"
    got = [text[a:b] for a, b in places('Is the "free ferry" or the "ferry service" or “cafe fish” on?', text,
                                        Analyzer())]
    # any case, endings, punctuation between; a place cut at a line's end; places that overlap as one
    assert got == ["free ferry", "Free", "Ferries", "FREE-ferry service", "Café ﬁsh"]
    assert places("Is the free ferry on?", text, Analyzer()) == ()
    assert places('Is the "night ferry" on?', text, Analyzer()) == ()


def test_words_to_leave_out_as_a_search_box_takes_them():
    assert left_out('ferry -bridge -"night bus" -“free ferry” e-mail -5 degrees - a list -e-mail') == (
        "ferry e-mail -5 degrees - a list", ["bridge", "night bus", "free ferry", "e-mail"])
    assert left_out("-tolls -tolls ferry") == ("ferry", ["tolls"])
    assert quoted('the "quay" -"night bus"') == ["quay"]  # left out, not looked for


@pytest.fixture
def words_lib(tmp_path, fake):
    """200 passages of words drawn from a few, so that phrases are held by some, and their words
    (not side by side, or in another order) by more."""
    rng = random.Random(7)
    vocab = ["harbour", "ferry", "night", "bus", "crane", "quay", "storm", "tolls", "bridge", "river"]
    folder = tmp_path / "notes"
    folder.mkdir()
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(3, 12))) + "." for _ in range(200)]
    (folder / "words.txt").write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    (folder / "titled.md").write_text("# Night bus timetable\n\nIt leaves the square hourly.\n", encoding="utf-8")
    lib = qa.Library.build([str(folder)], str(tmp_path / "idx"), embedder=fake, progress=False, language="english")
    yield lib, texts
    lib.close()


def test_a_quoted_phrase_keeps_the_passages_holding_its_words_in_order(words_lib):
    lib, texts = words_lib
    rng = random.Random(11)
    for _ in range(12):
        first, second = rng.sample(["harbour", "ferry", "night", "bus", "crane", "quay", "storm"], 2)
        # the oracle: the texts that hold the two words side by side (the title too, for "night bus")
        want = {t for t in texts if f"{first} {second}" in t}
        for mode in ("hybrid", "lexical", "dense"):
            hits = lib.ask(f'Where is the "{first} {second}" today?', k=300, mode=mode)
            got = {h.text for h in hits if h.source.endswith("words.txt")}
            said = notice(f'"{first} {second}"', hits, lib.lexicon.analyzer)
            if want:
                assert got == want and said is None, (first, second, mode)
            else:  # none holds them: asked unquoted, and said
                assert hits and said is not None, (first, second, mode)
        titled = [h for h in lib.ask('"night bus"', k=300, mode="lexical") if h.source.endswith("titled.md")]
        assert len(titled) == 1  # held by its title


def test_a_hit_marks_every_place_its_passage_holds_the_quoted_words(words_lib):
    lib, _ = words_lib
    rng = random.Random(5)
    for _ in range(12):
        first, second = rng.sample(["harbour", "ferry", "night", "bus", "crane", "quay", "storm"], 2)
        hits = lib.ask(f'Where is the "{first} {second}" today?', k=300, mode="lexical")
        if notice(f'"{first} {second}"', hits, lib.lexicon.analyzer):
            continue
        assert hits
        for h in hits:  # the oracle: the words' places in the text (one space between them)
            want = [(h.char_start + m.start(), h.char_start + m.end())
                    for m in re.finditer(rf"\b{first} {second}\b", h.text, re.IGNORECASE)]
            assert h.quoted == tuple(want) and want, (first, second)
    assert all(h.quoted == () for h in lib.ask("Where is the night bus today?", k=20))


def test_the_sentence_holding_the_quoted_words_is_the_best_highlight(tmp_path, fake):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "buses.md").write_text("# Departures\n\nThe harbour quay timetable leaves the harbour quay to the tolls at noon.  "
                                      "A night bus runs later from the square.\n", encoding="utf-8")
    lib = qa.Library.build([str(folder)], str(tmp_path / "idx"), embedder=fake, progress=False)
    plain = lib.ask("When does the night bus leave the harbour quay timetable?", k=1)[0]
    assert plain.highlights[0].text.startswith("The harbour quay")  # most of the words: the best
    hit = lib.ask('When does the "night bus" leave the harbour quay timetable?', k=1)[0]
    assert hit.highlights[0].text == "A night bus runs later from the square."
    assert hit.highlights[0].score <= plain.highlights[0].score + 0.01  # not above the hit's best
    assert [hl.text for hl in lib.highlight('When does the "night bus" leave the harbour quay timetable?',
                                            hit.article_id)][:1] == ["A night bus runs later from the square."]
    lib.close()


def test_passages_holding_a_word_or_words_left_out_are_not_among_the_hits(words_lib):
    lib, texts = words_lib
    everything = {h.text for h in lib.ask("harbour", k=300, mode="dense")}
    assert len(everything) == 201  # every passage, as a search for anything gives them
    for question, held in (("harbour -night", lambda t: "night" in t.lower()),
                           ('harbour -"night bus"', lambda t: "night bus" in t.lower()),
                           ('harbour -quay -"storm tolls"', lambda t: "quay" in t or "storm tolls" in t)):
        want = {t for t in everything if not held(t)}
        assert 0 < len(want) < len(everything)
        for mode in ("hybrid", "dense"):  # the oracle: every passage not holding them
            assert {h.text for h in lib.ask(question, k=300, mode=mode)} == want, (question, mode)
        lexical = lib.ask(question, k=300, mode="lexical")
        assert {h.text for h in lexical} == {t for t in want if "harbour" in t}
        assert all("night" not in h.missing for h in lexical)  # not a word of the question
    assert lib.ask("harbour -night", k=300, filters={"source": "*titled.md"}) == []
    with pytest.raises(qa.InputError, match="only leaves words out"):
        lib.ask("-night -bus", k=5)
    assert lib.ask("harbour -harbour -ferry -night -bus -crane -quay -storm -tolls -bridge -river", k=5) == []


def test_quoted_words_no_passage_holds_ask_the_question_unquoted_and_say_so(words_lib):
    lib, _ = words_lib
    hits = lib.ask('When does the "bus crane quay storm tolls" leave?', k=5)
    assert [h.passage_id for h in hits] == [
        h.passage_id for h in lib.ask("When does the bus crane quay storm tolls leave?", k=5)]
    said = notice('When does the "bus crane quay storm tolls" leave?', hits, lib.lexicon.analyzer)
    assert said.startswith("No passage holds “bus crane quay storm tolls” as quoted")


def test_a_quoted_phrase_and_a_filter_both_hold(small_corpus, tmp_path, fake):
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    hits = lib.ask('"lower town"', k=10)
    assert sorted(h.source.rsplit("/", 1)[1] for h in hits) == ["a.txt", "records.jsonl"]
    hits = lib.ask('"lower town"', k=10, filters={"source": "*.jsonl"})
    assert [h.title for h in hits] == ["Osk flood damage"]
    lib.close()


@pytest.mark.model
def test_qa_ask_says_when_no_passage_holds_the_quoted_words(small_corpus, tmp_path):
    index = tmp_path / "idx"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "qa.cli", "index", str(small_corpus), "--index", str(index), "--quiet"],
                   check=True, capture_output=True, env=env)
    out = subprocess.run([sys.executable, "-m", "qa.cli", "ask", 'Did the "bakers strike" end?', "--index",
                          str(index), "-k", "2"], check=True, capture_output=True, text=True, env=env).stdout
    assert out.startswith("No passage holds “bakers strike” as quoted")  # "bakers went on strike"
    out = subprocess.run([sys.executable, "-m", "qa.cli", "ask", 'Did the "bakers of Lumen" strike?', "--index",
                          str(index), "-k", "2"], check=True, capture_output=True, text=True, env=env).stdout
    assert "No passage holds" not in out and "note.md" in out.splitlines()[0]
