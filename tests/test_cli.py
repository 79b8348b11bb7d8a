"""The `qa` command as a user runs it: real processes, real model, exit codes and output."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import SAMPLES

import qa

ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True,
                          env=ENV, cwd=cwd, timeout=300)


def test_help_is_light():
    code = ("import sys\nsys.argv = ['qa', '--help']\nimport qa.cli\n"
            "try:\n    qa.cli.main()\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'faiss', 'gradio', 'sentence_transformers', 'numpy') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert "qa index" in out.stdout or "index" in out.stdout
    assert "HEAVY []" in out.stdout


def test_missing_index_is_one_clear_line(tmp_path):
    r = run("ask", "anything", "--index", str(tmp_path / "none"))
    assert r.returncode == qa.IndexNotFoundError.exit_code
    assert r.stdout == ""
    assert r.stderr.strip().count("\n") == 0 and "no index at" in r.stderr and "qa index" in r.stderr


def test_bad_threshold_is_refused_before_anything_is_written(tmp_path):
    r = run("index", str(SAMPLES), "--index", str(tmp_path / "idx"), "--approx-threshold", "0")
    assert r.returncode == qa.InputError.exit_code
    assert "approx_threshold must be a whole number of passages" in r.stderr
    assert not (tmp_path / "idx" / "manifest.json").exists()


def test_a_mistyped_path_is_refused_before_anything_is_written(tmp_path):
    r = run("index", str(tmp_path / "nwes"), "--index", str(tmp_path / "idx"))
    assert r.returncode == qa.InputError.exit_code
    assert "no such file or directory" in r.stderr and "nwes" in r.stderr and r.stdout == ""
    assert not (tmp_path / "idx").exists()  # not even an empty folder (with a model cache) is left


def test_an_index_is_not_written_among_other_files_or_onto_a_file(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ferry.txt").write_text("The ferry runs hourly.\n")
    r = run("index", str(notes), "--index", str(notes))  # the articles' own folder given for the index
    assert r.returncode == qa.InputError.exit_code and r.stdout == ""
    assert r.stderr == (f"qa index: error: {notes} holds no index but other files (ferry.txt): give a new or "
                        "empty folder for the index, so that its files do not mix with them\n")
    assert sorted(p.name for p in notes.iterdir()) == ["ferry.txt"]  # no model export, nothing
    r = run("index", str(notes), "--index", str(notes / "ferry.txt"))
    assert r.returncode == qa.InputError.exit_code and "ferry.txt is a file, not a folder for an index" in r.stderr
    assert (notes / "ferry.txt").read_text() == "The ferry runs hourly.\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_pipe_given_to_index_is_refused_with_why(tmp_path):
    os.mkfifo(tmp_path / "feed.jsonl")  # as `qa index <(curl ...)` gives one
    r = run("index", str(tmp_path / "feed.jsonl"), "--index", str(tmp_path / "idx"))
    assert r.returncode == qa.InputError.exit_code and r.stdout == ""
    assert "not a regular file (a pipe, socket or device): save it to a file and index that" in r.stderr
    assert not (tmp_path / "idx").exists()


def test_a_run_where_every_file_fails_is_an_error(tmp_path):
    (tmp_path / "scan.txt").write_bytes(b"%PDF\x00\x00")
    r = run("index", str(tmp_path / "scan.txt"), "--index", str(tmp_path / "idx"))
    assert r.returncode == qa.InputError.exit_code, r.stdout
    assert "no article could be read" in r.stderr and "scan.txt: binary file" in r.stderr
    assert not (tmp_path / "idx").exists()


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli") / "idx"
    r = run("index", str(SAMPLES), "--index", str(d))
    assert r.returncode == 0, r.stderr
    assert "read 31 articles from 8 files" in r.stdout and "embedded 31" in r.stdout
    return d


@pytest.mark.model
class TestWithModel:
    def test_second_index_run_embeds_nothing(self, index):
        r = run("index", str(SAMPLES), "--index", str(index))
        assert r.returncode == 0 and "embedded 0, kept 31 unchanged, removed 0" in r.stdout

    def test_ask_json_has_the_hit_fields(self, index):
        r = run("ask", "Who won the marathon?", "--index", str(index), "--json", "-k", "3")
        assert r.returncode == 0, r.stderr
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        assert len(rows) == 3
        assert set(rows[0]) == {f.name for f in dataclasses.fields(qa.Hit)} | {"reference", "link"}
        assert rows[0]["source"].endswith("world.txt") and rows[0]["line_start"] == 57
        assert rows[0]["reference"] == rows[0]["source"] + ":57-60" and rows[0]["link"] is None
        assert "Kiprop" in rows[0]["text"]
        film = json.loads(run("ask", "Which film won the festival?", "--index", str(index), "--json", "-k", "1").stdout)
        assert film["link"].startswith("https://example.org/culture/bellport-film-festival#:~:text=")

    def test_ask_human_output_puts_the_reference_first(self, index):
        r = run("ask", "Which film won the festival?", "--index", str(index), "-k", "1")
        first = r.stdout.splitlines()[0]
        assert first.startswith("1. ") and "culture.html" in first and "https://example.org/culture" in first
        assert "dense #" in r.stdout and "lexical #" in r.stdout
        assert "\033" not in r.stdout  # piped: no terminal escapes
        dense = run("ask", "Which film won the festival?", "--index", str(index), "-k", "1", "--mode", "dense")
        assert "(dense; dense #1 · lexical –)" in dense.stdout  # no lexical search ran
        # The page has film and festival, not "won" (the prize "went" to its film).
        assert "· missing: won · article" in r.stdout
        r = run("ask", "Which film won the festival in Atlantis?", "--index", str(index), "-k", "1")
        assert "culture.html" in r.stdout and "· missing: won Atlantis · article" in r.stdout

    def test_a_misspelt_question_is_offered_as_the_articles_spell_it(self, index):
        r = run("ask", "how many dokworkers went on strik", "--index", str(index), "-k", "1")
        assert r.returncode == 0 and r.stdout.startswith("Did you mean: how many dockworkers went on strike\n\n")
        spelt = run("ask", "how many dockworkers went on strike", "--index", str(index), "-k", "1")
        assert "Did you mean" not in spelt.stdout and spelt.stdout.splitlines()[0].endswith("world.txt:1-6")
        as_json = run("ask", "how many dokworkers went on strik", "--index", str(index), "-k", "1", "--json")
        assert json.loads(as_json.stdout)["rank"] == 1  # JSON lines stay hits only

    def test_questions_piped_in_a_line_each_are_answered_as_each_alone(self, index):
        questions = ["Who won the marathon?", "Which film won the festival?", "How many dockworkers went on strike?"]
        piped = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "-", "--index", str(index), "--json", "-k", "2"],
                               input="\n".join(questions) + "\n\n", capture_output=True, text=True, env=ENV, timeout=600)
        assert piped.returncode == 0, piped.stderr
        rows = [json.loads(line) for line in piped.stdout.splitlines()]
        assert [row["question"] for row in rows] == [q for q in questions for _ in range(2)]
        for q in questions:
            alone = [json.loads(line) for line in run("ask", q, "--index", str(index), "--json", "-k", "2").stdout.splitlines()]
            assert [(r["passage_id"], r["rank"]) for r in rows if r["question"] == q] == [
                (r["passage_id"], r["rank"]) for r in alone]
        human = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "--index", str(index), "-k", "1"],
                               input="\n".join(questions), capture_output=True, text=True, env=ENV, timeout=600)
        lines = human.stdout.splitlines()
        assert [line[3:] for line in lines if line.startswith("── ")] == questions
        assert lines[1].startswith("1. ") and lines[1].endswith("world.txt:57-60")
        none = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "--index", str(index)], input="\n",
                              capture_output=True, text=True, env=ENV, timeout=600)
        assert none.returncode == qa.InputError.exit_code and none.stderr.startswith("qa ask: error: no question: ")
        # A line that is no question is said with its number; the others are answered all the same.
        slips = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "-", "--index", str(index), "--json", "-k", "1"],
                               input=f"{questions[0]}\n\n???\n-harbour\n{questions[1]}\n", capture_output=True,
                               text=True, env=ENV, timeout=600)
        assert slips.returncode == qa.InputError.exit_code
        assert [json.loads(line)["question"] for line in slips.stdout.splitlines()] == questions[:2]
        assert slips.stderr == ("qa ask: error: line 3: the question '???' has no words; type a question\n"
                                "qa ask: error: line 4: the question only leaves words out (-word); add what to look for\n")
        # but a filter that stops every question is said once
        bad = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "-", "--index", str(index), "--date-to", "2024-13"],
                             input="\n".join(questions), capture_output=True, text=True, env=ENV, timeout=600)
        assert bad.returncode == qa.InputError.exit_code and bad.stdout == ""
        assert bad.stderr == "qa ask: error: date to '2024-13' is not a date: give YYYY-MM-DD (or YYYY-MM, or YYYY)\n"

    def test_in_a_terminal_without_a_question_it_asks_for_one_after_another(self, index):
        import pty  # noqa: F401 - a POSIX terminal, as a person's

        master, slave = os.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "ask", "--index", str(index), "-k", "1"], stdin=slave,
                                stdout=slave, stderr=subprocess.PIPE, text=True, env={**ENV, "TERM": "dumb"})
        os.close(slave)
        screen = [""]  # what the terminal shows: the prompts, the typing echoed, the answers
        for typed in ("Who won the marathon?\n", "\n", "-harbour\n", "Which film won the festival?\n", "\x04"):
            _read_terminal(master, screen, prompts=screen[0].count("question> ") + 1)
            os.write(master, typed.encode())  # typed once the prompt shows, as a person does
        _read_terminal(master, screen, prompts=None)
        err = proc.communicate(timeout=600)[1]
        os.close(master)
        out = screen[0].replace("\r\n", "\n")
        assert proc.returncode == 0 and err.startswith("Ask a question (Ctrl-D to end).")
        # a slip is said and the next question asked
        assert "error: the question only leaves words out (-word); add what to look for" in err
        assert out.count("question> ") == 5  # a blank line asks again
        answers = [part for part in out.split("question> ") if "1. " in part]
        assert len(answers) == 2 and "world.txt:57-60" in answers[0] and "culture.html" in answers[1]

    def test_prompted_answers_sent_to_a_file_hold_no_prompts(self, index):
        master, slave = os.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "ask", "--index", str(index), "-k", "1", "--json"],
                                stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        os.close(slave)
        os.write(master, b"Who won the marathon?\n\x04")
        out, err = proc.communicate(timeout=600)
        os.close(master)
        assert proc.returncode == 0 and err.count("question> ") == 2
        [row] = [json.loads(line) for line in out.splitlines()]  # qa ask --json > answers.jsonl: answers only
        assert row["source"].endswith("world.txt")

    def test_a_question_the_articles_cannot_answer_says_so_first(self, index):
        r = run("ask", "What is the capital of Mongolia?", "--index", str(index), "-k", "3")
        lines = r.stdout.splitlines()
        assert lines[0] == "No passage seems to answer this (none mentions capital or Mongolia); the closest follow."
        scores = [line for line in lines if line.startswith("   score ")]
        assert len(scores) == 3 and all("· weak match ·" in line for line in scores)
        assert "»" not in r.stdout  # a weak hit's best sentence is not shown as an answer
        rows = [json.loads(line) for line in run("ask", "What is the capital of Mongolia?", "--index", str(index),
                                                 "--json", "-k", "3").stdout.splitlines()]
        assert [row["weak"] for row in rows] == [True] * 3 and all(row["highlights"] == [] for row in rows)
        # The words of "the" are in every passage, and say nothing of what it asks.
        lines = run("ask", "the", "--index", str(index), "-k", "2").stdout.splitlines()
        assert lines[:3] == ["No passage seems to answer this; the closest follow.", "",
                             "The question has only common words (the): add a word for what you are asking about."]
        r = run("ask", "Who won the marathon?", "--index", str(index), "-k", "3")
        assert r.stdout.startswith("1. ") and "»" in r.stdout
        first_score = next(line for line in r.stdout.splitlines() if line.startswith("   score "))
        assert "weak" not in first_score
        # The story's first sentence is its title, printed once: the passage goes on from there.
        lines = r.stdout.split("\n\n")[0].splitlines()
        assert lines[1] == "   A record 41,000 runners finished the Bellport marathon on Sunday in cool, dry weather."
        assert [line for line in lines if line.startswith(("   Kenyan", "   » Kenyan"))] == [  # the answer, the passage
            "   » Kenyan runner Daniel Kiprop won the men's race in 2 hours 5 minutes, and Amira Saleh of",
            "   Kenyan runner Daniel Kiprop won the men's race in 2 hours 5 minutes, and Amira Saleh of Ethiopia"]
        assert r.stdout.count("41,000 runners") == 1

    def test_on_a_terminal_the_url_opens_the_page_at_the_highlight(self, index, monkeypatch, capsys):
        import qa.cli
        import qa.hitprint

        monkeypatch.setattr(qa.hitprint, "terminal", lambda: True)
        assert qa.cli.main(["ask", "How many tickets did the festival sell?", "--index", str(index), "-k", "1"]) == 0
        first = capsys.readouterr().out.splitlines()[0]
        page = "https://example.org/culture/bellport-film-festival"
        # OSC 8: ESC ] 8 ;; target ESC \ text ESC ] 8 ;; ESC \ (the text is the plain URL)
        assert f"\033]8;;{page}#:~:text=The%20festival%20screened" in first
        assert first.endswith(f"\033\\{page}\033]8;;\033\\  (Lena Marsh, 2024-10-20)")  # its author, its date

    def test_similar_info_check(self, index):
        r = run("similar", "biz-004", "--index", str(index), "--json", "-k", "2")
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        assert len(rows) == 2 and "biz-004" not in [x["article_id"] for x in rows]
        assert "Valmora" in rows[0]["in_common"]  # the dockworkers' strike: what the two share
        shown = run("similar", "biz-004", "--index", str(index), "-k", "1").stdout.splitlines()
        assert shown[2].startswith("   in common: ") and "Valmora" in shown[2]
        assert set(rows[0]) == {f.name for f in dataclasses.fields(qa.ArticleHit)}
        info = json.loads(run("info", "--index", str(index), "--json").stdout)
        assert info["articles"] == 31 and info["model"] == "sentence-transformers/all-MiniLM-L6-v2"
        assert info["dimension"] == 384 and info["index_kind"] == "flat"
        # The tags to filter by, most used first (the samples' front matter and records).
        assert info["tags"][:3] == [["biology", 3], ["climate", 3], ["local", 3]] and len(info["tags"]) == 17
        shown = run("info", "--index", str(index)).stdout
        assert "\ntags       biology (3), climate (3), local (3), health (2), astronomy (1)," in shown
        # the authors to filter by: the library post's front matter and the festival page's meta
        assert info["authors"] == [["Hana Ode", 1], ["Lena Marsh", 1]]
        assert "\nauthors    Hana Ode (1), Lena Marsh (1)\n" in shown
        # most of a small index's bytes are the int8 model made for it (models/): said so
        models = sum(f.stat().st_size for f in (index / "models").rglob("*") if f.is_file())
        assert info["model_bytes"] == models > info["disk_bytes"] / 2
        assert re.search(rf"\ndisk       [\d.]+ MB: the index \d+ KB, the model converted for it {models / 1e6:.1f} MB "
                         r"\(models/\)\n", shown)
        r = run("check", "--index", str(index))
        assert r.returncode == 0 and "agree" in r.stdout

    def test_similar_by_the_reference_ask_prints_by_a_file_or_by_text(self, index, tmp_path):
        top = json.loads(run("ask", "Who won the marathon?", "--index", str(index), "--json", "-k", "1").stdout)
        ref = f"{top['source']}:{top['line_start']}-{top['line_end']}"
        by_id = run("similar", top["article_id"], "--index", str(index), "--json")
        by_ref = run("similar", ref, "--index", str(index), "--json")
        assert by_ref.returncode == 0 and by_ref.stdout == by_id.stdout and by_id.stdout
        many = run("similar", top["source"], "--index", str(index))
        assert many.returncode == qa.InputError.exit_code and f"{top['source']}:1" in many.stderr
        # A file that is not indexed is compared by its text.
        mine = tmp_path / "mine.md"
        mine.write_text("# Race day\n\nThe marathon winner crossed the line in record time; runners "
                        "from Kenya took the first three places.\n", encoding="utf-8")
        r = run("similar", str(mine), "--index", str(index), "--json", "-k", "1")
        assert r.returncode == 0 and "not in the index" in r.stderr
        assert json.loads(r.stdout)["article_id"] == top["article_id"]
        r = run("similar", "--text", "marathon runners record time", "--index", str(index), "--json", "-k", "1")
        assert json.loads(r.stdout)["article_id"] == top["article_id"]
        r = run("similar", "--index", str(index))
        assert r.returncode == qa.InputError.exit_code and "--text" in r.stderr

    def test_unknown_article_and_wrong_model(self, index):
        r = run("similar", "no-such-id", "--index", str(index))
        assert r.returncode == qa.NotFoundError.exit_code and "no article with id" in r.stderr
        r = run("index", str(SAMPLES), "--index", str(index), "--model", "other/model")
        assert r.returncode != 0 and "error" in r.stderr and "Traceback" not in r.stderr

    def test_remove_takes_a_folder_out_of_a_copy_of_the_index(self, index, tmp_path):
        copy = tmp_path / "idx"
        shutil.copytree(index, copy)
        local = SAMPLES / "local"
        r = run("remove", str(local), "--index", str(copy))
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines() == [f"removed 4 articles read from {local}", "index holds 27 passages",
                                         f"index: {copy}"]
        rows = [json.loads(line) for line in run("ask", "Who saved the market hall?", "--index", str(copy),
                                                 "--json", "-k", "27").stdout.splitlines()]
        assert len(rows) == 27 and not [row for row in rows if row["source"].startswith(str(local))]
        assert run("check", "--index", str(copy)).returncode == 0
        r = run("remove", str(local), "--index", str(copy))
        assert r.returncode == qa.InputError.exit_code and r.stdout == ""
        assert f"the index holds no article from {local}" in r.stderr

    def test_broken_folder_indexes_the_good_and_names_the_bad(self, tmp_path):
        d = tmp_path / "mixed"
        d.mkdir()
        (d / "good.txt").write_text("The harbour of Keel Bay froze for the first time in fifty years.\n")
        (d / "bad.jsonl").write_text('{"id": "ok", "text": "Snow closed the mountain pass."}\n{oops\n')
        (d / "latin1.txt").write_bytes("Caf\xe9 society.\n".encode("latin-1"))
        (d / "garbled.txt").write_bytes(b"Bytes \x81\x8d that no encoding tried can read.\n")
        (d / "empty.md").write_text("")
        r = run("index", str(d), "--index", str(tmp_path / "idx"))
        assert r.returncode == 0, r.stderr
        assert "read 3 articles" in r.stdout and "skipped 3" in r.stdout
        for name in ("bad.jsonl:2", "garbled.txt:1", "empty.md"):
            assert name in r.stdout
        assert re.search(r"read as Windows-1252.*latin1\.txt", r.stdout)
        r = run("ask", "frozen harbour", "--index", str(tmp_path / "idx"), "--json", "-k", "1")
        assert json.loads(r.stdout)["source"].endswith("good.txt")


def test_an_interrupted_index_run_resumes(tmp_path):
    import signal
    import time

    from killing import write_corpus

    from qa.journal import pending

    corpus, index = write_corpus(tmp_path / "corpus", 900, 1), str(tmp_path / "idx")
    # A suite started in the background (`pytest &`) ignores SIGINT, and a child inherits that:
    # Ctrl-C would then not reach the run at all. A terminal's Ctrl-C finds the default.
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "index", str(corpus), "--index", index],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 240
    while pending(index) < 256 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    _, err = proc.communicate(timeout=120)
    kept = pending(index)
    assert proc.returncode == 130 and kept >= 256, err[-2000:]
    assert f"the {kept} passages embedded so far are kept: run the same command again to resume" in err
    r = run("ask", "harbour strike", "--index", index)
    assert r.returncode == qa.IndexNotFoundError.exit_code and "run the same `qa index` again" in r.stderr

    r = run("index", str(corpus), "--index", index)
    assert r.returncode == 0, r.stderr
    assert f"resumed: {kept} passages embedded by an interrupted run were reused" in r.stdout
    assert "index holds 900 passages" in r.stdout and not os.path.exists(os.path.join(index, "journal"))
    r = run("ask", "river flood rescue boats", "--index", index, "--json")
    assert "river flood" in json.loads(r.stdout.splitlines()[0])["text"]


def test_serve_on_a_port_in_use_says_so_before_loading_anything(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run("serve", "--index", str(tmp_path / "idx"), "--port", str(port))
    assert r.returncode == qa.InputError.exit_code
    assert r.stderr == (f"qa serve: error: port {port} on 127.0.0.1 is in use (another qa serve or app.py?): "
                        "stop it, or choose another with --port\n")  # one line, no traceback
    assert not (tmp_path / "idx").exists()


def test_a_question_opening_with_a_word_left_out_is_a_question_not_an_option():
    from qa.cli import _parser

    args = _parser().parse_args(["ask", "-harbour Who went on strike", "--json", "-k", "3"])
    assert (args.question, args.json, args.k) == ("-harbour Who went on strike", True, 3)
    assert _parser().parse_args(["ask", "--json", "-kitchen fire"]).question == "-kitchen fire"
    assert _parser().parse_args(["similar", "--text", "-helium and neon"]).text == "-helium and neon"
    args = _parser().parse_args(["ask", "-harbour", "-k5"])  # a lone -word; a short option with its number
    assert (args.question, args.k) == ("-harbour", 5)
    assert _parser().parse_args(["ask", "-kitchen", "-k=2"]).k == 2
    args = _parser().parse_args(["ask", "-k 3", "--index=/my indexes/news", "why"])  # options spelled with a space
    assert (args.k, args.index, args.question) == (3, "/my indexes/news", "why")


def test_ask_prints_the_headings_a_markdown_passage_sits_under(tmp_path, capsys):
    from fakes import FakeEmbedder

    import qa.cli

    steps = " ".join(f"Step {i} of the upgrade is careful." for i in range(30))
    (tmp_path / "manual.md").write_text(f"# Manual\n\n## Upgrading\n\n### From version 2\n\n{steps}\n"
                                        "Back up the database before the last step.\n\n```sh\ndb dump\n```\n"
                                        "Then\n----\nCheck it.\n", encoding="utf-8")
    qa.Library.build([str(tmp_path / "manual.md")], str(tmp_path / "idx"), embedder=FakeEmbedder())
    capsys.readouterr()
    assert qa.cli.main(["ask", "back up the database", "--index", str(tmp_path / "idx"), "--mode", "lexical",
                        "-k", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1. ") and "manual.md:" in lines[0]
    assert lines[1] == "   Manual › Upgrading › From version 2"
    # The passage as a reader sees it: no fence lines, no heading marks or underlines; code and a
    # heading on their own lines.
    passage = " ".join(lines[4:])
    assert lines[-4:] == ["   db dump", "   Then", "   Check it.", ""]
    assert "```" not in passage and "#" not in passage
    assert "--" not in passage  # nor a heading's underline


def test_ask_prints_a_passage_cut_from_a_long_table_after_its_column_names(tmp_path, capsys):
    from fakes import FakeEmbedder

    import qa.cli

    rows = "".join(f"| op{n} | Operator {n} rounds values toward the harbour scale. |\n" for n in range(1, 120))
    (tmp_path / "ops.md").write_text(f"# Ops\n\n| Operator | Note |\n|---|---|\n{rows}", encoding="utf-8")
    qa.Library.build([str(tmp_path / "ops.md")], str(tmp_path / "idx"), embedder=FakeEmbedder())
    capsys.readouterr()
    assert qa.cli.main(["ask", "op100", "--index", str(tmp_path / "idx"), "--mode", "lexical", "-k", "1"]) == 0
    passage = " ".join(line.strip() for line in capsys.readouterr().out.splitlines()[4:])
    assert passage.startswith("| Operator | Note | | op") and "| op100 |" in passage


def test_ask_says_when_one_article_holds_more_passages_than_it_shows(tmp_path, capsys):
    from fakes import FakeEmbedder

    import qa.cli

    steps = " ".join(f"Step {i} of the upgrade needs a backup of the database first." for i in range(40))
    (tmp_path / "manual.md").write_text(f"# Manual\n\n{steps}\n", encoding="utf-8")
    idx = str(tmp_path / "idx")
    qa.Library.build([str(tmp_path / "manual.md")], idx, embedder=FakeEmbedder())
    held = len(qa.Library.open(idx, embedder=FakeEmbedder()).ask("backup database", k=10, per_article=10))
    assert held >= 2
    capsys.readouterr()
    assert qa.cli.main(["ask", "backup database", "--index", idx, "--mode", "lexical", "-k", "10"]) == 0
    out = capsys.readouterr().out
    assert out.count("manual.md:") == 1
    assert out.rstrip().endswith(f"Only one article matches: ask with --per-article {held} to see up to {held} "
                                 "of its passages.")
    assert qa.cli.main(["ask", "backup database", "--index", idx, "--mode", "lexical", "-k", "10",
                        "--per-article", str(held)]) == 0
    out = capsys.readouterr().out
    assert out.count("manual.md:") == held and "Only one" not in out
    assert qa.cli.main(["ask", "backup database", "--index", idx, "--mode", "lexical", "-k", "10", "--json"]) == 0
    assert "Only one" not in capsys.readouterr().out  # JSON lines only


def test_ask_prints_a_markdown_passage_with_its_inline_markdown_rendered_and_its_code_as_written(tmp_path, capsys):
    from fakes import FakeEmbedder

    import qa.cli

    (tmp_path / "guide.md").write_text(
        "# Guide\n\nThe **ferry** leaves from [pier 4](https://example.org/piers) at `08:15` daily.\n"
        "![Map of the harbour](map.png)\n\n```py\nleave(*piers, **{'at': '08:15'})  # [x](y)\n```\n",
        encoding="utf-8")
    qa.Library.build([str(tmp_path / "guide.md")], str(tmp_path / "idx"), embedder=FakeEmbedder())
    capsys.readouterr()
    assert qa.cli.main(["ask", "ferry pier daily", "--index", str(tmp_path / "idx"), "--mode", "lexical"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[3] == "   » The ferry leaves from pier 4 at `08:15` daily."  # the highlight
    assert lines[1] == "   Guide"  # the title, once: not again as the passage's heading
    assert " ".join(lines[4:]).split() == (
        "The ferry leaves from pier 4 at `08:15` daily. Map of the harbour "
        "leave(*piers, **{'at': '08:15'}) # [x](y)").split()  # code as written


def test_ask_around_prints_the_text_before_and_after_each_passage(tmp_path, fake, capsys):
    import qa.cli

    sections = [f"## Part {n}\n\n" + "\n".join(f"Sentence {n}.{i} of the {word} part is here." for i in range(1, 30))
                for n, word in enumerate(("first", "second", "third", "fourth"), 1)]
    (tmp_path / "guide.md").write_text("# Guide\n\n" + "\n\n".join(sections) + "\n")
    lib = qa.Library.build([str(tmp_path / "guide.md")], str(tmp_path / "idx"), embedder=fake, progress=False)
    args = ["ask", "Which sentence of the third part is 3.15?", "--index", lib.path, "--mode", "lexical", "-k", "1"]
    assert qa.cli.main([*args, "--around", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    [hit] = lib.ask("Which sentence of the third part is 3.15?", k=1, mode="lexical")
    context = lib.around(hit.passage_id, 3)
    before = next(i for i, line in enumerate(out) if line.startswith("   ¦ before · "))
    after = next(i for i, line in enumerate(out) if line.startswith("   ¦ after · "))
    passage = next(i for i, line in enumerate(out) if line.startswith("   ") and "3.15" in line and "»" not in line)
    assert before < passage < after  # above and below the passage, as on a card
    where = f"{context.before.line_start}-{context.before.line_end}"
    assert len(context.before.text) > 300 and out[before].startswith(f"   ¦ before · {where} · …")  # its end
    last_words = " ".join(context.before.text.split()[-4:])
    assert out[passage - 1].endswith(last_words)  # the end of the text before: next to the passage
    first_words = " ".join(context.after.text.replace("#", "").split()[:3])
    assert first_words in out[after]
    assert qa.cli.main([*args, "--around", "--json"]) == 0  # N: 1
    row = json.loads(capsys.readouterr().out)
    assert row["around"]["before"]["text"] == lib.around(hit.passage_id).before.text
    assert qa.cli.main(args) == 0 and "¦" not in capsys.readouterr().out  # not asked: not printed


def test_info_lists_a_large_library_by_folder(tmp_path, fake, capsys):
    import qa.cli
    from qa.sourcelist import grouped

    for channel in ("general", "harbour", "ferries"):
        (tmp_path / "export" / channel).mkdir(parents=True)
        for day in range(1, 16):
            (tmp_path / "export" / channel / f"2024-03-{day:02d}.txt").write_text(
                f"Day {day} in {channel}: the tide was high at {day} o'clock.\n", encoding="utf-8")
    (tmp_path / "export" / "readme.md").write_text("# Export\n\nWhat this export holds.\n", encoding="utf-8")
    qa.Library.build([str(tmp_path / "export")], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert qa.cli.main(["info", "--index", str(tmp_path / "idx")]) == 0
    listed = capsys.readouterr().out.split("\nsources", 1)[1].splitlines()
    assert listed[0] == " (46 files, by folder; qa info --json lists each)"
    assert sorted(line.split(maxsplit=1)[1] for line in listed[1:]) == sorted(
        [f"{tmp_path}/export/{c}/  (15 files)" for c in ("general", "harbour", "ferries")]
        + [f"{tmp_path}/export/readme.md"])
    few = [("a/b.txt", 2), ("a/c.txt", 1)]
    assert grouped(few) == [("a/b.txt", 2, 1), ("a/c.txt", 1, 1)]  # few: each file
    many = [(f"a/{i}/x.txt", 1) for i in range(50)] + [("a/top.txt", 1)]
    assert grouped(many) == [("a/", 51, 51)]  # 50 folders under a/ are too many: a/ it is


def test_the_web_pages_library_lists_thousands_of_files_by_folder_and_finds_files_in_them():
    from qa.sourcelist import folder_depth, folder_rows, library_rows
    from qa.ui import _ROW_NOTE

    rows = [(f"notes/{d}/{i:04d}.md", 1, f"2024-0{d + 1}-{i % 28 + 1:02d}", f"2024-0{d + 1}-{i % 28 + 1:02d}",
             f"Note {d}-{i}") for d in range(3) for i in range(400)] + [("notes/index.md", 2, None, None, "Index")]
    assert folder_depth([r[0] for r in rows[:900]], 1000) is None  # few: a row a file
    depth = folder_depth([r[0] for r in rows], 1000)
    assert folder_rows(rows, depth) == [
        ("notes/0/", 400, 400, "2024-01-01", "2024-01-28", "Note 0-0"),
        ("notes/1/", 400, 400, "2024-02-01", "2024-02-28", "Note 1-0"),
        ("notes/2/", 400, 400, "2024-03-01", "2024-03-28", "Note 2-0"),
        ("notes/index.md", 2, 1, None, None, "Index")]
    assert _ROW_NOTE.sub("", "notes/0/ (1,400 files)") == "notes/0/"  # a click names the folder to remove
    assert [r[0] for r in library_rows(rows, set(), "up/", "", 1000)] == [
        "notes/0/ (400 files)", "notes/1/ (400 files)", "notes/2/ (400 files)", "notes/index.md"]
    # Found by a part of the path or the title, in any case: the files themselves, not their folder
    found = library_rows(rows, set(), "up/", "NOTE 2-39", 1000)
    assert found[0] == ("notes/2/0039.md", 1, "2024-03-12", "2024-03-12", "Note 2-39")
    assert [r[0] for r in found[1:]] == [f"notes/2/039{i}.md" for i in range(10)]
    assert len(library_rows(rows, set(), "up/", "notes/1/", 1000)) == 400
    assert [r[0] for r in library_rows(rows, set(), "up/", "index", 1000)] == ["notes/index.md"]
    assert [r[0] for r in library_rows(rows, set(), "up/", "notes/", 1000)][-1] == "notes/index.md"  # still many
    assert library_rows(rows, {"notes/index.md"}, "up/", "index", 1000)[0][0] == "notes/index.md (file not found)"
    # a file whose later article's title holds it (the catalog says which: Catalog.sources_titled)
    assert [r[0] for r in library_rows(rows, set(), "up/", "quay", 1000, {"notes/2/0007.md"})] == ["notes/2/0007.md"]


def _read_terminal(fd: int, screen: list[str], prompts: int | None) -> None:
    """Read a terminal's output into ``screen[0]`` until it shows ``prompts`` prompts (None: until
    the program ends)."""
    import select

    while prompts is None or screen[0].count("question> ") < prompts:
        ready, _, _ = select.select([fd], [], [], 600)
        assert ready, f"no prompt in 600 s: {screen[0][-500:]!r}"
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the program ended, the terminal closed
            chunk = b""
        if not chunk:
            assert prompts is None, f"ended before prompt {prompts}: {screen[0][-500:]!r}"
            return
        screen[0] += chunk.decode(errors="replace")
