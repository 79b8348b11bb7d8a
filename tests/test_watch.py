"""`qa index PATH --watch`: the index kept in step with a folder that changes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

import qa
from qa.errors import IndexLockedError
from qa.watch import watch

ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def test_each_round_updates_the_index_and_says_what_changed(tmp_path, fake):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ferry.md").write_text("# Ferry\n\nThe ferry leaves at nine.\n", encoding="utf-8")
    lib = qa.Library.build([str(notes)], str(tmp_path / "idx"), embedder=fake, progress=False)
    changes = [
        lambda: (notes / "crane.md").write_text("# Crane\n\nThe crane lifts forty tonnes.\n", encoding="utf-8"),
        lambda: None,  # nothing changed: nothing said
        lambda: (notes / "broken.json").write_text("{not json", encoding="utf-8"),
        lambda: (notes / "ferry.md").unlink(),  # the broken file is not named again
    ]
    said: list[str] = []
    rounds = iter(changes)
    watch(lambda present: lib.update(present, progress=False), [str(notes)], 0.01, report=said.append,
          sleep=lambda _: next(rounds)(), rounds=len(changes))
    stamp = r"\d\d:\d\d:\d\d "
    assert len(said) == 4, said
    assert re_match(stamp + "embedded 1, removed 0: index holds 2 passages", said[0])
    assert re_match(stamp + "skipped 1:", said[1]) and "broken.json" in said[2]
    assert re_match(stamp + "embedded 0, removed 1: index holds 1 passages", said[3])
    assert [h.source for h in lib.ask("crane tonnes", k=5, mode="lexical")] == [str(notes / "crane.md")]


def test_a_watched_folder_that_is_gone_keeps_its_articles_until_it_is_back(tmp_path, fake):
    """A drive unplugged, a folder a sync tool is replacing: the rounds leave its articles alone
    (the other paths are still updated), so when it is back nothing is embedded again."""
    import shutil

    notes, other = tmp_path / "notes", tmp_path / "other"
    for folder, text in ((notes, "The ferry leaves at nine."), (other, "The quay reopens in May.")):
        folder.mkdir()
        (folder / "a.md").write_text(f"# Note\n\n{text}\n", encoding="utf-8")
    lib = qa.Library.build([str(notes), str(other)], str(tmp_path / "idx"), embedder=fake, progress=False)
    found = []
    changes = [
        lambda: shutil.move(notes, tmp_path / "away"),
        lambda: (other / "crane.md").write_text("# Crane\n\nThe crane lifts forty tonnes.\n", encoding="utf-8"),
        lambda: shutil.copytree(tmp_path / "away", notes),  # made anew: new files, the same texts
    ]
    said: list[str] = []
    rounds = iter(changes)

    def update(present):
        summary = lib.update(present, progress=False)
        found.append([h.source for h in lib.ask("ferry leaves at nine", k=1, mode="lexical")])
        return summary

    watch(update, [str(notes), str(other)], 0.01, report=said.append, sleep=lambda _: next(rounds)(),
          rounds=len(changes))
    stamp = r"\d\d:\d\d:\d\d "
    assert len(said) == 3, said
    assert re_match(stamp + f"{re.escape(str(notes))} is gone: its articles stay in the index until it is back "
                    rf"\(`qa remove {re.escape(str(notes))}` takes them out\)", said[0])
    assert re_match(stamp + "embedded 1, removed 0: index holds 3 passages", said[1])
    assert re_match(stamp + f"{re.escape(str(notes))} is back", said[2])  # and nothing embedded again
    assert found == [[str(notes / "a.md")]] * 3
    assert lib.info().articles == 3


def test_the_first_update_of_a_watch_keeps_a_gone_paths_articles_but_refuses_a_typo(tmp_path, fake):
    """`qa index notes other --watch` started before the drive holding notes is mounted."""
    import shutil

    from qa.watch import look

    notes, other = tmp_path / "notes", tmp_path / "other"
    for folder, text in ((notes, "The ferry leaves at nine."), (other, "The quay reopens in May.")):
        folder.mkdir()
        (folder / "a.md").write_text(f"# Note\n\n{text}\n", encoding="utf-8")
    lib = qa.Library.build([str(notes), str(other)], str(tmp_path / "idx"), embedder=fake, progress=False)
    shutil.move(notes, tmp_path / "away")
    (other / "crane.md").write_text("# Crane\n\nThe crane lifts forty tonnes.\n", encoding="utf-8")
    summary = lib.update([str(notes), str(other)], progress=False, keep_gone=True)
    assert (summary.embedded, summary.removed, summary.kept_missing, lib.info().articles) == (1, 0, 1, 3)
    said: list[str] = []
    gone = look([str(notes), str(other)], (), said.append)
    assert gone == {str(notes)} and len(said) == 1 and said[0].endswith(f"{notes} is gone: its articles stay in "
                                                                         f"the index until it is back (`qa remove {notes}` takes them out)")
    with pytest.raises(qa.InputError, match="no such file or directory: .*notse"):
        lib.update([str(tmp_path / "notse"), str(other)], progress=False, keep_gone=True)
    shutil.move(tmp_path / "away", notes)
    watch(lambda present: lib.update(present, progress=False), [str(notes), str(other)], 0.01,
          report=said.append, sleep=lambda _: None, rounds=1, gone=gone)
    assert re_match(rf"\d\d:\d\d:\d\d {re.escape(str(notes))} is back", said[1]) and len(said) == 2  # nothing embedded
    shutil.rmtree(notes)
    assert lib.update([str(notes)], progress=False).removed == 1  # without keep_gone: an update of a folder removed
    lib.close()


def re_match(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text) is not None


def test_a_round_another_writer_holds_the_index_is_put_off_and_an_error_is_said():
    calls = []

    def update(present):
        calls.append(1)
        raise IndexLockedError("another process is writing")

    said: list[str] = []
    watch(update, ["."], 0.01, report=said.append, sleep=lambda _: None, rounds=3)
    assert len(calls) == 3 and said == []

    def full(present):
        raise qa.InputError("no room left on the disk")

    watch(full, ["."], 0.01, report=said.append, sleep=lambda _: None, rounds=2)  # said, and tried again
    assert len(said) == 2 and all(re_match(r"\d\d:\d\d:\d\d error: no room left on the disk", s) for s in said)
    with pytest.raises(ValueError):
        watch(update, ["."], 0, rounds=1)


@pytest.mark.model
def test_qa_index_watch_picks_up_a_new_file_and_stops_on_ctrl_c(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ferry.txt").write_text("The ferry to Keel Bay leaves at nine.\n", encoding="utf-8")
    # the default SIGINT handler, as a terminal's Ctrl+C finds it (see test_cli's interrupted run)
    # the index inside the watched folder: its own writes are no change to watch
    index = str(notes / "idx")
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "index", str(notes), "--index", index, "--quiet",
                             "--watch"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 240
        while not os.path.exists(os.path.join(index, "manifest.json")) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # watching begins after the build
        (notes / "crane.txt").write_text("The new crane on the quay lifts forty tonnes.\n", encoding="utf-8")
        # reported by the file system: well before the next round of every 300 s
        deadline = time.monotonic() + 60
        while qa.Library.open(index).info().articles < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        hit = qa.Library.open(index).ask("How much does the crane lift?", k=1)[0]
        assert hit.source == str(notes / "crane.txt")
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert f"watching {notes}: updated when they change, and every 300 s (Ctrl+C stops)" in lines
    changed = [ln for ln in lines if re_match(r"\d\d:\d\d:\d\d embedded \d+, removed \d+: index holds \d+ passages", ln)]
    assert len(changed) == 1 and changed[0].endswith("embedded 1, removed 0: index holds 2 passages"), out
    assert lines[-1] == "stopped watching"


def test_file_events_are_changes_to_the_paths_not_reads_nor_the_index_folder(tmp_path):
    from qa.watch import SETTLE, FileEvents

    notes = tmp_path / "notes"
    (notes / "idx").mkdir(parents=True)
    (notes / "ferry.txt").write_text("The ferry leaves at nine.\n", encoding="utf-8")
    alone = tmp_path / "alone.md"
    alone.write_text("# Alone\n", encoding="utf-8")
    events = FileEvents([str(notes), str(alone)], ignore=[str(notes / "idx")])
    try:
        assert not events.wait(0.5)
        (notes / "ferry.txt").read_text(encoding="utf-8")  # read: no change
        (notes / "idx" / "files.sqlite").write_bytes(b"x")  # the index's own write
        (tmp_path / "beside.md").write_text("# Beside\n", encoding="utf-8")  # beside a watched file
        assert not events.wait(1.5)
        start = time.monotonic()
        (notes / "sub").mkdir()
        (notes / "sub" / "crane.txt").write_text("The crane lifts forty tonnes.\n", encoding="utf-8")
        assert events.wait(10) and time.monotonic() - start >= SETTLE  # once changes paused
        with open(alone, "a", encoding="utf-8") as fh:
            fh.write("More.\n")
        assert events.wait(10)
        (notes / "ferry.txt").rename(notes / "ferry-old.txt")
        assert events.wait(10)
    finally:
        events.stop()


def test_a_watched_folder_deleted_or_moved_away_and_made_again_is_watched_again(tmp_path):
    import shutil

    from qa.watch import FileEvents

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ferry.txt").write_text("The ferry leaves at nine.\n", encoding="utf-8")
    events = FileEvents([str(notes)])
    try:
        shutil.rmtree(notes)
        assert events.wait(10)
        notes.mkdir()  # a sync tool or a clone making it anew
        assert events.wait(10)
        (notes / "crane.txt").write_text("The crane lifts forty tonnes.\n", encoding="utf-8")
        assert events.wait(10)
        notes.rename(tmp_path / "notes.old")
        assert events.wait(10)
        (tmp_path / "notes.new").mkdir()
        assert not events.wait(1.5)  # beside the watched folder
        (tmp_path / "notes.new" / "quay.txt").write_text("The quay reopens.\n", encoding="utf-8")
        (tmp_path / "notes.new").rename(notes)  # moved into its place, files and all
        assert events.wait(10)
        (notes / "quay.txt").write_text("The quay reopens in May.\n", encoding="utf-8")
        assert events.wait(10)
        (tmp_path / "notes.old" / "crane.txt").write_text("Moved away: not watched.\n", encoding="utf-8")
        assert not events.wait(1.5)
    finally:
        events.stop()


def test_a_watched_path_missing_when_watching_began_is_watched_once_it_is_a_folder(tmp_path):
    """A drive not mounted yet when `qa index notes --watch` starts: mounted, its changes are seen."""
    import shutil

    from qa.watch import FileEvents

    notes = tmp_path / "notes"
    (tmp_path / "drive").mkdir()
    (tmp_path / "drive" / "ferry.txt").write_text("The ferry leaves at nine.\n", encoding="utf-8")
    events = FileEvents([str(notes)])
    try:
        shutil.move(tmp_path / "drive", notes)
        assert events.wait(10)
        (notes / "crane.txt").write_text("The crane lifts forty tonnes.\n", encoding="utf-8")
        assert events.wait(10)
        (notes / "crane.txt").write_text("The crane lifts fifty tonnes.\n", encoding="utf-8")
        assert events.wait(10)
    finally:
        events.stop()


def test_changes_close_together_make_one_round_after_they_pause(tmp_path):
    import threading

    from watchdog.events import FileModifiedEvent

    from qa.watch import SETTLE, FileEvents

    events = FileEvents([str(tmp_path)])
    try:
        def burst():  # a copy of many files: a change every 0.3 s for 1.5 s
            for i in range(6):
                events._seen(FileModifiedEvent(str(tmp_path / f"f{i}.txt")))
                time.sleep(0.3)

        writer = threading.Thread(target=burst)
        start = time.monotonic()
        writer.start()
        assert events.wait(10)
        assert time.monotonic() - start >= 1.5 + SETTLE - 0.3  # after the last change, and a pause
        writer.join()
        assert not events.wait(0.2)  # one round for all of them
        events._seen(FileModifiedEvent(str(tmp_path.parent / "elsewhere.txt")))  # not under the paths
        assert not events.wait(0.2)
    finally:
        events.stop()


def test_watch_with_file_events_waits_for_a_change_at_most_its_interval():
    class Events:
        def __init__(self):
            self.timeouts: list[float] = []

        def wait(self, timeout):
            self.timeouts.append(timeout)
            return True

    events, calls = Events(), []
    watch(lambda present: calls.append(1) or qa.IndexSummary(0, 0, 0, 0, 0, (), 0, 0, 0, changed=False), ["."], 300.0,
          report=lambda line: None, sleep=lambda _: pytest.fail("polled"), rounds=2, events=events)
    assert events.timeouts == [300.0, 300.0] and len(calls) == 2


def test_a_watch_interval_that_is_no_number_of_seconds_is_refused(tmp_path):
    r = subprocess.run([sys.executable, "-m", "qa.cli", "index", str(tmp_path), "--watch", "0"], capture_output=True,
                       text=True, env=ENV, timeout=60)
    assert r.returncode == 2 and "0 is not a number of seconds above 0" in r.stderr


@pytest.mark.model
def test_the_web_ui_watching_a_folder_answers_from_a_file_added_to_it(tmp_path):
    from gradio_client import Client
    from test_ui import _start_app

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ferry.txt").write_text("The ferry to Keel Bay leaves at nine.\n", encoding="utf-8")
    proc, url = _start_app(["--index", str(tmp_path / "idx"), "--watch", str(notes)], tmp_path, tmp_path / "app.log")
    try:
        client = Client(url, verbose=False)
        first = client.predict("When does the ferry leave?", 1, "hybrid", "", "", "", 1, api_name="/ask")
        assert first[0]["source"] == str(notes / "ferry.txt")  # built from the watched folder
        (notes / "crane.txt").write_text("The new crane on the quay lifts forty tonnes.\n", encoding="utf-8")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            hits = client.predict("How much does the crane lift?", 1, "hybrid", "", "", "", 1, api_name="/ask")
            if hits and hits[0]["source"] == str(notes / "crane.txt"):
                break
            time.sleep(0.5)
        assert hits[0]["source"] == str(notes / "crane.txt"), hits
    finally:
        proc.terminate()
        proc.wait(20)
    log = (tmp_path / "app.log").read_text()
    assert f"watching {notes}: updated when they change, and every 300 s" in log
    assert "embedded 1, removed 0: index holds 2 passages" in log
