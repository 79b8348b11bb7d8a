"""An X (Twitter) archive's posts: tweets.js and note-tweet.js read as records (qa.tweets)."""

from __future__ import annotations

import json

import qa
from qa.readers import ReadStats, read_articles

# As an archive's data/ folder holds them (X's fields; written for these tests)
TWEETS = [
    {"tweet": {"id_str": "1765000000000000001", "created_at": "Tue Mar 05 09:30:00 +0000 2024", "lang": "en",
               "full_text": "The new #harbour crane lifts 65 tonnes &amp; more https://t.co/abc https://t.co/pic",
               "display_text_range": ["0", "60"],
               "entities": {"hashtags": [{"text": "harbour"}], "urls": [
                   {"url": "https://t.co/abc", "expanded_url": "https://keelbay.example/crane"}]},
               "extended_entities": {"media": [{"url": "https://t.co/pic"}]}}},
    {"tweet": {"id_str": "1765000000000000002", "created_at": "Wed Mar 06 10:00:00 +0000 2024",
               "full_text": "@bob @carol The ferry leaves at seven on Saturdays.", "display_text_range": ["12", "50"],
               "in_reply_to_screen_name": "bob", "entities": {}}},
    {"tweet": {"id_str": "1765000000000000003", "created_at": "Wed Mar 06 11:00:00 +0000 2024",
               "full_text": "RT @bob: Someone else's words.", "entities": {}}},
    {"tweet": {"id_str": "1765000000000000004", "created_at": "Wed Mar 06 12:00:00 +0000 2024",
               "full_text": "https://t.co/pic2", "entities": {}, "extended_entities": {"media": [{"url": "https://t.co/pic2"}]}}},
    {"tweet": {"id_str": "1765000000000000005", "created_at": "Thu Mar 07 08:00:00 +0000 2024",
               "full_text": "A long post about the dredger that X cuts short here…", "entities": {}}},
]
NOTES = [{"noteTweet": {"noteTweetId": "99", "createdAt": "2024-03-07T08:00:00.000Z", "core": {
    "text": "A long post about the dredger that X cuts short here, and whole in the notes: it arrives on Monday.",
    "urls": [], "hashtags": [{"text": "dredging"}]}}}]
ACCOUNT = [{"account": {"username": "annlee", "accountDisplayName": "Ann Lee"}}]


def js(name: str, records: list) -> str:
    return f"window.YTD.{name}.part0 = " + json.dumps(records, indent=2)


def archive(folder, notes: bool = True):
    data = folder / "data"
    data.mkdir(parents=True)
    (data / "tweets.js").write_text(js("tweets", TWEETS), encoding="utf-8")
    (data / "account.js").write_text(js("account", ACCOUNT), encoding="utf-8")
    (data / "like.js").write_text(js("like", [{"like": {"fullText": "Someone's post I liked"}}]), encoding="utf-8")
    if notes:
        (data / "note-tweet.js").write_text(js("note_tweet", NOTES), encoding="utf-8")
    return data


def test_an_archives_posts_are_read_as_x_shows_them(tmp_path):
    data = archive(tmp_path)
    stats = ReadStats()
    articles = {a.url or a.article_id: a for a in read_articles([str(tmp_path)], stats)}
    crane = articles["https://x.com/annlee/status/1765000000000000001"]
    assert (crane.text, crane.date, crane.tags, crane.author, crane.metadata) == (
        "The new #harbour crane lifts 65 tonnes & more https://keelbay.example/crane", "2024-03-05",
        ("harbour",), "Ann Lee", {"lang": "en"})
    opening = [n for n, line in enumerate((data / "tweets.js").read_text().split("\n"), 1) if line == "  {"]
    assert crane.line_start == opening[0] == 2  # where its record opens
    reply = articles["https://x.com/annlee/status/1765000000000000002"]
    assert reply.text == "The ferry leaves at seven on Saturdays." and reply.metadata == {"in_reply_to_screen_name": "bob"}
    assert reply.line_start == opening[1]
    [note] = [a for a in articles.values() if a.text.startswith("A long post")]  # whole, from note-tweet.js
    assert note.text.endswith("it arrives on Monday.") and note.tags == ("dredging",)
    assert len(articles) == 3  # no repost, no picture alone, no cut post, nothing of like.js
    reasons = sorted(s.reason for s in stats.skipped)
    assert reasons == ["1 long post read whole from note-tweet.js, not cut here",
                       "1 repost (RT @...), someone else's words, not read", "a post without words (a picture alone)"]
    assert stats.ignored[".js"] == 2  # account.js, like.js


def test_without_notes_a_cut_post_is_read_as_it_is_and_found(tmp_path, fake):
    archive(tmp_path, notes=False)
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("dredger long post", k=1, mode="lexical")
    assert hit.text.endswith("cuts short here…") and hit.url == "https://x.com/annlee/status/1765000000000000005"


def test_an_uploaded_archive_keeps_its_posts(tmp_path):
    import shutil

    from qa.archive import unpack
    from qa.uploads import safe_name

    archive(tmp_path / "x")
    shutil.make_archive(str(tmp_path / "twitter-archive"), "zip", tmp_path / "x")
    done = unpack(str(tmp_path / "twitter-archive.zip"), str(tmp_path / "uploads"))
    assert (done.files, done.left) == (3, {".js": 1})  # tweets.js, note-tweet.js and account.js; not like.js
    assert safe_name("tweets.js") == "tweets.js" and safe_name("like.js") == "like.txt"
