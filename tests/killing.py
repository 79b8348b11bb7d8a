"""SIGKILL a build or update at random moments and check what is left: shared by the kill test
and ``benchmarks/reliability.py``."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from fakes import FakeEmbedder

import qa
from qa.journal import pending

WORKER = Path(__file__).resolve().parent / "kill_worker.py"
QUESTIONS = ("harbour strike wages", "flood rescue boats", "telescope mirror")


def write_corpus(folder: Path, n: int, version: int) -> Path:
    """``n`` short articles in three files; ``version`` 2 changes, removes and adds some."""
    folder.mkdir(parents=True, exist_ok=True)
    topics = ["harbour strike over wages", "river flood and rescue boats", "telescope with a large mirror"]
    for f in range(3):
        blocks = []
        for i in range(f, n, 3):
            changed = " It was revised later." if version == 2 and i % 3 == 0 else ""
            blocks.append(f"Report {i} on the {topics[i % 3]} in district {i % 17}.{changed}\n"
                          f"Officials counted {i * 3} people and {i % 11} vehicles.")
        (folder / f"part{f}.txt").write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    extra = folder / "extra.txt"
    if version == 2:
        (folder / "part2.txt").unlink()
        extra.write_text("\n\n".join(f"New report {i} about a harbour strike." for i in range(40)),
                         encoding="utf-8")
    elif extra.exists():
        extra.unlink()
    return folder


def state(index: str) -> tuple | None:
    """What a reader sees: every article's id and content hash, and the answers to a few
    questions. None when there is no index yet."""
    try:
        lib = qa.Library.open(index, embedder=FakeEmbedder())
    except qa.IndexNotFoundError:
        return None
    with lib:
        problems = lib.check()
        if problems:
            raise AssertionError(f"qa check failed on {index}: {problems}")
        articles = tuple(sorted((r[1], r[2]) for r in lib.catalog.articles_index()))
        answers = answers_of(lib)
    return articles, answers


def answers_of(lib: qa.Library) -> tuple:
    """Top-3 answers to QUESTIONS, from one generation (one ``ask_many`` call)."""
    return tuple(tuple((h.article_id, h.text) for h in hits) for hits in lib.ask_many(QUESTIONS, k=3))


def complete_run(mode: str, index: str, corpus: Path) -> int:
    """Run the worker to the end; how many passages it took from an interrupted run's journal."""
    out = subprocess.run([sys.executable, str(WORKER), mode, index, str(corpus)],
                         capture_output=True, text=True, timeout=300)
    if out.returncode:
        raise AssertionError(f"worker failed: {out.stderr[-2000:]}")
    word, count = out.stdout.split()
    assert word == "resumed", out.stdout
    return int(count)


def run_worker(mode: str, index: str, corpus: Path, kill_after: float | None) -> int:
    """Run the worker; kill it after ``kill_after`` seconds (None: let it finish). Its exit code."""
    if kill_after is None:
        complete_run(mode, index, corpus)
        return 0
    proc = subprocess.Popen([sys.executable, str(WORKER), mode, index, str(corpus)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    return proc.returncode


@dataclass
class KillReport:
    kills: int = 0          # runs ended by SIGKILL
    finished: int = 0       # runs that finished before their kill time
    saw_old: int = 0
    saw_new: int = 0
    recoveries: int = 0     # completed runs after a kill, in the same folder
    resumed: int = 0        # recoveries that took passages from the killed run's journal
    reused: int = 0         # passages they took (each one the killed run had recorded)
    mid_write: int = 0      # kills that left a half-written generation behind
    outcomes: list[str] = field(default_factory=list)


def kill_loop(root: Path, mode: str, kills: int, n_articles: int = 900, seed: int = 0,
              recover_every: int = 4) -> KillReport:
    """Run builds (``mode="build"``) or updates and SIGKILL them at random moments until
    ``kills`` runs were killed; after each, the index must pass ``check`` and show exactly the
    old or the new state. Some kill times fall after the run ends, so the new state shows too."""
    rng = random.Random(seed)
    corpus = root / "corpus"  # one folder, changed in place between the old and the new state
    reference, base = str(root / "reference"), str(root / "base")
    write_corpus(corpus, n_articles, 1)
    run_worker("build", reference, corpus, None)
    old = state(reference)
    if mode == "update":
        shutil.copytree(reference, base)
    write_corpus(corpus, n_articles, 2)
    start = time.perf_counter()
    run_worker("update", reference, corpus, None)
    full = time.perf_counter() - start
    new = state(reference)
    assert old != new and old is not None
    if mode == "build":
        old = None
        shutil.rmtree(reference)
        # A build from nothing must give the same state as the old index updated.
        start = time.perf_counter()
        run_worker("build", reference, corpus, None)
        full = time.perf_counter() - start
        assert state(reference) == new

    report = KillReport()
    i = -1
    while report.kills < kills and i < 3 * kills:
        i += 1
        work = str(root / f"work{i}")
        if mode == "update":
            shutil.copytree(base, work)
        code = run_worker(mode, work, corpus, rng.uniform(0.1, full * 1.25))
        if code == -signal.SIGKILL:
            report.kills += 1
        else:
            report.finished += 1
        if os.path.isdir(work) and any(n.endswith(".tmp") for n in os.listdir(work)):
            report.mid_write += 1
        seen = state(work)
        if seen == old:
            report.saw_old += 1
            report.outcomes.append("old")
        elif seen == new:
            report.saw_new += 1
            report.outcomes.append("new")
        else:
            raise AssertionError(f"run {i}: after a kill the index shows neither the old nor the new state")
        if i % recover_every == 0:
            kept = pending(work)
            reused = complete_run(mode, work, corpus)
            assert reused == kept, f"run {i}: the journal held {kept} passages, {reused} were reused"
            report.resumed += reused > 0
            report.reused += reused
            assert state(work) == new and pending(work) == 0
            leftover = [n for n in os.listdir(work) if n.startswith("gen-")]
            assert len(leftover) == 1, f"stale generations left after recovery: {leftover}"
            report.recoveries += 1
        shutil.rmtree(work, ignore_errors=True)
    return report
