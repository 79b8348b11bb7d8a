"""Slack export messages (``channel/2024-03-05.json``) read as a person sees them in Slack.

An export's messages hold Slack's own markup: mentions by user id (``<@U02BOB>``), links with
their label (``<https://x.example|the plan>``), channels (``<#C01GEN|general>``), ``<!here>``,
and ``&amp;``, ``&lt;``, ``&gt;`` escaped. Kept as is, a question naming Bob found none of his
mentions and every card showed the ids. Names come from the message's ``user_profile`` (exports
carry it on each message) and the export's ``users.json`` beside the channel folders.
Notices (a join, a topic set) are no messages anyone wrote: they are counted, not indexed.
What Slack shows under a message (a link's preview, a bot's report, a shared file's title) is
read with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections import ChainMap
from collections.abc import Mapping
from typing import Any

# Subtypes Slack writes for what happened in a channel rather than what was said in it.
NOTICES = frozenset({
    "channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
    "channel_archive", "channel_unarchive", "channel_convert_to_private", "channel_convert_to_public",
    "group_join", "group_leave", "group_topic", "group_purpose", "group_name", "group_archive",
    "group_unarchive", "pinned_item", "unpinned_item", "bot_add", "bot_remove", "bot_enable",
    "bot_disable", "reminder_add", "tombstone", "joiner_notification", "sh_room_created",
})
_MARK = re.compile(r"<([^<>\n]*)>")
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}
_MAX_JSON_BYTES = 64 << 20  # a users.json or a channel day read beside the file being read
_DAY_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")  # a channel's messages of one day


# An export's own lists beside its channel folders: its people, channels, conversations, apps.
LISTINGS = frozenset({
    "users.json", "org_users.json", "channels.json", "groups.json", "dms.json", "mpims.json",
    "integration_logs.json", "canvases.json", "file_conversations.json",
})
LISTING_KIND = "Slack export lists (read for names)"


def is_listing(path: str) -> bool:
    """Whether a file is one of an export's lists, read for names and not articles: named as
    Slack names them, beside a ``users.json`` and a ``channels.json`` (or a private export's
    ``groups.json``, ``dms.json``)."""
    if os.path.basename(path) not in LISTINGS:
        return False
    folder = os.path.dirname(path)
    beside = [os.path.isfile(os.path.join(folder, n)) for n in ("users.json", "channels.json", "groups.json",
                                                                  "dms.json")]
    return beside[0] and any(beside[1:])


def is_message(record: dict[str, Any]) -> bool:
    """A message of a Slack export: ``type`` message with a ``ts`` as Slack writes it."""
    return record.get("type") == "message" and isinstance(record.get("ts"), str)


def notice(record: dict[str, Any]) -> str | None:
    """Why a message is a channel notice and not indexed (None: someone wrote it)."""
    subtype = record.get("subtype")
    return f"a Slack {subtype} notice" if subtype in NOTICES else None


def readable(record: dict[str, Any], path: str) -> dict[str, Any]:
    """The message with its text as Slack shows it and its author named (``author``)."""
    profile = record.get("user_profile")
    user = record.get("user")
    own = {user: _name(profile)} if isinstance(profile, dict) and isinstance(user, str) else {}
    names = ChainMap(users_near(path), own)  # a workspace's thousands of people, not copied
    out = dict(record)
    if text := _shown(record, names):
        out["text"] = text
        if "title" not in record:
            parent = thread_parent(record, path)
            shown = _shown(parent, names) if parent is not None else ""
            # A reply is titled by what it answers, as Slack shows a thread under its first
            # message: "Tuesday at nine" alone is found by no question and checked against nothing.
            out["title"] = f"Re: {_first_line(shown)}" if shown else _first_line(text)
    if "author" not in record and (user or record.get("username")):
        # A bot's message has no user but the name it posted under.
        named = [names.get(user) if isinstance(user, str) else None, record.get("username"), user]
        out["author"] = next(str(n) for n in named if n)
    return out


def _shown(record: dict[str, Any], names: Mapping[str, str]) -> str:
    text = show(record["text"], names) if isinstance(record.get("text"), str) else ""
    return "\n\n".join(part for part in [text.strip(), *attached(record, names)] if part)


def _first_line(text: str) -> str:
    """A message's title: a chat line's breaks end what it says first, unlike prose's."""
    from .records import title_from_text

    return title_from_text(text.split("\n", 1)[0])


def thread_parent(record: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The message a reply answers (its ``thread_ts``), looked up in the reply's own day and in
    the channel's days around the thread's start; None for a message that is no reply or whose
    thread began in a day not exported."""
    parent_ts = record.get("thread_ts")
    if not isinstance(parent_ts, str) or parent_ts == record.get("ts"):
        return None
    try:
        day = dt.datetime.fromtimestamp(float(parent_ts), tz=dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        return None
    folder = os.path.dirname(os.path.abspath(path))
    # Export days are UTC days or the workspace's: the thread's day and those beside it.
    days = [os.path.basename(path), *(f"{day + dt.timedelta(days=d)}.json" for d in (0, -1, 1))]
    for name in dict.fromkeys(days):
        try:
            st = os.stat(os.path.join(folder, name))
        except OSError:
            continue
        if (found := _day(os.path.join(folder, name), st.st_mtime_ns, st.st_size).get(parent_ts)) is not None:
            return found
    return None


@functools.lru_cache(maxsize=8)
def _day(path: str, mtime_ns: int, size: int) -> dict[str, dict[str, Any]]:
    """A channel day's messages by ``ts``, read once per version of the file (its stamp is in the
    key) for all the replies that look into it."""
    if size > _MAX_JSON_BYTES:
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            messages = json.load(fh)
    except (OSError, ValueError):
        return {}
    return {m["ts"]: m for m in messages if isinstance(m, dict) and is_message(m)} if isinstance(messages, list) else {}


def attached(record: dict[str, Any], names: Mapping[str, str]) -> list[str]:
    """What Slack shows under a message: a link's preview, a shared message or a bot's report
    (``attachments``: pretext, title, text, fields) and shared files' titles. A bot's alert or a
    file shared without a word has nothing else."""
    parts = []
    for a in _dicts(record.get("attachments")):
        fields = [f"{f['title']}: {f['value']}" if isinstance(f.get("title"), str) and f["title"].strip()
                  else f.get("value") for f in _dicts(a.get("fields"))]
        lines = [a.get("pretext"), a.get("title"), a.get("text"), *fields]
        lines = [show(x, names).strip() for x in lines if isinstance(x, str) and x.strip()]
        if not lines and isinstance(a.get("fallback"), str):
            lines = [show(a["fallback"], names).strip()]
        parts.append("\n\n".join(line for line in lines if line))  # each its own sentence
    for f in _dicts(record.get("files")):
        if f.get("mode") in ("tombstone", "hidden_by_limit"):  # deleted, or past a free plan's history
            continue
        name = next((f[k] for k in ("title", "name") if isinstance(f.get(k), str) and f[k].strip()), None)
        if name:
            parts.append(f"File: {name.strip()}")
    return [p for p in parts if p]


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def show(text: str, names: Mapping[str, str]) -> str:
    """Slack's markup as its reader sees it: ``@Bob Stone``, ``the plan``, ``#general``."""
    def one(m: re.Match) -> str:
        inside = m[1]
        target, _, label = inside.partition("|")
        if target.startswith("@"):
            return "@" + (names.get(target[1:]) or label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            word = target[1:].split("^")[0]
            return label or _SPECIAL.get(word, "@" + word)
        if not label and target.startswith("mailto:"):
            return target[len("mailto:"):]
        return label or target
    shown = _MARK.sub(one, text)
    return shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _name(profile: dict[str, Any]) -> str:
    for key in ("real_name", "display_name", "name"):
        if isinstance(profile.get(key), str) and profile[key].strip():
            return profile[key].strip()
    return ""


def users_near(path: str) -> Mapping[str, str]:
    """User ids to names from ``users.json`` (and ``org_users.json``) of the export a message
    file sits in: the folder above its channel's."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    stamps = _name_files(root)
    return _users(root, stamps) if stamps else {}


def names_stamp(path: str) -> str:
    """The versions of the files a channel day (``general/2024-03-05.json``) takes its writers'
    names from, as text ("" for any other file): a day is read again when they change."""
    if not _DAY_FILE.fullmatch(os.path.basename(path)):
        return ""
    stamps = _name_files(os.path.dirname(os.path.dirname(os.path.abspath(path))))
    return ",".join(f"{name}:{mtime}:{size}" for name, mtime, size in stamps)


def _name_files(root: str) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for name in ("users.json", "org_users.json"):
        try:
            st = os.stat(os.path.join(root, name))
        except OSError:
            continue
        stamps.append((name, st.st_mtime_ns, st.st_size))
    return tuple(stamps)


@functools.lru_cache(maxsize=4)
def _users(root: str, stamps: tuple[tuple[str, int, int], ...]) -> dict[str, str]:
    """Read once per version of the files (their stamps are in the key), for all channel days."""
    out: dict[str, str] = {}
    for name, _, size in stamps:
        if size > _MAX_JSON_BYTES:
            continue
        try:
            with open(os.path.join(root, name), encoding="utf-8") as fh:
                users = json.load(fh)
        except (OSError, ValueError):
            continue
        for u in users if isinstance(users, list) else ():
            if isinstance(u, dict) and isinstance(u.get("id"), str):
                profile = u.get("profile") if isinstance(u.get("profile"), dict) else {}
                named = _name({**profile, **{k: u[k] for k in ("real_name", "name") if k in u}})
                if named:
                    out.setdefault(u["id"], named)
    return out
