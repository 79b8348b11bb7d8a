"""Subtitles and transcripts (.srt, .vtt) read as one article at the lines of their cues (qa.subtitles)."""

from __future__ import annotations

import qa
from qa.readers import ReadStats, read_articles

# A lecture's captions as a captioning tool writes them, voices and all (written for these tests)
LECTURE = """WEBVTT
Kind: captions
Language: en

NOTE written by hand

00:00:00.000 --> 00:00:02.500 align:start position:0%
<v Ann>Welcome to the third lecture on tides.

00:00:02.500 --> 00:00:05.000
<v Ann>Today we look at <i>spring</i> tides &amp; neap tides.

00:00:09.000 --> 00:00:12.000
<v Bob>Why is the spring tide higher?

01:00:12.000 --> 01:00:15.000
<v Ann>Because the sun and the moon pull together.
"""

# YouTube's automatic captions: each line shown twice, the second time above the next, with
# the words' times inside, cues of 10 ms between, and a line of a space (␠) opening some
ROLLING = """WEBVTT
Kind: captions
Language: en

00:00:00.160 --> 00:00:02.070 align:start position:0%
␠
the<00:00:00.400><c> harbour</c><00:00:00.640><c> dredger</c>

00:00:02.070 --> 00:00:02.080 align:start position:0%
the harbour dredger
␠

00:00:02.080 --> 00:00:04.430 align:start position:0%
the harbour dredger
arrives<00:00:02.560><c> on</c><00:00:02.800><c> monday</c>

00:00:04.430 --> 00:00:04.440 align:start position:0%
arrives on monday
␠
""".replace("␠", " ")


def read(path):
    stats = ReadStats()
    return list(read_articles([str(path)], stats)), stats


def line_of(text: str, what: str) -> int:
    return text[:text.index(what)].count("\n") + 1


def test_captions_are_a_text_of_paragraphs_at_the_lines_of_their_cues(tmp_path):
    (tmp_path / "Tides-lecture-3.en.vtt").write_text(LECTURE, encoding="utf-8")
    [article], stats = read(tmp_path / "Tides-lecture-3.en.vtt")
    assert article.text == ("[0:00] Ann: Welcome to the third lecture on tides.\n"
                            "Today we look at spring tides & neap tides.\n\n"
                            "[0:09] Bob: Why is the spring tide higher?\n\n"
                            "[1:00:12] Ann: Because the sun and the moon pull together.")
    assert (article.title, article.metadata) == ("Tides-lecture-3", {"duration": "1:00:15"})
    assert [line for _, line in article.line_anchors] == [
        line_of(LECTURE, "<v Ann>Welcome"), line_of(LECTURE, "<v Ann>Today"), line_of(LECTURE, "<v Bob>"),
        line_of(LECTURE, "<v Ann>Because")]
    [uploaded], _ = read(_write(tmp_path / "Tides_en.vtt", LECTURE))  # as the web page's upload names it
    assert uploaded.title == "Tides"
    [rolling], _ = read(_write(tmp_path / "auto.vtt", ROLLING))
    assert rolling.text == "[0:00] the harbour dredger\narrives on monday"  # each line once
    assert rolling.line_anchors[0] == (0, line_of(ROLLING, "the<00"))  # the cue under its line of a space
    crammed = "1\n00:00:01,000 --> 00:00:02,000\nFirst.\n2\n00:00:02,000 --> 00:00:03,000\nSecond.\n"
    [srt], _ = read(_write(tmp_path / "crammed.srt", crammed))  # no empty line before a cue's number
    assert srt.text == "[0:01] First.\nSecond."
    assert stats.skipped == []


def test_a_subrip_file_in_a_legacy_encoding_and_one_without_cues(tmp_path, fake):
    (tmp_path / "cafe.srt").write_bytes(b"1\r\n00:00:01,000 --> 00:00:04,000\r\n{\\an8}The caf\xe9 on the quay opens at six."
                                        b"\r\n\r\n2\r\n00:00:08,500 --> 00:00:10,000\r\n<i>It serves the first ferry.</i>\r\n")
    (tmp_path / "notes.srt").write_text("Not subtitles at all.\n", encoding="utf-8")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    why = {s.path.rsplit("/", 1)[1]: s.reason for s in lib.last_summary.skipped}
    assert why == {"notes.srt": "no cues in it (no 00:00:01,000 --> 00:00:04,000 lines)"}
    [hit] = lib.ask("When does the café open?", k=1, mode="lexical")
    assert hit.text == "[0:01] The café on the quay opens at six.\n\n[0:08] It serves the first ferry."  # a pause
    assert (hit.line_start, hit.line_end) == (3, 7)


def test_a_long_talk_is_cut_into_timed_paragraphs_at_the_end_of_a_sentence(tmp_path):
    cues = []
    for i in range(30):  # five-second cues without a pause: a sentence ends every other one
        start = 5 * i
        words = f"the tide table part {i}" + ("." if i % 2 else " and then")
        cues.append(f"{i + 1}\n00:{start // 60:02d}:{start % 60:02d},000 --> "
                    f"00:{(start + 5) // 60:02d}:{(start + 5) % 60:02d},000\n{words}\n")
    [talk], _ = read(_write(tmp_path / "talk.srt", "\n".join(cues)))
    paragraphs = talk.text.split("\n\n")
    # a minute on, at a sentence's end: the cue at 0:55 ends one, the next opens at 1:00
    assert [p.split("]")[0] for p in paragraphs] == ["[0:00", "[1:00", "[2:00"]
    assert all(p.split("\n")[-1].endswith(".") for p in paragraphs)
    assert len(talk.text.splitlines()) == 30 + 2 and talk.metadata == {"duration": "2:30"}


def test_youtubes_sbv_and_a_broadcasts_speaker_turns(tmp_path):
    sbv = ("0:00:00.599,0:00:04.160\n>> ANN: The dredger arrives on Monday.\n\n"
           "0:00:04.160,0:00:06.770\nIt works for three weeks.\n\n"
           "0:00:06.900,0:00:09.000\n&gt;&gt; And the ferry?\n\n"
           "0:00:09.000,0:01:02.500\n>> It keeps to its timetable.\n")
    [talk], stats = read(_write(tmp_path / "harbour-news.sbv", sbv))
    assert talk.text == ("[0:00] ANN: The dredger arrives on Monday.\nIt works for three weeks.\n\n"
                         "[0:06] And the ferry?\n\n[0:09] It keeps to its timetable.")  # >>: a new speaker
    assert [line for _, line in talk.line_anchors] == [2, 5, 8, 11] and talk.metadata == {"duration": "1:02"}
    assert stats.skipped == []


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path
