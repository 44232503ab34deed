"""workbook_tools: a municipality's budget follow-up with smileys, run through Excel, as a library for finance's own scripts.

Finance keeps a master list of the budget agreement's elements; `followup generate`
makes one locked workbook per committee and round; staff fill in status texts and
smileys; `followup collect` validates the returns and merges them into an overview
and a report per committee. Every command is a function here:

    from workbook_tools import read_master, generate_round, collect_round, check_files

Names are loaded on first use, so `import workbook_tools` (and every worker
process the commands start) stays quick. Every error a user can cause and fix is
a :class:`FollowupError` with a Danish message saying what to do.
"""

from __future__ import annotations

import os
from importlib import import_module

# openpyxl switches to lxml whenever lxml is importable (python-docx brings it). We keep
# its defusedxml parser for returns from outside and its own writer for byte-stable
# feedback copies, whatever else is installed; set OPENPYXL_LXML=True to override.
os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"

# name -> the module that owns it: one line per name a script may use.
_EXPORTS = {
    # the round's jobs
    "generate_round": "pipeline",
    "collect_round": "pipeline",
    "check_files": "pipeline",
    "CollectRun": "pipeline",
    "CheckRun": "pipeline",
    # the year around the rounds
    "init_year_folder": "yearfolder",
    "write_new_year": "newyear",
    "run_demo": "demo",
    # the master and its model
    "read_master": "master",
    "write_master": "master",
    "MasterError": "master",
    "Agreement": "model",
    "Committee": "model",
    "Department": "model",
    "Element": "model",
    "Result": "model",
    "Round": "model",
    "Smiley": "model",
    # what is wrong, in the catalog's words
    "Problem": "problems",
    "Severity": "problems",
    "CATALOG": "problems",
    "FollowupError": "errors",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'workbook_tools' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
