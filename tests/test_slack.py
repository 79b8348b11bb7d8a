"""Slack exports: messages read as Slack shows them, named authors, notices counted not indexed."""

from __future__ import annotations

import json
import os

import qa
from qa.readers import ReadStats, read_articles

USERS = [
    {"id": "U01ANN", "name": "ann", "real_name": "Ann Lee", "profile": {"real_name": "Ann Lee", "display_name": "ann"}},
    {"id": "U02BOB", "name": "bob", "profile": {"real_name": "", "display_name": "Bobby"}},
    *({"id": f"U9{n}", "name": f"guest{n}", "profile": {"real_name": f"Guest {n}"}} for n in range(4)),
]
DAY = [
    {"type": "message", "user": "U01ANN", "ts": "1709640000.000100",
     "text": "<@U02BOB> the dredging plan is out: <https://harbour.example/plan|the council's plan>. "
             "Comments go to <#C01GEN|general> by Friday &amp; not later &lt;3"},
    {"type": "message", "subtype": "channel_join", "user": "U02BOB", "ts": "1709640100.000200",
     "text": "<@U02BOB> has joined the channel"},
    {"type": "message", "subtype": "channel_join", "user": "U90", "ts": "1709640110.000200",
     "text": "<@U90> has joined the channel"},
    {"type": "message", "subtype": "channel_join", "user": "U91", "ts": "1709640120.000200",
     "text": "<@U91> has joined the channel"},
    # Not in users.json (a guest from another workspace): the message's own profile names her.
    {"type": "message", "user": "W07ZOE", "ts": "1709640200.000300", "thread_ts": "1709640000.000100",
     "user_profile": {"real_name": "Zoe Park", "display_name": "zoe"},
     "text": "Thanks <@U01ANN>! <!here> the ferry runs every ten minutes, see <https://ferry.example/times> "
             "or write to <mailto:ferry@example.org|the ferry office> <!subteam^S1|@harbour-team>"},
    {"type": "message", "subtype": "bot_message", "username": "Ferry Bot", "bot_id": "B01", "ts": "1709640300.0004",
     "text": "Next ferry at 10:20 from pier four."},
]


def export(tmp_path):
    root = tmp_path / "slack"
    (root / "general").mkdir(parents=True)
    (root / "users.json").write_text(json.dumps(USERS, indent=1), encoding="utf-8")
    (root / "channels.json").write_text(json.dumps([{"id": "C01GEN", "name": "general"}]), encoding="utf-8")
    (root / "general" / "2024-03-05.json").write_text(json.dumps(DAY, indent=1), encoding="utf-8")
    return root


def test_messages_read_as_slack_shows_them_with_their_authors(tmp_path):
    root = export(tmp_path)
    stats = ReadStats()
    plan, ferry, bot = read_articles([str(root)], stats)
    assert bot.author == "Ferry Bot" and bot.text == "Next ferry at 10:20 from pier four."
    assert plan.text == ("@Bobby the dredging plan is out: the council's plan. "
                         "Comments go to #general by Friday & not later <3")
    assert (plan.author, plan.date, plan.title) == ("Ann Lee", "2024-03-05", "@Bobby the dredging plan is out: the council's plan.")
    assert ferry.text == ("Thanks @Ann Lee! @here the ferry runs every ten minutes, see https://ferry.example/times "
                          "or write to the ferry office @harbour-team")
    assert ferry.author == "Zoe Park" and ferry.metadata["thread_ts"] == "1709640000.000100"
    assert ferry.title == "Re: @Bobby the dredging plan is out: the council's plan."  # the thread it answers
    lines = (root / "general" / "2024-03-05.json").read_text(encoding="utf-8").splitlines()
    starts = [n for n, line in enumerate(lines, 1) if line == " {"]  # each record's first line
    assert (plan.line_start, ferry.line_start) == (starts[0], starts[4])
    # The three joins are one line; the export's lists (read for names) are counted by kind.
    skipped = [(os.path.basename(s.path), s.line, s.reason) for s in stats.skipped]
    assert skipped == [("2024-03-05.json", starts[1],
                        f"a Slack channel_join notice: 3 records (lines {starts[1]}, {starts[2]}, {starts[3]})")]
    assert stats.ignored == {"Slack export lists (read for names)": 2} and stats.files == 1
    # Named on the command line, a list is read as any JSON file (its people have no text).
    listed = ReadStats()
    assert not list(read_articles([str(root / "users.json")], listed))
    assert listed.skipped[0].reason.startswith("record has no text") and not listed.ignored


def test_without_users_json_mentions_keep_their_ids_and_a_plain_json_list_is_untouched(tmp_path, fake):
    root = export(tmp_path)
    (root / "users.json").unlink()
    stats = ReadStats()
    plan, ferry, _ = read_articles([str(root / "general")], stats)
    assert plan.text.startswith("@U02BOB the dredging plan") and plan.author == "U01ANN"
    assert ferry.text.startswith("Thanks @U01ANN!") and ferry.author == "Zoe Park"
    # Records that are no Slack messages keep their angle brackets and entities.
    notes = tmp_path / "notes.json"
    notes.write_text(json.dumps([{"text": "Use <b> for bold &amp; <@U1> is no mention here.", "ts": "x"}]),
                     encoding="utf-8")
    [note] = read_articles([str(notes)], ReadStats())
    assert note.text == "Use <b> for bold &amp; <@U1> is no mention here."
    # Found by the name it is shown with.
    lib = qa.Library.build([str(export(tmp_path / "again"))], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("Bobby council plan", k=1, mode="lexical")
    assert hit.title.startswith("@Bobby the dredging plan") and hit.text.startswith("@Bobby")


def test_few_alike_problems_keep_a_line_each(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "no text"}\n{"title": "none either"}\n{"text": "A real one."}\n', encoding="utf-8")
    stats = ReadStats()
    [one] = read_articles([str(bad)], stats)
    assert one.text == "A real one." and [s.line for s in stats.skipped] == [1, 2]


def test_what_slack_shows_under_a_message_is_read_with_it(tmp_path):
    day = [
        # A link's preview under the words that shared it.
        {"type": "message", "user": "U01ANN", "ts": "1709640000.000100",
         "text": "Timetable: <https://ferry.example/times>",
         "attachments": [{"service_name": "Ferry", "title": "Winter timetable",
                          "title_link": "https://ferry.example/times",
                          "text": "Boats every 20 minutes until March.", "fallback": "Ferry: Winter timetable"}]},
        # A bot's alert: nothing but its attachment, fields included; mentions in it named.
        {"type": "message", "subtype": "bot_message", "username": "Tide Alerts", "ts": "1709640100.000200", "text": "",
         "attachments": [{"pretext": "Tide warning for <@U02BOB>", "title": "High tide at pier four",
                          "fields": [{"title": "Height", "value": "4.2 m"}, {"title": "", "value": "Close the gate"}],
                          "fallback": "High tide"}]},
        # A file shared without a word; a deleted file's stub; an attachment with only its fallback.
        {"type": "message", "user": "U01ANN", "ts": "1709640200.000300",
         "files": [{"id": "F1", "name": "dredging-budget.xlsx", "title": "Dredging budget 2024"},
                   {"id": "F2", "mode": "tombstone"}]},
        {"type": "message", "user": "U01ANN", "ts": "1709640300.000400", "text": "See above",
         "attachments": [{"fallback": "[March 5th] Ann: the dredging plan is out", "is_share": True}]},
        {"type": "message", "user": "U01ANN", "ts": "1709640400.000500", "text": "",
         "files": [{"id": "F3", "mode": "hidden_by_limit"}]},
    ]
    root = export(tmp_path)
    path = root / "general" / "2024-03-06.json"
    path.write_text(json.dumps(day, indent=1), encoding="utf-8")
    stats = ReadStats()
    link, alert, budget, share = read_articles([str(path)], stats)
    assert link.text == ("Timetable: https://ferry.example/times\n\n"
                         "Winter timetable\n\nBoats every 20 minutes until March.")
    assert alert.text == "Tide warning for @Bobby\n\nHigh tide at pier four\n\nHeight: 4.2 m\n\nClose the gate"
    assert alert.author == "Tide Alerts" and alert.title == "Tide warning for @Bobby"
    assert budget.text == "File: Dredging budget 2024"
    assert share.text == "See above\n\n[March 5th] Ann: the dredging plan is out"
    starts = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line == " {"]
    assert [a.line_start for a in (link, alert, budget, share)] == starts[:4]
    assert [(s.line, s.reason.split(" (")[0]) for s in stats.skipped] == [(starts[4], "record has no text")]


def test_an_index_an_earlier_reader_wrote_reads_its_unchanged_files_again_once(tmp_path, fake, monkeypatch):
    from qa import filestamps, slack

    monkeypatch.setattr(filestamps, "RACY_NS", 0)  # files just written are trusted unread
    root = export(tmp_path)
    bot = {"type": "message", "subtype": "bot_message", "username": "Tide Alerts", "ts": "1709650000.0001",
           "text": "", "attachments": [{"title": "High tide at pier four", "text": "Close the flood gate."}]}
    (root / "general" / "2024-03-07.json").write_text(json.dumps([bot]), encoding="utf-8")
    with monkeypatch.context() as m:  # as the reader before attachments were read
        m.setattr(slack, "attached", lambda record, names: [])
        m.setattr(filestamps, "READERS", filestamps.READERS - 1)
        lib = qa.Library.build([str(root)], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert not lib.ask("flood gate", k=1, mode="lexical")
    summary = lib.update([str(root)], progress=False)
    # The channel day without notices is unchanged on disk, and is read again all the same.
    assert summary.unchanged_files == 0 and summary.embedded == 1 and summary.changed
    [hit] = lib.ask("flood gate", k=1, mode="lexical")
    assert hit.text == "High tide at pier four\n\nClose the flood gate."
    again = lib.update([str(root)], progress=False)
    # once: now both days are trusted unread (the one with a channel notice says it again)
    assert again.unchanged_files == 2 and not again.changed and again.skipped == summary.skipped


def test_a_reply_is_titled_by_the_message_it_answers_in_an_earlier_day(tmp_path):
    root = export(tmp_path)
    later = [
        {"type": "message", "user": "U02BOB", "ts": "1709726400.000100", "thread_ts": "1709640000.000100",
         "text": "Tuesday at nine,\nin the council hall."},
        {"type": "message", "user": "U02BOB", "ts": "1709726500.000100", "thread_ts": "1709000000.000100",
         "text": "Agreed, the old crane goes."},  # its thread began before the export
        {"type": "message", "user": "U01ANN", "ts": "1709726600.000100", "thread_ts": "1709726600.000100",
         "reply_count": 1, "text": "Who has the dredger's key?"},  # a thread's first message
    ]
    (root / "general" / "2024-03-06.json").write_text(json.dumps(later), encoding="utf-8")
    by_text = {a.text: a for a in read_articles([str(root / "general" / "2024-03-06.json")], ReadStats())}
    assert by_text["Tuesday at nine,\nin the council hall."].title == (
        "Re: @Bobby the dredging plan is out: the council's plan.")
    assert by_text["Agreed, the old crane goes."].title == "Agreed, the old crane goes."
    assert by_text["Who has the dredger's key?"].title == "Who has the dredger's key?"


def test_a_day_kept_unread_is_read_again_when_the_names_it_takes_change(tmp_path, fake, monkeypatch):
    """A channel day takes its writers' names from users.json beside the channel folders: a
    new export's users.json (Ann renamed) reads the unchanged day again."""
    from qa import filestamps

    monkeypatch.setattr(filestamps, "RACY_NS", 0)  # files just written are trusted unread
    root = export(tmp_path)
    lib = qa.Library.build([str(root)], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert lib.update([str(root)], progress=False).unchanged_files == 1  # the day, not opened
    renamed = [{**u, "real_name": "Ann Lee-Marsh", "profile": {"real_name": "Ann Lee-Marsh"}} if u["id"] == "U01ANN"
               else u for u in USERS]
    (root / "users.json").write_text(json.dumps(renamed), encoding="utf-8")
    summary = lib.update([str(root)], progress=False)
    assert summary.unchanged_files == 0
    [hit] = lib.ask("dredging plan", k=1, mode="lexical")
    assert hit.author == "Ann Lee-Marsh"
