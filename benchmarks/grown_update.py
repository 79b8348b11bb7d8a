"""Updates of an index holding one large file that grows at its end: a mailbox (Thunderbird's
``Inbox``, a Takeout ``.mbox``), a JSON Lines file (a scraper's) and a ``.txt`` of articles
separated by blank lines. Is the file read again?

    python benchmarks/grown_update.py [--messages 3000] [--records 20000] [--articles 20000]

Each file is written, indexed with the tests' fake embedder (only reading counts), then two
updates that change nothing are timed (the mailbox holds a message without text: before skips
were recorded with file stamps, a file that left anything out was read again by every update
and every ``--watch`` round), and two right after one more message, record or article was
appended, as a ``--watch`` round a second later reads it (before a reading recorded where it
ended, qa.grown, the whole file was read again; before a file that new had its reading recorded
all the same, qa.filestamps.UNTRUSTED, the whole file too).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def measure(what: str, write: Callable[[Path, int], None], count: int, name: str) -> None:
    """Build an index of a file ``write`` makes with ``count`` items, then time updates: two
    with nothing changed, two after ``write`` appended one more."""
    from fakes import FakeEmbedder

    import qa

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        write(folder / name, count)
        time.sleep(3.1)  # older than a file system's time resolution: its stamp is trusted
        t = time.perf_counter()
        lib = qa.Library.build([str(folder)], os.path.join(tmp, "idx"), embedder=FakeEmbedder(), progress=False,
                               language="english")
        left = "; ".join(str(s.reason) for s in lib.last_summary.skipped) or "nothing"
        print(f"{count} {what}, {(folder / name).stat().st_size / 1e6:.1f} MB: build {time.perf_counter() - t:.1f} s, "
              f"left out: {left}")
        for n in (1, 2):
            t = time.perf_counter()
            summary = lib.update([str(folder)], progress=False)
            print(f"  no-op update {n}: {time.perf_counter() - t:.2f} s, files not opened: {summary.unchanged_files}, "
                  f"left out said again: {len(summary.skipped)}")
        for n in (1, 2):
            write(folder / name, -n)
            time.sleep(1)  # qa.watch.SETTLE
            t = time.perf_counter()
            summary = lib.update([str(folder)], progress=False)
            print(f"  update after one more was appended {n}: {time.perf_counter() - t:.2f} s, "
                  f"embedded {summary.embedded}, kept {summary.kept}")


def mailbox(path: Path, count: int) -> None:
    """Newsletters (HTML, read by trafilatura) and one message without text; ``count`` below 0:
    append one more."""
    from test_mail import NEWSLETTER, mbox, message

    def letter(i: int) -> bytes:
        return message(f"Harbour Weekly #{i}", "news@harbour.example", "Mon, 04 Mar 2024 09:00:00 +0000",
                       plain="View in browser", html=NEWSLETTER.replace("Marlow", f"Marlow {i}"))

    if count < 0:
        with open(path, "ab") as fh:
            fh.write(mbox(letter(10**6 - count)))
        return
    picture = message("Only a picture", "c@example.org", "Wed, 06 Mar 2024 08:00:00 +0000", html='<img src="x.png">')
    path.write_bytes(mbox(*(letter(i) for i in range(count)), picture))


def records(path: Path, count: int) -> None:
    """Records with HTML bodies (read as pages are); ``count`` below 0: append one more."""
    def record(i: int) -> str:
        return json.dumps({"id": f"p{i}", "title": f"Post {i}", "url": f"https://blog.example/{i}",
                           "html": f"<h2>Harbour {i}</h2><p>The quay {i % 31} reopens on day {i % 7}.</p>"
                                   f"<ul><li>Ferry at nine</li><li>Crane {i}</li></ul>"}) + "\n"

    with open(path, "a" if count < 0 else "w", encoding="utf-8") as fh:
        fh.writelines(record(i) for i in ((10**6 - count,) if count < 0 else range(count)))


def blocks(path: Path, count: int) -> None:
    """Articles of a few sentences, a blank line between them; ``count`` below 0: append one more."""
    def article(i: int) -> str:
        return (f"Harbour report {i}. The quay {i % 31} reopens on day {i % 7} after the storm of "
                f"week {i % 52}. Crane {i} lifts forty tonnes; the ferry to Skerry Isle leaves at "
                f"nine and returns at {i % 12 + 1}. Tolls rise by a fifth for lorries over "
                f"{i % 40 + 3} tonnes.\n\n")

    with open(path, "a" if count < 0 else "w", encoding="utf-8") as fh:
        fh.writelines(article(i) for i in ((10**6 - count,) if count < 0 else range(count)))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--messages", type=int, default=3000)
    p.add_argument("--records", type=int, default=20000)
    p.add_argument("--articles", type=int, default=20000)
    args = p.parse_args()
    measure("messages", mailbox, args.messages, "All mail.mbox")
    measure("records", records, args.records, "articles.jsonl")
    measure("articles", blocks, args.articles, "clippings.txt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
