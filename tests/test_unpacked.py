"""A .zip named to `qa index` or the API: unpacked into the index folder and indexed as its folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile

import pytest

import qa
from qa.unpacked import FOLDER, REGISTRY

ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def export(path, notes: dict[str, str]) -> str:
    """A zipped export: a folder of notes, zipped whole as a file manager zips a folder."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in notes.items():
            zf.writestr(f"export/{name}", text)
        zf.writestr("export/cover.png", b"\x89PNG\r\n\x1a\n")
    later = time.time() + 5 * len(notes)  # a new version of the file, whatever the clock's resolution
    os.utime(path, (later, later))
    return str(path)


def sources(lib) -> list[str]:
    return sorted(h.source for h in lib.ask("harbour ferry crane tugs", k=20, mode="lexical"))


NOTES = {"ferry.txt": "The harbour ferry to Keel Bay leaves at seven.\n",
         "general/crane.md": "# Crane\n\nThe harbour crane lifts 65 tonnes.\n"}


def test_an_archive_is_indexed_as_its_folder_in_the_index_and_unpacked_again_only_when_it_changes(tmp_path, fake):
    archive = export(tmp_path / "export.zip", NOTES)
    idx = str(tmp_path / "idx")
    lib = qa.Library.build([archive], idx, embedder=fake, progress=False)
    folder = os.path.join(idx, FOLDER, "export")
    assert lib.last_summary.unpacked == (f"{archive}: unpacked 2 files into {folder}; 1 left in the archive: 1 .png",)
    assert lib.last_summary.lines()[0] == lib.last_summary.unpacked[0]
    assert sources(lib) == [f"{folder}/ferry.txt", f"{folder}/general/crane.md"]  # files one can open
    inode = os.stat(folder).st_ino

    again = lib.update([archive], progress=False)  # the same archive: not unpacked again
    assert again.unpacked == (f"{archive}: unchanged since it was unpacked into {folder}",)
    assert (again.embedded, again.removed, again.changed, os.stat(folder).st_ino) == (0, 0, False, inode)

    export(tmp_path / "export.zip", {"ferry.txt": NOTES["ferry.txt"], "tugs.txt": "Harbour tugs push the tanker in.\n"})
    changed = lib.update([archive], progress=False)  # a newer export saved over it
    assert (changed.embedded, changed.removed) == (1, 1)
    assert sources(lib) == [f"{folder}/ferry.txt", f"{folder}/tugs.txt"]
    assert sorted(os.listdir(os.path.join(idx, FOLDER))) == [REGISTRY, "export"]  # no half-made folder left
    with open(os.path.join(idx, FOLDER, REGISTRY), encoding="utf-8") as fh:
        assert json.load(fh)["export"]["archive"] == os.path.realpath(archive)


def test_archives_of_one_name_get_folders_of_their_own_and_a_bad_one_loses_nothing(tmp_path, fake):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = export(tmp_path / "a" / "export.zip", {"ferry.txt": NOTES["ferry.txt"]})
    second = export(tmp_path / "b" / "export.zip", {"tugs.txt": "Harbour tugs push the tanker in.\n"})
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "crane.txt").write_text("The harbour crane lifts 65 tonnes.\n", encoding="utf-8")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    idx = str(tmp_path / "idx")
    lib = qa.Library.build([first, second, str(broken), str(tmp_path / "notes")], idx, embedder=fake, progress=False)
    root = os.path.join(idx, FOLDER)
    assert sources(lib) == [f"{root}/export-2/tugs.txt", f"{root}/export/ferry.txt", str(tmp_path / "notes" / "crane.txt")]
    [skip] = lib.last_summary.skipped
    assert skip.path == str(broken) and skip.reason.startswith("broken.zip is not a zip or tar archive")

    broken_now = tmp_path / "a" / "export.zip"  # the first archive, damaged since it was unpacked
    broken_now.write_bytes(b"PK\x03\x04 damaged")
    summary = lib.update([first], progress=False)
    assert summary.removed == 0 and summary.skipped[0].reason.endswith("; the articles unpacked from it before are kept")
    assert f"{root}/export/ferry.txt" in sources(lib)

    with pytest.raises(qa.InputError, match="nothing to index: .*broken.zip is not a zip or tar archive"):
        qa.Library.build([str(broken)], str(tmp_path / "new"), embedder=fake, progress=False)
    assert not os.path.exists(tmp_path / "new")  # a failed first build leaves no folder


def test_removing_an_archive_takes_its_articles_and_its_folder(tmp_path, fake):
    archive = export(tmp_path / "export.zip", NOTES)
    (tmp_path / "tugs.txt").write_text("Harbour tugs push the tanker in.\n", encoding="utf-8")
    idx = str(tmp_path / "idx")
    lib = qa.Library.build([archive, str(tmp_path / "tugs.txt")], idx, embedder=fake, progress=False)
    summary = lib.remove([archive], progress=False)
    assert summary.removed == 2 and sources(lib) == [str(tmp_path / "tugs.txt")]
    assert os.listdir(os.path.join(idx, FOLDER)) == [REGISTRY]
    with open(os.path.join(idx, FOLDER, REGISTRY), encoding="utf-8") as fh:
        assert json.load(fh) == {}


def test_qa_index_unpacks_a_zipped_export_and_says_so(tmp_path):
    export(tmp_path / "export.zip", NOTES)
    run = subprocess.run([sys.executable, "-m", "qa.cli", "index", "export.zip", "--index", "idx", "--quiet"],
                         capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"export.zip: unpacked 2 files into {os.path.join('idx', FOLDER, 'export')}; 1 left in the archive: 1 .png"
    assert lines[1] == "read 2 articles from 2 files"
    ask = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "How much does the crane lift?", "--index", "idx",
                          "-k", "1"], capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=600)
    assert ask.stdout.splitlines()[0].startswith(f"1. {os.path.join('idx', FOLDER, 'export', 'general', 'crane.md')}:")


def test_a_folder_holding_the_index_keeps_the_archives_unpacked_in_it(tmp_path, fake):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tugs.txt").write_text("Harbour tugs push the tanker in.\n", encoding="utf-8")
    archive = export(tmp_path / "export.zip", NOTES)
    idx = str(corpus / "index")  # `qa index .` with the index under `.`
    lib = qa.Library.build([archive, str(corpus)], idx, embedder=fake, progress=False)
    before = sources(lib)
    summary = lib.update([str(corpus)], progress=False)  # the corpus alone: its index's archives are in it
    assert (summary.removed, summary.read) == (0, 3) and sources(lib) == before


def test_a_tgz_export_is_indexed_as_a_zip_is(tmp_path, fake):
    import io
    import tarfile

    with tarfile.open(tmp_path / "takeout-20241203.tgz", "w:gz") as tf:
        for name, text in NOTES.items():
            info = tarfile.TarInfo(f"Takeout/{name}")
            info.size = len(text.encode())
            tf.addfile(info, io.BytesIO(text.encode()))
    archive = str(tmp_path / "takeout-20241203.tgz")
    lib = qa.Library.build([archive], str(tmp_path / "idx"), embedder=fake, progress=False)
    folder = os.path.join(str(tmp_path / "idx"), FOLDER, "takeout-20241203")
    assert sources(lib) == [f"{folder}/Takeout/ferry.txt", f"{folder}/Takeout/general/crane.md"]
    assert lib.remove([archive], progress=False).removed == 2 and not os.path.exists(folder)


def test_an_archive_is_unpacked_under_the_write_lock_and_a_crashs_leftovers_go(tmp_path, fake, monkeypatch):
    from qa.indexdir import write_lock

    archive = export(tmp_path / "export.zip", NOTES)
    idx = str(tmp_path / "idx")
    lib = qa.Library.build([archive], idx, embedder=fake, progress=False)
    root = os.path.join(idx, FOLDER)
    left = [os.path.join(root, ".unpacking-1f2e"), os.path.join(root, ".old-9a8b")]  # a crash mid-swap
    for folder in left:
        os.makedirs(os.path.join(folder, "export"))
        (tmp_path / "x").write_text("x")
        os.replace(tmp_path / "x", os.path.join(folder, "export", "ferry.txt"))
    with open(os.path.join(root, REGISTRY + ".77.tmp"), "w") as fh:
        fh.write("{")
    export(tmp_path / "export.zip", {**NOTES, "tugs.txt": "Harbour tugs push the tanker in.\n"})
    monkeypatch.setattr("qa.unpacked.LOCK_WAIT", 0.2)
    held = write_lock(idx)  # another process updating the index, reading the folder
    try:
        with pytest.raises(qa.IndexLockedError, match="another process is writing to"):
            lib.update([archive], progress=False)
        assert sorted(os.listdir(os.path.join(root, "export"))) == ["ferry.txt", "general"]  # not swapped
    finally:
        held.release()
    summary = lib.update([archive], progress=False)
    assert summary.embedded == 1 and len(sources(lib)) == 3
    assert sorted(os.listdir(root)) == [REGISTRY, "export"]
    assert lib.remove([archive], progress=False).removed == 3 and os.listdir(root) == [REGISTRY]
