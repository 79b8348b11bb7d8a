"""The real bundled model on the bundled sample corpus: answers, references, similar articles."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SAMPLES, SEEDS

import qa

pytestmark = pytest.mark.model

# Questions written for the sample corpus, with the article that answers each: a person's words,
# mostly not the article's.
QUESTIONS = [
    ("How many dockworkers stopped working at the harbour?", "world.txt", 1),
    ("Can sixteen-year-olds vote in local elections now?", "world.txt", 8),
    ("How strong was the quake in the mountains?", "world.txt", 14),
    ("Why are farmers blocking roads with tractors?", "world.txt", 20),
    ("Which medicine will the countries buy together first?", "world.txt", 26),
    ("How long does the driverless tram take to reach the airport?", "world.txt", 32),
    ("What pay rise did the teachers accept?", "world.txt", 37),
    ("What started the forest fire?", "world.txt", 42),
    ("Did the island vote for the casino?", "world.txt", 47),
    ("What is the new interest rate?", "world.txt", 52),
    ("Who won the marathon?", "world.txt", 57),
    ("Why did nurses in Quebec walk out?", "world.txt", 62),
    ("Can microbes eat plastic foam?", "sci-001", None),
    ("When can I see the comet without a telescope?", "sci-002", None),
    ("How much sleep is best for memory in old age?", "sci-003", None),
    ("Storing solar energy in molten salt", "sci-004", None),
    ("Do bees recognise people?", "sci-005", None),
    ("Does coffee protect the liver?", "sci-007", None),
    ("How much ice has the glacier lost?", "sci-008", None),
    ("Do trees make streets cooler?", "sci-010", None),
    ("When does the library open again after the flood?", "library-reopens.md", None),
    ("How will people cross the river while the bridge is closed?", "bridge-closure.md", None),
    ("Why is there a hosepipe ban?", "water-restrictions.md", None),
    ("Who bought the market hall?", "market-hall.md", None),
    ("How many jobs will the battery factory create?", "biz-001", None),
    ("How much is the dock strike costing exporters?", "biz-004", None),
    ("Which film won the top prize at the festival?", "culture.html", None),
]


@pytest.fixture(scope="session")
def sample_lib(tmp_path_factory):
    return qa.Library.build([str(SAMPLES)], str(tmp_path_factory.mktemp("real") / "idx"), progress=False)


def _matches(hit, target, line):
    if line is not None:
        return hit.source.endswith(target) and hit.line_start == line
    return hit.article_id == target or hit.source.endswith(target)


def test_questions_find_their_article_first(sample_lib):
    results = sample_lib.ask_many([q for q, *_ in QUESTIONS], k=3)
    misses = [q for (q, target, line), hits in zip(QUESTIONS, results, strict=True)
              if not _matches(hits[0], target, line)]
    recall_at_1 = 1 - len(misses) / len(QUESTIONS)
    assert recall_at_1 >= 0.95, misses
    # Every answer is in the top 3.
    assert all(any(_matches(h, t, ln) for h in hits) for (_, t, ln), hits in zip(QUESTIONS, results, strict=True))


def test_highlight_holds_the_answer(sample_lib):
    cases = [("How many dockworkers joined the strike?", "4,200"),
             ("What is the new interest rate?", "4.25"),
             ("How many runners finished the marathon?", "41,000"),
             ("How many new species were found in the deep sea?", "thirty")]
    for question, answer in cases:
        hit = sample_lib.ask(question, k=1)[0]
        assert answer in hit.highlights[0].text, (question, hit.highlights)


# Questions whose answer is mostly not in the article's first sentence (its title, for world.txt).
LATER_ANSWERS = [
    ("Where are ships going instead of Valmora?", "Keel Bay"),
    ("When are the first elections with the lower voting age?", "spring of 2025"),
    ("How did rescuers reach Soren?", "helicopter"),
    ("How many tractors took part in the protest?", "1,800"),
    ("What will the tax on diesel pay for?", "irrigation pumps"),
    ("Which antibiotic will be bought first?", "amoxicillin"),
    ("How often do the Norhaven trams run?", "four minutes"),
    ("How big can classes be in Rivermark now?", "twenty-eight"),
    ("How many people had to leave their homes because of the Calder fire?", "3,500"),
    ("What caused the Calder forest fire?", "rail grinding"),
    ("Why did environmentalists oppose the Pelora casino?", "green sea turtle"),
    ("Why did the central bank raise rates?", "prices were still rising"),
    ("Who won the women's race in the Bellport marathon?", "Amira Saleh"),
    ("How many nurses joined the Quebec strike?", "2,300"),
    ("How long does comet Halden take to orbit the Sun?", "80,000 years"),
    ("How much foam did the bacteria eat?", "38 percent"),
    ("How many people were in the sleep study?", "12,000"),
]


def test_the_top_highlight_holds_answers_past_the_first_sentence(sample_lib):
    """Measured when written: 15 of 17 (8 of 17 while the title's words, which a world.txt
    article's first sentence holds, still counted in choosing the sentence)."""
    results = sample_lib.ask_many([q for q, _ in LATER_ANSWERS], k=1)
    assert all(a in hits[0].text for (_, a), hits in zip(LATER_ANSWERS, results, strict=True))
    misses = [(q, hits[0].highlights[:1]) for (q, a), hits in zip(LATER_ANSWERS, results, strict=True)
              if not (hits[0].highlights and a in hits[0].highlights[0].text)]
    assert len(misses) <= 2, misses


# Articles as ../shared/seeds has them (one a blank-line block, the first sentence the title),
# each naming its subject in the first sentence and answering in a later one.
NEWS = """Mayor Ilse Varga of Dunmore begins the last year of her second term this week. Her time in \
office has brought floods, a hospital strike and a long row over the new tram line. Even so, a poll \
published on Friday put her approval rating at 61 percent.

Workers at the Karsby paper mill ended their strike on Thursday. The walkout had gone on for 143 \
days, the longest in the town's history. The company agreed to keep the night shift.

Ostmark's transport authority announced a new timetable for its harbour ferries. From March the \
boats will leave every twelve minutes at rush hour, up from every twenty. Fares stay the same.

The Lindqvist family has sold the Brenner glassworks after four generations. The buyer, a Danish \
design group, paid 18 million euros for the factory and its brand. The furnaces will stay lit.
"""


def test_a_title_naming_the_subject_does_not_take_the_highlight(tmp_path):
    (tmp_path / "news.txt").write_text(NEWS, encoding="utf-8")
    lib = qa.Library.build([str(tmp_path / "news.txt")], str(tmp_path / "idx"), progress=False)
    cases = [("How popular is Ilse Varga?", "61 percent"),
             ("How long did the Karsby mill strike go on?", "143 days"),
             ("How often will the Ostmark harbour ferries run?", "twelve minutes"),
             ("How much did the Brenner glassworks sell for?", "18 million"),
             # ... while a first sentence that answers keeps it
             ("Who sold the Brenner glassworks?", "Lindqvist"),
             ("When did the Karsby mill strike end?", "Thursday"),
             ("Which town is Ilse Varga mayor of?", "Dunmore")]
    for question, answer in cases:
        hit = lib.ask(question, k=1)[0]
        assert answer in hit.text and answer in hit.highlights[0].text, (question, hit.highlights)


FESTIVAL = """On 3 and 4 March, 320 beekeepers from across Wales met for the Cardiff Honey Festival 2024, \
hosted by the Welsh Bee Society. This year's event was themed around "Bees and Climate", with sessions on \
the lessons of past hard winters. In case you missed it, all the talks can now be watched online!

The Welsh Bee Society has announced the relaunch of its magazine under a new name: The Hive. This bold \
new publication builds on the growth of the society over the past year, and will be launched at this \
year's Cardiff Honey Festival in March. We publish the editors' announcement below.

A late frost in April killed many early blossoms in the Usk valley. Orchard owners fear a poor apple \
harvest this autumn.
"""


def test_a_story_whose_first_sentence_answers_is_compared_with_the_other_hits_by_it(tmp_path):
    # The title's words count for little in choosing a story's sentence, but its first sentence,
    # its title, holding them answers as much as another hit's sentence holding them: hits are
    # compared by it in full (qa.highlight.RankedPassage), so the festival's story keeps its
    # highlight and the magazine's, which only names the festival, shows none.
    (tmp_path / "news.txt").write_text(FESTIVAL, encoding="utf-8")
    lib = qa.Library.build([str(tmp_path / "news.txt")], str(tmp_path / "idx"), progress=False)
    festival, magazine, *_ = lib.ask("How many beekeepers attended the Cardiff Honey Festival?", k=3)
    assert "320 beekeepers" in festival.highlights[0].text
    assert magazine.title.startswith("The Welsh Bee Society") and magazine.highlights == ()


PLAN = """# Harbour plan

Last week the harbour board published its plan for the new quay. The board wants it finished by 2027.

## What the plan says

The quay will be 400 metres long and will cost 48 million.

## Who objects

Fishermen worry that the dredging will drive the cod away, and say they were never asked.
"""


def test_a_heading_that_repeats_the_question_does_not_take_the_highlight(tmp_path):
    """"## Who objects" is a sentence of its own; it names what follows and answers nothing."""
    (tmp_path / "plan.md").write_text(PLAN, encoding="utf-8")
    lib = qa.Library.build([str(tmp_path / "plan.md")], str(tmp_path / "idx"), progress=False)
    for question, answer in (("Who objects to the quay plan?", "Fishermen"),
                             ("What does the plan say about the quay's length?", "400 metres")):
        hit = lib.ask(question, k=1)[0]
        assert hit.highlights and answer in hit.highlights[0].text, (question, hit.highlights)


RECORD = """# Dredging record

The harbour board publishes what its dredgers remove from the basin each year.

| Year | Silt removed | Cost |
|---|---|---|
| 2021 | 9,800 m3 | 0.9 M |
| 2022 | 12,000 m3 | 1.2 M |
| 2023 | 18,500 m3 | 1.9 M |

The board expects less silt once the new breakwater is built.
"""


def test_a_tables_row_answers_with_its_columns_names_and_the_header_row_never_does(tmp_path):
    """"| Year | Silt removed | Cost |" shares the question's words with every row below it."""
    (tmp_path / "record.md").write_text(RECORD, encoding="utf-8")
    lib = qa.Library.build([str(tmp_path / "record.md")], str(tmp_path / "idx"), progress=False)
    for question, answer in (("How much silt was removed in 2023?", "18,500"),
                             ("What did the dredging cost in 2021?", "0.9 M"),
                             ("How much silt was dredged in 2022?", "12,000")):
        hit = lib.ask(question, k=1)[0]
        assert hit.highlights and answer in hit.highlights[0].text, (question, hit.highlights)
        assert "Year" not in "".join(h.text for h in hit.highlights) and "---" not in hit.highlights[-1].text


def test_a_question_asking_for_a_number_or_a_date_gets_it_marked_in_the_highlight(sample_lib):
    cases = [("How many dockworkers went on strike?", "4,200"), ("When does the library reopen?", "Tuesday"),
             ("How many runners finished the Bellport marathon?", "41,000"), ("Who won the marathon?", None)]
    for question, answer in cases:
        hit = sample_lib.ask(question, k=1)[0]
        shown = hit.text[hit.answer[0] - hit.char_start:hit.answer[1] - hit.char_start] if hit.answer else None
        assert shown == answer, (question, shown)
        assert not hit.answer or hit.highlights[0].char_start <= hit.answer[0] < hit.answer[1] <= hit.highlights[0].char_end
    # only the first hit's: the exporters' "30 million a day" is no count of dockworkers
    port, cost, *_ = sample_lib.ask("How many dockworkers went on strike?", k=3)
    assert port.answer and cost.article_id == "biz-004" and cost.highlights and cost.answer is None


def test_only_hits_with_a_strong_sentence_are_highlighted(sample_lib):
    water, *others = sample_lib.ask("Why is there a hosepipe ban?", k=5)
    assert "banned the use of hosepipes" in water.highlights[0].text
    assert [h.highlights for h in others] == [()] * 4  # protests, strikes, votes: no answer there
    port, cost, *_ = sample_lib.ask("How many dockworkers joined the strike?", k=5)
    assert "4,200" in port.highlights[0].text
    assert cost.article_id == "biz-004" and "strike" in cost.highlights[0].text  # related: kept


def test_similar_articles_are_about_the_same_events(sample_lib):
    port = sample_lib.ask("Valmora dockworkers strike automation", k=1)[0]
    sims = sample_lib.similar(port.article_id, k=3)
    assert "biz-004" in [s.article_id for s in sims]  # the strike's cost to exporters
    assert port.article_id not in [s.article_id for s in sims]
    flood = [s.title for s in sample_lib.similar(text="storm surge flooded the town library", k=2)]
    assert any("library" in t.lower() for t in flood)


def test_modes_disagree_where_they_should(sample_lib):
    # Paraphrase with no shared content word: dense finds it, lexical cannot.
    question = "microbes that eat plastic"
    assert sample_lib.ask(question, k=1, mode="dense")[0].article_id == "sci-001"
    assert sample_lib.ask(question, k=1, mode="hybrid")[0].article_id == "sci-001"


def test_a_lexical_match_of_one_word_of_the_question_does_not_outrank_its_meaning(sample_lib, monkeypatch):
    """A paraphrase sharing no word with its article, whose one lexical match is a wildfire that
    "spread across" a forest: the best BM25 in a small collection counts as much as it matches
    the question (qa.search.LEXICAL_CEILING), not in full for being the best there is."""
    import qa.search

    question = "How can people get across the river during the closure?"
    first = sample_lib.ask(question, k=2)
    assert first[0].source.endswith("bridge-closure.md") and first[0].lexical_rank is None
    assert first[1].lexical_rank == 1 and "wildfire" in first[1].text
    monkeypatch.setattr(qa.search, "LEXICAL_CEILING", 0.0)  # the best BM25 in full: the wildfire first
    assert sample_lib.ask(question, k=1)[0].lexical_rank == 1


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not present")
def test_seed_articles(tmp_path):
    lib = qa.Library.build([str(SEEDS)], str(tmp_path / "seeds"), progress=False)
    hit = lib.ask("How many public sector workers were on strike in Quebec?", k=1)[0]
    with open(hit.source, encoding="utf-8") as fh:
        line = fh.read().splitlines()[hit.line_start - 1]
    assert "600,000 public sector workers in Quebec" in line


def test_contextual_sentence_vectors_agree_with_sentence_embeddings(sample_lib):
    from qa.embedder import encode_spans

    emb = sample_lib.embedder
    text = "The union says 4,200 members joined the strike. Comet Halden will be visible in October."
    spans = [(0, 47), (48, len(text))]
    vectors, [sv], [bits] = encode_spans(emb, [text], [spans])
    assert np.allclose(vectors[0], emb.encode([text])[0], atol=1e-4)
    alone = emb.encode([text[a:b] for a, b in spans])
    cos = (sv * alone).sum(axis=1)
    assert cos.min() > 0.7  # each pooled span resembles its own sentence...
    assert (sv @ alone.T)[0, 1] < cos[0] and (sv @ alone.T)[1, 0] < cos[1]  # ...more than the other
    # The token bits are the signs of the same forward pass's token embeddings, sentence by sentence.
    tokens, offsets = emb._forward([text])[0]
    inside = [[i for i, (a, b) in enumerate(offsets) if b > a and a >= s and b <= e] for s, e in spans]
    assert [len(ix) for ix in inside] == [emb.count_tokens([text[a:b]])[0] for a, b in spans]
    counts = np.frombuffer(bits, "<u2", count=2)
    signs = np.unpackbits(np.frombuffer(bits, np.uint8, offset=4).reshape(-1, emb.dim // 8), axis=1)
    assert counts.tolist() == [len(ix) for ix in inside]
    assert np.array_equal(signs, tokens[inside[0] + inside[1]] > 0)


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_every_backend_gives_the_same_answers(sample_lib, tmp_path, backend):
    """The default (onnx-int8, ``sample_lib``) against torch and fp32 ONNX."""
    assert sample_lib.info().backend == "onnx-int8"
    lib = qa.Library.build([str(SAMPLES)], str(tmp_path / "idx"), progress=False, backend=backend)
    assert lib.info().backend == backend and lib.manifest["backend"] == backend
    # An ONNX export lives with its index.
    assert (tmp_path / "idx" / "models").is_dir() == (backend == "onnx")
    texts = [q for q, *_ in QUESTIONS]
    cos = (lib.embedder.encode(texts) * sample_lib.embedder.encode(texts)).sum(axis=1)
    assert cos.min() >= 0.98  # int8 against fp32: measured 0.987-0.996
    results = lib.ask_many(texts, k=3)
    misses = [q for (q, target, line), hits in zip(QUESTIONS, results, strict=True)
              if not _matches(hits[0], target, line)]
    assert misses == []
    # Reopened without naming a backend, the index uses the one that built it.
    assert qa.Library.open(str(tmp_path / "idx")).embedder.backend == backend
    # A text's vector does not depend on the texts encoded with it (float rounding aside).
    alone = np.vstack([lib.embedder.encode([t]) for t in texts])
    np.testing.assert_allclose(lib.embedder.encode(texts[::-1])[::-1], alone, atol=1e-5)


def test_int8_gives_a_text_one_vector_however_it_is_encoded(sample_lib):
    """Dynamic int8 quantisation scales by the range over a whole run: each text runs alone, so
    a question asked alone or among others, and a passage embedded at a build or an update, get
    the same vector (encoded in runs of 32 they differed by up to 0.01 in cosine)."""
    emb = sample_lib.embedder
    texts = [q for q, *_ in QUESTIONS] + [(SAMPLES / "world.txt").read_text(encoding="utf-8")[:900]]
    alone = np.vstack([emb.encode([t]) for t in texts])
    assert np.array_equal(emb.encode(texts), alone)
    assert np.array_equal(emb.encode(texts[::-1])[::-1], alone)
    q = "Who won the marathon?"
    assert [h.score for h in sample_lib.ask(q, k=5)] == [h.score for h in sample_lib.ask_many([q] + texts[:5], k=5)[0]]


def test_a_new_index_takes_the_export_another_index_made_from_the_machines_cache(tmp_path, monkeypatch):
    import qa.onnx_backend

    monkeypatch.setenv("QA_CACHE", str(tmp_path / "cache"))
    (tmp_path / "a.txt").write_text("The ferry leaves the harbour at nine.\n", encoding="utf-8")
    one = qa.Library.build([str(tmp_path / "a.txt")], str(tmp_path / "one"), progress=False)
    [shared] = [p for p in (tmp_path / "cache" / "exports").iterdir() if p.is_dir()]

    def no_export(*_args, **_kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(qa.onnx_backend, "export", no_export)
    two = qa.Library.build([str(tmp_path / "a.txt")], str(tmp_path / "two"), progress=False)
    # each index holds its own export, the same files, and so the same vectors
    [mine] = [p for p in (tmp_path / "two" / "models").iterdir() if p.is_dir()]
    assert sorted(f.name for f in mine.iterdir()) == sorted(f.name for f in shared.iterdir())
    assert all((mine / f.name).read_bytes() == f.read_bytes() for f in shared.iterdir())
    assert np.array_equal(one.embedder.encode(["When does the ferry leave?"]),
                          two.embedder.encode(["When does the ferry leave?"]))
    # a cache that is not there (nor made) only means an export: without sharing it is one
    monkeypatch.setenv("QA_SHARE_EXPORTS", "0")
    with pytest.raises(AssertionError, match="exported again"):
        qa.Library.build([str(tmp_path / "a.txt")], str(tmp_path / "three"), progress=False)


def test_the_shared_export_is_named_by_the_models_files_and_the_libraries(tmp_path, monkeypatch):
    from qa.onnx_backend import shared_folder

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    first = shared_folder(str(tmp_path), "m", str(tmp_path / "model"), True)
    assert first == shared_folder(str(tmp_path), "m", str(tmp_path / "model"), True)
    assert first != shared_folder(str(tmp_path), "m", str(tmp_path / "model"), False)
    (tmp_path / "model" / "config.json").write_text('{"changed": 1}')  # another size
    second = shared_folder(str(tmp_path), "m", str(tmp_path / "model"), True)
    assert second != first
    import importlib.metadata

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda p: "9.9" if p == "onnxruntime" else real(p))
    assert shared_folder(str(tmp_path), "m", str(tmp_path / "model"), True) not in (first, second)


def test_the_title_words_are_what_a_passage_lacking_the_questions_other_words_is_highlighted_by(sample_lib):
    # The passage never names the council: the title's "bridge" and "close" are all there is
    # to go by (else "The bridge opened in 1931." won on the question's "did the"); the market
    # hall's story, which does name the council, is a weak hit, and it takes no highlight away.
    bridge, hall, *_ = sample_lib.ask("Why did the council close the bridge?", k=3)
    assert bridge.source.endswith("bridge-closure.md") and bridge.missing == ("council",)
    assert "corroded steel cables" in bridge.highlights[0].text
    assert hall.source.endswith("market-hall.md") and hall.weak and hall.highlights == ()


def test_a_why_question_highlights_the_sentence_giving_a_reason(tmp_path):
    # The sentence repeating the question's words took the highlight from the one giving the reason.
    (tmp_path / "fares.md").write_text(
        "# Harbour news\n\nKeel Bay's ferry fares went up in March. Passengers queued at the pier to "
        "complain. The operator said it had no choice because fuel had doubled in price.\n", encoding="utf-8")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), progress=False)
    assert "because" in lib.ask("Why did the ferry raise its fares?", k=1)[0].highlights[0].text
    assert "March" in lib.ask("When did the ferry raise its fares?", k=1)[0].highlights[0].text


def test_a_question_asking_for_a_quantity_highlights_the_sentence_giving_one(tmp_path):
    # The sentence repeating the question's words took the highlight from the one answering it.
    (tmp_path / "ferry.md").write_text(
        "# Harbour news\n\nThe ferry to Skerry Isle is run by the island council. The crossing takes about "
        "forty minutes in calm weather. Tickets are sold on board.\n\nKeel Bay's breakwater protects the "
        "harbour from winter storms. Engineers built it from local granite. It stretches 640 metres into "
        "the bay.\n", encoding="utf-8")
    lib = qa.Library.build([str(tmp_path / "ferry.md")], str(tmp_path / "idx"), progress=False)
    for question, answer in [("How long does the Skerry Isle ferry take?", "forty minutes"),
                             ("How far into the bay does the Keel Bay breakwater reach?", "640 metres")]:
        hit = lib.ask(question, k=1)[0]
        assert answer in hit.highlights[0].text and answer in hit.text[hit.answer[0] - hit.char_start:
                                                                        hit.answer[1] - hit.char_start]
