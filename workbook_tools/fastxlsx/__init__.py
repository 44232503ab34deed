"""A lean xlsx writer for the many look-alike workbooks of a round.

A round makes one template per committee and, after collect, one report per
committee: hundreds of workbooks that differ only in their cells. xlsxwriter
rebuilds styles, theme and package for each; here the styles are made once by
xlsxwriter itself (a prototype workbook holding every format used), and each
workbook only writes its own sheet XML, with inline strings, around those shared
parts. It speaks the subset of xlsxwriter's Workbook/Worksheet API that our
drawing code uses, so the same drawing code serves both writers, and
tests/test_fastxlsx.py checks that both give the workbook a person sees.

Why we keep our own writer: a 50-element committee's template takes about 14 ms
here against 99 ms through xlsxwriter (issue 17's measurement; 13 against 56 ms when
measured again in December on a busier machine), and a round writes hundreds of
templates and as many reports. It uses only xlsxwriter's public API (styles and
charts are made by a real xlsxwriter workbook and read back from the file it writes).

Laid out as XlsxWriter lays out its own parts, one job a module:

- ``workbook``:  FastWorkbook, gathering sheets and formats and writing the package at close();
- ``worksheet``: FastSheet, the sheet writer (cells, rows, layout, protection, validations);
- ``cells``:     how a value becomes a <c> element, and text escaping;
- ``styles``:    styles.xml and theme from a prototype, with the style indices read back;
- ``charts``:    charts recorded and drawn by xlsxwriter;
- ``packager``:  content types, relationships, document properties, workbook.xml;
- ``zipwriter``: the deterministic, one-pass zip writer.
"""

from .cells import Formula, escape_text
from .charts import FastChart
from .styles import FastFormat, StylePrototype, prototype_for
from .workbook import FastWorkbook
from .worksheet import FastSheet, legacy_password_hash, set_rows, write_cells

__all__ = [
    "FastChart",
    "FastFormat",
    "FastSheet",
    "FastWorkbook",
    "Formula",
    "StylePrototype",
    "escape_text",
    "legacy_password_hash",
    "prototype_for",
    "set_rows",
    "write_cells",
]
