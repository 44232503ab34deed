"""The README's Python API example runs as written, from the example's folder."""

from __future__ import annotations

import doctest
import shutil

from conftest import EXAMPLE, ROOT


def test_the_readmes_python_api_example_runs(tmp_path, monkeypatch):
    folder = tmp_path / "budget-2018"
    shutil.copytree(EXAMPLE, folder)
    monkeypatch.chdir(folder)
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8
    assert result.failed == 0
