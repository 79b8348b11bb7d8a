"""What a Markdown file says about itself before its text: YAML front matter between ``---``
lines (Jekyll, Hugo, Eleventy...), TOML between ``+++`` (Hugo), or a Logseq page's opening
``key:: value`` properties."""

from __future__ import annotations

import re
import tomllib
from typing import Any

# YAML front matter between --- lines (Jekyll, Hugo, Eleventy...), TOML between +++ (Hugo).
_FRONT = re.compile(r"\A(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.S)
# A Logseq page's properties: `key:: value` lines opening the file (title::, tags::, alias::).
_PROPERTIES = re.compile(r"\A(?:[ \t]*(?:- )?[A-Za-z][\w-]*::[ \t].*(?:\n|\Z))+")
_PROPERTY = re.compile(r"[ \t]*(?:- )?([A-Za-z][\w-]*)::[ \t]+(.*)")


def _properties(block: str) -> dict[str, Any]:
    """A Logseq page's properties as front matter: ``tags:: [[book]], #idea, reading`` as a list
    of names, page links and tags as their text."""
    meta: dict[str, Any] = {}
    for line in block.splitlines():
        if m := _PROPERTY.fullmatch(line):
            key, value = m.group(1).lower(), m.group(2).strip()
            items = [re.sub(r"^#|^\[\[|\]\]$", "", v.strip()).strip() for v in value.split(",")]
            meta.setdefault(key, items if key in ("tags", "alias") else ", ".join(items))
    return meta


def front_matter(text: str) -> tuple[dict[str, Any], int, str, str | None]:
    """(the fields, the line the body starts on, the body, what was wrong with the front
    matter or None). Front matter that does not parse is ignored: the body is still read."""
    import yaml

    if match := _FRONT.match(text):
        toml, meta, problem = match.group(1) == "+++", {}, None
        try:
            loaded = tomllib.loads(match.group(2)) if toml else yaml.safe_load(match.group(2))
            meta = loaded if isinstance(loaded, dict) else {}
        except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
            problem = f"front matter is not valid {'TOML' if toml else 'YAML'} ({_why(exc)}); ignored"
        return meta, text[: match.end()].count("\n") + 1, text[match.end():], problem
    if match := _PROPERTIES.match(text):
        line = text[: match.end()].count("\n") + (0 if match.group(0).endswith("\n") else 1) + 1
        return _properties(match.group(0)), line, text[match.end():], None
    return {}, 1, text, None


def _why(exc: Exception) -> str:
    """A parser's complaint on one line, at the file's line: PyYAML's spans several, with the
    front matter's text quoted and a caret under it, which broke a summary's one line a skip."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"{problem}, line {mark.line + 2}"  # its text starts on the file's second line
    return " ".join(str(exc).split())
