"""Updates of an index holding one large mailbox: is the mailbox read again?

    python benchmarks/mailbox_update.py [--messages 5000]

Writes a Takeout-like ``.mbox`` of newsletters (HTML, read by trafilatura) plus one message
without text, builds an index of it with the tests' fake embedder (only reading counts), then
times two updates that change nothing, and two after a new message was appended to the file
(as Thunderbird appends to ``Inbox``). Before skips were recorded with file stamps, a file that
left anything out was read again by every update (and every ``--watch`` round); before a
mailbox's reading recorded where it ended (qa.grown), a grown one was read whole again.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--messages", type=int, default=5000)
    args = p.parse_args()
    from fakes import FakeEmbedder
    from test_mail import NEWSLETTER, mbox, message

    import qa

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "mail"
        corpus.mkdir()
        messages = [message(f"Harbour Weekly #{i}", "news@harbour.example", "Mon, 04 Mar 2024 09:00:00 +0000",
                            plain="View in browser", html=NEWSLETTER.replace("Marlow", f"Marlow {i}"))
                    for i in range(args.messages)]
        messages.append(message("Only a picture", "c@example.org", "Wed, 06 Mar 2024 08:00:00 +0000",
                                html='<img src="x.png">'))
        (corpus / "All mail.mbox").write_bytes(mbox(*messages))
        size = (corpus / "All mail.mbox").stat().st_size
        time.sleep(3.1)  # older than a file system's time resolution: its stamp is trusted
        t = time.perf_counter()
        lib = qa.Library.build([str(corpus)], os.path.join(tmp, "idx"), embedder=FakeEmbedder(), progress=False)
        print(f"{args.messages + 1} messages, {size / 1e6:.1f} MB: build {time.perf_counter() - t:.1f} s, "
              f"left out: {'; '.join(str(s.reason) for s in lib.last_summary.skipped)}")
        for n in (1, 2):
            t = time.perf_counter()
            summary = lib.update([str(corpus)], progress=False)
            print(f"no-op update {n}: {time.perf_counter() - t:.2f} s, files not opened: {summary.unchanged_files}, "
                  f"left out said again: {len(summary.skipped)}")
        for n in (1, 2):
            with open(corpus / "All mail.mbox", "ab") as fh:
                fh.write(mbox(message(f"Harbour Weekly extra {n}", "news@harbour.example",
                                      "Tue, 05 Mar 2024 09:00:00 +0000", plain="View in browser",
                                      html=NEWSLETTER.replace("Marlow", f"Marlow extra {n}"))))
            time.sleep(3.1)
            t = time.perf_counter()
            summary = lib.update([str(corpus)], progress=False)
            print(f"update after a message was appended {n}: {time.perf_counter() - t:.2f} s, "
                  f"embedded {summary.embedded}, kept {summary.kept}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
