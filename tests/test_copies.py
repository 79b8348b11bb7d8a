"""Copies among the hits: the same text from two files is one hit that names the other."""

from __future__ import annotations

import json
import os
import random
import re

import qa
from qa.copies import distinct, is_copy
from qa.render import hit_cards

NOTE = "Ask the arts council about the printing grant before the deadline on June 14, with a budget."


def test_a_text_inside_another_with_a_header_is_a_copy_a_changed_fact_is_not():
    assert is_copy(NOTE, f"May 19, 2024, 8:26 AM\nGrant ideas\n{NOTE}\nwork")
    story = "Bellport's bridge closes on June 1 for two years of repairs; a ferry will run every ten minutes."
    assert not is_copy(story, story.replace("June 1", "July 1"))
    assert is_copy("Call the printer.", "call the printer")  # short: the same words
    assert not is_copy("Call the printer.", "Call the printer about the quote.")


def test_distinct_keeps_k_and_names_copies_found_after_them():
    texts = {1: NOTE, 2: "Something else entirely, about kilns and glazes and firing them at cone six.",
             3: "header " + NOTE, 4: NOTE + " footer", 5: "A third text about ferries crossing the river daily at dawn."}
    articles = {1: 10, 2: 20, 3: 30, 4: 10, 5: 50}  # 4 is another passage of 1's article: no copy of it
    kept, copies, rest = distinct([1, 2, 3, 4, 5], lambda ids: {i: (texts[i], articles[i]) for i in ids}, 2)
    assert kept == [1, 2] and copies == {1: [3], 2: []} and rest == [4, 5]


def _distinct_by_definition(order, texts, window):
    """What distinct() returns, passage against passage: kept ones in order, a later one a copy
    of the first kept one of another article whose 4-grams it shares (at least one, and nine
    tenths of the fewer of the two); under 12 words, of the first kept one with its words."""
    def words(pid):
        return tuple(re.findall(r"\w+", texts[pid][0].lower()))

    def grams(pid):
        w = words(pid)
        return {w[i:i + 4] for i in range(len(w) - 3)}

    kept, rest, copies, after = [], [], {}, 0
    for i, pid in enumerate(order):
        if len(kept) == window:
            if after == window:
                return kept, copies, rest + order[i:]
            after += 1
        if len(words(pid)) < 12:
            original = next((o for o in kept if len(words(o)) < 12 and words(o) == words(pid)), None)
        else:
            original = next((o for o in kept if texts[o][1] != texts[pid][1]
                             and 0 < len(grams(pid) & grams(o)) >= 0.9 * min(len(grams(pid)), len(grams(o)))),
                            None)
        if original is not None and texts[original][1] != texts[pid][1]:
            copies[original].append(pid)
        elif len(kept) == window:
            rest.append(pid)
        else:
            kept.append(pid)
            copies[pid] = []
    return kept, copies, rest


def test_distinct_agrees_with_the_definition_on_random_passages():
    # Passages of a few words from a small vocabulary, many of them another's text with words
    # around it, cut, or changed, some too short to have 4-grams: the fast check (all kept
    # passages' 4-grams in one set first) must leave out the same ones as comparing pairs.
    rng = random.Random(7)
    vocab = [f"w{n}" for n in range(40)]
    checked = copies_found = 0
    for _ in range(400):
        texts = {}
        for pid in range(1, rng.randint(2, 30)):
            if texts and rng.random() < 0.5:
                base = rng.choice(list(texts.values()))[0].split()
                change = rng.choice(["head", "tail", "cut", "swap", "same"])
                if change == "head":
                    base = rng.choices(vocab, k=rng.randint(1, 3)) + base
                elif change == "tail":
                    base = base + rng.choices(vocab, k=rng.randint(1, 3))
                elif change == "cut":
                    base = base[rng.randint(0, 3):]
                elif change == "swap" and base:
                    base[rng.randrange(len(base))] = rng.choice(vocab)
                words = base
            else:
                words = rng.choices(vocab, k=rng.choice([0, 2, 3, 5, 11, 12, 13, 20, 40]))
            texts[pid] = (" ".join(words), rng.randint(1, 4))
        order = list(texts)
        rng.shuffle(order)
        window = rng.randint(1, 8)
        expected = _distinct_by_definition(order, texts, window)
        assert distinct(order, lambda ids, texts=texts: {i: texts[i] for i in ids}, window) == expected
        checked += 1
        copies_found += sum(map(len, expected[1].values()))
    assert checked == 400 and copies_found > 200  # the cases held copies to find


def test_a_copy_in_another_file_is_left_out_and_named_and_k_is_still_filled(tmp_path, fake):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "grant.json").write_text(json.dumps({"title": "Grant ideas", "text": NOTE}), encoding="utf-8")
    (docs / "grant.html").write_text(f"<p>May 19, 2024</p><p>Grant ideas</p><p>{NOTE}</p><p>work</p>",
                                     encoding="utf-8")
    (docs / "notes.txt").write_text("The printing grant form needs two quotes.\n\nKilns fire at cone six.\n\n"
                                    "Ferries cross at dawn.\n", encoding="utf-8")
    lib = qa.Library.build([str(docs)], str(tmp_path / "idx"), embedder=fake, progress=False)
    hits = lib.ask("printing grant deadline", k=3)
    assert len(hits) == 3 and len({h.article_id for h in hits}) == 3
    [first] = [h for h in hits if h.source.endswith((".json", ".html"))]
    other = "grant.html" if first.source.endswith(".json") else "grant.json"
    assert len(first.copies) == 1 and first.copies[0].startswith(f"{docs}/{other}:")
    assert not any(h.copies for h in hits if h is not first)
    assert all(not h.copies for h in lib.ask("printing grant deadline", k=3, mode="lexical")[1:])
    assert [h.rank for h in hits] == [1, 2, 3]
    assert f"also in <code>{first.copies[0]}</code>" in hit_cards(hits, "hybrid")
    assert json.loads(json.dumps(first.to_dict()))["copies"] == [first.copies[0]]
    # Articles similar to one are never its copies, as never its exact duplicates.
    copy_id = next(a for a in lib.catalog.articles_brief(range(1, 10)).values() if a[2].endswith(other))[0]
    assert copy_id not in [s.article_id for s in lib.similar(first.article_id, k=5)]
    assert first.article_id not in [s.article_id for s in lib.similar(copy_id, k=5)]
    assert copy_id in [s.article_id for s in lib.similar(text=NOTE, k=5)]  # a text is no article


def test_when_copies_fill_the_first_places_more_are_grouped_until_k_distinct(tmp_path, fake):
    # Five articles saved three times each (the same text under another header): k=4 finds four.
    docs = tmp_path / "docs"
    docs.mkdir()
    topics = ["harbour dredging plan for larger ships", "market hall restoration of the iron roof",
              "ferry service while the bridge is closed", "glacier meltwater raising the lake level",
              "library reopening after flood repairs"]
    for n, topic in enumerate(topics):
        body = (f"The council report on the {topic} was published on Monday with a long list of next steps. "
                "Residents may comment until the end of the month, and the committee will meet again in "
                "the spring to decide which of the steps come first and how they are paid for.")
        for copy in range(3):
            (docs / f"{n}-{copy}.txt").write_text(f"Saved copy {copy}\n{body}\n", encoding="utf-8")
    lib = qa.Library.build([str(docs)], str(tmp_path / "idx"), embedder=fake, progress=False)
    for mode in ("hybrid", "dense", "lexical"):
        hits = lib.ask("council report next steps", k=4, mode=mode)
        topics_found = [next(t for t in topics if t in h.text) for h in hits]
        assert len(hits) == 4 and len(set(topics_found)) == 4, (mode, topics_found)
        # Copies are named as far as the hits after the last one were looked at.
        assert hits[0].copies, mode
        for h in hits:  # a copy is its own text's other file ({topic}-{copy}.txt), never a hit shown
            mine = os.path.basename(h.source).split("-")[0]
            assert all(os.path.basename(c).split("-")[0] == mine for c in h.copies), (mode, h.copies)
            assert not {c.split(":")[0] for c in h.copies} & {x.source for x in hits}
        # Asked for all there are, each of the five is named with both its copies.
        every = lib.ask("council report next steps", k=15, mode=mode)
        assert len(every) == 5 and all(len(h.copies) == 2 for h in every), mode
