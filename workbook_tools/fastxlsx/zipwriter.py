"""The deterministic zip writer: members deflated piece by piece, dated 1980-01-01, written in one pass.

A sheet's rows are deflated as they are written, before its head (which holds the
sheet's dimension) is known; here the pieces of a member are simply joined (each
ends on a sync flush) and their CRC-32s combined, so no member is ever deflated
again or held whole. The same parts give the same bytes, run after run.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from functools import lru_cache

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_LEVEL = 1  # deflate level: the parts are rewritten every round; speed matters more than a few kB
_KEEP = 1 << 18  # bytes a Deflated keeps for crc_after: beyond, joining CRCs in Python is quicker


class Deflated:
    """Raw deflate data made piece by piece as bytes come, with their CRC-32 and size.

    Pieces end with a sync flush (byte-aligned, not final), so that the pieces of one
    zip member (a sheet's head, rows and tail) can be deflated apart and simply joined.
    """

    def __init__(self, data: bytes = b"", last: bool = False):
        self._z = zlib.compressobj(_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        self.chunks: list[bytes] = []
        self.crc = 0
        self.size = 0
        self.kept: list[bytes] | None = []  # the bytes written, while they are few (see crc_after)
        if data:
            self.write(data)
        if data or last:
            self.end(last)

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        if self.kept is not None and self.size <= _KEEP:
            self.kept.append(data)
        else:
            self.kept = None
        out = self._z.compress(data)
        if out:
            self.chunks.append(out)

    def end(self, last: bool = False) -> None:
        """Flush what is pending; `last` ends the deflate stream (the member's final piece)."""
        self.chunks.append(self._z.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
        if last:
            self._z = None  # done: a kept piece (see packed) should not hold a compressor's buffers

    def crc_after(self, crc: int) -> int:
        """The CRC-32 of bytes whose CRC is `crc` followed by this piece's bytes.

        A piece of up to _KEEP bytes runs zlib.crc32 on over the bytes it kept; a
        bigger one has its CRC joined on (crc_join), in Python but in a time that
        does not grow with its size.
        """
        if self.kept is None:
            return crc_join(crc, self.crc, self.size)
        for data in self.kept:
            crc = zlib.crc32(data, crc)
        return crc


@lru_cache(maxsize=64)
def packed(data: bytes) -> Deflated:
    """A whole small member deflated, once per process for the parts all workbooks share.

    Theme, styles, relationships and content types are the same bytes in every
    workbook of a round; the least recently used are let go, so the parts only one
    workbook has (its sheet names) do not pile up. Do not change what it returns.
    """
    return Deflated(data, last=True)


_CRC_POLY = 0xEDB88320  # CRC-32, bits reflected as zlib keeps them


def _crc_times(a: int, b: int) -> int:
    """a times b modulo the CRC polynomial (zlib's multmodp)."""
    m, product = 1 << 31, 0
    while a:
        if a & m:
            product ^= b
            a ^= m
        m >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1
    return product


_X_POWERS = [1 << 30]  # x^(2^k) modulo the polynomial, k = 0, 1, ...
for _ in range(63):
    _X_POWERS.append(_crc_times(_X_POWERS[-1], _X_POWERS[-1]))


def crc_join(crc1: int, crc2: int, size2: int) -> int:
    """CRC-32 of a+b from the CRCs of a and b and the size of b (zlib's crc32_combine).

    Python's zlib lacks it; the rows of a sheet are deflated, and their CRC taken,
    before the sheet's head (its dimension) is known. Moving crc1 past size2 bytes
    is multiplying it by x^(8 * size2).
    """
    shift, k, n = 1 << 31, 3, size2
    while n:
        if n & 1:
            shift = _crc_times(_X_POWERS[k], shift)
        n >>= 1
        k += 1
    return _crc_times(shift, crc1) ^ crc2


def write_zip(fh, parts: list[tuple[str, bytes | list[Deflated]]]) -> None:
    """A zip of deflated members, written in one pass: each member's pieces are joined as they are.

    What zipfile writes for a ZipInfo dated _ZIP_DATE, without its need to deflate
    a member in one go: the rows of a big sheet were deflated as they were written.
    A member given as bytes is deflated here (once per process, see packed).
    """
    dos_time = (_ZIP_DATE[3] << 11) | (_ZIP_DATE[4] << 5) | (_ZIP_DATE[5] // 2)
    dos_date = ((_ZIP_DATE[0] - 1980) << 9) | (_ZIP_DATE[1] << 5) | _ZIP_DATE[2]
    directory = []
    offset = 0
    for name, data in parts:
        pieces = [packed(data)] if isinstance(data, bytes) else data
        crc, size = pieces[0].crc, pieces[0].size
        for piece in pieces[1:]:
            crc, size = piece.crc_after(crc), size + piece.size
        chunks = [c for piece in pieces for c in piece.chunks]
        packed_size = sum(map(len, chunks))
        if max(size, packed_size, offset) >= 0xFFFFFFFF:
            raise ValueError(f"{name} is too big for a zip without zip64")
        encoded = name.encode("ascii")
        fields = (20, 0, 0, zipfile.ZIP_DEFLATED, dos_time, dos_date, crc, packed_size, size, len(encoded), 0)
        fh.write(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", *fields) + encoded)
        for c in chunks:
            fh.write(c)
        directory.append(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, *fields[:-1], 0, 0, 0, 0, 0o600 << 16, offset) + encoded)
        offset += 30 + len(encoded) + packed_size
    central = b"".join(directory)
    fh.write(central)
    fh.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central), offset, 0))
