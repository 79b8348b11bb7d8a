"""Writes OLE compound files (MS-CFB version 3) and Outlook messages (MS-OXMSG) in them: the
.msg fixtures of the tests, written here (olefile reads compound files, it does not make them)."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def write_cfb(path, tree: dict) -> None:
    """``tree``: a name per stream (bytes) or storage (a dict of the same)."""
    entries: list[list] = []  # name, type (1 storage, 2 stream, 5 root), children, data

    def add(name: str, node, kind: int) -> int:
        i = len(entries)
        entries.append([name, kind, [], node if kind == 2 else None])
        if kind != 2:
            for child in sorted(node, key=lambda n: (len(n), n.upper())):  # the order MS-CFB compares in
                entries[i][2].append(add(child, node[child], 1 if isinstance(node[child], dict) else 2))
        return i

    add("Root Entry", tree, 5)
    mini, minifat, big, start = bytearray(), [], [], {}
    for i, (_, kind, _, data) in enumerate(entries):
        if kind != 2:
            continue
        if len(data) >= CUTOFF:
            big.append((i, data))
            continue
        n = -(-len(data) // MINI)
        start[i] = len(minifat) if n else END
        minifat += [len(minifat) + k + 1 if k < n - 1 else END for k in range(n)]
        mini += data.ljust(n * MINI, b"\0")

    def sectors(size: int) -> int:
        return -(-size // SECTOR)

    chains = [("dir", sectors(128 * len(entries))), ("minifat", sectors(4 * len(minifat))),
              ("mini", sectors(len(mini)))] + [(i, sectors(len(d))) for i, d in big]
    used = sum(n for _, n in chains)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < used + fat_sectors:
        fat_sectors += 1
    fat = [FATSECT] * fat_sectors
    first = {}
    for name, n in chains:
        first[name] = len(fat) if n else END
        fat += [len(fat) + k + 1 if k < n - 1 else END for k in range(n)]
    fat += [FREE] * (fat_sectors * (SECTOR // 4) - len(fat))

    directory = bytearray()
    for i, (name, kind, children, data) in enumerate(entries):
        raw = name.encode("utf-16-le") + b"\0\0"
        entry = bytearray(128)
        entry[: len(raw)] = raw
        right = NOSTREAM
        for parent in entries:  # the next of its parent's children: siblings as a chain to the right
            if i in parent[2] and parent[2].index(i) + 1 < len(parent[2]):
                right = parent[2][parent[2].index(i) + 1]
        sector, size = (first["mini"] if mini else END, len(mini)) if kind == 5 else (0, 0)
        if kind == 2:
            size = len(data)
            sector = first[i] if size >= CUTOFF else start[i]
        struct.pack_into("<HBBIII", entry, 64, len(raw), kind, 1, NOSTREAM, right, children[0] if children else NOSTREAM)
        struct.pack_into("<IQ", entry, 116, sector, size)
        directory += entry
    while len(directory) % SECTOR:
        empty = bytearray(128)
        struct.pack_into("<III", empty, 68, NOSTREAM, NOSTREAM, NOSTREAM)
        directory += empty

    header = bytearray(SECTOR)
    header[:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<9I", header, 40, 0, fat_sectors, first["dir"], 0, CUTOFF, first["minifat"],
                     sectors(4 * len(minifat)), END, 0)
    struct.pack_into("<109I", header, 76, *(list(range(fat_sectors)) + [FREE] * (109 - fat_sectors)))

    def padded(data: bytes) -> bytes:
        return bytes(data) + b"\0" * (-len(data) % SECTOR)

    body = b"".join(struct.pack("<I", x) for x in fat)
    body += padded(directory) + padded(b"".join(struct.pack("<I", x) for x in minifat)) + padded(mini)
    body += b"".join(padded(d) for _, d in big)
    with open(path, "wb") as fh:
        fh.write(header + body)


def text(prop: int, value: str) -> tuple[str, bytes]:
    """A Unicode string property's stream."""
    return f"__substg1.0_{prop:04X}001F", value.encode("utf-16-le")


def binary(prop: int, value: bytes) -> tuple[str, bytes]:
    return f"__substg1.0_{prop:04X}0102", value


def properties(header: int, times: dict[int, datetime] | None = None, longs: dict[int, int] | None = None) -> bytes:
    """A properties stream: ``header`` bytes, then each fixed-length property's 16 bytes."""
    out = bytearray(header)
    for prop, when in (times or {}).items():
        ticks = int((when - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)
        out += struct.pack("<HHIq", 0x0040, prop, 6, ticks)
    for prop, value in (longs or {}).items():
        out += struct.pack("<HHIi4x", 0x0003, prop, 6, value)
    return bytes(out)


def message(subject: str, body: str | None = None, html: bytes | None = None, sender: tuple[str, str] | None = None,
            sent: datetime | None = None, headers: str | None = None, attachments: list[tuple[str, bytes | dict]] = (),
            inner: bool = False, codepage: int | None = None, rtf: bytes | None = None) -> dict:
    """A message's storage tree: an attachment's value is its bytes, or a message (a dict from
    this function with ``inner=True``) attached as Outlook attaches a forwarded one."""
    tree = dict([text(0x0037, subject)])
    if body is not None:
        tree.update([text(0x1000, body)])
    if html is not None:
        tree.update([binary(0x1013, html)])
    if rtf is not None:  # compressed as Outlook keeps it (MS-OXRTFCP)
        from compressed_rtf import compress

        tree.update([binary(0x1009, compress(rtf))])
    if sender:
        # an internet address as SMTP's; an Exchange one ("/O=...") as the sender's own address
        tree.update([text(0x0C1A, sender[0]), text(0x5D01 if "@" in sender[1] else 0x0C1F, sender[1])])
    if headers:
        tree.update([text(0x007D, headers)])
    longs = {0x3FDE: codepage} if codepage else None
    tree["__properties_version1.0"] = properties(24 if inner else 32, {0x0039: sent} if sent else None, longs)
    for n, (name, value) in enumerate(attachments):
        storage = dict([text(0x3707, name)])
        if isinstance(value, dict):
            storage["__substg1.0_3701000D"] = value
            storage["__properties_version1.0"] = properties(8, longs={0x3705: 5})
        else:
            storage.update([binary(0x3701, value)])
            storage["__properties_version1.0"] = properties(8, longs={0x3705: 1})
        tree[f"__attach_version1.0_#{n:08X}"] = storage
    return tree
