"""Where each element of a JSON list starts, so a pretty-printed export's records (one
article each) are referred to by their own lines, not the file's first."""

from __future__ import annotations

import json
import re

_WS = re.compile(r"[ \t\n\r]*")


def element_lines(text: str, path: tuple) -> list[int]:
    """The line each element of the list at ``path`` (keys and indexes) starts on, so a
    pretty-printed export's records have their own references; [] if the walk goes astray."""
    decoder = json.JSONDecoder()

    def skip(i: int) -> int:  # a value, then the comma after it
        i = _WS.match(text, decoder.raw_decode(text, i)[1]).end()
        return _WS.match(text, i + 1).end() if text[i] == "," else i

    try:
        i = _WS.match(text).end()
        for key in (*path, None):
            opened, i = text[i], _WS.match(text, i + 1).end()
            if opened == "{":
                while True:
                    name, i = json.decoder.scanstring(text, i + 1)
                    i = _WS.match(text, _WS.match(text, i).end() + 1).end()  # past the colon
                    if name == key:
                        break
                    i = skip(i)
            elif key is not None:
                for _ in range(key):
                    i = skip(i)
        starts = []
        while text[i] != "]":
            starts.append(i)
            i = skip(i)
    except (ValueError, IndexError, TypeError):
        return []
    lines, line, last = [], 1, 0
    for start in starts:
        line += text.count("\n", last, start)
        lines.append(line)
        last = start
    return lines
