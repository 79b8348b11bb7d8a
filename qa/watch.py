"""Keep an index in step with folders that change: `qa index PATH... --watch`.

A round updates the paths as `qa index` updates them: files unchanged since they were indexed
are not opened (their size and time are compared), so a round over a folder that did not change
costs a walk and a stat per file (about 1.7 s for 50,000 files here), and writes nothing.
Rounds start when the file system reports a change under the paths (watchdog: inotify on Linux,
FSEvents on macOS, ReadDirectoryChangesW on Windows), once changes have paused for
:data:`SETTLE` seconds, and every :data:`EVENT_INTERVAL` seconds all the same: a network drive
reports no change made by another machine. Where the paths cannot be watched (too many folders
for the system's inotify limit) rounds run every :data:`DEFAULT_INTERVAL` seconds instead. A
path that is gone keeps its articles until it is back (see :func:`watch`).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from .errors import IndexLockedError, QAError
from .summaries import IndexSummary, skip_lines

DEFAULT_INTERVAL = 10.0  # seconds between the end of one round and the start of the next, polling
EVENT_INTERVAL = 300.0  # ... when changes are reported: a round then comes sooner
SETTLE = 1.0  # seconds without a change before a round: a folder being copied is one round, not many
# What writes: a file read (opened, closed without writing) or its times touched is no change.
_CHANGES = frozenset(("created", "modified", "deleted", "moved", "closed"))


class FileEvents:
    """Changes under ``paths`` as the file system reports them, but for those under ``ignore``
    (the index's own folder: its writes are no change to the articles).

    A watched folder's own folder is watched too (not what is under it): a folder deleted or
    moved away and made again (a sync tool replacing it, a clone made anew) is watched again
    once it is back, as the watch on the old one went with it; so is a path that did not exist
    when watching began (a drive not mounted yet) once it is there as a folder.
    """

    def __init__(self, paths: Sequence[str], ignore: Sequence[str] = ()) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self._folders = tuple(os.path.join(os.path.abspath(p), "") for p in paths if os.path.isdir(p))
        self._files = frozenset(os.path.abspath(p) for p in paths if not os.path.isdir(p))
        self._ignore = tuple(os.path.join(os.path.abspath(p), "") for p in ignore)
        self._changed = threading.Event()
        self._last = 0.0
        seen = self._seen

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                seen(event)

        self._handler, self._observer = Handler(), Observer()
        self._watches = {folder: self._observer.schedule(self._handler, folder, recursive=True)
                         for folder in self._folders}
        # A file: its folder, for its changes alone. A folder: its folder, for it coming back.
        parents = {os.path.dirname(f) for f in self._files} | {os.path.dirname(f[:-1]) for f in self._folders}
        for parent in parents:
            if os.path.isdir(parent):
                self._observer.schedule(self._handler, parent, recursive=False)
        self._observer.start()

    def _seen(self, event) -> None:
        if event.event_type not in _CHANGES or (event.is_directory and event.event_type == "modified"):
            return  # a folder is "modified" by any change in it, which is reported itself
        if event.is_directory and event.event_type in ("created", "moved"):
            back = os.path.join(os.fsdecode(event.dest_path or event.src_path), "")
            if back in self._watches or back[:-1] in self._files:
                self._watch_again(back)
        for path in (event.src_path, getattr(event, "dest_path", "")):
            path = os.fsdecode(path)
            if path and not os.path.join(path, "").startswith(self._ignore) and (
                    path in self._files or path.startswith(self._folders) or path + os.sep in self._folders):
                self._last = time.monotonic()
                self._changed.set()
                return

    def _watch_again(self, folder: str) -> None:
        """Watch ``folder`` made again (the old watch, on a folder gone or moved, goes)."""
        if folder not in self._folders:  # it was no folder when watching began
            self._folders += (folder,)
        with contextlib.suppress(KeyError):
            self._observer.unschedule(self._watches[folder])
        with contextlib.suppress(OSError):  # gone again already: the rounds every EVENT_INTERVAL look
            self._watches[folder] = self._observer.schedule(self._handler, folder, recursive=True)

    def wait(self, timeout: float) -> bool:
        """Whether something changed within ``timeout`` seconds; when it did, returns once
        changes have paused for :data:`SETTLE` seconds. A change after that is the next one's."""
        if not self._changed.wait(timeout):
            return False
        while (quiet := self._last + SETTLE - time.monotonic()) > 0:
            time.sleep(quiet)
        # What changed until now, the round that follows reads; a change from now on is the next's
        # (one that came between reading _last and clearing sets the flag again).
        seen = self._last
        self._changed.clear()
        if self._last != seen:
            self._changed.set()
        return True

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)


def file_events(paths: Sequence[str], ignore: Sequence[str] = (),
                report: Callable[[str], None] = print) -> FileEvents | None:
    """:class:`FileEvents` for ``paths``, or None (said) when the system cannot watch them."""
    try:
        return FileEvents(paths, ignore)
    except OSError as exc:  # inotify's limit on watches (fs.inotify.max_user_watches), a path gone
        report(f"cannot watch for changes ({exc}): updating every {DEFAULT_INTERVAL:g} s instead")
        return None


def every(interval: float | None, events: FileEvents | None) -> float:
    """Seconds between rounds: as asked, else by whether changes are reported."""
    return interval if interval else EVENT_INTERVAL if events is not None else DEFAULT_INTERVAL


def described(paths: Sequence[str], interval: float, events: FileEvents | None) -> str:
    """What watching does, as said when it starts."""
    how = (f"updated when they change, and every {interval:g} s" if events is not None
           else f"updated every {interval:g} s")
    return f"watching {', '.join(paths)}: {how}"


def watch(update: Callable[[list[str]], IndexSummary], paths: Sequence[str], interval: float = DEFAULT_INTERVAL,
          report: Callable[[str], None] = print, sleep: Callable[[float], None] = time.sleep,
          rounds: int | None = None, events: FileEvents | None = None, gone: Collection[str] = ()) -> None:
    """Run ``update`` of ``paths`` every ``interval`` seconds, or sooner when ``events`` report
    a change (``rounds`` times, or until interrupted), and ``report`` what each round that
    changed something did, one line, and files newly skipped.

    A round updates the paths that exist: one gone (a drive unplugged, a folder a sync tool is
    replacing) keeps its articles until it is back, said when it goes and when it comes back;
    else a round would remove them all and the next embed them all again. Another writer
    holding the index (an upload in the web UI) only postpones the round; any other error is
    reported and the next round tries again. ``gone``: the paths already said to be gone (at
    the first update, :func:`look`).
    """
    if not interval > 0:
        raise ValueError("the interval must be above 0 seconds")
    skipped: set[tuple[str, str]] = set()
    gone = set(gone)
    done = 0
    while rounds is None or done < rounds:
        if events is None:
            sleep(interval)
        else:
            events.wait(interval)
        done += 1
        now = datetime.now().strftime("%H:%M:%S")
        gone = look(paths, gone, report)
        present = [p for p in paths if p not in gone]
        if not present:
            continue
        try:
            summary = update(present)
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


def look(paths: Sequence[str], gone: Collection[str], report: Callable[[str], None]) -> set[str]:
    """The paths that do not exist now; ``report`` says which went since ``gone`` (the last
    look's) and which came back."""
    now = datetime.now().strftime("%H:%M:%S")
    missing = {p for p in paths if not os.path.exists(p)}
    for path in sorted(missing - set(gone)):
        report(f"{now} {path} is gone: its articles stay in the index until it is back "
               f"(`qa remove {path}` takes them out)")
    for path in sorted(set(gone) - missing):
        report(f"{now} {path} is back")
    return missing


def watch_in_background(lib, paths: list[str], interval: float | None = None,
                        report: Callable[[str], None] = print):
    """Keep ``lib`` in step with ``paths`` from a daemon thread (the web UI's ``--watch``);
    returns the thread. The first update is made before it returns, so a bad path is an error
    at once; a path gone (and indexed before) keeps its articles, as in later rounds."""
    summary = lib.update(paths, progress=False, keep_gone=True)
    gone = look(paths, (), report)
    shown = summary.lines()[len(summary.unpacked):]  # "read ...", "embedded ...", ..., "index holds ..."
    report(" · ".join([*summary.unpacked, *shown[1:2], *shown[-1:]]))
    events = file_events(paths, [lib.path], report)
    seconds = every(interval, events)
    report(described(paths, seconds, events))
    thread = threading.Thread(target=watch, args=(lambda present: lib.update(present, progress=False), paths,
                                                  seconds, report),
                              kwargs={"events": events, "gone": gone}, name="qa-watch", daemon=True)
    thread.start()
    return thread
