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
    # a bare number of three digits is a year only as one is written ("in 793", "793 AD")
    ("When was the tower completed?", "The 149 m tower was completed in 1979.", "1979"),
    ("When was the abbey founded?", "Its 12 monks founded the abbey in 793 on the island.", "793"),
    ("Which century was the church built in?", "It was built in the 12th century of stone.", "the 12th century"),
    ("What percentage of workers struck?", "About 600,000 workers, 13.5 per cent of all, struck.", "13.5 per cent"),
    ("What share of workers struck?", "About 600,000 workers, 13.5 per cent of all, struck.", "13.5 per cent"),
    ("How much of the land is farmed?", "Farms cover 136,000 square km, 60% of the land.", "60%"),
    # the question's own number or year is not its answer; a bare year answers no "how many"
    ("How many of the 40 stalls reopened in 2024?", "In 2024, of the 40 stalls, 12 reopened.", "12"),
    ("How many of the 40 stalls reopened?", "Of the 40 stalls, 4 reopened.", "4"),  # "4" is not the question's "40"
    # a day of a month counts nothing, nor "one" alone, more often a pronoun than a count
    ("How many stations does ABC have?", "ABC is one of the big networks, and across the land it has 232.", "232"),
    ("How many people attended the congress?", "Around 250 came on May 20-22 for the congress.", "250"),
    ("How many of the ten thousand runners ran again?", "Of ten\nthousand runners, 900 ran again.", "900"),
    # of several, the one clearly nearest the question's words
    ("How many dockworkers joined?", "The strike began in 1998 with 300 cooks; by May 4,200 dockworkers joined.",
     "4,200"),
    # a quantity with the unit of what is asked: time or length, length, size, age, money
    ("How long did the strike last?", "The strike by 4,200 dockers lasted three weeks.", "three weeks"),
    ("How long is the new quay?", "The quay, 1,230 m long, opened in 1998.", "1,230 m long"),
    ("How long does a refund take?", "A cancelled sailing is refunded within three working days.", "three working days"),
    ("How long does delivery take?", "Cards arrive in 3 business days.", "3 business days"),
    ("How far is the port from the city?", "The port lies 15 kilometres (9 miles) from the city.",
     "15 kilometres (9 miles)"),  # a conversion is the same length, not a second one
    ("How tall was Tesla?", "Tesla was 6 feet 2 inches (1.88 m) tall.", "6 feet 2 inches (1.88 m) tall"),
    ("How big are the pellets?", "Each of the 300 pellets is 5 mm across.", "5 mm across"),
    ("How large are the thylakoids?", "The 2 kinds are 300–600 nanometers across.", "300–600 nanometers across"),
    ("What temperature does oxygen condense at?", "Oxygen condenses at 90.20 K, 2 steps below.", "90.20 K"),
    ("How much cooler were the streets?", "Streets under 40 trees were up to three degrees Celsius cooler.",
     "three degrees Celsius"),
    ("How large is the hall?", "Built by 3 firms, the hall holds 130 million cubic feet.", "130 million cubic feet"),
    ("How often does the ferry run?", "Since 2019 the 2 ferries run every ten minutes.", "every ten minutes"),
    ("How often are elections held?", "Elections to the 88 seats are held every four years.", "every four years"),
    ("How often must lay servants reapply?", "Lay servants, of 3 kinds, reapply annually.", "annually"),
    ("How old was the mayor when she was elected?", "In 2019 the 41-year-old mayor won 3 wards.", "41-year-old"),
    ("What age did Tesla die at?", "Tesla died in 1943, aged 86, in room 3327.", "aged 86"),
    ("How much did the bridge cost?", "The bridge, opened in 2001 with 4 lanes, cost $2.5 million.", "$2.5 million"),
    ("How much was the club sold for?", "The 3 owners sold the club for £160m.", "£160m"),
    # wrapped onto the next line, in a hard-wrapped text
    ("How deep was the quake?", "In 2024 the quake was centred eleven\nkilometres underground.", "eleven\nkilometres"),
    ("When was the quay built?", "The quay was built on 27\n  March 1998 by 40 men.", "27\n  March 1998"),
])
def test_the_number_or_date_a_question_asks_for(question, sentence, expected):
    assert answer(question, sentence) == expected


@pytest.mark.parametrize(("question", "sentence"), [
    ("Who won the marathon?", "Daniel Kiprop won in 2 hours 5 minutes."),  # asks for no number
    ("Who hired Tesla when he moved?", "Edison hired him in June 1884."),  # "when" is no question word here
    ("When Tesla moved, who hired him?", "Edison hired him in June 1884."),  # nor here: it asks who
    ("How many ferries run?", "Ferries run all night."),  # the sentence gives none
    ("How many ferries and buses run?", "4 ferries and 6 buses run."),  # several, none clearly nearest
    ("What percentage of workers struck?", "About 600,000 workers struck."),  # a number, no percentage
    ("How much does the free ferry cost?", "A free ferry runs every ten minutes."),  # no sum of money
    ("How much dust falls each year?", "Some 27.7 million tons fall each year."),  # "how much" of what?
    ("How far is the park?", "The 209-acre park lies north of the river."),  # an area is no distance
    ("How long did the sale take?", "The land was sold for $472,500 in 1917."),  # no time: "in" is no inch
    ("How long did the pilot run?", "It ran in schools for the 2013-14 school year."),  # a date
])
def test_nothing_is_marked_when_nothing_clearly_answers(question, sentence):
    assert answer(question, sentence) is None


def test_only_english_questions_are_read():
    german = LexicalIndex.build([(1, "irgendwas")], Analyzer("german"))
    assert answer("How many dockworkers went on strike?", "4,200 went on strike.", german) is None
