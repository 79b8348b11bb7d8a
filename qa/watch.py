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

from .errors import IndexLockedError, QAError
from .summaries import IndexSummary, skip_lines

DEFAULT_INTERVAL = 10.0  # seconds between the end of one round and the start of the next


def watch(update: Callable[[], IndexSummary], interval: float = DEFAULT_INTERVAL,
          report: Callable[[str], None] = print, sleep: Callable[[float], None] = time.sleep,
          rounds: int | None = None) -> None:
    """Run ``update`` every ``interval`` seconds (``rounds`` times, or until interrupted) and
    ``report`` what each round that changed something did, one line, and files newly skipped.

    Another writer holding the index (an upload in the web UI) only postpones the round; any
    other error is reported and the next round tries again.
    """
    if not interval > 0:
        raise ValueError("the interval must be above 0 seconds")
    skipped: set[tuple[str, str]] = set()
    done = 0
    while rounds is None or done < rounds:
        sleep(interval)
        done += 1
        now = datetime.now().strftime("%H:%M:%S")
        try:
            summary = update()
        except IndexLockedError:
            continue  # the other writer's changes are in when it is done; ours come next round
        except QAError as exc:  # a folder gone, a disk full: said, and tried again next round
            report(f"{now} error: {exc}")
            continue
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


def watch_in_background(lib, paths: list[str], interval: float = DEFAULT_INTERVAL,
                        report: Callable[[str], None] = print):
    """Keep ``lib`` in step with ``paths`` from a daemon thread (the web UI's ``--watch``);
    returns the thread. The first update is made before it returns, so a bad path is an error
    at once."""
    import threading

    summary = lib.update(paths, progress=False)
    shown = summary.lines()[len(summary.unpacked):]  # "read ...", "embedded ...", ..., "index holds ..."
    report(" · ".join([*summary.unpacked, *shown[1:2], *shown[-1:]]))
    thread = threading.Thread(target=watch, args=(lambda: lib.update(paths, progress=False), interval, report),
                              name="qa-watch", daemon=True)
    thread.start()
    return thread
