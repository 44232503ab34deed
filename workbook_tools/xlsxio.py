"""Write workbooks that compare byte for byte: fixed times, no formulas made from text, and the hash that compares them.

The same master and round must give the same templates and reports, file for
file, so that a rerun can be checked with a hash and a changed output means a
changed content. xlsxwriter workbooks are made here with a fixed creation time and
with user text kept as text; a workbook another library saved (openpyxl) is
re-zipped with fixed times.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import xlsxwriter

# A fixed creation time makes generated files comparable byte for byte.
FIXED_CREATED = datetime(2000, 1, 1, 0, 0, 0)
# First characters that make Excel re-read a text as a formula when someone edits the cell.
QUOTED_STARTS = frozenset("=+-@")


def needs_quote(value: str) -> bool:
    """Text Excel would re-read as a formula when someone edits the cell: written with a quote prefix, it stays text."""
    return value[:1] in QUOTED_STARTS


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


def sha256_of(path: Path | str) -> str:
    """A file's SHA-256 (hex): the same for the same bytes, so it tells whether a file changed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
