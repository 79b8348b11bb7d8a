"""article-qa: ask questions of a collection of articles and get referenced passages back.

Only light modules are imported here so that ``qa --help`` answers at once; torch, FAISS and
Gradio load inside the functions that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
    InputError,
    ModelError,
    NotFoundError,
    QAError,
)
from .summaries import IndexInfo, IndexSummary
from .types import (
    Around,
    Article,
    ArticleHit,
    Excerpt,
    Highlight,
    Hit,
    Passage,
    Skip,
)

__all__ = [
    "Article", "ArticleHit", "Around", "Excerpt", "Filters", "Highlight", "Hit", "IndexCorruptError", "IndexInfo",
    "IndexLockedError", "IndexMismatchError", "IndexNotFoundError", "IndexSummary", "InputError",
    "Library", "ModelError", "NotFoundError", "Passage", "QAError", "RayOptions", "Skip", "__version__",
]


def __getattr__(name: str):
    # Library and Filters pull in numpy; load them on first use.
    if name == "Library":
        from .library import Library

        return Library
    if name == "RayOptions":
        from .distributed import RayOptions

        return RayOptions
    if name == "Filters":
        from .search import Filters

        return Filters
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
