"""How fresh a reading is, in words: the charger page and `chargebook wallbox status` agree."""

from __future__ import annotations

from datetime import datetime


def updated_ago(observed_at: datetime | None, now: datetime) -> str:
    """'updated 40 s ago', 'updated 3 min ago', 'updated 2 h ago' or 'no reading yet'.

    A time ahead of `now` (clocks of two machines) reads as 'updated just now'.
    """
    if observed_at is None:
        return "no reading yet"
    age_s = (now - observed_at).total_seconds()
    if age_s < 1:
        return "updated just now"
    if age_s < 90:
        return f"updated {int(age_s)} s ago"
    if age_s < 90 * 60:
        return f"updated {round(age_s / 60)} min ago"
    if age_s < 48 * 3600:
        return f"updated {round(age_s / 3600)} h ago"
    return f"updated {round(age_s / 86400)} days ago"
