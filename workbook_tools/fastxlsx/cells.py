"""Cell XML: how a value becomes a <c> element, escaped so that Excel reads back what was written.

Texts go in as inline strings (no shared-strings part to build), control characters
as _xHHHH_, a literal _xHHHH_ kept literal, cut to Excel's 32,767 characters as
xlsxwriter cuts them; numbers as xlsxwriter writes them; dates as serial days.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple
from xml.sax.saxutils import quoteattr

if TYPE_CHECKING:
    from .styles import FastFormat

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The "_" of a literal _xHHHH_, also where two overlap ("_x005F_x0041_"): readers would decode them.
_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_EPOCH = datetime(1899, 12, 30)
TEXT_LIMIT = 32767  # characters in a cell, as xlsxwriter cuts them
PRESERVE = ' xml:space="preserve"'
BLANK = ">"  # a blank cell after its r and s attributes

_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x")


def escape_text(text: str) -> str:
    """Text for an OOXML <t>: XML-escaped, control characters as _xHHHH_, literal _xHHHH_ kept literal."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    if "_x" in text:
        text = _ESCAPED.sub("_x005F_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _ILLEGAL.search(text) or "\r" in text:
        text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text).replace("\r", "_x000D_")
    return text


def quote_attr(value) -> str:
    """An XML attribute value, quoted, without the characters XML cannot hold."""
    return quoteattr(_ILLEGAL.sub("", str(value)))


def string_body(text: str) -> str:
    """A string cell after its r and s attributes: an inline string, cut to Excel's limit."""
    text = text[:TEXT_LIMIT]
    space = PRESERVE if text[:1].isspace() or text[-1:].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{escape_text(text)}</t></is>'


def formula_body(formula: str, value: str | float = "") -> str:
    """A formula cell after its r and s attributes, with the value shown until Excel recalculates."""
    f = escape_text(formula[1:] if formula.startswith("=") else formula)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"><f>{f}</f><v>{value}</v>"
    return f' t="str"><f>{f}</f><v>{escape_text(str(value or ""))}</v>'


class Formula(NamedTuple):
    """A formula cell for write_cells: the formula and the value shown until Excel recalculates."""

    formula: str
    value: str | float = ""


def cell_body(value: str | Formula, fmt: FastFormat | None) -> str | None:
    """A write_cells cell after its r and s attributes; None for a blank without a format (no cell)."""
    if value.__class__ is Formula:
        return formula_body(*value)
    if value:
        return string_body(value)
    return BLANK if fmt is not None else None


def number_body(number) -> str:
    """A number cell after its r and s attributes; whole numbers without a decimal point, as xlsxwriter."""
    number = float(number)
    return f"><v>{int(number) if number.is_integer() else repr(number)}</v>"


def serial(value: datetime | date) -> float:
    """A date or time as Excel's serial day number."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - _EPOCH
    return delta.days + delta.seconds / 86400


def element(ref: str, style: str, xml_body: str | None) -> str | None:
    """A cell's <c> element from its parts; None (no cell) without a body."""
    return None if xml_body is None else f'<c r="{ref}"{style}{xml_body}</c>'


def never(_text: str) -> bool:
    return False


def any_cell(ref: str, value, style: str, quoted: str, needs_quote: Callable[[str], bool], style_of: Callable) -> str:
    """One cell of write_rows, for any value it takes; style_of is the workbook's style_attr."""
    return f'<c r="{ref}"{any_cell_after_ref(value, style, quoted, needs_quote, style_of)}</c>'


def any_cell_after_ref(value, style: str, quoted: str, needs_quote: Callable[[str], bool], style_of: Callable) -> str:
    """A cell's XML between its reference and </c>."""
    if value.__class__ is tuple:
        value, fmt = value
        style = quoted = style_of(fmt)  # a format of its own is never swapped for the quoted one
        if value is None or value == "":
            return f"{style}>"
    if isinstance(value, (datetime, date)):
        value = serial(value)
    if isinstance(value, (int, float)):
        return style + number_body(value)
    text = str(value)
    return (quoted if needs_quote(text) else style) + string_body(text)


# Bytes that never need a second look in a block of row XML: all but control characters
# (tab and newline are fine), "&", "_" (of a literal _xHHHH_) and 0xEF (starts U+FFFE and U+FFFF).
_UNREMARKABLE = bytes(b for b in range(256) if (b >= 32 or b in (9, 10)) and b not in b"&_\xef")


def markup_or_long(strings: list[str], joined: str) -> bool:
    """Whether texts (`joined` by line breaks) hold markup characters or one longer than a cell takes.

    Either keeps them from going into the XML as they are; it is the part of
    escape_text's question that needs_care, looking at XML, cannot answer.
    """
    return "<" in joined or ">" in joined or (len(joined) > TEXT_LIMIT and max(map(len, strings)) > TEXT_LIMIT)


def needs_care(xml: bytes) -> bool:
    """Whether a block built from raw texts holds one that escape_text would change.

    One C-speed pass over the block's bytes (markup has none of these bytes) instead
    of a regular expression per cell; "<" and ">" in texts are looked for before.
    """
    odd = xml.translate(None, _UNREMARKABLE)
    if not odd:
        return False
    return bool(odd.strip(b"_\xef")) or b"_x" in xml or b"\xef\xbf\xbe" in xml or b"\xef\xbf\xbf" in xml
