"""The number or date in a highlighted sentence that answers a question asking for one
(qa.answerspan, Hit.answer)."""

from __future__ import annotations

import pytest

from qa.answerspan import answer_in
from qa.lexical import Analyzer, LexicalIndex

LEXICON = LexicalIndex.build([(1, "anything")])


def answer(question: str, sentence: str, lexicon: LexicalIndex = LEXICON) -> str | None:
    span = answer_in(question, sentence, lexicon)
    return sentence[span[0]:span[1]] if span else None


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("How many dockworkers went on strike?", "The union says 4,200 members joined the strike.", "4,200"),
    ("How many runners finished?", "Two hundred runners finished, a record.", "Two hundred"),
    ("When does the library reopen?", "It reopened on Tuesday, after 9,000 books were ruined.", "Tuesday"),
    ("When was the quay built?", "The quay was built on 27 March 1998 by the council.", "27 March 1998"),
    ("In what year did the mill close?", "The mill closed in 1987, its 300 workers laid off.", "1987"),
    ("Which century was the church built in?", "It was built in the 12th century of stone.", "the 12th century"),
    ("What percentage of workers struck?", "About 600,000 workers, 13.5 per cent of all, struck.", "13.5 per cent"),
    # the question's own number or year is not its answer; a bare year answers no "how many"
    ("How many of the 40 stalls reopened in 2024?", "In 2024, of the 40 stalls, 12 reopened.", "12"),
    ("How many of the 40 stalls reopened?", "Of the 40 stalls, 4 reopened.", "4"),  # "4" is not the question's "40"
    # of several, the one clearly nearest the question's words
    ("How many dockworkers joined?", "The strike began in 1998 with 300 cooks; by May 4,200 dockworkers joined.",
     "4,200"),
])
def test_the_number_or_date_a_question_asks_for(question, sentence, expected):
    assert answer(question, sentence) == expected


@pytest.mark.parametrize(("question", "sentence"), [
    ("Who won the marathon?", "Daniel Kiprop won in 2 hours 5 minutes."),  # asks for no number
    ("Who hired Tesla when he moved?", "Edison hired him in June 1884."),  # "when" is no question word here
    ("How many ferries run?", "Ferries run all night."),  # the sentence gives none
    ("How many ferries and buses run?", "4 ferries and 6 buses run."),  # several, none clearly nearest
    ("What percentage of workers struck?", "About 600,000 workers struck."),  # a number, no percentage
])
def test_nothing_is_marked_when_nothing_clearly_answers(question, sentence):
    assert answer(question, sentence) is None


def test_only_english_questions_are_read():
    german = LexicalIndex.build([(1, "irgendwas")], Analyzer("german"))
    assert answer("How many dockworkers went on strike?", "4,200 went on strike.", german) is None
