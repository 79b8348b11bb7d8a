"""Did you mean: misspelt words of a question, spelt as the passages spell them (qa.spelling).
The real model: its vocabulary tells a real word the passages lack from a typo."""

from __future__ import annotations

import pytest

import qa
from qa.spelling import _distance

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    d = tmp_path_factory.mktemp("spell")
    (d / "news.txt").write_text(
        "Dockworkers at the port of Valmora went on strike over automation.\n\n"
        "The Valmora dockworkers ended their strike after a week.\n\n"
        "A siege of the old fort lasted forty days. Unknown soldiers held the walls.\n\n"
        "Kenyan runner Daniel Kiprop won the marathon. Crowds were over the moon.\n\n"
        "The EU and NATO met in Brussels. The government was not over the crisis.\n\n"
        "The harbour would freeze in winter, the harbour master said.\n\n"
        "The earth warmed by a degree.\n", encoding="utf-8")
    return qa.Library.build([str(d)], str(d / "idx"), progress=False)


@pytest.mark.parametrize(("question", "offered"), [
    ("how many dokworkers went on strik", "how many dockworkers went on strike"),  # two words, each one edit
    ("Who won the marathn?", "Who won the marathon?"),
    ("How long was the seige?", "How long was the siege?"),  # two letters swapped: one edit
    ("Dokworkers of Valmora", "Dockworkers of Valmora"),  # the question's capital kept
    ("Did kprp win?", None),  # under five letters: too short to tell
    ("Who won, Kiprrop?", "Who won, Kiprop?"),  # a name as the passages write it
    ("were the soldiers unkown", "were the soldiers unknown"),  # in lower case as asked, not as a sentence opens
    ("did kiprrop win the marathon", "did Kiprop win the marathon"),  # a name's capital, within a sentence
])
def test_a_word_no_passage_holds_is_offered_as_the_passages_spell_it(lib, question, offered):
    assert lib.did_you_mean(question) == offered


@pytest.mark.parametrize("question", [
    "Who went on strike?",  # every word held
    "Why did the NATOO meet?",  # written in capitals: an acronym, not a typo
    "Who went on strike -harbur",  # a word left out is not looked for
    "Why wouldn't they strike?",  # "wouldn" of "wouldn't" is no word
    "What did the Goverment do?",  # its stem "gover" is one edit from "over", its spelling is not
    "Tell me about telescopes",  # nothing near
    "What warms the hearth?",  # one edit from "earth", but a word the model knows: the passages lack it
])
def test_nothing_is_offered_for_words_that_are_not_misspelt_indexed_words(lib, question):
    assert lib.did_you_mean(question) is None


def test_the_model_tells_a_word_from_a_typo(lib):
    from qa.spelling import corrected

    real_word = "What warms the hearth?"
    assert corrected(real_word, lib.lexicon, lib.catalog) == "What warms the earth?"  # without the model's say
    assert lib.embedder.count_tokens(["hearth", "dokworkers"]) == [1, 4]


def test_edits_count_a_swap_of_two_letters_as_one():
    assert [_distance(a, b) for a, b in [("seige", "siege"), ("kitten", "sitting"), ("", "abc"), ("abc", "abc"),
                                         ("ca", "abc"), ("goverment", "over")]] == [1, 3, 3, 0, 3, 5]


def test_a_known_word_with_an_ending_or_a_prefix_is_a_word_not_a_typo(tmp_path):
    from qa.spelling import word_forms

    assert {"california", "light", "modified"} <= {*word_forms("Californian"), *word_forms("lightening"),
                                                   *word_forms("unmodified")}
    assert "soul" not in word_forms("sould") and "site" not in word_forms("insite")  # typos, kept as such
    assert "darwin" in word_forms("Darwinian") and "capt" not in word_forms("captian")  # "capt" is a token
    (tmp_path / "a.txt").write_text("The tightening of the harbour rules angered the dockworkers.\n", encoding="utf-8")
    lib = qa.Library.build([str(tmp_path / "a.txt")], str(tmp_path / "idx"), progress=False)
    assert lib.did_you_mean("Was the lightening bad?") is None  # "light" + "ening": a word
    assert lib.did_you_mean("Was the tightning bad?") == "Was the tightening bad?"
