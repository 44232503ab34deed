"""What "no English in Danish mode" means, in one place: the words that give a leak away, and where shown text is.

Paths and file names are the user's or the contract's (`overview.xlsx`, `round-2/`) and
are left out before looking; so are the problem codes, which scripts filter on.
"""

from __future__ import annotations

import email
import html
import re
import zipfile
from email import policy
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

# Words a Danish reader would stumble on; each has been seen leaking, or is argparse's or Python's own.
ENGLISH = (
    "usage",
    "error",
    "errors",
    "warning",
    "warnings",
    "committee",
    "department",
    "visible",
    "hidden",
    "veryHidden",
    "whole",
    "decimal",
    "round",
    "sheet",
    "cell",
    "expected",
    "found",
    "missing",
    "rejected",
    "accepted",
    "duplicate",
    "superseded",
    "unknown",
    "invalid",
    "required",
    "arguments",
    "options",
    "positional",
    "true",
    "false",
    "None",
    "Traceback",
    "failed",
    "template",
    "file",
    "element",
    "economy",
    "progress",
)
_WORD = re.compile(r"\b(" + "|".join(ENGLISH) + r")\b", re.IGNORECASE)
# A path, a file name, an option, a problem code, an e-mail address or a placeholder: not prose.
_NOT_PROSE = re.compile(
    r"\S*[/\\]\S*|\S+\.(xlsx|xlsm|xls|docx|pdf|json|eml|msg|txt|csv|ods)\b|--[\w-]+|\b[a-z]+(-[a-z]+)+\b|\S+@\S+|\{[^{}]*\}"
)


def english_leaks(text: str, data: tuple[str, ...] = ()) -> list[str]:
    """The lines of `text` with an English word in them, the word marked: [] when all is Danish.

    `data` are texts the user wrote (a synthetic master's "Milepæl 1 for element 1.02"):
    quoted back to them, they are theirs, not ours.
    """
    for own in sorted(data, key=len, reverse=True):
        text = text.replace(own, " ")
    found = []
    for line in text.splitlines():
        prose = _NOT_PROSE.sub(" ", line)
        if m := _WORD.search(prose):
            found.append(f"{m.group(0)!r} in: {line.strip()[:200]}")
    return found


def shown_text(path: Path) -> str:
    """Everything a person sees in a workbook: visible sheets' cells, comments, dropdown help and error texts,
    sheet names, printed headers and footers, and the charts' titles and labels."""
    wb = load_workbook(path)
    parts = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        parts.append(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    parts.append(cell.value)
                if cell.comment is not None:
                    parts.append(cell.comment.text)
        for dv in ws.data_validations.dataValidation:
            parts += [t for t in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error) if t]
        for printed in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
            parts += [part.text for part in (printed.left, printed.center, printed.right) if part.text]
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/charts/"):
                parts += [html.unescape(t) for t in _CHART_TEXT.findall(z.read(name).decode("utf-8"))]
    return "\n".join(parts)


_CHART_TEXT = re.compile(r"<(?:a:t|c:v)>([^<]*)</")


def docx_text(path: Path) -> str:
    """Everything a person sees or hears in a Word document: the body with its tables, headers and footers,
    the pictures' alternative text (what a screen reader says), and the title and subject in its properties."""
    doc = Document(str(path))
    parts = []

    def read(element) -> None:
        for p in element.iter(qn("w:p")):
            parts.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
        parts.extend(d.get("descr") for d in element.iter(qn("wp:docPr")) if d.get("descr"))

    read(doc.element.body)
    for section in doc.sections:
        for part in (section.header, section.footer):
            read(part._element)
    parts += [doc.core_properties.title or "", doc.core_properties.subject or ""]
    return "\n".join(parts)


def mail_text(path: Path) -> str:
    """What the receiver of an .eml reads: its subject and its text."""
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return f"{message['Subject']}\n{message.get_body(preferencelist=('plain',)).get_content()}"


def is_workbook(path: Path) -> bool:
    return path.suffix == ".xlsx" and zipfile.is_zipfile(path)
