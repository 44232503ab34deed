"""Small, careful I/O helpers shared by every module that touches a workbook file.

Why here: every output must be written atomically and deterministically, every
input sniffed by content and read without trusting it. Keeping those habits in
one module means no writer or reader can forget one.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import stat
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import xlsxwriter

# A fixed creation time makes generated files comparable byte for byte.
FIXED_CREATED = datetime(2000, 1, 1, 0, 0, 0)

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
# Finance's own workbooks (master, layout, validation list) are far larger than a return:
# a thousand-committee master has 900,000 cells on one sheet. About a gigabyte in
# python-calamine; every sheet within A1:Z999999 stays under it.
MAX_BOOK_SHEET_CELLS = 30_000_000
MAX_BOOK_MEMBER_BYTES = 1 << 30
# The one place this module asks which system it runs on: Windows refuses to open for
# writing, or to replace, a file another program holds open (Excel its workbooks).
_WINDOWS = sys.platform == "win32"
# Windows' "used by another process" and "part of the file is locked" (ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION).
_SHARING_ERRORS = (32, 33)


def new_workbook(path: Path | str, **options) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that never turns user text into formulas or links."""
    opts = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "remove_timezone": True,
    }
    opts.update(options)
    wb = xlsxwriter.Workbook(str(path), opts)
    wb.set_properties({"created": FIXED_CREATED})
    return wb


@contextlib.contextmanager
def atomic_output(path: Path | str, sync: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename.

    A crash leaves either the old complete file or the new complete file, never half a file.
    With `sync` the new file is flushed to disk before the rename, so that a power cut
    cannot leave it empty either. A run's many per-committee files (reports, archive
    copies) pass sync=False and are flushed together by `flush_to_disk` at the end:
    one flush instead of a thousand, each of which waits for the disk (~2 ms here).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".~" + path.stem[:40] + ".", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if sync:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_CORE_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def deterministic_zip(data: bytes, modified: datetime | None = None) -> bytes:
    """A workbook saved by another library (openpyxl), made comparable byte for byte.

    Such libraries stamp every zip member and the last-modified property with the
    time of saving; here the members get a fixed time and the property `modified`
    (the time of the content, e.g. the sender's own; FIXED_CREATED when unknown).
    """
    when = modified or FIXED_CREATED
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_MODIFIED.sub(lambda m: m.group(1) + stamp + m.group(2), content)
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, content)
    return out.getvalue()


def atomic_write_bytes(path: Path | str, data: bytes, sync: bool = True) -> Path:
    with atomic_output(path, sync=sync) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def flush_to_disk() -> None:
    """Make every file written without `sync` durable, in one go (the whole system's pending writes)."""
    if hasattr(os, "sync"):
        os.sync()


def owner_file_names(name: str) -> list[str]:
    """The files Excel and LibreOffice put beside a workbook named `name` while they have it open.

    Excel's owner file is ``~$`` and the name or, for a longer name, ``~$`` in place of
    its first two characters; LibreOffice's lock file is ``.~lock.<name>#``. Both are
    left behind when the program crashes.
    """
    names = ["~$" + name]
    if not name[2:].startswith("."):  # a stem of one or two letters keeps them all
        names.append("~$" + name[2:])
    return [*dict.fromkeys(names), f".~lock.{name}#"]


def is_owner_file(name: str) -> bool:
    """An Excel owner file (~$…) or a LibreOffice lock file (.~lock.…#): a sign of an open workbook, never one itself."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def owner_files(path: Path | str) -> list[Path]:
    """The owner and lock files beside `path` now: someone has it open, or had it when their program crashed."""
    path = Path(path)
    return [path.with_name(n) for n in owner_file_names(path.name) if os.path.lexists(path.with_name(n))]


def held_by_another_program(exc: OSError) -> bool:
    """True when an open failed because another program holds the file (Excel, on Windows); not for missing rights.

    Elsewhere a program's open file never stops another from reading it, so a
    PermissionError there is what it says.
    """
    return _WINDOWS and getattr(exc, "winerror", None) in _SHARING_ERRORS


class OutputInUse(Exception):
    """Outputs another program has open (overview.xlsx in Excel): the run stops before it replaces any output.

    On Windows replacing a file Excel has open fails, and halfway through a run that
    would leave the master new and the overview old; elsewhere Excel or LibreOffice
    would later save its old copy over the new file. Carries the paths and the owner
    files found, and says in Danish what to close.
    """

    def __init__(self, paths: list[Path]):
        self.paths = [Path(p) for p in paths]
        self.owner_files = [f for p in self.paths for f in owner_files(p)]
        super().__init__(in_use_message(self.paths, self.owner_files))


def in_use_message(paths: list[Path], owners: list[Path]) -> str:
    """What to close, in the words of the CLI's other errors, naming the program that most likely holds it."""
    program = "Excel"
    if owners and all(o.name.startswith(".~lock.") for o in owners):
        program = "LibreOffice"
    elif any(p.suffix.lower() == ".pdf" for p in paths):
        program = "Excel eller PDF-læseren"
    text = f"luk {_and_list([p.name for p in paths])} i {program} og kør igen: en fil kan ikke erstattes, mens et andet program har den åben. Intet er skrevet."
    if owners:
        text += f" Er programmet allerede lukket, så slet {_and_list([o.name for o in owners])}, som det har efterladt."
    return text


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def outputs_in_use(paths: list[Path]) -> list[Path]:
    """The outputs among `paths` that another program has open, to be closed before a run replaces any of them.

    In use: the file exists and an owner or lock file stands beside it (Excel,
    LibreOffice; any system), or, on Windows, it cannot be opened for writing. A path
    that does not exist yet is free, whatever a crashed program left beside it. Each
    folder is listed once: a thousand reports on a network drive are a thousand
    round trips when asked about one by one.
    """
    listings: dict[Path, frozenset[str]] = {}
    busy = []
    for p in map(Path, paths):
        if p.parent not in listings:
            listings[p.parent] = _listing(p.parent)
        names = listings[p.parent]
        if p.name in names and (any(n in names for n in owner_file_names(p.name)) or _held_open(p)):
            busy.append(p)
    return busy


def _listing(folder: Path) -> frozenset[str]:
    try:
        return frozenset(os.listdir(folder))
    except OSError:  # not there yet: nothing in it is open
        return frozenset()


def _held_open(path: Path) -> bool:
    """Windows only: the file exists and another program holds it (opening it for writing changes nothing)."""
    if not _WINDOWS:
        return False
    try:
        with open(path, "r+b"):
            return False
    except FileNotFoundError:
        return False
    except PermissionError:  # held open, or read-only: either way it cannot be replaced
        return True
    except OSError:
        return False


def sha256_of(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_COLUMN_LETTERS = [_letters(c) for c in range(256)]  # the columns any of our sheets use


def column_letter(col: int) -> str:
    """0-based column index to Excel letters (0 -> A)."""
    return _COLUMN_LETTERS[col] if 0 <= col < 256 else _letters(col)


def column_number(letters: str | bytes) -> int:
    """Excel column letters to the column's number, counted from 1 (A -> 1, XFD -> 16384)."""
    col = 0
    for ch in letters.encode("ascii") if isinstance(letters, str) else letters:
        col = col * 26 + ch - 64
    return col


def cell_name(row: int, col: int) -> str:
    """0-based row and column to an A1 reference."""
    return f"{column_letter(col)}{row + 1}"


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_workbook_kind(path: Path | str) -> str:
    """What a file really is, judged by its bytes, not its name.

    Returns one of: folder, missing, special (a pipe, device or socket: never opened,
    as reading one can wait forever), unreadable, empty, xlsx, xlsm, xlsb, ods, zip,
    broken-zip (starts as a zip but cannot be opened as one: cut off, or damaged),
    oversized-zip (a central directory too large to parse safely), encrypted, xls,
    msg, ole, text, binary.
    """
    try:
        mode = Path(path).stat().st_mode
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    if stat.S_ISDIR(mode):
        return "folder"
    if not stat.S_ISREG(mode):
        return "special"
    try:
        with open(path, "rb") as fh:
            return _sniff(fh)
    except OSError:
        return "unreadable"


# What a file that is not an .xlsx really is, by its kind from sniff_workbook_kind, as messages say it.
KIND_WORDS = {
    "folder": "en mappe",
    "missing": "væk",
    "special": "en særlig fil (et rør eller en enhed)",
    "unreadable": "ikke til at læse (ingen adgang?)",
    "empty": "tom (0 byte)",
    "xlsm": "en projektmappe med makroer (.xlsm)",
    "xlsb": "en binær projektmappe (.xlsb)",
    "ods": "et OpenDocument-regneark (.ods)",
    "zip": "en zip-fil uden projektmappe",
    "broken-zip": "ufuldstændig eller beskadiget, måske afbrudt under kopieringen",
    "oversized-zip": "en zip-fil med flere tusind dele",
    "encrypted": "gemt med adgangskode",
    "xls": "i det gamle .xls-format",
    "msg": "en Outlook-meddelelse (.msg)",
    "ole": "en ældre Office-fil, der ikke er en projektmappe",
    "text": "en tekstfil (måske CSV), ikke en projektmappe",
    "binary": "en ukendt binær fil",
}
_SAVE_AS_XLSX = "Åbn den i Excel, og gem den som Excel-projektmappe (.xlsx)"
_KIND_ADVICE = {
    "encrypted": "Gem en kopi uden adgangskode (i Excel: Filer > Oplysninger > Beskyt projektmappe > Krypter med adgangskode, slet koden)",
    "broken-zip": "Tag en ny kopi fra der, hvor filen kom fra",
    "empty": "Tag en ny kopi fra der, hvor filen kom fra",
    "unreadable": "Giv adgang til filen, eller kopiér den et sted, hvor den kan læses",
    "missing": "",
    "folder": "",
    "special": "",
}


def not_xlsx(kind: str) -> str:
    """Finance's own workbook (master, layout, validation list) is not an .xlsx: what it is, and what to do."""
    advice = _KIND_ADVICE.get(kind, _SAVE_AS_XLSX)
    return f"filen er {KIND_WORDS.get(kind, kind)}" + (f". {advice}" if advice else "")


def sniff_bytes(data: bytes) -> str:
    """:func:`sniff_workbook_kind` for a file already read into memory: the bytes checked are the bytes hashed."""
    return _sniff(io.BytesIO(data))


def _sniff(fh) -> str:
    head = fh.read(8)
    fh.seek(0)
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if zip_directory_size(fh) > MAX_ZIP_DIRECTORY:
            return "oversized-zip"
        try:
            with zipfile.ZipFile(fh) as z:
                names = set(z.namelist())
                if "mimetype" in names:
                    with z.open("mimetype") as m:
                        if b"opendocument.spreadsheet" in m.read(200):
                            return "ods"
                if "xl/workbook.bin" in names:
                    return "xlsb"
                if "xl/workbook.xml" in names:
                    if "xl/vbaProject.bin" in names:
                        return "xlsm"
                    return "xlsx"
                return "zip"
        except (zipfile.BadZipFile, RuntimeError, ValueError, EOFError, NotImplementedError):
            return "broken-zip"
    if head == OLE2_MAGIC:
        return _sniff_ole(fh)
    sample = fh.read(4096)
    if b"\x00" in sample:
        return "binary"
    return "text"


def _sniff_ole(fh) -> str:
    try:
        import olefile

        with olefile.OleFileIO(fh) as ole:
            streams = {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
    except Exception:
        return "ole"
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        return "encrypted"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if any(s.startswith("__substg1.0_") for s in streams):
        return "msg"
    return "ole"


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
            return f"zip-filens indholdsfortegnelse fylder {_dk(directory)} byte (højst {_dk(MAX_ZIP_DIRECTORY)}): for mange dele"
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
                return f"delen {name} fylder {info.file_size} byte udpakket (højst {MAX_MEMBER_BYTES})"
            if info.file_size > (1 << 20) and info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                return f"delen {name} pakker sig ud {info.file_size // max(info.compress_size, 1)} gange"
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            return f"filen fylder {total} byte udpakket (højst {MAX_TOTAL_BYTES})"
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


# A DTD in any encoding Excel's XML parts could be in.
_DTD_MARKS = tuple(mark.encode(enc) for mark in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be"))
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
                return f"delen {name} fylder mere udpakket, end zip-filen angiver ({info.file_size} byte)"
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
        pieces.append(out)
        if size > info.file_size:
            return f"delen {name} fylder mere udpakket, end zip-filen angiver ({info.file_size} byte)"
        if not inflater.eof:
            raise zipfile.BadZipFile(f"delen {name} er afbrudt")
    if size != info.file_size or crc != info.CRC:
        raise zipfile.BadZipFile(f"delen {name} er beskadiget (størrelse eller kontrolsum passer ikke)")
    if keep is not None:
        keep[name] = b"".join(pieces)
    return None


_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_CELL_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["']""")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROW_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?(?<=\s)r\s*=\s*["']([0-9]{1,7})["']""")


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) from A1 to the farthest cell a reader would place, by the sheet's XML alone.

    Cells and rows without a reference are placed after the one before, so each
    counts as one more row or column: an upper bound, exact for what Excel writes.
    """
    _tags, rows, cols = _scan_extent(xml)
    return rows, cols


def _scan_extent(xml: bytes, stop_above: int = 0) -> tuple[int, int, int]:
    # (cell tags, rows, columns), scanned in slices cut between tags so that memory stays small;
    # stops early once the cell tags alone pass `stop_above`. Rows matter only for cells
    # without a reference (no program writes those), so they are scanned only then.
    tags = last_row = last_col = unplaced = 0
    for piece in _slices(xml):
        n = len(_CELL_TAG.findall(piece))
        tags += n
        if stop_above and tags > stop_above:
            return tags, 0, 0
        cells = _CELL_REF.findall(piece)
        if cells:
            columns, numbers = zip(*cells)
            last_row = max(last_row, max(map(int, numbers)))
            last_col = max(last_col, max(map(column_number, set(columns))))
        unplaced += n - len(cells)
    if unplaced:
        row_tags = 0
        for piece in _slices(xml):
            refs = _ROW_REF.findall(piece)
            if refs:
                last_row = max(last_row, max(map(int, refs)))
            row_tags += len(_ROW_TAG.findall(piece))
        last_row += row_tags
        last_col += unplaced
    return tags, last_row, last_col


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


def _slices(xml: bytes, size: int = 1 << 20):
    start = 0
    while start < len(xml):
        end = xml.find(b">", start + size) + 1 or len(xml)
        yield xml[start:end]
        start = end


def _check_extent(name: str, xml: bytes) -> str | None:
    if not _SHEET_DATA.search(xml) or _plainly_small(xml):
        return None
    tags, rows, cols = _scan_extent(xml, stop_above=MAX_SHEET_CELLS)
    if tags > MAX_SHEET_CELLS:  # more cells than allowed, wherever they stand
        return f"arket {name} har over {_dk(MAX_SHEET_CELLS)} celler"
    if rows * cols > MAX_SHEET_CELLS:
        far = cell_name(max(rows - 1, 0), max(cols - 1, 0))
        return f"arket {name} går til celle {far}: {_dk(rows * cols)} celler fra A1 (højst {_dk(MAX_SHEET_CELLS)})"
    return None


# A cell tag not plainly within A1:Z999999, and a cell tag with a namespace prefix.
_BEYOND_Z999999 = re.compile(rb'<c(?=[\s>/])(?! r="[A-Z][0-9]{1,6}")')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")


def check_sheet_extent(path: Path | str, sheet: str, part: str | None) -> str | None:
    """Refuse a sheet of finance's own workbook that python-calamine would need gigabytes to load.

    calamine allocates every cell from A1 to a sheet's farthest one, so a value typed
    by mistake in XFD1048576 asks for 17 billion cells and ends the process with an
    abort, not an error. One pass over the inflated sheet, a chunk at a time, finds
    that every cell stands within A1:Z999999 (all a master needs); only a sheet where
    one may not is read whole and measured. Returns the reason (Danish), naming the
    farthest cell and how to find it, or None. `part` is the zip part that holds the
    sheet (sheet_parts). A damaged zip is left to the reader's own error.
    """
    try:
        with zipfile.ZipFile(path) as z:
            if part is None or part not in z.NameToInfo:
                return None
            info = z.getinfo(part)
            if info.file_size > MAX_BOOK_MEMBER_BYTES:
                return f"arket '{sheet}' fylder {_dk(info.file_size)} byte udpakket (højst {_dk(MAX_BOOK_MEMBER_BYTES)})"
            if not _may_stand_far(z, info):
                return None
            rows, cols = _valued_extent(read_zip_member(z, part, MAX_BOOK_MEMBER_BYTES))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
        return None
    if rows * cols <= MAX_BOOK_SHEET_CELLS:
        return None
    return (
        f"arket '{sheet}' går til celle {cell_name(rows - 1, cols - 1)}, {_dk(rows * cols)} celler fra A1 "
        f"(højst {_dk(MAX_BOOK_SHEET_CELLS)}). Slet det, der står langt fra tabellen "
        "(Ctrl+End i Excel viser den sidste celle), og gem igen"
    )


def _may_stand_far(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with z.open(info) as fh:  # inflates no further than the declared size
        while chunk := fh.read(_CHUNK * 16):
            window = tail + chunk
            cut = window.rfind(b">") + 1  # a cell's tag and reference never hold a ">": never cut in two
            if _BEYOND_Z999999.search(window, 0, cut) or _PREFIXED_CELL.search(window, 0, cut):
                return True
            tail = window[cut:]
    return False


# A cell that may hold a value: its tag, with a reference, not closed on the spot (<c r="B2" s="1"/> is
# formatting only, and calamine leaves it out of the sheet).
_VALUED_CELL_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["'][^>]*(?<!/)>""")


def _valued_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) from A1 to the farthest cell that may hold a value."""
    last_row = last_col = 0
    for piece in _slices(xml):
        cells = _VALUED_CELL_REF.findall(piece)
        if cells:
            columns, numbers = zip(*cells)
            last_row = max(last_row, max(map(int, numbers)))
            last_col = max(last_col, max(map(column_number, set(columns))))
    return last_row, last_col


def sheet_parts(path: Path | str) -> dict[str, str]:
    """Sheet name (as on its tab) -> the zip part that holds it; {} when that cannot be told (the reader says why)."""
    from defusedxml import ElementTree as SafeET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main", "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        with zipfile.ZipFile(path) as z:
            rels = SafeET.fromstring(read_zip_member(z, "xl/_rels/workbook.xml.rels"))
            book = SafeET.fromstring(read_zip_member(z, "xl/workbook.xml"))
    except Exception:  # no such part, not XML, not a zip
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iterfind("p:Relationship", ns)}
    parts = {}
    for sheet in book.iterfind("m:sheets/m:sheet", ns):
        target = targets.get(sheet.get(rid), "")
        parts[sheet.get("name", "")] = part_path(target)
    return parts


def part_path(target: str) -> str:
    """The zip part a relationship of xl/workbook.xml points to (its targets are relative to xl/, or absolute)."""
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _dk(number: int) -> str:
    # thousands written the Danish way: 1.000.000
    return f"{number:,}".replace(",", ".")


def read_zip_member(z: zipfile.ZipFile, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
    """Read one member, stopping at `limit` actually-inflated bytes whatever the header claims."""
    with z.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} er større end {limit} byte udpakket")
    return data


def read_sheets(path: Path | str, only: set[str] | None = None) -> dict[str, list[list]]:
    """Every sheet's cell values (cached results for formulas), via python-calamine.

    Empty cells are None; numbers that are whole come back as float as Excel stores them.
    """
    sheets = SheetsOnDemand(path)
    return {name: sheets[name] for name in sheets if only is None or name in only}


class SheetUnreadable(Exception):
    """python-calamine could not read a sheet (its own error types, wrapped with the sheet's name)."""


class NotXlsx(SheetUnreadable):
    """The file is not an .xlsx at all; the message says what it is and what to do (not_xlsx)."""


class SheetsOnDemand(Mapping):
    """A workbook's sheets as read_sheets gives them, each read when first asked for.

    A thousand-committee master's two big sheets, read all at once, are in memory
    together with calamine's own copy of the second while it loads: that was the
    peak of a whole collect. Read one at a time, and let go (`pop`) once made into
    objects, one big sheet is held at a time.
    """

    def __init__(self, path: Path | str):
        from python_calamine import CalamineWorkbook

        kind = sniff_workbook_kind(path)
        if kind != "xlsx":
            raise NotXlsx(not_xlsx(kind))
        self._path = path
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own types for broken files
            raise SheetUnreadable(str(exc)) from None
        self._names = list(self._book.sheet_names)
        self._parts = sheet_parts(path)  # once: each sheet's extent is checked in its own part
        self._read: dict[str, list[list]] = {}

    def __getitem__(self, name: str) -> list[list]:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._read:
            too_far = check_sheet_extent(self._path, name, self._parts.get(name))
            if too_far:
                raise SheetUnreadable(too_far)
            try:
                rows = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:  # calamine raises its own types for broken files
                raise SheetUnreadable(f"arket '{name}': {exc}") from None
            for i, row in enumerate(rows):  # row by row in place: a copy of a big sheet would be a second sheet in memory
                rows[i] = [None if v == "" else v for v in row]
            self._read[name] = rows
        return self._read[name]

    def pop(self, name: str) -> list[list]:
        """The sheet's rows, no longer kept here."""
        rows = self[name]
        self._names.remove(name)
        del self._read[name]
        return rows

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name) -> bool:
        return name in self._names
