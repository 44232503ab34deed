"""What a collect folder holds: the names of everything `followup collect` writes in --out.

One place for the folder's layout, so that what writes it (pipeline, report,
feedback, committee_report), what reads it (mail) and the command line's own checks
agree on every name. What each file contains is described in the README ("A round,
step by step") and, for problems.json, in docs/results.md.
"""

from __future__ import annotations

import re
from pathlib import Path

MASTER_NAME = "master.xlsx"  # the master with the round's accepted answers merged
OVERVIEW_NAME = "overview.xlsx"  # the whole municipality at a glance, for finance
VALIDATION_NAME = "validation.xlsx"  # every problem, for people: Danish headings, colours, filters
PROBLEMS_NAME = "problems.json"  # the same problems and every return's verdict, for programs (docs/results.md)
REPORTS_DIR = "reports"  # each committee's report, .xlsx and .pdf
FEEDBACK_DIR = "feedback"  # annotated copies of the returns with a problem, to send back
RETIRED_DIR = "forældede"  # under FEEDBACK_DIR: copies an earlier collect made that no longer fit
ARCHIVE_DIR = "archive"  # a copy of every processed return, by its SHA-256, with an index

FEEDBACK_SUFFIX = "_tilbagemelding.xlsx"


MAIL_PATH_ARROW = " › "  # how collect shows an e-mail's attachment: "mail.eml › svar.xlsx"


def sent_name(display_name: str) -> str:
    """The file's name as the sender sent it: the attachment of an e-mail, without the folders finance keeps it in."""
    last = display_name.rsplit(MAIL_PATH_ARROW, 1)[-1]
    return re.split(r"[\\/]", last)[-1]


def feedback_file_name(display_name: str) -> str:
    """The annotated copy's file name for a return shown as `display_name`: `<sent name>_tilbagemelding.xlsx`.

    One rule for collect's copy, the demo and the reminder's attachment: the name the sender
    gave the file (:func:`sent_name`), so they recognise it; two with the same name are told
    apart by :func:`distinct_feedback_name`.
    """
    stem = re.sub(r"[\\/:*?\"<>|]+", "_", str(Path(sent_name(display_name)).with_suffix("")))[:150]  # file systems allow 255 bytes
    return f"{stem.strip('_. ') or 'besvarelse'}{FEEDBACK_SUFFIX}"


def distinct_feedback_name(name: str, sha256: str) -> str:
    """The copy's name when two returns share a file name (from different folders): the return's hash tells them apart."""
    return name.replace(FEEDBACK_SUFFIX, f"_{sha256[:8]}{FEEDBACK_SUFFIX}")
