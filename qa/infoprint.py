"""What ``qa info`` prints: an index's counts, model, vector index, settings, disk use, the tags
and authors to filter by, and its sources by file or folder."""

from __future__ import annotations

import json
import os

_TAGS_SHOWN = 20


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(n // 1000, 1) if n else 0} KB"


def print_info(args) -> int:
    """``qa info``: what an index holds and what built it, or its :class:`qa.IndexInfo` as JSON."""
    from .library import Library

    lib = Library.open(args.index)
    info = lib.info()
    if args.json:
        print(json.dumps(info.to_dict(), ensure_ascii=False))
        return 0
    print(f"index      {info.path}  (format {info.format_version}, updated {info.updated})")
    print(f"model      {info.model}  ({info.dimension} dimensions, {info.backend} backend)")
    kind = info.index_kind
    if info.ann:
        how = (f"HNSW M {info.ann['M']}, ef {info.ann['ef']}" if info.ann.get("kind") == "hnsw"
               else f"{info.ann['nlist']} cells, nprobe {info.ann['nprobe']}")
        kind += (f" (approximate: {how}, recall@10 {info.ann['recall_at_10']:.3f} against exact "
                 "search when last written)")
    where = lib.manifest.get("store") or {}
    if where.get("kind") == "milvus":
        kind += f" (collection {where['passages']} at {where['uri']})"
    print(f"vectors    {kind}, {info.passages} passages from {info.articles} articles "
          f"({info.duplicates} duplicate{'' if info.duplicates == 1 else 's'} indexed once)")
    if info.article_ann:  # what similar() searches
        a = info.article_ann
        print(f"articles   {'ivf-ondisk' if a.get('on_disk') else 'ivf'} (approximate: {a['nlist']} "
              f"cells, nprobe {a['nprobe']}, recall@10 "
              f"{a['recall_at_10']:.3f} against exact search when last written)")
    print(f"settings   {json.dumps(info.settings)}")
    model = (f": the index {_size(info.disk_bytes - info.model_bytes)}, the model converted for it "
             f"{_size(info.model_bytes)} (models/)") if info.model_bytes else ""
    print(f"disk       {_size(info.disk_bytes)}{model}")
    if info.tags:  # what --tag can filter by
        shown = ", ".join(f"{tag} ({n})" for tag, n in info.tags[:_TAGS_SHOWN])
        more = len(info.tags) - _TAGS_SHOWN
        print(f"tags       {shown}" + (f" and {more} more (qa info --json lists them)" if more > 0 else ""))
    if info.authors:  # what --author can filter by
        shown = ", ".join(f"{name} ({n})" for name, n in info.authors[:_TAGS_SHOWN])
        more = len(info.authors) - _TAGS_SHOWN
        print(f"authors    {shown}" + (f" and {more} more (qa info --json lists them)" if more > 0 else ""))
    from .sourcelist import grouped

    shown = grouped(info.sources)
    print("sources" + (f" ({len(info.sources):,} files, by folder; qa info --json lists each)"
                       if len(shown) < len(info.sources) else ""))
    paths = lib.catalog.source_paths()
    for source, n, files in shown:
        gone = files == 1 and source in paths and not os.path.exists(paths[source])
        print(f"  {n:6d}  {source}" + (f"  ({files:,} files)" if files > 1 or source.endswith("/") else "")
              + ("  (file not found: `qa index` or `qa remove` its folder to drop it)" if gone else ""))
    return 0
