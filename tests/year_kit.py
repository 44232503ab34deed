"""Finance's hands on a new year folder: the master filled in, the layout and a mail text edited.

Synthetic and plainly so ("Udvalg 07", "Element 7.03"): what a newcomer types into
the master `followup init` made, through a second writer (openpyxl) as Excel would.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

COMMITTEES = (("Udvalg 07", "7", "Område 07", "udvalg07@example.invalid"), ("Udvalg 08", "8", "Område 08", "udvalg08@example.invalid"))
ELEMENTS = (
    ("7.01", "Element 7.01", "Udvalg 07"),
    ("7.02", "Element 7.02", "Udvalg 07"),
    ("7.10", "Element 7.10", "Udvalg 07"),
    ("8.01", "Element 8.01", "Udvalg 08"),
)
EDITED_HEADING = "Sådan læses smileys (rettet af Økonomi)"
EDITED_SUBJECT = "Emne: Rapport fra Økonomi (rettet emne) – {runde}"


def fill_master(path: Path, year: int) -> None:
    """Type the agreement's committees and elements into the master, as finance does in Excel."""
    wb = openpyxl.load_workbook(path)
    fields = {row[0].value: row[1] for row in wb["Aftale"].iter_rows(min_row=2)}
    fields["Afsender"].value = "Økonomi 07"
    fields["E-mail"].value = "okonomi07@example.invalid"
    fields["Kontakt"].value = "Kontakt 07"
    udvalg = wb["Udvalg"]
    for r, values in enumerate(COMMITTEES, start=2):
        for c, v in enumerate(values, start=1):
            udvalg.cell(r, c, v)
    indsatser = wb["Indsatser"]
    for r, (number, title, committee) in enumerate(ELEMENTS, start=2):
        indsatser.cell(r, 1, number)
        indsatser.cell(r, 2, title)
        indsatser.cell(r, 3, committee)
        indsatser.cell(r, 4, "Drift")
        indsatser.cell(r, 5, f"Aftaletekst for {title}.")
        for k in range(4):
            indsatser.cell(r, 10 + k, f"Milepæl {k + 1} for {title} i {year}.")
    wb.save(path)


def edit_layout(path: Path) -> None:
    """Change the reading guide's heading in the layout's Tekster sheet, as finance does in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Tekster"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "guide_heading":
            row[1].value = EDITED_HEADING
    wb.save(path)


def edit_mail_subject(path: Path) -> None:
    """Change the subject line of a mail text, as finance does in Notepad."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Emne:"))
    lines[at] = EDITED_SUBJECT
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
