"""BM25 postings of a big index updated in bounded memory; writes benchmarks/POSTINGS.md.

    python benchmarks/postings.py [--passages 2000000] [--terms 60]

An index's BM25 postings are made up (``--passages`` passages of ``--terms`` words each,
drawn from a Zipf-like vocabulary of 500,000 words, repeats counted once; written as `qa`
writes them, from scratch, with its peak memory measured too), then
updated as `qa index` would after 1,000 articles changed: 1,000 passages removed and 1,000 new
ones analysed. Two ways, each in its own process so that its peak anonymous memory (RssAnon,
sampled every 10 ms) can be read:

- ``qa.postings.write``: what `qa` does, column by column into memory-mapped files;
- one scipy matrix: the old postings as one sparse matrix, rows selected, the new ones stacked
  under it, back to column order, saved (what `qa` did before; still a plain way to do it).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from ondisk import PeakAnon  # beside this script
from report import measured_on, write_report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
VOCAB = 500_000
CHANGED = 1_000


def make(folder: str, passages: int, terms: int) -> None:
    """Postings files of made-up passages, built part by part with qa.postings itself."""
    from qa import lexical, postings

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(VOCAB)]

    def texts():
        for start in range(0, passages, 10_000):
            draws = (rng.zipf(1.2, (min(10_000, passages - start), terms)) - 1) % VOCAB
            for i, row in enumerate(draws):
                yield start + i + 1, " ".join(words[w] for w in dict.fromkeys(row.tolist()))

    postings.write(folder, lexical.empty_postings(), np.zeros(0, bool), texts(), str.split)


def update(way: str, old_folder: str, out: str) -> None:
    from qa.lexical import LexicalIndex

    anon = PeakAnon()
    start = time.perf_counter()
    old = LexicalIndex.load(old_folder, analyzer=None)
    keep = np.ones(len(old.pids), bool)
    keep[np.random.default_rng(1).choice(len(keep), CHANGED, replace=False)] = False
    first = int(old.pids[-1]) + 1
    added = [(first + i, f"w{i} w{i + 7} fresh{i} w3 w{i * 13 % VOCAB}") for i in range(CHANGED)]
    if way == "qa.postings.write":
        from qa import postings

        postings.write(out, old.p, keep, added, str.split)
    else:
        import scipy.sparse as sp

        fresh = LexicalIndex.build(added, analyzer=str.split)  # small: the 1,000 new passages
        p = old.p
        m = sp.csc_matrix((p.tf, p.rows, p.indptr), shape=(len(p.pids), len(p.terms))).tocsr()[keep]
        vocab = {t: i for i, t in enumerate(p.terms)}
        for t in fresh.p.terms:
            vocab.setdefault(t, len(vocab))
        terms = list(vocab)
        col = np.array([vocab[t] for t in fresh.p.terms])
        f = sp.csc_matrix((fresh.p.tf, fresh.p.rows, fresh.p.indptr),
                          shape=(len(fresh.pids), len(fresh.p.terms))).tocoo()
        new = sp.csr_matrix((f.data, (f.row, col[f.col])), shape=(len(fresh.pids), len(terms)))
        m.resize((m.shape[0], len(terms)))
        m = sp.vstack([m, new], format="csc", dtype=np.uint16)
        m.sort_indices()
        for name, values in (("indptr", m.indptr.astype(np.int64)), ("rows", m.indices.astype(np.int32)),
                             ("tf", m.data.astype(np.uint16))):
            np.save(os.path.join(out, f"lexical.{name}.npy"), values)
    print(f"{time.perf_counter() - start:.1f} {anon.stop():.0f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passages", type=int, default=2_000_000)
    ap.add_argument("--terms", type=int, default=60)
    ap.add_argument("--way")
    ap.add_argument("--old")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.way:
        update(args.way, args.old, args.out)
        return 0
    from qa.postings import SPILL

    rows = []
    with tempfile.TemporaryDirectory(dir=os.path.join(ROOT, "index")) as tmp:
        old = os.path.join(tmp, "old")
        os.mkdir(old)
        anon, start = PeakAnon(), time.perf_counter()
        make(old, args.passages, args.terms)
        made, made_mb = time.perf_counter() - start, anon.stop()
        postings_count = int(np.load(os.path.join(old, "lexical.indptr.npy"))[-1])
        size_mb = sum(os.path.getsize(os.path.join(old, f)) for f in os.listdir(old)) / 2**20
        for way in ("qa.postings.write", "one scipy matrix"):
            out = os.path.join(tmp, way.replace(" ", "-"))
            os.mkdir(out)
            run = subprocess.run([sys.executable, __file__, "--way", way, "--old", old, "--out", out],
                                 capture_output=True, text=True)
            if run.returncode:
                rows.append(f"| {way} | failed: {run.stderr.strip().splitlines()[-1]} | | |")
                continue
            seconds, anon_mb = map(float, run.stdout.split())
            same = all(np.array_equal(np.load(os.path.join(out, f"lexical.{n}.npy")),
                                      np.load(os.path.join(tmp, "qa.postings.write", f"lexical.{n}.npy")))
                       for n in ("indptr", "rows", "tf"))
            rows.append(f"| {way} | {seconds:.0f} | **{anon_mb:,.0f}** | {anon_mb * 2**20 / postings_count:.1f} "
                        f"| {'yes' if same else 'NO'} |")
    text = f"""# BM25 postings of a big index, updated

{measured_on()}.
Command: `python benchmarks/postings.py --passages {args.passages} --terms {args.terms}`

Made-up postings of {args.passages:,} passages ({postings_count:,} postings, {size_mb:,.0f} MB of
files, written by `qa.postings.write` from scratch in {made:.0f} s with a peak of {made_mb:,.0f} MB
of anonymous memory, in parts of {SPILL:,} postings), then an update that removes
{CHANGED:,} passages and adds {CHANGED:,}, each way in its own process. Peak anonymous memory
(`RssAnon`) is what has to fit in RAM; the files being read and written are memory-mapped.

| way | seconds | peak anonymous MB | bytes per posting | same files as `qa` |
|---|---|---|---|---|
{chr(10).join(rows)}
"""
    return write_report(os.path.join(ROOT, "benchmarks", "POSTINGS.md"), text)


if __name__ == "__main__":
    sys.exit(main())
