"""Progress bars on standard error: redrawn live on a terminal, a line now and then in a log.

tqdm redraws a bar up to ten times a second with a carriage return; written to a file (``qa
index ... 2> index.log``, a cron job, CI), every redraw stayed, all on one line (15 KB for a
75-second update of Node.js's docs; an hour's embedding, hundreds of kilobytes). So
where standard error is not a terminal, a bar is drawn every :data:`LOG_EVERY` seconds, each on
its own line."""

from __future__ import annotations

import sys
from typing import Any

LOG_EVERY = 30.0  # seconds


def bar(**options: Any):
    """A ``tqdm`` bar on standard error (``options`` as tqdm's: total, desc, unit, disable...)."""
    from tqdm import tqdm

    if sys.stderr.isatty():
        return tqdm(file=sys.stderr, **options)
    return tqdm(file=_Lines(sys.stderr), mininterval=LOG_EVERY, maxinterval=LOG_EVERY, **options)


class _Lines:
    """A stream that ends each of tqdm's redraws with a newline instead of opening it with a
    carriage return (the same line twice, as closing a bar just drawn redraws it, once)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.last = ""

    def write(self, text: str) -> None:
        text = text.replace("\r", "")
        if text.strip() and text != self.last:
            self.stream.write(text + "\n")
            self.last = text

    def flush(self) -> None:
        self.stream.flush()
