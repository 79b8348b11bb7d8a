"""An index's language: the stemmer and the function words its full-text search uses (qa.lexical)."""

from __future__ import annotations

import json

import pytest

import qa
from qa.lexical import Analyzer

# Written for these tests: a harbour's notices in German
NOTICES = ("Die Fähre nach Helgoland fährt samstags um neun Uhr ab.\n\n"
           "Der Hafen wird im März ausgebaggert; die Bagger arbeiten drei Wochen.\n\n"
           "Die Schulen bleiben wegen des Sturms geschlossen.\n")
QUESTION = "Wann fahren die Fähren?"


def test_a_languages_stemmer_joins_its_word_forms_and_its_function_words_are_no_content():
    german, english = Analyzer("german"), Analyzer()
    assert german("Fähre Fähren fahren") == ["fahr", "fahr", "fahr"]
    assert english("Fähre Fähren fahren") == ["fahr", "fahren", "fahren"]  # Porter knows no German
    assert {"wann", "die", "über"} <= german.stopwords and "wann" not in english.stopwords
    assert english.stopwords == qa.lexical.STOPWORDS  # English as before languages
    with pytest.raises(qa.InputError, match="no stemmer for the language 'klingon'; one of: arabic, "):
        Analyzer("klingon")


def test_an_index_in_german_finds_and_marks_what_one_in_english_misses(tmp_path, fake):
    (tmp_path / "hafen.txt").write_text(NOTICES, encoding="utf-8")
    de = qa.Library.build([str(tmp_path / "hafen.txt")], str(tmp_path / "de"), embedder=fake, progress=False,
                          language="german")
    [hit] = de.ask(QUESTION, k=1, mode="lexical")
    assert hit.text.startswith("Die Fähre") and hit.missing == () and not hit.weak
    assert hit.highlights[0].text == "Die Fähre nach Helgoland fährt samstags um neun Uhr ab."
    en = qa.Library.build([str(tmp_path / "hafen.txt")], str(tmp_path / "en"), embedder=fake, progress=False)
    [top] = en.ask(QUESTION, k=1, mode="lexical")  # in English none of its words is in a notice
    assert top.weak and top.missing == ("Wann", "fahren", "Fähren") and top.highlights == ()
    manifest = json.loads((tmp_path / "de" / "manifest.json").read_text())
    assert manifest["settings"]["language"] == "german"
    reopened = qa.Library.open(str(tmp_path / "de"), embedder=fake)  # as recorded
    assert reopened.ask(QUESTION, k=1, mode="lexical")[0].passage_id == hit.passage_id


def test_a_language_is_kept_by_updates_and_a_new_one_analyses_the_passages_anew(tmp_path, fake):
    # Porter stems "Fähren" "fahren", German's "fahr": only passages analysed anew match "Fähre"
    (tmp_path / "hafen.txt").write_text(NOTICES.replace("Die Fähre", "Die Fähren"), encoding="utf-8")
    question = "Wo legt die Fähre an?"
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert lib.ask(question, k=1, mode="lexical")[0].weak
    summary = lib.update([str(tmp_path)], progress=False, language="german")
    assert summary.embedded == 0 and lib.ask(question, k=1, mode="lexical")[0].text.startswith("Die Fähren")
    assert lib.update([str(tmp_path)], progress=False).changed is False  # kept as recorded: nothing to do
    assert lib.info().settings["language"] == "german"
    with pytest.raises(qa.InputError, match="no stemmer for the language 'deutsch'"):
        qa.Library.build([str(tmp_path)], str(tmp_path / "other"), embedder=fake, progress=False,
                         language="deutsch")
    assert not (tmp_path / "other").exists()


def test_the_command_line_names_the_languages_there_are(tmp_path, capsys):
    import qa.cli

    (tmp_path / "hafen.txt").write_text(NOTICES, encoding="utf-8")
    code = qa.cli.main(["index", str(tmp_path), "--index", str(tmp_path / "idx"), "--language", "klingon"])
    err = capsys.readouterr().err
    assert code == qa.InputError.exit_code and "no stemmer for the language 'klingon'; one of: " in err
    assert " german, " in err and not (tmp_path / "idx").exists()


def test_the_web_page_says_the_words_language_when_not_english(tmp_path, fake):
    import gradio as gr

    from qa.ui import build_ui

    (tmp_path / "hafen.txt").write_text(NOTICES, encoding="utf-8")
    for language, said in ((None, False), ("german", True)):
        lib = qa.Library.build([str(tmp_path / "hafen.txt")], str(tmp_path / f"idx-{language}"), embedder=fake,
                               progress=False, language=language)
        demo = build_ui(lib)
        [status] = [b.value for b in demo.blocks.values() if isinstance(b, gr.Markdown) and "passages" in str(b.value)]
        assert status.endswith(" · words in german") is said, status


# Written for these tests: a German date and ordinal that English rules take for sentence ends
FERRY = "Die Fähre nach Helgoland fährt am 3. März zum ersten Mal. Sie legt um neun Uhr ab.\n"
HARBOUR = "Der Hafen bleibt geschlossen. Ab dem 1. April gilt der Sommerfahrplan.\n"


def test_a_german_index_splits_sentences_by_german_rules_in_titles_highlights_cards_and_similar(tmp_path, fake):
    import dataclasses

    from qa.render import marked_passage

    (tmp_path / "docs").mkdir()
    # long enough for passages after the first, which are embedded under the title
    timetable = " ".join(f"Im Sommer fährt sie auch um {n} Uhr ab." for n in range(40))
    (tmp_path / "docs" / "faehre.txt").write_text(FERRY.strip() + " " + timetable + "\n", encoding="utf-8")
    (tmp_path / "docs" / "hafen.txt").write_text(HARBOUR, encoding="utf-8")
    question = "Wann fährt die Fähre zum ersten Mal?"
    de = qa.Library.build([str(tmp_path / "docs")], str(tmp_path / "de"), embedder=fake, progress=False,
                          language="german")
    [hit] = de.ask(question, k=1, mode="lexical")
    first = "Die Fähre nach Helgoland fährt am 3. März zum ersten Mal."
    assert hit.title == first and hit.highlights[0].text == first
    assert marked_passage(dataclasses.replace(hit, highlights=())).startswith("Sie legt um neun Uhr ab.")  # title once
    [same] = de.similar_to_file(str(tmp_path / "docs" / "faehre.txt"), k=1)  # read as the index read it
    assert same.article_id == hit.article_id and same.score > 0.9999
    en = qa.Library.build([str(tmp_path / "docs")], str(tmp_path / "en"), embedder=fake, progress=False,
                          language="english")
    [english] = en.ask(question, k=1, mode="lexical")
    assert english.title == "Die Fähre nach Helgoland fährt am 3."  # English rules end a sentence there
    assert english.highlights[0].text in ("Die Fähre nach Helgoland fährt am 3.", "März zum ersten Mal.")


def test_a_new_language_splits_articles_read_anew_and_a_rebuild_splits_them_all(tmp_path, fake):
    (tmp_path / "faehre.txt").write_text(FERRY, encoding="utf-8")
    (tmp_path / "hafen.txt").write_text(HARBOUR, encoding="utf-8")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    # the ferry's title (its first sentence) is longer by German rules: a changed article, split
    # anew; the harbour's sentences would change too, but its title and text did not
    assert lib.update([str(tmp_path)], progress=False, language="german").embedded == 1
    harbour = lib.ask("Wann gilt der Sommerfahrplan?", k=1, mode="lexical")[0]
    assert harbour.highlights[0].text in ("Ab dem 1.", "April gilt der Sommerfahrplan.")  # split as before
    rebuilt = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert rebuilt.last_summary.embedded == 1 and rebuilt.info().settings["language"] == "german"
    harbour = rebuilt.ask("Wann gilt der Sommerfahrplan?", k=1, mode="lexical")[0]
    assert harbour.highlights[0].text == "Ab dem 1. April gilt der Sommerfahrplan."


def test_sentences_split_by_the_languages_rules_but_not_after_a_title_or_initial_english_knows():
    from qa.chunker import sentences_in, split_sentences

    def sentences(text: str, language: str) -> list[str]:
        with sentences_in(language):
            return [text[a:b] for a, b in split_sentences(text)]

    german = "Dr. Müller kam am 3. März. Er blieb."
    assert sentences(german, "german") == ["Dr. Müller kam am 3. März.", "Er blieb."]
    assert sentences(german, "english") == ["Dr. Müller kam am 3.", "März.", "Er blieb."]
    # French's rules end one after "M." and "Dr.": English's, which know them, do not
    french = "M. Dupont et le Dr. Martin sont venus. Ils travaillent pour l'ONU. Ils sont partis."
    assert sentences(french, "french") == ["M. Dupont et le Dr. Martin sont venus.",
                                           "Ils travaillent pour l'ONU.", "Ils sont partis."]
    assert sentences("Τι κάνεις; Καλά είμαι.", "greek") == ["Τι κάνεις;", "Καλά είμαι."]  # its question mark
    assert sentences("El Sr. García vino de EE. UU. ayer. Se fue.", "spanish") == [
        "El Sr. García vino de EE. UU. ayer.", "Se fue."]
    assert sentences(german, "klingon") == sentences(german, "english")  # sentencex knows no such one


def test_a_function_word_its_list_spells_without_accents_is_one_typed_with_them(tmp_path, fake):
    from qa.text import query_terms

    spanish = Analyzer("spanish")
    assert "cuando" in spanish.stopwords and "cuándo" not in _listed("spanish")  # the list's spelling
    assert query_terms("¿Cuándo y dónde zarpa el ferri? ¿Cuánto cuesta?", spanish.stopwords) == [
        "zarpa", "ferri", "cuesta"]
    (tmp_path / "puerto.txt").write_text("El ferri zarpa a las nueve. El billete cuesta diez euros.\n",
                                         encoding="utf-8")
    lib = qa.Library.build([str(tmp_path / "puerto.txt")], str(tmp_path / "es"), embedder=fake, progress=False,
                           language="spanish")
    [hit] = lib.ask("¿Cuándo zarpa el ferri?", k=1, mode="lexical")
    assert hit.missing == () and not hit.weak  # "Cuándo" is no word the passage lacks


def _listed(language: str) -> set[str]:
    from stop_words import get_stop_words

    return set(get_stop_words(language))


def test_question_words_the_lists_lack_are_not_called_missing_from_an_answer(tmp_path, fake):
    # Written for this test: a ferry notice in Dutch and in French, each asked when and how much
    cases = {"dutch": ("De veerboot vertrekt om negen uur. Een kaartje kost tien euro.\n",
                       ["Wanneer vertrekt de veerboot?", "Hoeveel kost een kaartje?"]),
             "dutch_porter": ("De veerboot vertrekt om negen uur. Een kaartje kost tien euro.\n",
                              ["Wanneer vertrekt de veerboot?"]),
             "french": ("Le bac part à neuf heures. Le billet coûte dix euros.\n",
                        ["Combien coûte le billet ?", "Quoi de neuf pour le bac ?"])}
    for language, (text, questions) in cases.items():
        (tmp_path / f"{language}.txt").write_text(text, encoding="utf-8")
        lib = qa.Library.build([str(tmp_path / f"{language}.txt")], str(tmp_path / language), embedder=fake,
                               progress=False, language=language)
        for question in questions:
            [hit] = lib.ask(question, k=1, mode="lexical")
            assert hit.missing == () and not hit.weak, (language, question, hit.missing)
    assert "wanneer" in Analyzer("dutch_porter").stopwords  # Dutch's list for either Dutch stemmer
    from qa.text import query_terms

    # what is left of an elided article or pronoun is no content word ("l'informe": "l")
    assert query_terms("Què diu l'informe de l'any?", Analyzer("catalan").stopwords) == ["diu", "informe", "any"]
    assert query_terms("Quando s'è rotta la gru dell'impianto?", Analyzer("italian").stopwords) == [
        "rotta", "gru", "impianto"]


# Written for these tests: harbour news in German, enough words to tell the language by
GERMAN_NEWS = [
    "Die Fähre nach Helgoland fährt ab dem 3. März wieder täglich. Sie legt um neun Uhr am Südkai ab und ist "
    "gegen Mittag auf der Insel. Wer mit dem Fahrrad reist, muss einen Platz reservieren, denn an Bord ist "
    "nur wenig Raum. Die Reederei hat die Preise nicht erhöht, aber die Karten für Kinder sind etwas "
    "teurer geworden. Bei Sturm fällt die Fahrt aus, und die Gäste werden am Abend zuvor informiert.",
    "Der Hafen wird im Frühjahr ausgebaggert, weil sich in der Einfahrt zu viel Schlick gesammelt hat. "
    "Die Arbeiten dauern drei Wochen und kosten die Stadt fast zwei Millionen Euro. In dieser Zeit können "
    "große Schiffe nur bei Hochwasser einlaufen. Die Fischer sind nicht zufrieden, denn sie verlieren "
    "jeden Tag Zeit. Der Bürgermeister sagt, dass es keine andere Lösung gibt und dass die Einfahrt danach "
    "für viele Jahre sicher ist.",
    "Am Wochenende feiert die Stadt ihr Hafenfest mit Musik, Booten und einem großen Feuerwerk über dem "
    "Wasser. Die Straßen am Kai sind von Freitag bis Sonntag für Autos gesperrt. Die Busse fahren in "
    "dieser Zeit über die Ringstraße, und ein Shuttle bringt die Besucher vom Bahnhof zum Fest. Wer am "
    "Samstag kommt, sollte früh da sein, weil die Plätze am Wasser schnell voll sind. Für Kinder gibt es "
    "ein eigenes Programm mit Spielen und einer Fahrt auf dem alten Schlepper.",
]


def test_a_new_index_not_told_its_language_takes_the_one_its_articles_are_in(tmp_path, fake, monkeypatch, capsys):
    import qa.cli
    import qa.embedder

    docs = tmp_path / "nachrichten"
    docs.mkdir()
    for n, text in enumerate(GERMAN_NEWS * 2):  # twice: 600 words
        (docs / f"{n}.txt").write_text(text + "\n", encoding="utf-8")
    monkeypatch.setattr(qa.embedder, "load_embedder", lambda *a, **k: fake)
    assert qa.cli.main(["index", str(docs), "--index", str(tmp_path / "de"), "--quiet"]) == 0
    assert "language: german, as the articles read" in capsys.readouterr().out
    lib = qa.Library.open(str(tmp_path / "de"), embedder=fake)
    assert lib.info().settings["language"] == "german"
    [hit] = lib.ask("Wann legt die Fähre ab?", k=1, mode="lexical")  # German stems: "legt" and "ab" found
    assert hit.title == "Die Fähre nach Helgoland fährt ab dem 3. März wieder täglich."  # German sentences
    asked = qa.Library.build([str(docs)], str(tmp_path / "en"), embedder=fake, progress=False, language="english")
    assert asked.info().settings["language"] == "english"  # asked for: taken as asked
    (docs / "english.txt").write_text("The harbour festival starts on Friday.\n" * 200, encoding="utf-8")
    assert qa.cli.main(["index", str(docs), "--index", str(tmp_path / "de"), "--quiet"]) == 0
    assert "language:" not in capsys.readouterr().out  # an update keeps the index's
    assert qa.Library.open(str(tmp_path / "de"), embedder=fake).info().settings["language"] == "german"


def test_the_language_is_read_from_files_across_the_collection_not_only_its_first_folder(tmp_path):
    from qa.language import SAMPLE_FILES, _sample, language_of_articles

    english = "The ferry to the island leaves at nine every morning, and it is back in the harbour by noon. " * 60
    (tmp_path / "a-intro").mkdir()
    for n in range(2):  # read first, and long enough to decide alone
        (tmp_path / "a-intro" / f"{n}.txt").write_text(english + "\n", encoding="utf-8")
    (tmp_path / "b-nachrichten").mkdir()
    for n, text in enumerate(GERMAN_NEWS * 10):
        (tmp_path / "b-nachrichten" / f"{n:02}.txt").write_text(text + "\n", encoding="utf-8")
    assert language_of_articles([str(tmp_path)]) == "german"
    assert language_of_articles([str(tmp_path / "a-intro")]) == "english"
    # The pick: uniform, in order, the same each time.
    assert _sample(range(5), SAMPLE_FILES) == list(range(5))
    picked = _sample(range(1000), 16)
    assert picked == sorted(picked) == _sample(range(1000), 16) and len(set(picked)) == 16 and picked[-1] > 500


def test_english_and_too_little_text_are_english_and_clearly_another_language_is_that_one():
    from qa.language import language_of_text

    english = "The ferry to the island leaves at nine every morning, and it is back in the harbour by noon. " * 20
    assert language_of_text(english) == "english"
    german = " ".join(GERMAN_NEWS * 2)
    assert language_of_text(german) == "german"
    assert language_of_text(" ".join(GERMAN_NEWS)) == "english"  # 221 words: too few to tell
    assert language_of_text(german + " " + (english * 2)[: len(german)]) == "english"  # half each: not clearly another
