"""A number, date or percentage typed in a status cell is taken as Excel showed it, in Danish.

Excel turns "01-06-2026" into a date and "50%" into 0.5; the sender saw the text,
and finance gets that text, with an info note that Excel had made it a value.
"""

from __future__ import annotations

import zipfile
from datetime import datetime

import openpyxl
import pytest
from returns_kit import cell_of, edit

from workbook_tools.master import read_master
from workbook_tools.sheetvalues import as_shown
from workbook_tools.template import generate_templates


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


def test_a_number_or_date_typed_into_the_masters_text_cells_reads_as_excel_showed_it(tmp_path, agreement, master, texts):
    """Finance types "1.6.2026" as a milestone, or 50% as a status typed into the master by hand: Excel stores a value."""
    wb = openpyxl.load_workbook(master)
    ws = wb["Indsatser"]
    headings = [c.value for c in ws[1]]
    milestone = ws.cell(2, headings.index("Milepæl 1") + 1)
    milestone.value, milestone.number_format = datetime(2026, 6, 1), "dd-mm-yyyy"
    text = ws.cell(3, headings.index("Uddybning") + 1)
    text.value, text.number_format = 0.5, "0%"
    wb.save(master)

    warnings = []
    read = read_master(master, warnings=warnings)
    assert read.elements[0].milestones[0] == "01-06-2026"
    assert read.elements[1].supplementary_text == "50%"
    noted = {w.cell: w.message for w in warnings if "som Excel viser den" in w.message}
    assert noted == {
        milestone.coordinate: "cellen rummer et tal eller en dato, ikke tekst; den er læst, som Excel viser den: »01-06-2026«",
        text.coordinate: "cellen rummer et tal eller en dato, ikke tekst; den er læst, som Excel viser den: »50%«",
    }
    (made,) = [m for m in generate_templates(read, 1, tmp_path / "ud", texts) if m.committee == read.elements[0].committee]
    shown = [v for row in openpyxl.load_workbook(tmp_path / "ud" / made.file).worksheets[0].iter_rows(values_only=True) for v in row if v]
    assert "01-06-2026" in shown and "2026-06-01" not in shown


def test_a_column_of_dates_in_the_master_reads_each_cell_in_its_own_format(tmp_path, master):
    """Every milestone typed as a date, in two formats: each cell as Excel shows it, not as the first of its column."""
    wb = openpyxl.load_workbook(master)
    ws = wb["Indsatser"]
    col = [c.value for c in ws[1]].index("Milepæl 1") + 1
    formats = ("dd-mm-yyyy", "[$-406]d. mmmm yyyy;@")
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, col)
        cell.value, cell.number_format = datetime(2026, 6, r), formats[r % 2]
    wb.save(master)
    read = read_master(master, warnings=[])
    expected = [f"{r:02d}-06-2026" if r % 2 == 0 else f"{r}. juni 2026" for r in range(2, ws.max_row + 1)]
    assert [e.milestones[0] for e in read.elements] == expected


def test_a_master_whose_styles_declare_a_dtd_is_read_without_parsing_them(tmp_path, master):
    """The master never passes collect's zip guard: a styles part with a DTD is left unread, its formats "General"."""
    wb = openpyxl.load_workbook(master)
    ws = wb["Indsatser"]
    cell = ws.cell(2, [c.value for c in ws[1]].index("Milepæl 1") + 1)
    cell.value, cell.number_format = 0.5, "0%"
    wb.save(master)
    hostile = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(master) as source, zipfile.ZipFile(hostile, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/styles.xml":
                data = b'<!DOCTYPE styleSheet [<!ENTITY e "x">]>' + data
            target.writestr(info, data)
    assert read_master(master).elements[0].milestones[0] == "50%"
    assert read_master(hostile).elements[0].milestones[0] == "0,5"
