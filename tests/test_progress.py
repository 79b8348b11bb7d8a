import io
import sys

import qa.progress


def test_a_bar_written_to_a_log_is_a_line_now_and_then_not_a_redraw(monkeypatch):
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)  # not a terminal
    monkeypatch.setattr(qa.progress, "LOG_EVERY", 0.0)
    bar = qa.progress.bar(total=3, desc="embedding", unit="passage")
    for _ in range(3):
        bar.update(1)
    bar.close()
    lines = log.getvalue().split("\n")
    assert "\r" not in log.getvalue() and lines[-1] == ""
    shown = [line.split("|")[0] for line in lines[:-1]]
    assert shown[:4] == ["embedding:   0%", "embedding:  33%", "embedding:  67%", "embedding: 100%"]
    assert set(shown[4:]) <= {"embedding: 100%"}  # closing draws it once more, its time moved on


def test_on_a_terminal_the_bar_is_tqdms_own(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    bar = qa.progress.bar(total=2, desc="reading")
    bar.update(2)
    bar.close()
    assert "\r" in sys.stderr.getvalue() and "reading: 100%" in sys.stderr.getvalue()
