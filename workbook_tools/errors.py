"""The one base class of every error a user can cause and fix: a script catches FollowupError.

Each module keeps its own subclass (MasterError, LayoutError, MailError …) with a
Danish message that names the file, sheet or cell and says what to do; the command
line prints that message and exits 2, and a finance script can catch them all at once.
"""

from __future__ import annotations


class FollowupError(Exception):
    """Something in the inputs or the call that the user can fix; str() says what and how, in Danish."""
