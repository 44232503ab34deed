"""Fill a generated template the way staff do: values in the unlocked cells, nothing else.

A test kit, not part of the tool: used by the tests and to build the bundled example's
returns (examples/budget-2018/build.py). It
writes through openpyxl, a different writer than the one that made the template,
so what `collect` reads has really been through a second program.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbook_tools.atomic import atomic_output
from workbook_tools.model import ECONOMY, ECONOMY_STATUS, PROGRESS, STATUS, Agreement, Result
from workbook_tools.sheetplan import Mode, plan_sheet
from workbook_tools.texts import Texts


def answer_cells(
    agreement: Agreement, committee: str, round_number: int, texts: Texts, department: str = ""
) -> tuple[str, dict[tuple[str, str], str]]:
    """The template's sheet name, and (element, field) -> A1 reference of its input cells."""
    plan = plan_sheet(agreement, agreement.committee(committee), round_number, texts, Mode.TEMPLATE, department, measure=False)
    return plan.sheet_name, {(c.element, c.field): c.ref for c in plan.inputs()}


def fill_template(
    template: Path | str,
    out: Path | str,
    agreement: Agreement,
    committee: str,
    round_number: int,
    answers: list[Result],
    texts: Texts,
    department: str = "",
    author: str = "",
) -> Path:
    """Write `answers` into a copy of `template` with openpyxl, as a person filling it would."""
    import openpyxl

    sheet_name, cells = answer_cells(agreement, committee, round_number, texts, department)
    wb = openpyxl.load_workbook(template)
    ws = wb[sheet_name]
    for a in answers:
        values = {
            PROGRESS: a.progress.label if a.progress else None,
            STATUS: a.status or None,
            ECONOMY: a.economy.label if a.economy else None,
            ECONOMY_STATUS: a.economy_status or None,
        }
        for field, value in values.items():
            ref = cells.get((a.element, field))
            if ref is None:
                raise KeyError(f"element {a.element} has no {field} cell in this template")
            cell = ws[ref]
            if isinstance(value, str):
                value = as_excel_stores(value)
                if len(value) > 32_767:  # openpyxl would cut it silently
                    raise ValueError(f"{a.element} {field}: {len(value)} characters as stored; openpyxl writes at most 32,767")
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # typed text stays text, even "=SUM(A1)"
    if author:
        wb.properties.lastModifiedBy = author
    out = Path(out)
    with atomic_output(out) as tmp:
        wb.save(tmp)
    return out


# What Excel escapes in a cell's XML text and openpyxl writes raw (or refuses): a literal
# _xHHHH_, which readers would decode, and control characters, carriage return included.
_EXCEL_ESCAPES = re.compile("_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def as_excel_stores(text: str) -> str:
    """`text` escaped as Excel writes it into the XML, so that every reader reads back what was typed."""
    return _EXCEL_ESCAPES.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
