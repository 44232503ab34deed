"""A number, date or percentage typed in a status cell is taken as Excel showed it, in Danish.

Excel turns "01-06-2026" into a date and "50%" into 0.5; the sender saw the text,
and finance gets that text, with an info note that Excel had made it a value.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from returns_kit import Kit, cell_of, edit

from workbook_tools.sheetvalues import as_shown


@pytest.fixture
def kit(tmp_path, agreement, texts):
    return Kit(tmp_path, agreement, texts)


@pytest.mark.parametrize(
    "value, number_format, seen",
    [
        (datetime(2026, 6, 1), "dd-mm-yyyy", "01-06-2026"),
        (0.5, "0%", "50%"),
        (1234.5, "#,##0.00", "1.234,50"),
        (1500000, "#,##0", "1.500.000"),
        (datetime(2026, 6, 1), "[$-406]d. mmmm yyyy;@", "1. juni 2026"),
        (45, "General", "45"),
    ],
)
def test_a_value_in_a_status_cell_is_taken_as_excel_showed_it_with_an_info_note(kit, value, number_format, seen):
    plan = kit.plan()
    ref = cell_of(plan, "1.02", "status", 1)

    def typing(wb):
        ws = wb[plan.sheet_name]
        ws[ref] = value
        ws[ref].number_format = number_format

    check = kit.check(edit(kit.filled(), typing, kit.returns / "typed.xlsx"))
    (note,) = [p for p in check.problems if p.code == "answer-as-shown"]
    assert note.severity.value == "info" and note.cell == ref and note.expected == seen
    assert next(r for r in check.results if r.element == "1.02").status == seen
    assert check.accepted


def test_as_shown_uses_danish_separators_and_the_formats_own_pattern():
    assert as_shown(datetime(2026, 6, 1, 14, 5), "dd-mm-yyyy hh:mm") == "01-06-2026 14:05"
    assert as_shown(0.125, "0.0%") == "12,5%"
    assert as_shown(-3, '#,##0 "kr."') == "-3 kr."
    assert as_shown(1234.5, "General") == "1234,5"
