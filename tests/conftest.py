import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fill_kit import fill_template  # noqa: E402
from synthetic import synthetic_agreement, synthetic_answers  # noqa: E402

from workbook_tools.master import write_master  # noqa: E402
from workbook_tools.template import generate_templates  # noqa: E402
from workbook_tools.texts import load_texts  # noqa: E402

EXAMPLE = ROOT / "examples" / "budget-2018"
# The example's layout quotes the seed's own wording where the factory texts differ from it.
EXAMPLE_LAYOUT = EXAMPLE / "layout.xlsx"


@pytest.fixture
def texts():
    return load_texts()


@pytest.fixture
def agreement():
    return synthetic_agreement()


@pytest.fixture
def master(tmp_path, agreement):
    return write_master(agreement, tmp_path / "master.xlsx")


@pytest.fixture
def kit(tmp_path, agreement, texts):
    """Round 1's templates and returns made by code, the ways staff return them (tests/returns_kit.py)."""
    from returns_kit import Kit

    return Kit(tmp_path, agreement, texts)


@pytest.fixture
def round1(tmp_path, agreement, master, texts):
    """Round 1 generated for every committee, and a filled return for each, in tmp/returns."""
    made = generate_templates(agreement, 1, tmp_path / "templates", texts)
    returns = tmp_path / "returns"
    returns.mkdir()
    for m in made:
        fill_template(
            tmp_path / "templates" / m.file,
            returns / m.file,
            agreement,
            m.committee,
            1,
            synthetic_answers(agreement, m.committee, 1),
            texts,
        )
    return returns


def soffice_or_skip():
    """LibreOffice headless, or skip; in CI (FOLLOWUP_REQUIRE_LIBREOFFICE=1) a missing one fails."""
    path = shutil.which("soffice")
    if path and os.path.exists("/usr/bin/python3"):
        return path
    if os.environ.get("FOLLOWUP_REQUIRE_LIBREOFFICE"):
        pytest.fail("LibreOffice (soffice) is required here but not installed")
    pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui python3-uno)")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A running headless LibreOffice, a person's stand-in for Excel (tests/office.py)."""
    from office import running_office

    with running_office(tmp_path_factory.mktemp("libreoffice")) as running:
        yield running


def followup_command(*args) -> list[str]:
    """`followup ARGS…` as a subprocess runs it: this Python's `-m workbook_tools`, every argument as text."""
    return [sys.executable, "-m", "workbook_tools", *map(str, args)]
