"""A .zip upload unpacked into the uploads folder: folders kept, names safe, limits held."""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import tarfile
import time
import zipfile

import pytest

import qa
from qa.archive import unpack
from qa.readers import ReadStats, read_articles


def make_zip(path, members: dict[str, bytes], links: dict[str, str] | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def files_under(folder) -> list[str]:
    return sorted(os.path.relpath(os.path.join(r, f), folder) for r, _, fs in os.walk(folder) for f in fs)


def test_an_export_is_unpacked_with_its_folders_and_its_slack_names_work(tmp_path):
    users = [{"id": "U01ANN", "name": "ann", "real_name": "Ann Lee"}]
    day = [{"type": "message", "user": "U01ANN", "ts": "1709640000.000100", "text": "Dredging starts April 8."},
           {"type": "message", "user": "U01ANN", "ts": "1709640100.000200", "text": "Thanks <@U01ANN>"}]
    archive = make_zip(tmp_path / "Harbour Slack export.zip", {
        "users.json": json.dumps(users).encode(), "channels.json": b"[]",
        "general/2024-03-06.json": json.dumps(day).encode(),
        "general/photo.png": b"\x89PNG", "__MACOSX/general/._2024-03-06.json": b"junk", ".DS_Store": b"x",
    })
    uploads = tmp_path / "uploads"
    done = unpack(str(archive), str(uploads))
    assert done.folder == str(uploads / "Harbour Slack export") and done.files == 3
    assert done.left == {".png": 1, "macOS metadata (__MACOSX)": 1, "hidden": 1}
    assert files_under(uploads) == ["Harbour Slack export/channels.json", "Harbour Slack export/general/2024-03-06.json",
                                    "Harbour Slack export/users.json"]
    assert done.line("x.zip") == (f"x.zip: unpacked 3 files into {done.folder}; 3 left in the archive: "
                                  "1 .png, 1 hidden, 1 macOS metadata (__MACOSX)")
    _, thanks = read_articles([done.folder], ReadStats())
    assert thanks.text == "Thanks @Ann Lee" and thanks.author == "Ann Lee"  # users.json found above the channel
    again = unpack(str(archive), str(uploads))  # the same name again: a folder of its own, as files get
    assert again.folder == str(uploads / "Harbour Slack export-2")


def test_member_names_cannot_leave_the_folder_and_links_are_not_followed(tmp_path):
    archive = make_zip(tmp_path / "evil.zip", {
        "../../outside.txt": b"one", "/etc/abs.md": b"two", "a\\..\\..\\back.txt": b"three",
        "notes/..hidden/x.txt": b"four", "notes/Caf\u00e9 <b>|*?.md": b"five", "notes/Caf\u00e9 <b>:*?.md": b"six",
    }, links={"notes/link.txt": "/etc/passwd"})
    uploads = tmp_path / "up"
    done = unpack(str(archive), str(uploads))
    assert files_under(tmp_path) == sorted([
        "evil.zip", "up/evil/outside.txt", "up/evil/etc/abs.md", "up/evil/a/back.txt",
        "up/evil/notes/Caf\u00e9 _b_.md", "up/evil/notes/Caf\u00e9 _b_-2.md"])
    assert done.left == {"hidden": 1, "links": 1}
    assert (uploads / "evil" / "outside.txt").read_bytes() == b"one"


def test_a_bad_or_oversized_archive_leaves_nothing(tmp_path):
    uploads = tmp_path / "up"
    (tmp_path / "fake.zip").write_bytes(b"not a zip at all")
    with pytest.raises(qa.InputError, match="fake.zip is not a zip or tar archive"):
        unpack(str(tmp_path / "fake.zip"), str(uploads))
    big = make_zip(tmp_path / "big.zip", {"a.txt": b"x" * 3000, "b.txt": b"y" * 3000})  # deflates to little
    with pytest.raises(qa.InputError, match="unpacks to more than"):
        unpack(str(big), str(uploads), max_bytes=5000)
    with pytest.raises(qa.InputError, match="more than 1 files"):
        unpack(str(big), str(uploads), max_files=1)
    images = make_zip(tmp_path / "images.zip", {"a.png": b"x"})
    with pytest.raises(qa.InputError, match="holds no file of a kind that is read"):
        unpack(str(images), str(uploads))
    assert os.listdir(uploads) == []  # not even the hidden work folder
    assert len(unpack(str(big), str(uploads), max_bytes=6000).left) == 0


def test_a_zip_named_to_the_reader_itself_is_reported(tmp_path):
    archive = make_zip(tmp_path / "export.zip", {"a.txt": b"A note."})
    (tmp_path / "note.txt").write_text("A note about the harbour.\n", encoding="utf-8")
    stats = ReadStats()
    [note] = read_articles([str(archive), str(tmp_path / "note.txt")], stats)
    assert [(s.path, s.reason) for s in stats.skipped] == [
        (str(archive), "an archive: qa index, Library.build and update unpack one (qa.unpacked); this reader does not")]
    stats = ReadStats()
    list(read_articles([str(tmp_path)], stats))  # in a folder: counted by its kind
    assert stats.ignored == {".zip": 1}


def test_a_zipped_mail_folder_keeps_its_mailboxes_without_an_extension(tmp_path):
    """A Thunderbird 'Local Folders' zipped: each folder a file without an extension."""
    box = (b"From - Mon Mar 04 09:00:00 2024\nSubject: Crane\nFrom: Ann Lee <ann@example.org>\n"
           b"Date: Mon, 04 Mar 2024 09:00:00 +0000\n\nThe new crane lifts forty tonnes.\n")
    archive = make_zip(tmp_path / "Local Folders.zip", {
        "Local Folders/Inbox": box, "Local Folders/Inbox.msf": b"// <!-- <mdb:mork", "Local Folders/Trash": b"",
        "Local Folders/Archives.sbd/2024": box.replace(b"Crane", b"Quay"), "Local Folders/popstate": b"# POP3 State\n",
        "Local Folders/Project v1.2": box.replace(b"Crane", b"Tide"), "Local Folders/Project v1.2.msf": b"// <!--",
    })
    done = unpack(str(archive), str(tmp_path / "uploads"))
    # the folder zipped whole is the archive's folder, not a folder of the same name in it
    assert done.folder == str(tmp_path / "uploads" / "Local Folders")
    assert files_under(done.folder) == ["Archives.sbd/2024", "Inbox", "Project v1.2", "Project v1.2.msf"]
    assert done.left == {"without an extension": 2, ".msf": 1}
    assert [a.title for a in read_articles([done.folder], ReadStats())] == ["Crane", "Tide", "Quay"]


def make_tar(path, members: dict[str, bytes], mode: str, specials: dict[str, bytes] | None = None):
    """A tar archive; ``specials``: members by name whose type is given (a link, a device)."""
    with tarfile.open(path, mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for name, kind in (specials or {}).items():
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = "/etc/passwd"
            tf.addfile(info)
    return path


@pytest.mark.parametrize("name,mode", [("takeout.tgz", "w:gz"), ("takeout.tar.gz", "w:gz"),
                                       ("takeout.tar.bz2", "w:bz2"), ("takeout.tar.xz", "w:xz"), ("takeout.tar", "w")])
def test_a_tar_archive_is_unpacked_as_a_zip_is(tmp_path, name, mode):
    """Google Takeout's other format (.tgz); tar's links, devices and odd names stay out."""
    box = (b"From - Mon Mar 04 09:00:00 2024\nSubject: Crane\nFrom: Ann Lee <ann@example.org>\n"
           b"Date: Mon, 04 Mar 2024 09:00:00 +0000\n\nThe new crane lifts forty tonnes.\n")
    archive = make_tar(tmp_path / name, {
        "Takeout/Mail/Inbox": box, "Takeout/Keep/note.json": b'{"title": "Tide", "textContent": "High at six."}',
        "Takeout/Keep/photo.png": b"\x89PNG", "../../outside.txt": b"one", "/etc/abs.md": b"two",
        "Takeout/.hidden.txt": b"x", "Takeout/notes/Project v1.2": box.replace(b"Crane", b"Tide"),
        "Takeout/notes/Project v1.2.msf": b"// <!--", "Takeout/popstate": b"# POP3 State\n",
    }, mode, specials={"Takeout/link.txt": tarfile.SYMTYPE, "Takeout/hard.txt": tarfile.LNKTYPE,
                       "Takeout/dev.txt": tarfile.CHRTYPE})
    done = unpack(str(archive), str(tmp_path / "up"))
    assert done.folder == str(tmp_path / "up" / "takeout")  # both parts of .tar.gz off its name
    assert files_under(done.folder) == ["Takeout/Keep/note.json", "Takeout/Mail/Inbox", "Takeout/notes/Project v1.2",
                                        "Takeout/notes/Project v1.2.msf", "etc/abs.md", "outside.txt"]
    assert done.left == {".png": 1, "hidden": 1, "links": 3, "without an extension": 1}
    assert sorted(a.title for a in read_articles([done.folder], ReadStats())) == ["Crane", "Tide", "Tide", "abs", "one"]


def test_a_damaged_or_foreign_tar_leaves_nothing(tmp_path):
    whole = make_tar(tmp_path / "whole.tgz", {f"n{i}.txt": os.urandom(40_000) for i in range(5)}, "w:gz").read_bytes()
    (tmp_path / "cut.tgz").write_bytes(whole[: len(whole) // 2])  # a download that stopped halfway
    (tmp_path / "notes.tar.gz").write_bytes(gzip.compress(b"A note, gzipped, but no tar.\n"))
    uploads = tmp_path / "up"
    with pytest.raises(qa.InputError, match="cannot unpack .*cut.tgz"):
        unpack(str(tmp_path / "cut.tgz"), str(uploads))
    with pytest.raises(qa.InputError, match="notes.tar.gz is not a zip or tar archive"):
        unpack(str(tmp_path / "notes.tar.gz"), str(uploads))
    assert os.listdir(uploads) == []


def test_what_a_crash_left_while_unpacking_goes_at_the_next_upload_a_day_later(tmp_path):
    uploads = tmp_path / "uploads"
    stale, running = uploads / ".unpacking-0ld", uploads / ".unpacking-n0w"
    for folder in (stale, running):
        (folder / "export").mkdir(parents=True)
        (folder / "export" / "a.txt").write_text("half of an export\n")
    day_ago = time.time() - 25 * 3600
    os.utime(stale, (day_ago, day_ago))
    archive = tmp_path / "notes.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("notes/a.txt", "The ferry leaves at seven.\n")
    unpack(str(archive), str(uploads))
    assert sorted(p.name for p in uploads.iterdir()) == [".unpacking-n0w", "notes"]  # another's, still going: kept
