"""Collect's findings as data: problems.json, what validation.xlsx shows people, for programs.

``validation.xlsx`` is written for finance (Danish headings and severities, colours,
columns they may sort and move) and nothing reads it back. ``problems.json``, beside
it, holds the same problems in the same order, keyed as :meth:`Problem.as_dict`, and
every return's verdict; ``followup mail reminders`` and finance's own scripts read
this. Its shape is documented in docs/results.md: keys are only ever added, and
`format` changes only if one must change meaning.

The file is written atomically and byte for byte the same for the same run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import atomic_write_bytes, read_cause
from .errors import FollowupError
from .merge import ACCEPTED, REJECTED

if TYPE_CHECKING:
    from .returncheck import ReturnCheck

PROBLEMS_FORMAT = 1
# What a return's entry leaves out of ReturnCheck.as_dict(): the path of an e-mail's attachment is a
# temporary copy that differs on every run, and the return's problems are in the file's own list.
_NOT_KEPT = ("path", "problems")


class ResultsError(FollowupError):
    """A problems.json that cannot be used: not JSON, not collect's, or from a newer version."""


@dataclass(frozen=True)
class CollectResults:
    """What problems.json says: the round, each return's verdict, and every problem, as in docs/results.md."""

    round: int
    returns: list[dict]
    problems: list[dict]  # every value a string, as Problem.as_dict() gives it


def return_entry(check: ReturnCheck, status: str) -> dict:
    """One return in problems.json: who and what it is (ReturnCheck.as_dict) and what became of it (`status`, from the merge)."""
    entry = {k: v for k, v in check.as_dict().items() if k not in _NOT_KEPT}
    entry["status"] = status
    return entry


def problems_document(round_number: int, checks: list[ReturnCheck], problems: list[dict], status: Mapping[str, str]) -> dict:
    """problems.json as a dict. `problems` as Problem.as_dict() gives them, in validation.xlsx's order; `status` is each return's fate by file name."""
    return {
        "format": PROBLEMS_FORMAT,
        "round": round_number,
        "returns": [return_entry(c, status.get(c.name) or (ACCEPTED if c.accepted else REJECTED)) for c in checks],
        "problems": problems,
    }


def problems_bytes(document: dict) -> bytes:
    """The document as the file holds it: UTF-8 with æøå as themselves, keys in their fixed order, one return or problem per line.

    One entry a line reads well in grep and a diff, and is three times quicker to
    write than JSON indented throughout: early in a large round there are tens of
    thousands of problems.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode
    members = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            members.append(f"  {encode(key)}: [\n    " + ",\n    ".join(map(encode, value)) + "\n  ]")
        else:
            members.append(f"  {encode(key)}: {encode(value)}")
    return ("{\n" + ",\n".join(members) + "\n}\n").encode("utf-8")


def write_problems(path: Path | str, round_number: int, checks: list[ReturnCheck], problems: list[dict], status: Mapping[str, str]) -> Path:
    """Write problems.json (atomically): a crash leaves the old file or the new one, never half of one.

    `problems` as Problem.as_dict() gives them: collect makes them once for both lists.
    """
    return atomic_write_bytes(path, problems_bytes(problems_document(round_number, checks, problems, status)))


def read_problems(path: Path | str) -> CollectResults:
    """Read a problems.json that collect wrote; ResultsError (in Danish, with what to do) if it cannot be used."""
    path = Path(path)
    again = f"kør followup collect igen med --out {path.parent}."
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path} er ikke gyldig JSON (linje {exc.lineno}); {again}") from None
    except (OSError, UnicodeDecodeError) as exc:
        cause = read_cause(exc) if isinstance(exc, OSError) else "teksten er ikke UTF-8"
        raise ResultsError(f"{path} kan ikke læses ({cause}); {again}") from None
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("round"), int)
        or not all(isinstance(doc.get(k), list) for k in ("returns", "problems"))
    ):
        raise ResultsError(f"{path} er ikke en problemliste fra followup collect; {again}")
    if not isinstance(doc.get("format"), int) or doc["format"] > PROBLEMS_FORMAT:
        raise ResultsError(
            f"{path} er skrevet af en nyere version af followup (format {doc.get('format')}); opdatér programmet, eller {again}"
        )
    returns = [r for r in doc["returns"] if isinstance(r, dict)]
    problems = [{k: "" if v is None else str(v) for k, v in p.items()} for p in doc["problems"] if isinstance(p, dict)]
    return CollectResults(doc["round"], returns, problems)
