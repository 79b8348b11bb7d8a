"""Build or update an index with a slow fake embedder, so that a test can SIGKILL it mid-way.

Usage: python tests/kill_worker.py build|update INDEX PATH...
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fakes import FakeEmbedder  # noqa: E402

import qa  # noqa: E402


def main() -> int:
    mode, index, *paths = sys.argv[1:]
    embedder = FakeEmbedder(delay=float(os.environ.get("QA_FAKE_DELAY", "0.05")))
    if mode == "build":
        summary = qa.Library.build(paths, index, embedder=embedder, progress=False).last_summary
    else:
        summary = qa.Library.open(index, embedder=embedder).update(paths, progress=False)
    print(f"resumed {summary.resumed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
