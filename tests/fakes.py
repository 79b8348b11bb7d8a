"""Test doubles shared by the tests and by the subprocesses they start."""

from __future__ import annotations

import re
import time
import zlib

import numpy as np


class FakeEmbedder:
    """Hashed bag of words: deterministic, fast, and similar texts get similar vectors."""

    name = "test/fake-hash-64"
    dim = 64
    max_tokens = 60

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay  # seconds per encode call, so a kill can land mid-build
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
        if self.delay:
            time.sleep(self.delay)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower()) or ["<empty>"]
            v = sum(self._word(w) for w in words)
            out[i] = v / np.linalg.norm(v)
        return out


def similar_recall(lib, samples: int = 50, k: int = 5) -> float:
    """Share of ``similar``'s top ``k`` that a brute-force search over the article vectors
    also ranks top ``k``, over ``samples`` articles spread through the index; also checks that
    an article is never similar to itself."""
    ids, vectors = lib.article_store.vectors()
    found = 0
    picked = range(0, len(ids), max(1, len(ids) // samples))[:samples]
    for i in picked:
        article_id = lib.catalog.articles_brief([int(ids[i])])[int(ids[i])][0]
        order = np.argsort(-(vectors @ vectors[i]), kind="stable")
        truth = [int(a) for a in ids[order] if a != ids[i]][:k]
        got = lib.similar(article_id, k=k)
        assert article_id not in {h.article_id for h in got}
        found += len(set(truth) & {lib.catalog.article_rowid(h.article_id) for h in got})
    return found / (k * len(picked))
