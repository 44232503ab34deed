"""Build Outlook .msg files by code, for tests: no library writes them, and an opaque binary
fixture could not be regenerated or reviewed.

Two layers, each after its specification:

* :func:`compound_file` writes an OLE2 compound file (MS-CFB, version 3: 512-byte sectors,
  a mini stream for streams under 4096 bytes, one FAT, a red-black directory tree given as a
  balanced, all-black binary search tree).
* :func:`outlook_msg` lays out a message in it the way Outlook does (MS-OXMSG): the
  ``__properties_version1.0`` streams with fixed-size values and sizes, one
  ``__substg1.0_TTTTPPPP`` stream per variable-size property, a ``__nameid_version1.0``
  storage, and one storage per recipient (``__recip_version1.0_#0000000N``) and per
  attachment (``__attach_version1.0_#0000000N``).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class _Node:
    name: str
    data: bytes | None = None  # None: a storage
    children: dict[str, _Node] = field(default_factory=dict)
    sid: int = 0
    start: int = ENDOFCHAIN
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM


def _cfb_order(name: str) -> tuple[int, str]:
    # MS-CFB 2.6.4: shorter names first, then by upper-cased UTF-16 code units
    return (len(name.encode("utf-16-le")), name.upper())


def compound_file(streams: dict[str, bytes], storages: tuple[str, ...] = ()) -> bytes:
    """An OLE2 compound file holding `streams` ("storage/sub/stream" -> bytes) and empty `storages`."""
    root = _Node("Root Entry")
    for path in list(storages) + list(streams):
        parts = path.split("/")
        node = root
        for part in parts[:-1]:
            node = node.children.setdefault(part, _Node(part))
        if path in streams:
            node.children[parts[-1]] = _Node(parts[-1], streams[path])
        else:
            node.children.setdefault(parts[-1], _Node(parts[-1]))
    nodes: list[_Node] = []
    queue = [root]
    while queue:  # directory ids in breadth-first order; the root is 0
        n = queue.pop(0)
        n.sid = len(nodes)
        nodes.append(n)
        queue.extend(sorted(n.children.values(), key=lambda c: _cfb_order(c.name)))
    for n in nodes:
        n.child = _balanced(sorted(n.children.values(), key=lambda c: _cfb_order(c.name)))

    small = [n for n in nodes if n.data is not None and 0 < len(n.data) < MINI_CUTOFF]
    big = [n for n in nodes if n.data is not None and len(n.data) >= MINI_CUTOFF]
    ministream = b""
    minifat: list[int] = []
    for n in small:
        count = math.ceil(len(n.data) / MINI_SECTOR)
        n.start = len(minifat)
        minifat.extend(range(n.start + 1, n.start + count))
        minifat.append(ENDOFCHAIN)
        ministream += n.data.ljust(count * MINI_SECTOR, b"\0")

    dir_sectors = math.ceil(len(nodes) / 4)
    minifat_sectors = math.ceil(len(minifat) * 4 / SECTOR)
    ministream_sectors = math.ceil(len(ministream) / SECTOR)
    big_sectors = [math.ceil(len(n.data) / SECTOR) for n in big]
    payload = dir_sectors + minifat_sectors + ministream_sectors + sum(big_sectors)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < payload + fat_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("too large for a header-only DIFAT")

    fat: list[int] = [FATSECT] * fat_sectors
    chains: list[tuple[str, bytes]] = []

    def chain(count: int) -> int:
        if count == 0:
            return ENDOFCHAIN
        first = len(fat)
        fat.extend(range(first + 1, first + count))
        fat.append(ENDOFCHAIN)
        return first

    first_dir = chain(dir_sectors)
    first_minifat = chain(minifat_sectors)
    root.start = chain(ministream_sectors)
    for n, count in zip(big, big_sectors, strict=True):
        n.start = chain(count)
    fat.extend([FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat)))

    directory = b"".join(_dir_entry(n, len(ministream) if n is root else len(n.data or b"")) for n in nodes)
    empty = _dir_entry(None, 0)
    directory += empty * (dir_sectors * 4 - len(nodes))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        MAGIC,
        b"\0" * 16,
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # little-endian
        9,  # sector shift: 2**9
        6,  # mini sector shift: 2**6
        b"\0" * 6,
        0,  # number of directory sectors: must be 0 in version 3
        fat_sectors,
        first_dir,
        0,  # transaction signature
        MINI_CUTOFF,
        first_minifat if minifat_sectors else ENDOFCHAIN,
        minifat_sectors,
        ENDOFCHAIN,  # no DIFAT sectors beyond the header
        0,
    )
    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header += struct.pack("<109I", *difat)
    assert len(header) == SECTOR
    chains.append(("fat", struct.pack(f"<{len(fat)}I", *fat)))
    chains.append(("directory", directory))
    if minifat_sectors:
        padded = minifat + [FREESECT] * (minifat_sectors * (SECTOR // 4) - len(minifat))
        chains.append(("minifat", struct.pack(f"<{len(padded)}I", *padded)))
    chains.append(("ministream", ministream))
    for n in big:
        chains.append((n.name, n.data))
    body = b"".join(_pad(data) for _, data in chains)
    return header + body


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % SECTOR)


def _balanced(siblings: list[_Node]) -> int:
    # The middle sibling is the subtree root; every node black, which readers accept.
    if not siblings:
        return NOSTREAM
    mid = len(siblings) // 2
    node = siblings[mid]
    node.left = _balanced(siblings[:mid])
    node.right = _balanced(siblings[mid + 1 :])
    return node.sid


def _dir_entry(n: _Node | None, size: int) -> bytes:
    if n is None:
        return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0)
    name = n.name.encode("utf-16-le")
    if len(name) > 62:
        raise ValueError(f"directory name too long: {n.name}")
    if n.sid == 0:
        kind, start = 5, (n.start if size else ENDOFCHAIN)
    elif n.data is None:
        kind, start = 1, 0  # a storage has no sectors
    else:
        kind, start = 2, (n.start if size else ENDOFCHAIN)
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name) + 2,
        kind,
        1,  # black
        n.left,
        n.right,
        n.child,
        b"\0" * 16,
        0,
        0,
        0,
        start,
        size,
    )


# MS-OXMSG property types
PT_LONG, PT_BOOLEAN, PT_SYSTIME, PT_UNICODE, PT_BINARY = 0x0003, 0x000B, 0x0040, 0x001F, 0x0102
_FLAGS = 0x00000006  # PROPATTR_READABLE | PROPATTR_WRITABLE


def filetime(when: datetime) -> int:
    """100-nanosecond intervals since 1601-01-01 UTC, as MAPI stores times."""
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return int((when - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)


class _PropertyBag:
    """One `__properties_version1.0` stream and the `__substg1.0_` streams beside it."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.entries: list[bytes] = []
        self.streams: dict[str, bytes] = {}

    def fixed(self, prop_id: int, kind: int, value: int) -> None:
        raw = struct.pack("<Q", value) if kind == PT_SYSTIME else struct.pack("<I4x", value & 0xFFFFFFFF)
        self.entries.append(struct.pack("<II", (prop_id << 16) | kind, _FLAGS) + raw)

    def text(self, prop_id: int, value: str) -> None:
        data = value.encode("utf-16-le")
        self._variable(prop_id, PT_UNICODE, data, len(data) + 2)

    def binary(self, prop_id: int, data: bytes) -> None:
        self._variable(prop_id, PT_BINARY, data, len(data))

    def _variable(self, prop_id: int, kind: int, data: bytes, size: int) -> None:
        self.entries.append(struct.pack("<IIII", (prop_id << 16) | kind, _FLAGS, size, 0))
        self.streams[f"{self.prefix}__substg1.0_{prop_id:04X}{kind:04X}"] = data

    def write(self, into: dict[str, bytes], header: bytes) -> None:
        into[f"{self.prefix}__properties_version1.0"] = header + b"".join(self.entries)
        into.update(self.streams)


@dataclass(frozen=True)
class MsgAttachment:
    filename: str
    data: bytes
    mime: str = "application/octet-stream"
    hidden: bool = False


def outlook_msg(
    subject: str,
    sender_name: str,
    sender_email: str,
    to: list[tuple[str, str]],
    attachments: list[MsgAttachment],
    sent: datetime | None = None,
    received: datetime | None = None,
    body: str = "",
    headers: str | None = None,
) -> bytes:
    """A received e-mail as Outlook saves it with File > Save As > Outlook Message Format - Unicode.

    `headers` is the transport header block (PidTagTransportMessageHeaders) a received
    message carries; leave it out to make Outlook's own properties the only source.
    """
    streams: dict[str, bytes] = {}
    msg = _PropertyBag("")
    msg.text(0x001A, "IPM.Note")
    msg.text(0x0037, subject)
    msg.text(0x0E1D, subject)
    msg.text(0x0C1A, sender_name)
    msg.text(0x0C1E, "SMTP")
    msg.text(0x0C1F, sender_email)
    msg.text(0x5D01, sender_email)
    msg.text(0x0042, sender_name)
    msg.text(0x0065, sender_email)
    msg.text(0x0E04, "; ".join(name for name, _ in to))
    if body:
        msg.text(0x1000, body)
    if headers is not None:
        msg.text(0x007D, headers)
    msg.fixed(0x0E07, PT_LONG, 0x1)  # MSGFLAG_READ, sent (not MSGFLAG_UNSENT)
    msg.fixed(0x340D, PT_LONG, 0x00040000)  # STORE_UNICODE_OK
    msg.fixed(0x0E17, PT_LONG, 0)
    if sent is not None:
        msg.fixed(0x0039, PT_SYSTIME, filetime(sent))  # PidTagClientSubmitTime
    if received is not None:
        msg.fixed(0x0E06, PT_SYSTIME, filetime(received))  # PidTagMessageDeliveryTime
    header = struct.pack("<8xIIII8x", len(to), len(attachments), len(to), len(attachments))
    msg.write(streams, header)

    for i, (name, address) in enumerate(to):
        r = _PropertyBag(f"__recip_version1.0_#{i:08X}/")
        r.fixed(0x0C15, PT_LONG, 1)  # MAPI_TO
        r.fixed(0x3000, PT_LONG, i)
        r.text(0x3001, name)
        r.text(0x3002, "SMTP")
        r.text(0x3003, address)
        r.text(0x39FE, address)
        r.write(streams, b"\0" * 8)

    for i, a in enumerate(attachments):
        at = _PropertyBag(f"__attach_version1.0_#{i:08X}/")
        at.fixed(0x3705, PT_LONG, 1)  # ATTACH_BY_VALUE
        at.fixed(0x0E20, PT_LONG, len(a.data))
        at.fixed(0x0FFE, PT_LONG, 7)  # MAPI_ATTACH
        at.fixed(0x0E21, PT_LONG, i)
        at.fixed(0x370B, PT_LONG, 0xFFFFFFFF)
        if a.hidden:
            at.fixed(0x7FFE, PT_BOOLEAN, 1)
        at.binary(0x3701, a.data)
        at.text(0x3707, a.filename)
        at.text(0x3704, _short_name(a.filename))
        at.text(0x3001, a.filename)
        dot = a.filename.rfind(".")
        if dot > 0:
            at.text(0x3703, a.filename[dot:])
        at.text(0x370E, a.mime)
        at.write(streams, b"\0" * 8)

    names = "__nameid_version1.0/"
    streams[names + "__substg1.0_00020102"] = b""
    streams[names + "__substg1.0_00030102"] = b""
    streams[names + "__substg1.0_00040102"] = b""
    return compound_file(streams)


def _short_name(name: str) -> str:
    stem, _, ext = name.rpartition(".")
    keep = "".join(ch for ch in (stem or name).upper() if ch.isascii() and ch.isalnum())[:6] or "FILE"
    return f"{keep}~1.{ext.upper()[:3]}" if ext and stem else keep
