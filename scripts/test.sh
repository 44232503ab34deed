#!/usr/bin/env bash
# Set up a virtual environment with the test tools and run the whole test suite.
# LibreOffice (Debian: libreoffice-calc-nogui, -writer-nogui, python3-uno) is installed when we are root;
# otherwise the tests that need it say so and skip.
set -euo pipefail
cd "$(dirname "$0")/.."
# What the tests use as a person's programs: Calc and Writer headless, uno, pdftotext, the fonts.
NEEDED="libreoffice-calc-nogui libreoffice-writer-nogui python3-uno poppler-utils fonts-crosextra-carlito fonts-dejavu-core"
missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    for p in $NEEDED; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
fi
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing LibreOffice (headless) and friends for the tests that act as a person using Excel and Word:$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet ".[test]"
.venv/bin/python -m pytest "$@"
