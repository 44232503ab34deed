"""The collector plans without measuring text; the cells must stand exactly where the template put them."""

import pytest

from workbook_tools.model import Result, Smiley
from workbook_tools.sheetplan import Mode, plan_sheet


@pytest.mark.parametrize("round_number", [1, 2, 3, 4])
def test_planning_without_measuring_puts_every_cell_in_the_same_place(agreement, texts, round_number):
    a = agreement.with_results([Result("1.01", 1, Smiley.RED, "En lang statustekst. " * 40, Smiley.GREEN, "")])
    for committee in a.committees:
        measured = plan_sheet(a, committee, round_number, texts, Mode.TEMPLATE)
        unmeasured = plan_sheet(a, committee, round_number, texts, Mode.TEMPLATE, measure=False)
        assert unmeasured.cells == measured.cells
        assert unmeasured.element_rows == measured.element_rows
        assert unmeasured.locked_digest() == measured.locked_digest()
