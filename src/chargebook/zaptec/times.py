"""Zaptec's timestamps as aware UTC datetimes.

The API writes them three ways (reference §3.4, §3.6): naive .NET times that are UTC
(`"2025-06-07T09:20:55.967"` in `chargehistory` and live state), `Z`/offset times
(`"2025-08-28T15:02:55.188048Z"` in a completed session, `"+00:00"` in energy details) and
OCMF's `"2025-06-07T09:20:55,943+00:00 R"` (comma decimals, a trailing clock-status letter).
.NET may write 7 fraction digits, one more than Python reads, so the fraction is cut to 6.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FRACTION = re.compile(r"([.,])(\d+)")


def parse_utc(text: str) -> datetime:
    """An API or OCMF timestamp as aware UTC.

    Raises:
        ValueError: not a timestamp.
    """
    value = text.strip()
    if " " in value:  # OCMF: "<time> <clock status letter>"
        value = value.split(" ", 1)[0]
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    value = _FRACTION.sub(lambda m: "." + m.group(2)[:6], value, count=1)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:  # Zaptec's naive times are UTC
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_query_time(moment: datetime) -> str:
    """A UTC time for `From`/`To` query parameters (`2026-03-10T18:00:00.000000Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
