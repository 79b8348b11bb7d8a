"""Shared fixtures: a deterministic fake embedder and small corpora written for the tests."""

from __future__ import annotations

import os
import re
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "news"
SEEDS = ROOT.parent / "shared" / "seeds"


class FakeEmbedder:
    """Hashed bag of words: deterministic, fast, and similar texts get similar vectors."""

    name = "test/fake-hash-64"
    dim = 64
    max_tokens = 60

    def __init__(self) -> None:
        self.calls = 0
        self.texts_encoded = 0
        self.fail_after: int | None = None  # raise after this many texts, to simulate a crash

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    @staticmethod
    def _word(word: str) -> np.ndarray:
        return np.random.default_rng(zlib.crc32(word.encode())).standard_normal(64)

    def encode(self, texts, batch_size=64):
        self.calls += 1
        if self.fail_after is not None and self.texts_encoded + len(texts) > self.fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.texts_encoded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower()) or ["<empty>"]
            v = sum(self._word(w) for w in words)
            out[i] = v / np.linalg.norm(v)
        return out


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
