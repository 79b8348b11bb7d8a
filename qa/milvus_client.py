"""Milvus connections, store specs, collection names, and which index folder owns a collection."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from urllib.parse import urlparse

from .errors import IndexMismatchError, InputError

_CLIENTS: dict[str, tuple[object, tuple[int, int] | None]] = {}  # uri -> (client, the file it opened)
# Collection property: the index folder (its manifest's ``store.owner``) whose collection it is,
# so that two folders given the same store and name never drop each other's vectors.
OWNER = "qa.owner"


def parse_store(spec: str) -> tuple[str, str]:
    """``milvus://HOST:PORT/NAME`` or ``PATH.db[#NAME]`` -> (client uri, collection prefix)."""
    if spec.startswith("milvus://"):
        u = urlparse(spec)
        prefix = u.path.strip("/") or "qa"
        if not u.hostname:
            raise InputError(f"store {spec!r}: give milvus://HOST:PORT/NAME")
        uri = f"http://{u.hostname}:{u.port or 19530}"
    elif spec.split("#")[0].endswith(".db"):
        uri, _, prefix = spec.partition("#")
        uri = os.path.abspath(uri)  # the manifest must name it from any working directory
        prefix = prefix or "qa"
    else:
        raise InputError(f"unknown store {spec!r}: use faiss, milvus://HOST:PORT/NAME or a "
                         "milvus-lite file PATH.db")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,200}", prefix):
        raise InputError(f"Milvus collection name {prefix!r}: letters, digits and _ only")
    return uri, prefix


def _file_of(uri: str) -> tuple[int, int] | None:
    """A milvus-lite file's identity (None: a server, or no file there)."""
    if uri.startswith(("http://", "https://")):
        return None
    try:
        st = os.stat(uri)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def client(uri: str):
    """One client per uri and process (milvus-lite allows one per file); a new one once the
    file it opened is deleted or replaced (an index rebuilt from scratch in the same session
    found the deleted file's collections and was refused as another index's)."""
    if uri in _CLIENTS and _CLIENTS[uri][1] is not None and _CLIENTS[uri][1] != _file_of(uri):
        old, _ = _CLIENTS.pop(uri)
        with contextlib.suppress(Exception):  # (its file is gone: nothing to lose)
            old.close()
        with contextlib.suppress(Exception):  # else a new client gets the old server
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(uri)
    if uri not in _CLIENTS:
        try:
            import logging

            from pymilvus import MilvusClient

            # The query iterator asks for a timestamp milvus-lite does not serve; it falls back
            # and works, but both sides log the miss (the lite server runs in this process).
            logging.getLogger("pymilvus").setLevel(logging.ERROR)
            logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
        except ImportError as exc:
            raise InputError("the Milvus store needs pymilvus (and milvus-lite for .db files): "
                             "pip install 'article-qa[scale]'") from exc
        try:
            _CLIENTS[uri] = (MilvusClient(uri), _file_of(uri))
        except Exception as exc:
            raise InputError(f"cannot connect to Milvus at {uri}: {exc}") from exc
    return _CLIENTS[uri][0]


def collection_names(prefix: str, generation: int) -> tuple[str, str]:
    return f"{prefix}_g{generation:06d}_passages", f"{prefix}_g{generation:06d}_articles"


def owner_of(c, collection: str) -> str | None:
    return (c.describe_collection(collection).get("properties") or {}).get(OWNER)


def refuse_foreign(c, uri: str, collection: str, owner: str, empty_ok: bool = False) -> str | None:
    """Raise unless ``collection`` is index ``owner``'s, or has no owner (written before
    collections recorded one) and, with ``empty_ok``, no rows. Returns its owner."""
    found = owner_of(c, collection)
    if found == owner:
        return found
    if found is None:
        if not empty_ok:
            return None
        c.load_collection(collection)
        if not int(c.query(collection, filter="", output_fields=["count(*)"])[0]["count(*)"]):
            return None
    raise IndexMismatchError(
        f"Milvus collection {collection} at {uri} belongs to another index folder; two indexes "
        "cannot share a collection name. Give this one its own: `--store URI/NAME` for a "
        "server, `--store PATH.db#NAME` for a milvus-lite file.")


def drop_stale(uri: str, prefix: str, keep: Sequence[str], owner: str) -> None:
    """Drop index ``owner``'s collections except ``keep`` (the live and the previous
    generation); collections of other indexes with the same prefix are left alone."""
    c = client(uri)
    pattern = re.compile(re.escape(prefix) + r"_g\d{6}_(passages|articles)$")
    for name in c.list_collections():
        if pattern.fullmatch(name) and name not in keep and owner_of(c, name) == owner:
            c.drop_collection(name)
