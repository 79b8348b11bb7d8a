"""Keep an index in step with folders that change: `qa index PATH... --watch`.

Every few seconds the paths are updated as `qa index` updates them: files unchanged since they
were indexed are not opened (their size and time are compared), so a round over a folder that
did not change costs a walk and a stat per file, and writes nothing. Polling, not file-system
events, so it works the same on network drives, in containers and on every OS.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from .errors import IndexLockedError
from .types import IndexSummary, skip_lines

DEFAULT_INTERVAL = 10.0  # seconds between the end of one round and the start of the next


def watch(update: Callable[[], IndexSummary], interval: float = DEFAULT_INTERVAL,
          report: Callable[[str], None] = print, sleep: Callable[[float], None] = time.sleep,
          rounds: int | None = None) -> None:
    """Run ``update`` every ``interval`` seconds (``rounds`` times, or until interrupted) and
    ``report`` what each round that changed something did, one line, and files newly skipped.

    Another writer holding the index (an upload in the web UI) only postpones the round.
    """
    if not interval > 0:
        raise ValueError("the interval must be above 0 seconds")
    skipped: set[tuple[str, str]] = set()
    done = 0
    while rounds is None or done < rounds:
        sleep(interval)
        done += 1
        try:
            summary = update()
        except IndexLockedError:
            continue  # the other writer's changes are in when it is done; ours come next round
        now = datetime.now().strftime("%H:%M:%S")
        if summary.changed:
            report(f"{now} embedded {summary.embedded}, removed {summary.removed}"
                   + (f", {summary.relocated} moved" if summary.relocated else "")
                   + f": index holds {summary.passages} passages")
        new = [s for s in summary.skipped if (s.path, s.reason) not in skipped]
        if new:
            report(f"{now} skipped {len(new)}:")
            for line in skip_lines(tuple(new)):
                report(line)
        skipped = {(s.path, s.reason) for s in summary.skipped}
