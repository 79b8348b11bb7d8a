"""How fast spreadsheets are read (qa.spreadsheet, qa.ods): a workbook of N rows of two columns
(title, text) written as .xlsx (openpyxl) and as .ods, each read into articles, timed.

    python benchmarks/spreadsheets.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    from test_spreadsheet import cell, ods, row, workbook

    from qa.readers import ReadStats, read_articles

    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    args = p.parse_args()
    rows = [[f"Story {i}", f"The harbour report number {i} says the ferry ran {i % 7} times."] for i in range(args.rows)]
    with tempfile.TemporaryDirectory() as tmp:
        workbook(Path(tmp) / "rows.xlsx", {"Sheet": [["Title", "Text"], *rows]})
        ods(Path(tmp) / "rows.ods", '<table:table table:name="Sheet">' + row(cell("Title"), cell("Text"))
            + "".join(row(cell(a), cell(b)) for a, b in rows) + "</table:table>")
        for name in ("rows.xlsx", "rows.ods"):
            start = time.perf_counter()
            read = sum(1 for _ in read_articles([str(Path(tmp) / name)], ReadStats()))
            print(f"{name}: {read} articles from {args.rows} rows in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
