"""Shared fixtures: a deterministic fake embedder and small corpora written for the tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fakes import FakeEmbedder

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "news"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture
def fake():
    return FakeEmbedder()


@pytest.fixture
def samples(tmp_path) -> Path:
    """A private copy of the bundled sample corpus (tests may change it)."""
    dst = tmp_path / "news"
    shutil.copytree(SAMPLES, dst)
    return dst


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """Three txt articles, one md, two jsonl records: small enough to reason about by hand."""
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "a.txt").write_text(
        "Bakers in Lumen went on strike over night shifts.\nThe strike closed forty bakeries.\n"
        "\n\n"
        "The river Osk flooded the lower town after heavy rain.\nBoats rescued twelve families.\n"
        "\n"
        "A new observatory opened on Mount Pell.\nIts telescope has a four metre mirror.\n",
        encoding="utf-8",
    )
    (d / "note.md").write_text(
        "---\ntitle: Lumen bakery strike ends\ndate: 2024-03-05\nurl: https://example.org/lumen\n"
        "tags: [labour]\n---\n\nThe bakers of Lumen returned to work after a pay deal.\n",
        encoding="utf-8",
    )
    (d / "records.jsonl").write_text(
        '{"id": "r1", "title": "Osk flood damage", "text": "The Osk flood damaged two hundred homes '
        'in the lower town.", "date": "2024-04-01", "tags": ["weather"]}\n'
        '{"id": "r2", "title": "Telescope first light", "text": "The Mount Pell telescope took its '
        'first image of the Andromeda galaxy.", "date": "2023-12-20", "url": "https://example.org/pell"}\n',
        encoding="utf-8",
    )
    return d
