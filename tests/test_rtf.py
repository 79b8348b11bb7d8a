"""Rich Text documents: TextEdit's, WordPad's and Word's .rtf, paragraphs as references (qa.rtf)."""

from __future__ import annotations

import random

import qa
from qa.readers import ReadStats, read_articles

# As macOS TextEdit saves a document (its default format): the information group, a bold line,
# paragraphs ended by a backslash, \'e9 in the code page, \uc0\u8212 an em dash with no fallback.
TEXTEDIT = r"""{\rtf1\ansi\ansicpg1252\cocoartf2761
\cocoatextscaling0\cocoaplatform0{\fonttbl\f0\fswiss\fcharset0 Helvetica;\f1\fswiss\fcharset0 Helvetica-Bold;}
{\colortbl;\red255\green255\blue255;}
{\*\expandedcolortbl;;}
{\info
{\title Harbour notes}
{\author Lena Marsh}
{\keywords harbour, dredging}
{\creatim\yr2024\mo3\dy5\hr9\min12}}\paperw11900\paperh16840\margl1440\margr1440\vieww11520\viewh8400\viewkind0
\pard\tx566\tx1133\tx1700\pardirnatural\partightenfactor0

\f1\b\fs28 \cf0 The Inner Basin\

\f0\b0\fs24 Dredging resumed in March after the winter storms. The caf\'e9 on the quay reopened \uc0\u8212  a week late.\
\
A pilot boat {\field{\*\fldinst{HYPERLINK "https://example.org/pilots"}}{\fldrslt guides}} every tanker in.\
}
"""

# As Word saves "Rich Text Format": a stylesheet whose heading style has an outline level, the
# heading paragraph carrying it too, a table, a field, a picture, a footnote, a header, a theme.
WORD = r"""{\rtf1\adeflang1025\ansi\ansicpg1252\uc1\adeff0\deff0\deflang1033{\fonttbl{\f0\froman\fcharset0\fprq2 Times New Roman;}}
{\stylesheet{\ql \li0\ri0\widctlpar\fs24 \snext0 \sqformat \spriority0 Normal;}{\s1\ql \sb240\sa60\keepn\outlinelevel0 \b\fs32 \sbasedon0 \snext0 heading 1;}{\s2\ql \sb240\outlinelevel1 \b\i\fs28 \sbasedon0 \snext0 heading 2;}}
{\info{\title Port report}{\subject Quays}{\author Port Engineer}{\creatim\yr2023\mo11\dy2\hr10\min4}}
{\header \pard\plain Confidential draft\par}
\pard\plain \ltrpar\s1\ql \sb240\sa60\keepn\outlinelevel0\adjustright \b\fs32 {\insrsid123 Crane capacity}{\insrsid123 \par }
\pard\plain \ltrpar\ql \widctlpar\fs24 {\insrsid123 The new crane on the north quay lifts 65 tonnes.}{\super\chftn}{\footnote \pard\plain {\super\chftn} Rated by the maker.}{\insrsid123 \par }
\pard\plain \ltrpar\s2\ql \sb240\outlinelevel1 \b\i\fs28 {Silt by year\par }
\trowd \irow0\irowband0\ltrrow\trgaph108\trleft-108 \cellx4680\cellx9360\pard\plain \ltrpar\ql \intbl {Year\cell Silt removed\cell }\pard\plain \intbl {\trowd \cellx4680\cellx9360\row }
\trowd \irow1\ltrrow\trgaph108 \cellx4680\cellx9360\pard\plain \ltrpar\ql \intbl {2023\cell 12,400 m3\cell }\pard\plain \intbl {\trowd \cellx4680\cellx9360\row }
\pard\plain {{\*\shppict{\pict{\*\picprop}\pngblip\picw10\pich10 PICTURE}}}{See {\field{\*\fldinst {HYPERLINK "https://example.org/" }}{\fldrslt {the port's page}}} for more.\par }
{\*\themedata 504b030414000600080000002100e9de0fbfff0000001c020000130000005b436f6e74656e745f54797065735d2e786d6cac91cb4ec3301045f748fc83e52d4a}
}
"""


def read(path):
    stats = ReadStats()
    return list(read_articles([str(path)], stats)), stats


def test_a_textedit_document_with_its_information_and_escaped_characters(tmp_path):
    (tmp_path / "notes.rtf").write_text(TEXTEDIT, encoding="ascii")
    [article], stats = read(tmp_path / "notes.rtf")
    assert stats.skipped == []
    assert article.text.split("\n") == [
        "# The Inner Basin",  # a short line in bold: TextEdit saves no heading styles
        "Dredging resumed in March after the winter storms. The café on the quay reopened — a week late.",
        "A pilot boat guides every tanker in.",  # a link's text, not its target
    ]
    assert (article.title, article.author, article.date, article.tags, article.markup) == (
        "Harbour notes", "Lena Marsh", "2024-03-05", ("harbour", "dredging"), "page")
    assert [n for _, n in article.line_anchors] == [1, 2, 3]  # paragraphs, blank ones not counted


def test_a_word_document_keeps_headings_and_tables_and_leaves_out_what_a_page_does_not_show(tmp_path):
    picture = "\n".join("".join(random.Random(n).choice("0123456789abcdef") for _ in range(128)) for n in range(64))
    (tmp_path / "report.rtf").write_text(WORD.replace("PICTURE", picture), encoding="ascii")
    [article], stats = read(tmp_path / "report.rtf")
    assert stats.skipped == []
    assert article.text.split("\n") == [
        "# Crane capacity",
        "The new crane on the north quay lifts 65 tonnes.",
        "## Silt by year",
        "| Year | Silt removed |",
        "|---|---|",
        "| 2023 | 12,400 m3 |",
        "See the port's page for more.",
    ]
    assert (article.title, article.author, article.date, article.metadata) == (
        "Port report", "Port Engineer", "2023-11-02", {"subject": "Quays"})
    assert [n for _, n in article.line_anchors] == [1, 2, 3, 4, 5, 6]  # the rule under a header is no paragraph


def test_wordpad_bold_lines_are_headings_and_bold_words_or_sentences_are_not(tmp_path):
    # WordPad turns bold on and off (\\b ... \\b0); Word wraps it in a group ({\\b ...})
    (tmp_path / "pad.rtf").write_text(
        r"""{\rtf1\ansi\ansicpg1252\deff0\nouicompat{\fonttbl{\f0\fnil\fcharset0 Calibri;}}
{\*\generator Riched20 10.0.19041}\viewkind4\uc1
\pard\sa200\sl276\slmult1\b\f0\fs28\lang9 Ferry timetable\b0\fs22\par
The ferry leaves at {\b seven} sharp.\par
{\b Tickets are cheaper this year.}\par
{\b Prices}\par
Children travel free\par
\b Adults\par\pard\plain Pay four pounds\par
}""", encoding="ascii")
    (tmp_path / "loud.rtf").write_text(r"{\rtf1\ansi \b Ferry timetable\par The ferry leaves at seven\par}",
                                       encoding="ascii")
    [pad], _ = read(tmp_path / "pad.rtf")
    assert pad.text.split("\n") == ["# Ferry timetable", "The ferry leaves at seven sharp.",
                                     "Tickets are cheaper this year.", "# Prices", "Children travel free",
                                     "# Adults", "Pay four pounds"]  # bold ends with its group, and at \plain
    assert pad.title == "Ferry timetable"
    [loud], _ = read(tmp_path / "loud.rtf")
    assert loud.text == "Ferry timetable\nThe ferry leaves at seven"  # all bold: no line stands out


def test_characters_outside_the_basic_plane_raw_bytes_and_untitled_documents(tmp_path):
    # WordPad writes an emoji as its two UTF-16 halves; a half alone is no character SQLite can store
    (tmp_path / "pad.rtf").write_bytes(rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Calibri;}}\uc1"
                                       rb"\pard Ferries run again \u-10179?\u-8704? from Keel Bay.\par"
                                       rb"\pard A stray half \u-10179? stays readable.\par}")
    # a writer that puts the code page's bytes in raw (0xE9: e acute in cp1252)
    (tmp_path / "raw.rtf").write_bytes(b"{\\rtf1\\ansi\\ansicpg1252 \\pard Caf\xe9 opens at nine.\\par}")
    # and one that writes UTF-8 (some converters do)
    (tmp_path / "utf8.rtf").write_bytes("{\\rtf1\\ansi \\pard Łucja's café opens at nine.\\par}".encode())
    pad, raw, utf8 = (read(tmp_path / n)[0][0] for n in ("pad.rtf", "raw.rtf", "utf8.rtf"))
    assert pad.text == "Ferries run again \U0001f600 from Keel Bay.\nA stray half \ufffd stays readable."
    assert pad.title == "Ferries run again \U0001f600 from Keel Bay."  # no information group: its first sentence
    assert raw.text == "Café opens at nine."
    assert utf8.text == "Łucja's café opens at nine."


def test_rtf_in_the_index_is_referenced_by_paragraphs_and_bad_ones_are_reported(tmp_path, fake):
    body = "".join(rf"\pard Week {w}: the dredger cleared basin {w} of its silt.\par " for w in range(1, 40))
    (tmp_path / "works.rtf").write_text(r"{\rtf1\ansi " + body + r"\pard The new crane lifts forty tonnes.\par}",
                                        encoding="ascii")
    (tmp_path / "empty.rtf").write_bytes(b"")
    (tmp_path / "renamed.rtf").write_text("Just text saved with the wrong name.", encoding="utf-8")
    (tmp_path / "blank.rtf").write_text(r"{\rtf1\ansi{\fonttbl{\f0 Helvetica;}}\pard\par}", encoding="ascii")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=64)
    why = {s.path.rsplit("/", 1)[1]: s.reason for s in lib.last_summary.skipped}
    assert why == {"empty.rtf": "empty file",
                   "renamed.rtf": "not a Rich Text document (it does not open with {\\rtf)",
                   "blank.rtf": "no text in the document"}
    [hit] = lib.ask("crane lifts forty tonnes", k=1, mode="lexical")
    path = str(tmp_path / "works.rtf")
    assert hit.reference.startswith(f"{path}:¶") and hit.line_end == 40
    assert "The new crane lifts forty tonnes." in hit.text


def test_an_rtf_attached_to_a_message_is_read_as_an_article_of_its_own(tmp_path):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["Date"] = "Notes from the quay", "Lena Marsh <lena@example.org>", \
        "Tue, 05 Mar 2024 09:12:00 +0000"
    msg.set_content("The notes are attached.\n")
    msg.add_attachment(TEXTEDIT.encode("ascii"), maintype="application", subtype="rtf", filename="notes.rtf")
    (tmp_path / "notes.eml").write_bytes(bytes(msg))
    articles, stats = read(tmp_path / "notes.eml")
    assert stats.skipped == []
    attached = next(a for a in articles if a.title.startswith("notes.rtf"))
    assert attached.title == "notes.rtf (in: Notes from the quay)"
    assert "The café on the quay reopened — a week late." in attached.text
