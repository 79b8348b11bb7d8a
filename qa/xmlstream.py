"""Elements of an XML file too large to hold, one at a time (an Evernote export, a wiki's dump).

lxml's pull parser is fed 64 KB pieces; each element asked for is given once parsed and cleared,
with the elements before it, when the next is asked for, so memory stays bounded by one. The
file's DTD is never fetched, nor an entity it declares resolved. A file broken part way gives
the elements before the break, and the error in :attr:`PullReader.error`: lxml 6.2's iterparse
raises it before giving the elements parsed ahead of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .types import Skip

if TYPE_CHECKING:
    from .walk import ReadStats


class PullReader:
    """Iterate over the elements named ``tag`` (one name, or several) that ``read(size)`` gives;
    ``fed(chunk)`` is called with each piece before the parser has it."""

    def __init__(self, read: Callable[[int], bytes], tag, fed: Callable[[bytes], None] | None = None) -> None:
        self.read, self.tag, self.fed = read, tag, fed
        self.error = None  # the lxml.etree.XMLSyntaxError that ended the file early, if one did

    def __iter__(self) -> Iterator:
        from lxml import etree

        parser = etree.XMLPullParser(events=("end",), tag=self.tag, huge_tree=True, resolve_entities=False,
                                     no_network=True, load_dtd=False)
        while True:
            chunk = self.read(1 << 16)
            try:
                if chunk:
                    if self.fed:
                        self.fed(chunk)
                    parser.feed(chunk)
                else:
                    parser.close()
            except etree.XMLSyntaxError as exc:
                self.error = exc
            for _, element in parser.read_events():
                yield element
                element.clear(keep_tail=True)
                while element.getprevious() is not None:  # the elements read before: gone
                    del element.getparent()[0]
            if self.error is not None or not chunk:
                return

    def report(self, given: str, absolute: str, stats: ReadStats, kind: str, items: str) -> None:
        """Say what ended the file early, if anything did (the ``items`` before it were read), and
        mark it unread, so an update keeps what it indexed from it before."""
        if self.error is not None:
            stats.skipped.append(Skip(given, self.error.lineno or None,
                                      f"not a readable {kind}: {self.error.msg}; {items} before it were read"))
            stats.unread.add(absolute)
