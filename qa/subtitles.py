"""Subtitles and transcripts (.srt, .vtt, YouTube's .sbv): a lecture's, a podcast's or a video's words
as one article.

The cues' text is read in order without their numbers, times and markup (``<i>``, ``<c.yellow>``,
a WebVTT voice ``<v Ann>`` read as ``Ann:``, SubRip's ``{\\an8}``; a broadcast caption's ``>>``, which
marks a new speaker, read as that); a line repeated by rolling
captions (YouTube's automatic ones show each line twice, the second time above the next) is read
once; a pause of three seconds, a new speaker or a minute's talk ended by a sentence starts a
paragraph, which opens with its time (``[12:05]``, ``[1:02:07]``), as a video's transcript shows it:
the card says where to play it. Each line of the text is at the line of the file its cue's text is
on, so a reference opens the file at the cue, its time just above it (``lecture-3.vtt:212-240``).
Titled by the file's name (without a language suffix: ``Tides.en.vtt`` is ``Tides``); its length
kept as ``metadata["duration"]``.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .dates import name_date
from .markdown import file_title
from .records import article_from
from .textlines import decode_lines
from .types import Article, Skip

if TYPE_CHECKING:
    from .walk import ReadStats

SUBTITLES = (".srt", ".vtt", ".sbv")
PAUSE = 3.0  # seconds of silence that end a paragraph
LONG = 60.0  # seconds of talk after which a sentence's end ends one: passages start near a time
_ENDS = (".", "?", "!", '."', '?"', ".'", "?'")
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*(?:-->\s*{_TIME}|,{_TIME}\s*$)")  # SubRip's, WebVTT's; SBV's a,b
_TURN = re.compile(r"^(?:>>|&gt;&gt;)\s*")  # closed captions' new speaker
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # WebVTT's and SubRip's markup, a cue's inline times
# A language suffix: "Tides.en", "Talk.pt-BR"; "Tides_en" as an upload's safe name has it
_LANGUAGE = re.compile(r"\.[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?$|_[a-z]{2}$")


@dataclasses.dataclass
class _Cue:
    start: float
    end: float
    lines: list[tuple[int, str]]  # (line of the file, text)


def read_subtitles(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """The file's cues as one article of paragraphs, its lines at its cues' lines."""
    lines = decode_lines(given, data, stats)
    if any(line is None for line in lines):
        return
    cues = _cues([line.replace("\r", "") for line in lines])
    if not cues:
        stats.skipped.append(Skip(given, None, "no cues in it (no 00:00:01,000 --> 00:00:04,000 lines)"))
        return
    text_lines: list[tuple[str, int]] = []  # (a line of the article, its line in the file)
    recent: list[str] = []  # the last lines read: rolling captions show each again
    speaker, previous_end, began = None, None, 0.0
    for cue in cues:
        for number, raw in cue.lines:
            voice = _VOICE.search(raw)
            turn = _TURN.match(raw.strip())
            line = " ".join(html.unescape(_TAG.sub("", raw.strip()[turn.end():] if turn else raw)).split())
            if not line or line in recent[-2:]:
                continue
            recent.append(line)
            who = voice.group(1).strip() if voice else speaker
            pause = previous_end is not None and cue.start - previous_end >= PAUSE
            long = bool(text_lines) and cue.start - began >= LONG and text_lines[-1][0].endswith(_ENDS)
            if text_lines and (pause or long or turn or (voice and who != speaker)):
                text_lines.append(("", number))
            if voice and who != speaker:
                line = f"{who}: {line}"
            if not text_lines or not text_lines[-1][0]:
                line, began = f"[{_clock(cue.start)}] {line}", cue.start
            speaker = who
            text_lines.append((line, number))
            previous_end = cue.end
        previous_end = max(previous_end or 0.0, cue.end)
    if not text_lines:
        stats.skipped.append(Skip(given, None, "no text in its cues"))
        return
    text = "\n".join(line for line, _ in text_lines)
    anchors, size = [], 0
    for line, number in text_lines:
        if not anchors or anchors[-1][1] != number:
            anchors.append((size, number))
        size += len(line) + 1
    stem = _LANGUAGE.sub("", absolute.rsplit(".", 1)[0])
    title = file_title(stem + ".srt") or None
    rec = {"date": name_date(absolute), "metadata": {"duration": _clock(cues[-1].end)}}
    article = article_from(rec, given, absolute, 0, text, title, anchors[0][1], lines_mapped=True)
    yield dataclasses.replace(article, line_anchors=tuple(anchors))


def _cues(lines: list[str]) -> list[_Cue]:
    """The cues in order: a timing line and the text lines under it, to an empty line (a line of
    a space is a cue's: YouTube's open with one)."""
    cues: list[_Cue] = []
    current: _Cue | None = None
    for number, line in enumerate(lines, 1):
        if m := _TIMING.match(line):
            if current is not None and current.lines and current.lines[-1][1].strip().isdigit():
                current.lines.pop()  # the next cue's number, no empty line before it
            times = m.groups()
            current = _Cue(_seconds(times[:4]), _seconds(times[4:8] if times[5] is not None else times[8:]), [])
            cues.append(current)
        elif not line:
            current = None
        elif current is not None:
            current.lines.append((number, line))
    return cues


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _seconds(parts) -> float:
    hours, minutes, seconds, fraction = parts
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(fraction.ljust(3, "0")) / 1000
