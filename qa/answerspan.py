"""The words of a highlighted sentence that answer a question asking for a number, a date or a
quantity.

"How many dockworkers went on strike?" is answered by a number, "When does the library
reopen?" by a date, "How long did the strike last?" by a time or a length, "How often does the
ferry run?" by a frequency, "How far is the port?" by a length, "How old was she?" by an age,
"What temperature...?" by a temperature, "How much did the bridge cost?" by a sum of money (a
quantity with its unit or currency: a bare number would not say what it counts). In the
sentence marked as the answer (the first hit's), the number, date or quantity it gives (and the
question does not) is the answer itself, shown in bold so it is read first. When the sentence
gives several, the one nearest the question's own words is taken if it is clearly nearer (at
most half as far as the next); otherwise none is. One wrapped onto the next line of a
hard-wrapped text is taken whole ("eleven" ending a line, "kilometres" opening the next; a card
marks it line by line). English questions only: the question words and the month names are
English's. Measured on SQuAD dev (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .lexical import LexicalIndex

# The words of a number, date or quantity are spaced, or wrapped onto the next line in a
# hard-wrapped text ("eleven\nkilometres"); a card marks it line by line.
_SP = r"(?:[ \t]*\n[ \t]*|[ \t]+)"
_SP_DASH = rf"(?:{_SP}|-)"
_NUMBER_WORDS = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
                 r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
                 r"|hundred|thousand|million|billion|trillion|dozen|half)")
_FIGURE = r"\d+(?:,\d{3})*(?:\.\d+)?"  # 4,200 and 3.5, not "16, 2012"
NUMBER = re.compile(
    rf"(?<![\d,.])(?:[$£€¥](?:{_SP})?)?\b(?:{_FIGURE}|{_NUMBER_WORDS})(?:{_SP_DASH}{_NUMBER_WORDS})*\b(?:(?:{_SP})?(?:%|percent\b|per{_SP}cent\b))?",
    re.I)
_YEAR = re.compile(r"1\d{3}|20\d{2}")  # a bare year answers "when", not "how many"
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# A year of three digits only as one is written ("in 793", "793 AD"): a bare "149" is more often a
# count or a measure (SQuAD dev's "When was 7 Lincoln Square completed?": "149 m")
DATE = re.compile(rf"(?<![\d,.])\b(?:(?:{_DAY},?{_SP})?(?:\d{{1,2}}{_SP})?{_MONTH}(?:{_SP}\d{{1,2}})?(?:,?{_SP}\d{{3,4}})?|{_DAY}"
                  rf"|\d{{4}}s?|(?<=\b[Ii]n[ \n])\d{{3}}s?|\d{{3}}(?={_SP}(?:AD|BC|CE|BCE)\b)|(?:AD|CE){_SP}\d{{3}}|(?:the{_SP})?\d{{1,2}}(?:st|nd|rd|th){_SP}century)\b(?![,.]\d)")
# A day of a month ("May 20-22", "27 March") counts nothing: no answer to "how many"
_DAY_OF_MONTH = re.compile(rf"\b{_MONTH}{_SP}\d{{1,2}}(?:[-–]\d{{1,2}})?\b|\b\d{{1,2}}(?:[-–]\d{{1,2}})?{_SP}{_MONTH}\b")
PERCENT = re.compile(rf"(?<![\d,.])\b{_FIGURE}(?:{_SP})?(?:%|percent\b|per{_SP}cent\b)", re.I)
# A quantity with its unit: the unit says what it measures, where a bare number could count anything
# ("how much does the ferry cost?" is not "every ten minutes"). No "in" for inches: "$472,500 in 1917".
_QUANTITY = rf"(?<![\d,.])\b(?:(?:{_FIGURE}[-–])?{_FIGURE}|{_NUMBER_WORDS}|an?|a few|several)(?:{_SP_DASH}{_NUMBER_WORDS})*"  # 300–600 nm
# "three working days", "3 business days", "two more years" ("the 2013-14 school year" is a date)
_TIME = (r"(?:(?:working|business|calendar|trading|full|whole|consecutive|straight|more|further|additional|extra)"
         r"[ -])?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries|century|millenni(?:a|um))")
_LENGTH = (r"km|kilomet(?:re|er)s?|miles?|mi|m|met(?:re|er)s?|cm|centimet(?:re|er)s?|mm|millimet(?:re|er)s?|nm"
           r"|nanomet(?:re|er)s?|μm|micromet(?:re|er)s?|microns?|ft|feet|foot|inch(?:es)?|yards?|stor(?:ey|ie|y)s?|floors?")
_SIZE = rf"{_LENGTH}|(?:square|sq|cubic){_SP}(?:{_LENGTH})|(?:{_LENGTH})[²³]|acres?|hectares?|kg|kilograms?|g|grams?|tonnes?|tons?|pounds?|lbs?"


def _measured(units: str) -> re.Pattern:
    # "6 feet 2 inches" is one height
    one = rf"{_QUANTITY}(?:{_SP_DASH}|(?<=\d))(?:{units})\b(?:{_SP}{_FIGURE}(?:{_SP})?(?:{units})\b)?"
    # "15 kilometres (9 miles)" is one length, not two to choose between
    return re.compile(rf"{one}(?:{_SP}\((?:about{_SP})?{one}\))?(?:{_SP}(?:long|tall|high|wide|deep|ago|across))?", re.I)


_DEGREES = rf"°{_SP}?[CFK]|degrees?(?:{_SP}(?:Celsius|Fahrenheit|centigrade|C|F))?|kelvins?|K"
DURATION_OR_LENGTH = _measured(f"{_TIME}|{_LENGTH}")  # "how long": a week, 1,230 km
LENGTH = _measured(_LENGTH)
SIZE = _measured(_SIZE)  # "how big": 17 nm, 130 million cubic feet, 20 tons
TEMPERATURE = _measured(_DEGREES)  # 90.20 K, 40 °C, three degrees Celsius
AGE = re.compile(rf"{_QUANTITY}{_SP_DASH}years?{_SP_DASH}old\b|\b(?:aged?|age of){_SP}(?:{_FIGURE}|{_NUMBER_WORDS})\b", re.I)
MONEY = re.compile(rf"(?<![\d,.])[$£€¥](?:{_SP})?{_FIGURE}(?:(?:m|bn|k)\b|(?:{_SP_DASH}{_NUMBER_WORDS})*\b)"
                   rf"|{_QUANTITY}{_SP}(?:dollars?|euros?|pounds sterling|yen|francs?|marks|rupees?|yuan|pesos?)\b", re.I)
_EVERY = (r"(?:second|minute|hour|day|night|week|fortnight|month|quarter|year|decade|century|morning|evening"
          rf"|weekend|{_DAY})s?")
FREQUENCY = re.compile(  # "how often": every four years, twice a week, half-hourly, annually
    rf"\b(?:(?:every|each)(?:{_SP}other)?(?:{_SP}(?:{_FIGURE}|{_NUMBER_WORDS}))?{_SP}{_EVERY}"
    rf"|(?:once|twice|thrice|(?:{_FIGURE}|{_NUMBER_WORDS}){_SP}times)(?:{_SP}(?:a|an|per|each|every)(?:{_SP}"
    rf"(?:{_FIGURE}|{_NUMBER_WORDS}))?{_SP}{_EVERY})?"
    r"|(?:half-)?(?:hourly|daily|nightly|weekly|fortnightly|monthly|quarterly|yearly|annually|annual|biennial(?:ly)?))\b",
    re.I)
_PAYS = (r"cost|costs|pay|paid|pays|spend|spent|earn|earned|earns|worth|price|sell|sold|buy|bought|raise|raised"
         r"|fund|funded|funding|money|budget|revenue|profit|invest|invested|donate|donated|charge|charged|fined|salary")
# What a question asks for, by its words (the first that matches): "when" opening it, not "who
# hired him when he moved".
_ASKS = ((re.compile(r"\bwhat (?:percentage|percent|proportion|share|fraction|portion)\b"
                     r"|\bhow much (?:of|percentage|percent)\b", re.I), PERCENT),
         (re.compile(r"\b(?:how many|what number)\b", re.I), NUMBER),
         (re.compile(r"^\W*(?:(?:since|until|till|from|by|around|about)\s+)?when\b(?![^?]*,\s*(?:what|who|whom|which|where|how|why)\b)"
                     r"|\b(?:what|which) (?:year|date|century|decade|month)\b", re.I), DATE),
         # "how much" asks for money only when it says so: 0.65 right otherwise on SQuAD (tons, pounds, %)
         (re.compile(rf"\bhow much\b.*\b(?:{_PAYS})\b", re.I), MONEY),
         (re.compile(r"\bhow long\b", re.I), DURATION_OR_LENGTH),
         (re.compile(r"\bhow (?:often|frequently)\b", re.I), FREQUENCY),
         (re.compile(r"\bhow (?:far|tall|high|deep|wide)\b", re.I), LENGTH),
         (re.compile(r"\bhow (?:big|large)\b", re.I), SIZE),
         (re.compile(r"\bwhat temperature\b|\bhow (?:much )?(?:hot|hotter|cold|colder|warm|warmer|cool|cooler)\b", re.I), TEMPERATURE),
         (re.compile(r"\bhow old\b|\bwhat age\b", re.I), AGE))
CLEARLY_NEARER = 0.5  # the nearest of several at most this share of the next one's distance


def _given(words: str, question: str) -> bool:
    """Whether the question writes ``words`` itself, as whole words ("40", not the "4" of it)."""
    spaced = r"\s+".join(map(re.escape, words.split()))  # as wrapped in the text, or not
    return re.search(rf"(?<![\w.,]){spaced}(?![\w]|[.,]\d)", question, re.I) is not None


def asked_kind(question: str, lexicon: LexicalIndex) -> re.Pattern | None:
    """What ``question`` asks for (the pattern of a number, a date, a length...), or None: it asks
    for none of them, or it is not English."""
    if lexicon.analyzer.language != "english":
        return None
    return next((pattern for asks, pattern in _ASKS if asks.search(question)), None)


def candidates(kind: re.Pattern, question: str, sentence: str) -> list[re.Match]:
    """The numbers, dates or quantities of ``kind`` in ``sentence`` that may answer ``question``:
    not one it gives itself."""
    days = [m.span() for m in _DAY_OF_MONTH.finditer(sentence)] if kind is NUMBER else []
    # "one" alone is more often a pronoun ("one of the networks") than a count: on SQuAD dev, 6
    # of 15 such marks were the answer
    return [m for m in kind.finditer(sentence) if m.group().strip() and not _given(m.group(), question)
            and not (kind is NUMBER and (_YEAR.fullmatch(m.group()) or m.group().lower() == "one"
                                         or any(a <= m.start() and m.end() <= b for a, b in days)))]


def answer_in(question: str, sentence: str, lexicon: LexicalIndex) -> tuple[int, int] | None:
    """Where in ``sentence`` the number, date or quantity answering ``question`` is (start, end), or None:
    a question not asking for one, a sentence without one the question does not already give,
    or several none clearly nearest the question's words."""
    kind = asked_kind(question, lexicon)
    if kind is None:
        return None
    found = candidates(kind, question, sentence)
    if len(found) > 1:
        terms = set(lexicon.query(question))
        places = [(a, b) for term, a, b in lexicon.analyzer.terms_at(sentence) if term in terms]

        def distance(m: re.Match) -> int:
            return min((max(a - m.end(), m.start() - b, 0) for a, b in places), default=0)

        found.sort(key=distance)
        if not places or distance(found[1]) == 0 or distance(found[0]) > CLEARLY_NEARER * distance(found[1]):
            return None
    return (found[0].start(), found[0].end()) if found else None
