"""One width table for every row height: the template and the report measure Danish text alike."""

from __future__ import annotations

from workbook_tools.sheetplan import estimate_lines
from workbook_tools.textmetrics import ADVANCE, UNITS_PER_EM, text_width, wrapped_lines


def test_the_danish_capitals_have_calibris_own_widths():
    # Carlito's hmtx (Calibri's metric twin): Æ 1563, Ø 1359, Å 1185 of 2048. A second table once said Æ was 0.862 em.
    assert (ADVANCE["Æ"], ADVANCE["Ø"], ADVANCE["Å"]) == (1563, 1359, 1185)
    assert round(text_width("Æ", 11.0), 3) == round(1563 / UNITS_PER_EM * 11.0, 3)


def test_a_template_cell_and_a_report_cell_of_the_same_width_wrap_a_text_alike():
    text = "ÆØÅ Ærø Økonomiudvalget Århus " * 12
    width_chars = 64.0
    pixels = int(width_chars * 7 + 0.5) + 5 - 6
    assert estimate_lines(text, width_chars) == wrapped_lines(text, pixels * 72 / 96 / 1.05, 11.0)


def test_a_wider_cell_never_takes_more_lines():
    text = "Indsatsen for ledige kvinder med ikke-vestlig baggrund følges op ved hver budgetopfølgning. " * 4
    assert estimate_lines(text, 30) >= estimate_lines(text, 64) >= estimate_lines(text, 120) >= 1
