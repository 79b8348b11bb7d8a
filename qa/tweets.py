"""An X (Twitter) archive's posts: ``data/tweets.js`` (``tweets-part1.js``...) and ``note-tweet.js``.

The archive (Settings › Your account › Download an archive) keeps each list as JavaScript,
``window.YTD.tweets.part0 = [...]``: past that assignment it is JSON, read as a ``.json``'s
records are, each post an article at the line its record starts on. A post's text is what X
shows: its t.co links as the addresses they stand for, its pictures' links left out, the
mentions a reply opens with left out (``display_text_range``), ``&amp;`` as ``&``. Titled by its
first sentence, dated by ``created_at``, tagged with its hashtags, by the account's name
(``account.js`` beside it), linked to the post on x.com. Reposts (``RT @...``) are someone
else's words: counted, not read. A long post is cut in ``tweets.js`` (ending ``…``) and whole in
``note-tweet.js``: read from there when that file is beside it.
"""

from __future__ import annotations

import datetime
import html
import json
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .jsonpos import element_lines
from .records import article_from, title_from_text
from .types import Article, Skip

if TYPE_CHECKING:
    from .walk import ReadStats

POSTS = re.compile(r"(?:^|[\\/])(?:tweets(?:-part\d+)?|note-tweet)\.js$", re.IGNORECASE)
# What an upload of the archive keeps of its .js files: the posts, and the account that names them
KEPT = re.compile(r"(?:^|[\\/])(?:tweets(?:-part\d+)?|note-tweet|account)\.js$", re.IGNORECASE)
_ASSIGNMENT = re.compile(r"^\ufeff?\s*window\.YTD\.[\w.]+\s*=\s*")
_TCO = re.compile(r"https://t\.co/\w+")


def is_posts(path: str) -> bool:
    """Whether a file is an X archive's list of posts (by its name and its first bytes)."""
    if not POSTS.search(path):
        return False
    try:
        with open(path, "rb") as fh:
            return bool(_ASSIGNMENT.match(fh.read(200).decode("utf-8", "replace")))
    except OSError:
        return True  # reported when it is read


def read_posts(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """The posts of an X archive's ``tweets.js`` or ``note-tweet.js``, one article each."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        stats.skipped.append(Skip(given, None, f"not UTF-8 ({exc.reason})"))
        return
    m = _ASSIGNMENT.match(text)
    if not m:
        stats.skipped.append(Skip(given, 1, "not an X archive's posts (no window.YTD... = at its start)"))
        return
    text = " " * m.end() + text[m.end():]  # JSON from there, its lines and offsets as they were
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        stats.skipped.append(Skip(given, exc.lineno, f"malformed JSON ({exc.msg})"))
        return
    if not isinstance(records, list):
        stats.skipped.append(Skip(given, 1, "not a list of posts"))
        return
    starts = element_lines(text, ())
    folder = os.path.dirname(absolute)
    username, name = _account(folder)
    whole = not os.path.basename(absolute).lower().startswith("note-") and os.path.exists(
        os.path.join(folder, "note-tweet.js"))
    reposts = cut = 0
    for n, record in enumerate(records):
        line = starts[n] if n < len(starts) else 1
        post = record.get("tweet") or record.get("noteTweet") if isinstance(record, dict) else None
        if not isinstance(post, dict):
            stats.skipped.append(Skip(given, line, "not a post"))
            continue
        rec = _note(post) if "noteTweetId" in post else _tweet(post, username)
        if rec is None:
            reposts += 1
            continue
        if not rec["text"]:
            stats.skipped.append(Skip(given, line, "a post without words (a picture alone)"))
            continue
        if whole and rec["text"].endswith("…"):
            cut += 1
            continue
        rec["author"] = name
        yield article_from(rec, given, absolute, n, rec["text"], title_from_text(rec["text"]), line,
                           lines_mapped=False)
    if reposts:
        stats.skipped.append(Skip(given, None, f"{reposts} repost{'s' * (reposts != 1)} (RT @...), someone "
                                               "else's words, not read"))
    if cut:
        stats.skipped.append(Skip(given, None, f"{cut} long post{'s' * (cut != 1)} read whole from note-tweet.js, "
                                               "not cut here"))


def _tweet(post: dict, username: str | None) -> dict | None:
    full = post.get("full_text") or post.get("text") or ""
    if full.startswith("RT @"):
        return None
    span = post.get("display_text_range")
    if isinstance(span, list) and len(span) == 2 and all(str(i).isdigit() for i in span):
        full = full[int(span[0]):]  # not the mentions a reply opens with; to the end (links kept)
    entities = post.get("entities") if isinstance(post.get("entities"), dict) else {}
    media = post.get("extended_entities", {}).get("media", []) if isinstance(post.get("extended_entities"), dict) else []
    links = {u.get("url"): u.get("expanded_url") for u in entities.get("urls", []) if isinstance(u, dict)}
    links.update({m.get("url"): "" for m in media if isinstance(m, dict)})
    shown = " ".join(html.unescape(_TCO.sub(lambda m: links.get(m.group(0)) or (
        "" if m.group(0) in links else m.group(0)), full)).split())
    post_id = str(post.get("id_str") or post.get("id") or "")
    return {"id": post_id or None, "text": shown, "date": _date(post.get("created_at")),
            "tags": [h.get("text") for h in entities.get("hashtags", []) if isinstance(h, dict) and h.get("text")],
            "url": f"https://x.com/{username or 'i/web'}/status/{post_id}" if post_id else None,
            "metadata": {k: post[k] for k in ("in_reply_to_screen_name", "lang") if post.get(k)}}


def _note(post: dict) -> dict:
    core = post.get("core") if isinstance(post.get("core"), dict) else {}
    links = {u.get("shortUrl"): u.get("expandedUrl") for u in core.get("urls", []) if isinstance(u, dict)}
    text = _TCO.sub(lambda m: links.get(m.group(0)) or m.group(0), core.get("text") or "")
    return {"id": f"note-{post.get('noteTweetId')}", "text": " ".join(html.unescape(text).split()),
            "date": (post.get("createdAt") or "")[:10] or None,
            "tags": [h.get("text") for h in core.get("hashtags", []) if isinstance(h, dict) and h.get("text")],
            "metadata": {}}


def _date(created: str | None) -> str | None:
    """``Tue Mar 05 09:30:00 +0000 2024``, as X writes a post's time, as ``2024-03-05``."""
    try:
        return datetime.datetime.strptime(created or "", "%a %b %d %H:%M:%S %z %Y").date().isoformat()
    except ValueError:
        return None


def _account(folder: str) -> tuple[str | None, str | None]:
    """The archive's username and display name, from ``account.js`` beside its posts."""
    try:
        with open(os.path.join(folder, "account.js"), encoding="utf-8-sig") as fh:
            text = fh.read(1 << 20)
        account = json.loads(_ASSIGNMENT.sub("", text, count=1))[0]["account"]
        return account.get("username"), account.get("accountDisplayName")
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return None, None
