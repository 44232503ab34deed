"""A person using LibreOffice Calc, driven through UNO: the tests' stand-in for Excel.

Run by the system Python (only /usr/bin/python3 can ``import uno``), never by the
test environment's Python. It reads one JSON job on stdin, connects to a running
headless soffice on the named pipe, carries out the job's steps on one workbook and
prints one JSON result on stdout:

    {"pipe": "followup_1234", "file": "/tmp/t.xlsx", "sheet": "Opfølgning",
     "steps": [{"do": "inspect"}, {"do": "type", "cells": {"E34": "Gul"}}, ...]}

The UNO API writes into protected cells and past validation rules without a word,
so "type" checks what Calc would check for a person at the keyboard: a locked cell
on a protected sheet refuses the entry, and a list rule with a STOP alert refuses
anything not in its list. Typing through Calc's own dispatcher (.uno:EnterString)
would be closer still, but crashes headless LibreOffice 7.4.
"""

import json
import re
import sys
import time

import uno  # noqa: F401  (registers the com.sun.star import hook)
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

CONNECT_SECONDS = 40
XLSX_FILTER = "Calc MS Excel 2007 XML"
PDF_FILTER = "calc_pdf_Export"


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise SystemExit(f"no LibreOffice listening on pipe {pipe} after {CONNECT_SECONDS} s") from None
            time.sleep(0.1)


def enum_name(value):
    return getattr(value, "value", str(value))


def list_items(formula):
    # Calc shows an inline list as "Grøn";"Gul";"Rød" (";" or "," between the quoted items).
    return re.findall(r'"((?:[^"]|"")*)"', formula or "")


class User:
    def __init__(self, ctx, path, sheet_name):
        self.ctx = ctx
        self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        self.doc = None
        self.open(path)
        self.sheet_name = sheet_name

    def open(self, path):
        if self.doc is not None:
            self.doc.close(True)
        url = uno.systemPathToFileUrl(path)
        self.doc = self.desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        if self.doc is None:
            raise SystemExit(f"LibreOffice could not open {path}")

    @property
    def sheet(self):
        return self.doc.Sheets.getByName(self.sheet_name)

    def close(self):
        if self.doc is not None:
            self.doc.close(True)
            self.doc = None

    # -- steps -----------------------------------------------------------------------------

    def inspect(self, step):
        """Sheets with visibility and protection; per visible sheet its unlocked cells and their rules."""
        sheets = []
        for i in range(self.doc.Sheets.Count):
            sh = self.doc.Sheets.getByIndex(i)
            info = {"name": sh.Name, "visible": bool(sh.IsVisible), "protected": bool(sh.isProtected())}
            if sh.IsVisible:
                cursor = sh.createCursor()
                cursor.gotoEndOfUsedArea(False)
                end = cursor.getRangeAddress()
                used = sh.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)
                unlocked = []
                ranges = used.getCellFormatRanges()
                for k in range(ranges.Count):
                    r = ranges.getByIndex(k)
                    if not r.CellProtection.IsLocked:
                        a = r.getRangeAddress()
                        for row in range(a.StartRow, a.EndRow + 1):
                            for col in range(a.StartColumn, a.EndColumn + 1):
                                unlocked.append(self._ref(sh, col, row))
                info["used"] = self._ref(sh, end.EndColumn, end.EndRow)
                info["unlocked"] = sorted(unlocked, key=_ref_key)
                info["rules"] = {ref: self._rule(sh.getCellRangeByName(ref)) for ref in info["unlocked"]}
            sheets.append(info)
        return {"sheets": sheets}

    def _ref(self, sheet, col, row):
        return sheet.getCellByPosition(col, row).AbsoluteName.split(".")[-1].replace("$", "")

    def _rule(self, cell):
        v = cell.Validation
        kind = enum_name(v.Type)
        if kind == "ANY":
            return None
        return {
            "type": kind,
            "items": list_items(v.getFormula1()),
            "alert": enum_name(v.ErrorAlertStyle),
            "show_error": bool(v.ShowErrorMessage),
            "show_input": bool(v.ShowInputMessage),
            "input_title": v.InputTitle,
            "input_message": v.InputMessage,
            "error_message": v.ErrorMessage,
        }

    def type(self, step):
        """Enter values as a person would: refused where Calc would refuse them."""
        out = {}
        sh = self.sheet
        for ref, text in step["cells"].items():
            cell = sh.getCellRangeByName(ref)
            rule = self._rule(cell)
            if sh.isProtected() and cell.CellProtection.IsLocked:
                verdict = "locked"
            elif rule and rule["type"] == "LIST" and rule["alert"] == "STOP" and text != "" and text not in rule["items"]:
                verdict = "not-in-list"
            else:
                cell.setString(text)
                verdict = "written"
            out[ref] = {"result": verdict, "now": cell.getString()}
        return {"cells": out}

    def formats(self, step):
        """The number format Calc applies to each cell of the named sheet ("@" is Text: what is typed stays as typed)."""
        sh = self.doc.Sheets.getByName(step.get("sheet") or self.sheet_name)
        formats = self.doc.NumberFormats
        return {"cells": {ref: formats.getByKey(sh.getCellRangeByName(ref).NumberFormat).FormatString for ref in step["cells"]}}

    def read(self, step):
        sh = self.sheet
        return {"cells": {ref: sh.getCellRangeByName(ref).getString() for ref in step["cells"]}}

    def unprotect_and_edit(self, step):
        """What a determined person does: Tools > Protect Sheet off, edit, maybe protect again."""
        sh = self.sheet
        password = step.get("password", "")
        sh.unprotect(password)
        for ref, text in step["cells"].items():
            sh.getCellRangeByName(ref).setString(text)
        if step.get("protect_again"):
            sh.protect(password)
        return {"protected": bool(sh.isProtected())}

    def save(self, step):
        self.doc.storeToURL(uno.systemPathToFileUrl(step["to"]), (prop("FilterName", XLSX_FILTER), prop("Overwrite", True)))
        return {"saved": step["to"]}

    def pdf(self, step):
        self.doc.storeToURL(uno.systemPathToFileUrl(step["to"]), (prop("FilterName", PDF_FILTER), prop("Overwrite", True)))
        return {"saved": step["to"]}

    def reopen(self, step):
        self.open(step["file"])
        return {"opened": step["file"]}


def _ref_key(ref):
    m = re.match(r"([A-Z]+)(\d+)", ref)
    return (int(m.group(2)), m.group(1))


def main():
    job = json.load(sys.stdin)
    ctx = connect(job["pipe"])
    user = User(ctx, job["file"], job.get("sheet", ""))
    results = []
    try:
        for step in job["steps"]:
            results.append(getattr(user, step["do"])(step))
    finally:
        user.close()
    json.dump({"steps": results}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
