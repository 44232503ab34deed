"""Tell what a file really is by its bytes, not its name, and say it in Danish: the one table of file kinds.

An .xlsx, or an encrypted, .xls, .xlsb, .ods, CSV, PDF or empty file named like
one: every reader of a file asks here first. :data:`KINDS` says each kind the way
each reader needs it: the problem that rejects a return, the words after an
e-mail attachment's name, and what finance does with its own master or layout.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path
from typing import NamedTuple

from .zipguard import MAX_ZIP_DIRECTORY, zip_directory_size

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


_SAVE_AS_XLSX = "Åbn den i Excel, og gem den som Excel-projektmappe (.xlsx)"
_NEW_COPY = "Tag en ny kopi fra der, hvor filen kom fra"


class FileKind(NamedTuple):
    """How every reader speaks of one kind of file (see KINDS)."""

    words: str  # what it is, after "filen er": for finance's own workbooks and a return's problem
    short: str  # the same in a word or two, after an attachment's name in an e-mail's problem
    code: str = "not-a-workbook"  # the problem that rejects a return of this kind ("": an .xlsx, read on)
    detail: str = ""  # that problem's detail ("": the words)
    advice: str = _SAVE_AS_XLSX  # what finance does when its own workbook (master, layout) is of this kind


# Every kind sniff_workbook_kind tells, and how each reader says it. A "text" or "binary" return or
# attachment is described further from its first bytes (a CSV, a PDF, a web page …).
KINDS: dict[str, FileKind] = {
    "xlsx": FileKind("en projektmappe (.xlsx)", "projektmappe", code="", advice=""),
    "xlsm": FileKind("en projektmappe med makroer (.xlsm)", "projektmappe med makroer", "macro-workbook", "xlsm"),
    "xlsb": FileKind("en binær projektmappe (.xlsb)", "binær projektmappe", "binary-workbook", "xlsb"),
    "xls": FileKind("i det gamle .xls-format", "gammel projektmappe (.xls)", "legacy-xls", "xls"),
    "ods": FileKind("et OpenDocument-regneark (.ods)", "OpenDocument-regneark", "ods-workbook", "ods"),
    "strict": FileKind(
        "gemt som Strict Open XML-regneark",
        "Strict Open XML-projektmappe",
        "strict-ooxml",
        "strict",
        "Åbn den i Excel, og gem den som Excel-projektmappe (*.xlsx), ikke som Strict Open XML-regneark",
    ),
    "encrypted": FileKind(
        "gemt med adgangskode",
        "krypteret fil",
        "encrypted-workbook",
        "encrypted",
        "Gem en kopi uden adgangskode (i Excel: Filer > Oplysninger > Beskyt projektmappe > Kryptér med adgangskode, slet koden)",
    ),
    "empty": FileKind("tom (0 byte)", "tom fil", "empty-file", "empty", _NEW_COPY),
    "broken-zip": FileKind(
        "ufuldstændig eller beskadiget, måske afbrudt under kopieringen",
        "beskadiget zip-fil",
        "broken-workbook",
        "zip-filen er ufuldstændig, måske afbrudt under overførslen",
        _NEW_COPY,
    ),
    "oversized-zip": FileKind(
        "en zip-fil med flere tusind dele",
        "zip-fil med alt for mange dele",
        "unsafe-workbook",
        "zip-filen har en indholdsfortegnelse over flere tusind dele",
    ),
    "zip": FileKind("en zip-fil uden projektmappe", "zip-fil"),
    "msg": FileKind(
        "en Outlook-meddelelse (.msg)",
        "Outlook-meddelelse",
        detail="en Outlook-meddelelse (.msg); gem den vedhæftede projektmappe og saml den ind",
    ),
    "ole": FileKind("en ældre Office-fil, der ikke er en projektmappe", "Office-fil"),
    "text": FileKind("en tekstfil (måske CSV), ikke en projektmappe", "tekst", detail="en tekstfil"),
    "binary": FileKind("en ukendt binær fil", "binær fil"),
    "folder": FileKind("en mappe", "mappe", "not-a-file", "mappe", ""),
    "missing": FileKind("væk", "væk", "unreadable-file", "filen findes ikke", ""),
    "special": FileKind(
        "en særlig fil (et rør eller en enhed)", "ikke en almindelig fil", "not-a-file", detail="et rør eller en enhed", advice=""
    ),
    "unreadable": FileKind(
        "ikke til at læse (ingen adgang?)",
        "kan ikke læses",
        "unreadable-file",
        advice="Giv adgang til filen, eller kopiér den et sted, hvor den kan læses",
    ),
}
# The kinds some spreadsheet program opens as a workbook: an e-mail's attachment of one of them is a return.
WORKBOOK_KINDS = frozenset({"xlsx", "xlsm", "xlsb", "xls", "ods", "strict"})


def not_xlsx(kind: str) -> str:
    """Finance's own workbook (master, layout, validation list) is not an .xlsx: what it is, and what to do."""
    known = KINDS.get(kind)
    advice = known.advice if known else _SAVE_AS_XLSX
    return f"filen er {known.words if known else kind}" + (f". {advice}" if advice else "")


def refusal(kind: str, data: bytes) -> tuple[str, str] | None:
    """The problem code and detail that reject a return of this kind (`data` its bytes); None for an .xlsx."""
    if kind == "xlsx":
        return None
    if kind in ("text", "binary"):
        return _describe(data, kind)
    known = KINDS.get(kind)
    return (known.code, known.detail or known.words) if known else ("not-a-workbook", kind)


def attachment_words(kind: str, data: bytes) -> str:
    """What an e-mail's attachment that is no workbook really is, in a few words for the e-mail's problem."""
    if kind in ("text", "binary"):
        return _describe(data, kind)[1]
    known = KINDS.get(kind)
    return known.short if known else kind


def _describe(data: bytes, kind: str) -> tuple[str, str]:
    """A text or binary file named like a workbook: say what it really is, so the hint fits."""
    sample = data[:4096]
    if sample.startswith(b"%PDF"):
        return "not-a-workbook", "en PDF-fil"
    if kind == "binary":
        return "not-a-workbook", KINDS["binary"].words
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = sample.decode("cp1252", errors="replace")
    low = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in low:
        return "not-a-workbook", "et XML-regneark fra Excel 2003"
    if low.startswith("<!doctype html") or "<html" in low[:2000] or low.startswith("<table"):
        return "not-a-workbook", "en webside (HTML) med filnavn som en projektmappe"
    if low.startswith("<"):
        return "not-a-workbook", "en XML-fil"
    if re.match(r"(?s)(?:[\w-]+: .*\n)+", text) and re.search(r"(?im)^(mime-version|received|from|subject):", text):
        return "not-a-workbook", "en e-mail (.eml); gem den vedhæftede projektmappe og saml den ind"
    lines = [line for line in text.splitlines() if line.strip()]
    if len(data) > len(sample) and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut off
    lines = lines[:20]
    for sep in (";", "\t", ","):
        counts = {line.count(sep) for line in lines}
        if lines and min(counts) >= 1 and len(counts) == 1:
            return "csv-file", {";": "semikolon", "\t": "tabulator", ",": "komma"}[sep]
    return "not-a-workbook", KINDS["text"].detail


def sniff_workbook_kind(path: Path | str) -> str:
    """What a file really is, judged by its bytes, not its name: one of the kinds in KINDS.

    folder, missing, special (a pipe, device or socket: never opened, as reading one
    can wait forever), unreadable, empty, xlsx, xlsm, xlsb, ods, zip, broken-zip
    (starts as a zip but cannot be opened as one: cut off, or damaged),
    oversized-zip (a central directory too large to parse safely), strict (Strict
    Open XML, which no reader here knows), encrypted, xls,
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
                    return "strict" if _strict(z) else "xlsx"
                return "zip"
        except (zipfile.BadZipFile, RuntimeError, ValueError, EOFError, NotImplementedError):
            return "broken-zip"
    if head == OLE2_MAGIC:
        return _sniff_ole(fh)
    sample = fh.read(4096)
    if b"\x00" in sample:
        return "binary"
    return "text"


def _strict(z: zipfile.ZipFile) -> bool:
    # Excel's "Strict Open XML Spreadsheet": the same parts in other namespaces, which no
    # reader here knows. The root element's namespace is in the first bytes; a part that
    # cannot be read (encrypted, damaged) is for the zip screen to name, not this.
    try:
        with z.open("xl/workbook.xml") as w:
            return STRICT_NAMESPACE in w.read(2048)
    except Exception:
        return False


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
