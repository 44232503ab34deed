"""Small, careful I/O helpers shared by every module that touches a workbook file.

Why here: every output must be written atomically and deterministically, every
input sniffed by content and read without trusting it. Keeping those habits in
one module means no writer or reader can forget one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import xlsxwriter

# A fixed creation time makes generated files comparable byte for byte.
FIXED_CREATED = datetime(2000, 1, 1, 0, 0, 0)

# Limits for untrusted zip containers, checked before any XML is parsed.
MAX_ZIP_MEMBERS = 2_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, for members over 1 MiB


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
def atomic_output(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename.

    A crash leaves either the old complete file or the new complete file, never half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".~" + path.stem[:40] + ".", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
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


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def sha256_of(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def column_letter(col: int) -> str:
    """0-based column index to Excel letters (0 -> A)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """0-based row and column to an A1 reference."""
    return f"{column_letter(col)}{row + 1}"


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_workbook_kind(path: Path | str) -> str:
    """What a file really is, judged by its bytes, not its name.

    Returns one of: folder, missing, empty, xlsx, xlsm, xlsb, ods, zip, encrypted,
    xls, ole, text, binary.
    """
    p = Path(path)
    if p.is_dir():
        return "folder"
    if not p.exists():
        return "missing"
    with open(p, "rb") as fh:
        head = fh.read(8)
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(p) as z:
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
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
            return "zip"
    if head == OLE2_MAGIC:
        return _sniff_ole(p)
    with open(p, "rb") as fh:
        sample = fh.read(4096)
    if b"\x00" in sample:
        return "binary"
    return "text"


def _sniff_ole(path: Path) -> str:
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
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


def check_zip_limits(path: Path | str) -> str | None:
    """Refuse zip bombs before parsing: a reason string, or None when the container is sane."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                return f"{len(infos)} dele i zip-filen (højst {MAX_ZIP_MEMBERS})"
            total = 0
            for info in infos:
                if info.file_size > MAX_MEMBER_BYTES:
                    return f"delen {info.filename} fylder {info.file_size} byte udpakket"
                if info.file_size > (1 << 20) and info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                    return f"delen {info.filename} pakker sig ud {info.file_size // max(info.compress_size, 1)} gange"
                total += info.file_size
            if total > MAX_TOTAL_BYTES:
                return f"filen fylder {total} byte udpakket"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        return f"zip-filen er beskadiget ({exc})"
    return None


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
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out: dict[str, list[list]] = {}
    for name in wb.sheet_names:
        if only is not None and name not in only:
            continue
        sheet = wb.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        out[name] = [[None if v == "" else v for v in row] for row in rows]
    return out
