"""The exceptions article-qa raises. Each message says what went wrong and how to fix it."""

from __future__ import annotations


class QAError(Exception):
    """Base class for every error the library raises on purpose."""

    exit_code = 1


class IndexNotFoundError(QAError):
    """No index at the given directory."""

    exit_code = 3


class IndexMismatchError(QAError):
    """The index was built differently from what the caller asks for (model, dimension, format)."""

    exit_code = 4


class IndexCorruptError(QAError):
    """Files of the index disagree with each other or cannot be read."""

    exit_code = 5


class IndexLockedError(QAError):
    """Another process is writing to the index."""

    exit_code = 6


class ModelError(QAError):
    """The embedding model cannot be loaded."""

    exit_code = 7


class InputError(QAError):
    """The caller's input (paths, question, filters, ids) is not usable."""

    exit_code = 2


class NotFoundError(QAError):
    """An article id that is not in the index."""

    exit_code = 8


def at_least_one(value: object, name: str) -> int:
    """``value`` as a count of results (an int, a NumPy integer), or an InputError naming ``name``."""
    import operator

    try:
        count = operator.index(value)  # not 2.5, "3" or True
    except TypeError:
        count = None
    if count is None or isinstance(value, bool) or count < 1:
        raise InputError(f"{name} must be a whole number, at least 1, not {value!r}")
    return count
