"""Word's lists: the bullet or number it shows before each item of a .docx (qa.word)."""

from __future__ import annotations

import re

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class Numbering:
    """The bullet or number Word shows before a list item, counted as Word counts them: the
    lists of one definition count on together, unless one was restarted (a start override)."""

    def __init__(self, element, styles) -> None:
        self.abstract = {a.get(W + "abstractNumId"): a for a in element.iter(W + "abstractNum")} if element is not None else {}
        self.nums = {n.get(W + "numId"): n for n in element.iter(W + "num")} if element is not None else {}
        self.styles = styles
        self.counts: dict[str, dict[int, int]] = {}  # by list: a level's last number

    def _definition(self, num_id: str, hops: int = 0):
        """A list's definition, through the list style it may link to (``numStyleLink``)."""
        num = self.nums.get(num_id)
        ref = prop(num, "abstractNumId")
        abstract = self.abstract.get(ref)
        link = prop(abstract, "numStyleLink")
        if link and hops < 3:
            linked = prop(self.styles.find(link, W + "pPr/" + W + "numPr"), "numId")
            if linked and linked != num_id:
                return self._definition(linked, hops + 1)
        return abstract, ref

    def label(self, num_id: str, ilvl: int) -> str | None:
        num = self.nums.get(num_id)
        abstract, ref = self._definition(num_id)
        if abstract is None:
            return None
        levels = {int(lv.get(W + "ilvl") or 0): lv for lv in abstract.iter(W + "lvl")}
        starts = {}
        for override in num.iter(W + "lvlOverride"):
            at = int(override.get(W + "ilvl") or 0)
            if (lv := override.find(W + "lvl")) is not None:
                levels[at] = lv
            if (start := prop(override, "startOverride")) is not None and start.isdigit():
                starts[at] = int(start)
        counts = self.counts.setdefault(f"n{num_id}" if starts else f"a{ref}", {})
        counts[ilvl] = counts.get(ilvl, starts.get(ilvl, _value(levels.get(ilvl), "start", 1)) - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:  # a sublist starts again under each item
            del counts[deeper]
        fmt = _value(levels.get(ilvl), "numFmt", "decimal")
        if fmt == "bullet":
            return "-"
        shown = _value(levels.get(ilvl), "lvlText", f"%{ilvl + 1}.")
        return re.sub(r"%([1-9])", lambda m: number(counts.get(int(m[1]) - 1, _value(
            levels.get(int(m[1]) - 1), "start", 1)), _value(levels.get(int(m[1]) - 1), "numFmt", "decimal")), shown).strip()


def _value(element, name: str, default):
    found = element.find(W + name) if element is not None else None
    value = found.get(W + "val") if found is not None else None
    if value is None:
        return default
    return int(value) if isinstance(default, int) and value.lstrip("-").isdigit() else value


def number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman") and 0 < n < 4000:
        roman = ""
        for value, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                              (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
            roman += digits * (n // value)
            n %= value
        return roman.upper() if fmt == "upperRoman" else roman
    return str(n) if fmt not in ("none",) else ""


def prop(element, name: str) -> str | None:
    found = element.find(W + name) if element is not None else None
    return found.get(W + "val") if found is not None else None
