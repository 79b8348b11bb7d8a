"""The settings an index is written with: what shapes passages and vectors, recorded in the
manifest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import InputError
from .lexical import LANGUAGE
from .ondisk import ONDISK_THRESHOLD
from .store import APPROX_THRESHOLD


@dataclass(frozen=True)
class Settings:
    """What shapes passages and vectors; recorded in the manifest."""

    chunk_tokens: int = 200
    overlap_sentences: int = 1
    # Passages above which the index is approximate (IVF), and above which its lists live on
    # disk (qa.ondisk). None: as the index recorded them, else the defaults.
    approx_threshold: int | None = None
    ondisk_threshold: int | None = None
    # The articles' language, whose sentence rules split them (qa.chunker.sentences_in) and whose
    # stemmer full-text search uses (qa.lexical.languages()).
    # None: as the index recorded it, else English.
    language: str | None = None

    def __post_init__(self) -> None:
        if self.language is not None:
            from .lexical import Analyzer

            Analyzer(self.language)  # raises InputError, naming the languages there are
        for name in ("approx_threshold", "ondisk_threshold"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise InputError(f"{name} must be a whole number of passages, at least 1, not {value!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"chunk_tokens": self.chunk_tokens, "overlap_sentences": self.overlap_sentences,
                "approx_threshold": self.approx_threshold, "ondisk_threshold": self.ondisk_threshold,
                "language": self.language or LANGUAGE}


def resolve(asked: Settings, recorded: dict | None, detect: Callable[[], str] | None = None) -> Settings:
    """The settings of this write: chunking as the index recorded it (its passages were cut
    that way); thresholds and language as asked, else as recorded, else the defaults (a language
    asked anew has every passage analysed anew: qa.placement.write_lexical). A new index not
    told its language takes ``detect()``'s (qa.language); one written before languages is English."""
    recorded = recorded or {}
    language = asked.language or recorded.get("language", LANGUAGE if recorded else None)
    return Settings(
        recorded.get("chunk_tokens", asked.chunk_tokens),
        recorded.get("overlap_sentences", asked.overlap_sentences),
        asked.approx_threshold or recorded.get("approx_threshold", APPROX_THRESHOLD),
        asked.ondisk_threshold or recorded.get("ondisk_threshold", ONDISK_THRESHOLD),
        language or (detect() if detect is not None else LANGUAGE))


def recorded(manifest: dict) -> dict:
    """The settings a manifest records, as :meth:`Settings.to_dict` gives them (English for an
    index written before languages)."""
    return {"language": LANGUAGE} | {k: v for k, v in (manifest.get("settings") or {}).items() if k != "index_kind"}


def language_of(manifest: dict | None) -> str:
    """The language an index's full-text search stems words in."""
    return ((manifest or {}).get("settings") or {}).get("language", LANGUAGE)
