"""The workbook: sheets and formats gathered, each format's style index fixed, the package written at close()."""

from __future__ import annotations

from pathlib import Path

from .charts import FastChart
from .packager import package_parts
from .styles import FastFormat, StylePrototype, prototype_for
from .worksheet import FastSheet
from .zipwriter import write_zip


class FastWorkbook:
    """Write-once workbook: add sheets, write cells, close() to save."""

    def __init__(self, path: Path | str):
        self.path = path
        self.prototype: StylePrototype | None = None  # made from this workbook's own formats, final at close()
        self._xf: dict[tuple, dict] = {}
        self._dxf: dict[tuple, dict] = {}
        self.sheets: list[FastSheet] = []
        self.custom: list[tuple[str, str]] = []
        self.active = 0
        self._styles: dict[tuple, str] = {}  # format key -> its s="..." attribute, once a cell used it
        self._style_of: dict[FastFormat, str] = {}  # the same by format object: no tuple hashed per cell

    def add_format(self, spec: dict | None = None) -> FastFormat:
        fmt = FastFormat(spec or {})
        self.register(fmt)
        return fmt

    def register(self, fmt: FastFormat, dxf: bool = False) -> None:
        (self._dxf if dxf else self._xf).setdefault(fmt.key, fmt.spec)

    def add_chart(self, options: dict) -> FastChart:
        return FastChart(options)

    def add_worksheet(self, name: str) -> FastSheet:
        sheet = FastSheet(self, name, len(self.sheets))
        self.sheets.append(sheet)
        return sheet

    def set_properties(self, _props: dict) -> None:
        """Document properties are fixed (FIXED_CREATED) so output is comparable."""

    def set_custom_property(self, name: str, value) -> None:
        self.custom.append((name, str(value)))

    def style_attr(self, fmt: FastFormat | None) -> str:
        """The s="N" attribute of a cell in `fmt` ("" for the default style).

        A cell is made into XML when it is written, so a format's index is fixed at its
        first use, from the formats registered so far. Indexes only grow as formats are
        added (xlsxwriter numbers them in order of use), which close() checks; a template's
        later conditional formats cost one more prototype per process, not a moved index.
        """
        if fmt is None:
            return ""
        attr = self._style_of.get(fmt)
        if attr is not None:
            return attr
        attr = self._styles.get(fmt.key)
        if attr is None:
            if self.prototype is None or fmt.key not in self.prototype.xf_index:
                self.prototype = prototype_for(self._xf, self._dxf)
            index = self.prototype.xf_index.get(fmt.key, 0)
            attr = self._styles[fmt.key] = f' s="{index}"' if index else ""
        self._style_of[fmt] = attr
        return attr

    def close(self) -> None:
        self.prototype = prototype_for(self._xf, self._dxf)
        for key, attr in self._styles.items():
            index = self.prototype.xf_index.get(key, 0)
            if attr != (f' s="{index}"' if index else ""):
                raise RuntimeError(f"the style of format {dict(key)} moved after cells were written in it")
        parts = package_parts(self.sheets, self.prototype, self.custom, self.active)
        target = self.path
        if isinstance(target, (str, Path)):
            with open(target, "wb") as fh:
                write_zip(fh, parts)
        else:
            write_zip(target, parts)
