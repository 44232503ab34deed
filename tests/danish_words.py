"""What "no English in Danish mode" means, in one place: the words that give a leak away, and where shown text is.

Paths and file names are the user's or the contract's (`overview.xlsx`, `round-2/`) and
are left out before looking; so are the problem codes, which scripts filter on.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

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
    """Everything a person sees in a workbook: visible sheets' cells, comments, dropdown help and error texts, sheet names."""
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
    return "\n".join(parts)


def is_workbook(path: Path) -> bool:
    return path.suffix == ".xlsx" and zipfile.is_zipfile(path)
