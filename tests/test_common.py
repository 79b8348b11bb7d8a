"""What a similar article has in common with the one it is like (qa.common, ArticleHit.in_common)."""

from __future__ import annotations

import qa
from qa.common import words_in_common
from qa.lexical import LexicalIndex
from qa.render import article_cards

FILLER = [f"Note {i} on the weather in the town today, officials said{' in the morning' * (i < 10)}." for i in range(20)]


def index(*texts: str) -> LexicalIndex:
    return LexicalIndex.build(list(enumerate([*texts, *FILLER], 1)))


def test_the_rarest_words_both_use_first_as_the_other_text_spells_them():
    port = "Dockworkers at the Valmora port struck over automation this morning; 4,200 of them, the union said."
    cost = "The Valmora strike of dockworkers costs exporters millions, the union said this morning: ports are idle."
    bridge = "The town bridge closes for repairs today."
    lexicon = index(port, cost, bridge, "The union of nurses backed the dockworkers.", "A union vote.")
    shown = words_in_common(port, [cost, bridge], lexicon)
    # "port" (written "ports" by the other text) and "Valmora" are in two passages,
    # "dockworkers" in three, "union" in four: the rarer first; "morning", in 12 of the 25
    # passages, weighs below half the best word; "said", "today" and "town" are in more than
    # half the passages; "the", "of" are function words, "4,200" a number.
    assert shown == [("ports", "Valmora", "dockworkers", "union"), ()]
    # A capital only ever opening a sentence says nothing; a name's is kept.
    lines = "Shipping lines left Valmora. Later, Valmora lost the Keel Bay trade."
    lexicon = index(lines, "Trade: shipping lines of Keel Bay.")
    assert words_in_common("Valmora shipping lines, Keel Bay trade", [lines], lexicon) == [
        ("Valmora", "Bay", "Keel", "lines", "shipping")]  # "Valmora" once within a sentence
    # Only words most passages use in common: nothing to say (not "today").
    assert words_in_common("The town said so today.", ["Today the town said no."], lexicon) == [()]
    # A word both use often is a shared topic, worth more than one both use once.
    often = "The ferry ran late. The ferry fare rose. Ferry crews met."
    lexicon = index(often, "The ferry fare rose again, and the ferry was late.", "The late fee.")
    assert words_in_common(often, ["The ferry fare rose again, and the ferry was late."], lexicon)[0][0] == "ferry"


def test_similar_articles_say_what_they_have_in_common(small_corpus, tmp_path, fake):
    lib = qa.Library.build([str(small_corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    for sims in (lib.similar(lib.ask("strike", k=1, mode="lexical")[0].article_id, k=5),
                 lib.similar(text="Dockworkers went on strike at the port.", k=5)):
        assert sims and all(isinstance(s.in_common, tuple) for s in sims)
        for s in sims:
            text = f"{s.title}\n{lib.article(s.article_id)['text']}"
            assert all(word in text for word in s.in_common)  # spelt as that article spells them
        assert any(s.in_common for s in sims)
    html = article_cards([qa.ArticleHit(1, 0.5, "a<1>", "T", "t.txt", 1, None, None, ("<Valmora>", "port"))], "Like")
    assert '<div class="qa-common">in common: <b>&lt;Valmora&gt;</b>, <b>port</b></div>' in html
