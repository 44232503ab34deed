"""How wide text sets in Calibri, and how many lines it wraps to in a cell: one width table for templates and reports.

LibreOffice does not fit rows to wrapped text when it opens an .xlsx, and page
breaks need the heights, so every row is given its height in the file. Both the
template (widths in Excel's character units) and the committee report (widths in
points) measure with this one table; two tables once disagreed on "Æ" by a ninth.
"""

from __future__ import annotations

from functools import lru_cache

# Advance widths of Calibri's characters in 1/2048 em, as its metric twin Carlito's
# hmtx table gives them (Carlito is what LibreOffice sets Calibri text in).
_ADVANCE_CHARS = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~æøåÆØÅéèüöäÉ–—§½«»”“’€"
_ADVANCES = (
    463, 667, 821, 1020, 1038, 1464, 1397, 452, 621, 621, 1020, 1020, 511, 627, 517, 791,
    1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 548, 548, 1020, 1020, 1020, 949,
    1831, 1185, 1114, 1092, 1260, 1000, 941, 1292, 1276, 516, 653, 1064, 861, 1751, 1322, 1356,
    1058, 1378, 1112, 941, 998, 1314, 1162, 1822, 1063, 998, 959, 628, 791, 628, 1020, 1020,
    596, 981, 1076, 866, 1076, 1019, 625, 964, 1076, 470, 490, 931, 470, 1636, 1076, 1080,
    1076, 1076, 714, 801, 686, 1076, 925, 1464, 887, 927, 809, 644, 943, 644, 1020, 1583,
    1084, 981, 1563, 1359, 1185, 1019, 1019, 1076, 1080, 981, 1000, 1020, 1854, 1020, 1375, 1049,
    1049, 857, 857, 511, 1038,
)  # fmt: skip
ADVANCE = dict(zip(_ADVANCE_CHARS, _ADVANCES, strict=True))
UNITS_PER_EM = 2048
UNKNOWN_ADVANCE = 1300  # a character not in the table counts as a wide one
BOLD_WIDEN = 1.04
_WIDEST = max(*ADVANCE.values(), UNKNOWN_ADVANCE)
_MEMORY = 1 << 14  # words (or texts) remembered per font before starting afresh


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Printed width of `text` in points at `size` points."""
    return _points(sum(ADVANCE.get(ch, UNKNOWN_ADVANCE) for ch in text), size, bold)


def _points(units: int, size: float, bold: bool) -> float:
    return units / UNITS_PER_EM * size * (BOLD_WIDEN if bold else 1.0)


def sure_chars(width_pt: float, size: float, bold: bool) -> int:
    """How many characters fit on one line even if every one is the widest there is.

    A shorter text (without a line break) takes one line whatever it says, so it
    needs no measuring. The hair of room left over keeps float sums from mattering.
    """
    return int(width_pt * (1 - 1e-9) / _points(_WIDEST, size, bold))


def remember(known: dict, key, value) -> None:
    """Keep `value` for `key` in `known`, starting afresh once it holds _MEMORY entries.

    Most texts of a run are their own and never come back; the few that do (labels,
    headings, the guide, common words) are worked out again after a fresh start, in
    microseconds. So the memory stays small however many workbooks a process writes.
    """
    if len(known) >= _MEMORY:
        known.clear()
    known[key] = value


_WORD_POINTS: dict[tuple[float, bool], dict[str, float]] = {}


@lru_cache(maxsize=256)
def _wrapping(width_pt: float, size: float, bold: bool) -> tuple[float, int, dict[str, float]]:
    """(width of a blank, characters that surely fit a line, word -> width) for wrapping in a cell.

    The word widths are kept per size and weight: the same words come back in every
    element, template and report of a run.
    """
    widths = _WORD_POINTS.setdefault((size, bold), {})
    return text_width(" ", size, bold), sure_chars(width_pt, size, bold), widths


def wrapped_lines(text: str, width_pt: float, size: float, bold: bool = False) -> int:
    """How many lines `text` takes when wrapped at word boundaries in a cell `width_pt` wide, as the spreadsheet programs wrap."""
    if not text:
        return 1
    space, sure, widths = _wrapping(width_pt, size, bold)
    lines = 0
    for para in text.split("\n"):
        lines += 1
        if len(para) <= sure:
            continue
        used = 0.0
        for word in para.split():
            w = widths.get(word)
            if w is None:
                w = text_width(word, size, bold)
                remember(widths, word, w)
            if used and used + space + w > width_pt:
                lines += 1
                used = 0.0
            while w > width_pt:  # a word longer than the cell breaks anywhere
                lines += 1
                w -= width_pt
            used = used + space + w if used else w
    return lines
