"""Tell whether a return came late, by the municipality's own clock.

Deadlines are dates in Danish time, and the deadline day counts in full: a return
e-mailed at 00:30 Danish time, 22:30 UTC the day before, is on the next day.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .danish import long_date, long_datetime
from .problems import Problem
from .returncheck import CollectContext, ReturnCheck

# Deadlines are dates in the municipality's own time.
LOCAL_TIMEZONE = "Europe/Copenhagen"


def local_time(when: datetime) -> datetime:
    """A time in the municipality's zone: a return at 00:30 Danish time is on the next day."""
    try:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(LOCAL_TIMEZONE)
    except Exception:  # no time zone data on this machine
        zone = UTC
    return when.astimezone(zone) if when.tzinfo else when


def check_late(check: ReturnCheck, ctx: CollectContext) -> None:
    """Late by the e-mail's time, or else the file's; the deadline day counts in full."""
    deadline = ctx.agreement.round(ctx.round).deadline
    when = check.incoming.received or check.modified
    if deadline is None or when is None:
        return
    local = local_time(when)
    if local.date() > deadline:
        check.problems.append(Problem("late-return", check.name, check.committee, expected=long_date(deadline), found=long_datetime(local)))
