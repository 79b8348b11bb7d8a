"""Updates of an index holding one large JSON Lines file that grows at its end (a scraper's).

    python benchmarks/jsonl_update.py [--records 20000]

Writes records with HTML bodies (read as pages are), builds an index of them with the tests'
fake embedder (only reading counts), then times two updates, each after one more record was
appended. Before a reading recorded where it ended (qa.grown), the whole file was read again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def record(i: int) -> str:
    return json.dumps({"id": f"p{i}", "title": f"Post {i}", "url": f"https://blog.example/{i}",
                       "html": f"<h2>Harbour {i}</h2><p>The quay {i % 31} reopens on day {i % 7}.</p>"
                               f"<ul><li>Ferry at nine</li><li>Crane {i}</li></ul>"}) + "\n"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--records", type=int, default=20000)
    args = p.parse_args()
    from fakes import FakeEmbedder

    import qa

    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed"
        feed.mkdir()
        path = feed / "articles.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            fh.writelines(record(i) for i in range(args.records))
        time.sleep(3.1)  # older than a file system's time resolution: its stamp is trusted
        t = time.perf_counter()
        lib = qa.Library.build([str(feed)], os.path.join(tmp, "idx"), embedder=FakeEmbedder(), progress=False,
                               language="english")
        print(f"{args.records} records, {path.stat().st_size / 1e6:.1f} MB: build {time.perf_counter() - t:.1f} s")
        for n in (1, 2):
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(record(args.records + n))
            time.sleep(3.1)
            t = time.perf_counter()
            summary = lib.update([str(feed)], progress=False)
            print(f"update after a record was appended {n}: {time.perf_counter() - t:.2f} s, "
                  f"embedded {summary.embedded}, kept {summary.kept}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
