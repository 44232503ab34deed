"""`python -m workbook_tools`: the same as the `followup` command."""

import sys

from .cli import main

sys.exit(main())
