"""Screen an untrusted zip before any parser reads it: sizes, ratios, damaged parts, DTDs and sheet extent.

A returned workbook is a zip of XML parts from outside the municipality. Everything
that could exhaust the machine (a zip bomb, a part larger than its header says, a
sheet reaching to XFD1048576) or fool one reader but not another (a duplicate part,
a DTD with entities) is refused here, from the raw bytes, before calamine or any XML
parser is handed the file.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib

from xlsxwriter.utility import xl_rowcol_to_cell

from .danish import thousands
from .extent import scan_extent

# Limits for untrusted zip containers, checked before any XML is parsed.
MAX_ZIP_MEMBERS = 2_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, for members over 1 MiB
# The zip's central directory, which zip libraries read and parse whole before anything else:
# 2,000 parts with long names fit in well under this.
MAX_ZIP_DIRECTORY = 1 << 20
# A sheet's cells from A1 to its farthest cell: what python-calamine allocates when it loads
# the sheet, filled or not. A committee's template has some ten thousand.
MAX_SHEET_CELLS = 1_000_000


def check_zip_limits(path, keep: dict[str, bytes] | None = None) -> str | None:
    """Refuse, before any XML is parsed, what could exhaust the machine or fool one reader but not another.

    `path` is a file name or a binary file object. Checks the headers (member count,
    declared sizes, compression ratio, duplicate names, encryption, compression
    methods Excel never uses), then inflates every member once, in chunks, never
    past its declared size: a member whose stream holds more than its header says
    is refused, so no reader (python-calamine included, which trusts the headers)
    is ever handed more than was checked here. A DTD (``<!DOCTYPE``, ``<!ENTITY``:
    billion laughs, external entities) is refused in any part; Excel never writes
    one. Every worksheet's extent, from A1 to its farthest cell, is what
    python-calamine allocates when it loads the sheet, so it is capped too.

    Returns the reason (Danish) or None when the container is sane. Raises
    zipfile.BadZipFile when a member is damaged (cut short, wrong checksum).
    With `keep`, every member's inflated bytes are put there: the checks that follow
    read them from memory instead of inflating the same parts a second time.
    """
    try:
        if isinstance(path, (str, os.PathLike)):
            with open(path, "rb") as fh:
                directory = zip_directory_size(fh)
        else:
            directory = zip_directory_size(path)
        if directory > MAX_ZIP_DIRECTORY:
            return (
                f"zip-filens indholdsfortegnelse fylder {thousands(directory)} byte (højst {thousands(MAX_ZIP_DIRECTORY)}): for mange dele"
            )
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
        return f"zip-filen er beskadiget ({exc})"
    with z:
        infos = z.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            return f"{len(infos)} dele i zip-filen (højst {MAX_ZIP_MEMBERS})"
        total = 0
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            if name in seen:
                return f"delen {name} findes to gange i zip-filen"
            seen.add(name)
            if info.flag_bits & 0x1:
                return f"delen {name} er krypteret i zip-filen"
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                return f"delen {name} er pakket med en metode ({info.compress_type}), som Excel ikke bruger"
            if info.file_size > MAX_MEMBER_BYTES:
                return f"delen {name} fylder {thousands(info.file_size)} byte udpakket (højst {thousands(MAX_MEMBER_BYTES)})"
            if info.file_size > (1 << 20) and info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                return f"delen {name} pakker sig ud {info.file_size // max(info.compress_size, 1)} gange"
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            return f"filen fylder {thousands(total)} byte udpakket (højst {thousands(MAX_TOTAL_BYTES)})"
        sheets: list[str] = []  # parts holding cells, whatever they are named
        for info in infos:
            reason = _inflate_checked(z, info, sheets, keep)
            if reason:
                return reason
        for name in sheets:
            reason = _check_extent(name, keep[name] if keep is not None else read_zip_member(z, name))
            if reason:
                return reason
    return None


def zip_directory_size(fh) -> int:
    """The size of a zip's central directory as its end record says (zip64 included), or 0 if none is found.

    Read from the last 64 kB of the file, before any zip library parses the directory:
    Python's zipfile reads and parses all of it, however many parts it lists.
    """
    fh.seek(0, os.SEEK_END)
    end = fh.tell()
    fh.seek(max(0, end - 22 - 0xFFFF))
    tail = fh.read()
    i = tail.rfind(b"PK\x05\x06")
    fh.seek(0)
    if i < 0 or len(tail) < i + 22:
        return 0
    size = struct.unpack("<I", tail[i + 12 : i + 16])[0]
    if size == 0xFFFFFFFF and i >= 76 and tail[i - 20 : i - 16] == b"PK\x06\x07" and tail[i - 76 : i - 72] == b"PK\x06\x06":
        size = struct.unpack("<Q", tail[i - 76 + 40 : i - 76 + 48])[0]  # the zip64 end record, right before its locator
    return size


def read_zip_member(z: zipfile.ZipFile, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
    """Read one member, stopping at `limit` actually-inflated bytes whatever the header claims."""
    with z.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} er større end {thousands(limit)} byte udpakket")
    return data


# A DTD in any encoding Excel's XML parts could be in.
_DTD_MARKS = tuple(mark.encode(enc) for mark in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be"))


def has_dtd(data: bytes) -> bool:
    """A part that declares a DTD or entity: never handed to ooxml.parse_xml, which trusts the screen."""
    return any(mark in data for mark in _DTD_MARKS)


_CELLS_MARK = b"sheetData"
_CELLS_MARKS_UTF16 = tuple("sheetData".encode(enc) for enc in ("utf-16-le", "utf-16-be"))
_CHUNK = 1 << 16


def _inflate_checked(z: zipfile.ZipFile, info: zipfile.ZipInfo, sheets: list[str], keep: dict[str, bytes] | None = None) -> str | None:
    """Inflate one member from its raw bytes, stopping one byte past its declared size.

    Adds the member to `sheets` when it holds cells, so that its extent is checked too,
    and its bytes to `keep` when given.
    """
    name = info.filename
    fp = z.fp
    fp.seek(info.header_offset)
    local = fp.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"delen {name} mangler sit lokale hoved")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, size, crc, tail = info.compress_size, 0, 0, b""
    pieces: list[bytes] = []
    while left > 0:
        raw = fp.read(min(left, _CHUNK))
        if not raw:
            raise zipfile.BadZipFile(f"delen {name} er afbrudt")
        left -= len(raw)
        while raw:
            if inflater is None:
                out, raw = raw, b""
            else:
                out = inflater.decompress(raw, info.file_size - size + 1)
                raw = inflater.unconsumed_tail
            size += len(out)
            if size > info.file_size:
                return f"delen {name} fylder mere udpakket, end zip-filen angiver ({thousands(info.file_size)} byte)"
            crc = zlib.crc32(out, crc)
            if keep is not None:
                pieces.append(out)
            window = tail + out
            # The ASCII marks hold "<!" and the UTF-16 ones a NUL byte, which UTF-8 text never has:
            # two quick scans, and the marks one by one only where one of them can be.
            utf16 = b"\x00" in window
            if (utf16 or b"<!" in window) and any(mark in window for mark in _DTD_MARKS):
                return f"delen {name} har en DTD (<!DOCTYPE eller <!ENTITY), som Excel aldrig skriver"
            if utf16 and any(mark in window for mark in _CELLS_MARKS_UTF16):
                return f"delen {name} har celler skrevet i UTF-16, som Excel aldrig skriver"
            if name not in sheets and _CELLS_MARK in window:
                sheets.append(name)
            tail = window[-20:]
    if inflater is not None:
        out = inflater.flush()
        size += len(out)
        crc = zlib.crc32(out, crc)
        if keep is not None:
            pieces.append(out)
        if size > info.file_size:
            return f"delen {name} fylder mere udpakket, end zip-filen angiver ({thousands(info.file_size)} byte)"
        if not inflater.eof:
            raise zipfile.BadZipFile(f"delen {name} er afbrudt")
    if size != info.file_size or crc != info.CRC:
        raise zipfile.BadZipFile(f"delen {name} er beskadiget (størrelse eller kontrolsum passer ikke)")
    if keep is not None:
        keep[name] = b"".join(pieces)
    return None


_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")
# A cell tag that is not plainly within A1:Z9999.
_FAR_OR_ODD_CELL = re.compile(rb'<c(?=[\s>/])(?! r="[A-Z][0-9]{1,4}")')


def _plainly_small(xml: bytes) -> bool:
    """True when every cell is written ``<c r="B7"`` within A1:Z9999 and there are not too many.

    That is at most 259,974 cells from A1, under the limit, so the exact scan can be
    skipped: one search instead of a pattern match per cell. Every program writes
    a committee's sheet so; anything else gets the exact scan.
    """
    # (Three plain searches: one pattern with the prefix as an alternative is four times slower.)
    return b":c" not in xml and _FAR_OR_ODD_CELL.search(xml) is None and xml.count(b"<c ") <= MAX_SHEET_CELLS


def _check_extent(name: str, xml: bytes) -> str | None:
    if not _SHEET_DATA.search(xml) or _plainly_small(xml):
        return None
    tags, rows, cols = scan_extent(xml, stop_above=MAX_SHEET_CELLS)
    if tags > MAX_SHEET_CELLS:  # more cells than allowed, wherever they stand
        return f"arket {name} har over {thousands(MAX_SHEET_CELLS)} celler"
    if rows * cols > MAX_SHEET_CELLS:
        far = xl_rowcol_to_cell(max(rows - 1, 0), max(cols - 1, 0))
        return f"arket {name} går til celle {far}: {thousands(rows * cols)} celler fra A1 (højst {thousands(MAX_SHEET_CELLS)})"
    return None
