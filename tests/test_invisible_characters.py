"""Invisible characters and odd spaces in a smiley or a committee name, pasted in from mail or the web.

"Grøn" with a no-break space and a zero-width space is Grøn, noted as info; where
a text is refused, the message shows what cannot be seen.
"""

from __future__ import annotations

import pytest
from returns_kit import cell_of, edit, set_meta

from workbook_tools.answers import read_smiley
from workbook_tools.model import Smiley, show_invisible, without_invisible

NBSP, ZWSP, ZWJ, BOM, SHY = "\u00a0", "\u200b", "\u200d", "\ufeff", "\u00ad"


def _typed(kit, ref: str, value: str):
    def typing(wb):
        ws = wb[kit.plan().sheet_name]
        ws[ref] = value
        ws[ref].data_type = "s"

    return edit(kit.filled(), typing, kit.returns / "typed.xlsx")


@pytest.mark.parametrize("typed", ["Grøn" + NBSP + ZWSP, BOM + "Grøn", "Gr" + SHY + "øn", "Grøn" + ZWJ, NBSP + "Grøn" + NBSP])
def test_a_smiley_with_only_invisible_characters_around_it_is_read_with_an_info_note(kit, typed):
    ref = cell_of(kit.plan(), "1.02", "progress", 1)
    check = kit.check(_typed(kit, ref, typed))
    assert [(p.code, p.severity.value) for p in check.problems] == [("invisible-characters", "info")]
    assert "⟨U+" in check.problems[0].message and check.problems[0].expected == "Grøn"
    assert next(r for r in check.results if r.element == "1.02").progress is Smiley.GREEN
    assert check.accepted


def test_an_invalid_smiley_shows_its_invisible_characters(kit):
    ref = cell_of(kit.plan(), "1.02", "progress", 1)
    check = kit.check(_typed(kit, ref, "Blå" + NBSP + ZWSP))
    assert [p.code for p in check.problems] == ["invalid-smiley"]
    assert "Blå⟨U+00A0⟩⟨U+200B⟩" in check.problems[0].message


def test_a_cell_of_invisible_characters_only_is_a_missing_smiley(kit):
    ref = cell_of(kit.plan(), "1.02", "progress", 1)
    check = kit.check(_typed(kit, ref, ZWSP + NBSP))
    assert [p.code for p in check.problems] == ["smiley-missing"]


def test_a_committee_name_with_invisible_characters_is_that_committee(kit):
    path = set_meta(kit.filled(), committee="Udvalg" + NBSP + "01" + ZWSP)
    check = kit.check(path)
    (note,) = [p for p in check.problems if p.code == "invisible-characters"]
    assert note.severity.value == "info" and "Udvalg⟨U+00A0⟩01⟨U+200B⟩" in note.message
    assert check.committee == "Udvalg 01" and check.accepted
    assert len(check.results) == len(kit.plan().element_rows)


def test_emoji_joined_by_a_zero_width_joiner_keep_it_and_visible_text_is_untouched():
    family = "👩" + ZWJ + "👧"
    assert without_invisible(family) == family
    assert without_invisible("Gul" + ZWJ) == "Gul"
    assert show_invisible("Grøn" + NBSP) == "Grøn⟨U+00A0⟩"
    assert read_smiley("Gul" + NBSP + "😐")[0] is Smiley.YELLOW
