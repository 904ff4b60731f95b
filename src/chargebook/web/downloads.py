"""Headers of a file download: an attachment never kept in a cache.

Every download carries personal data (sessions, statements and payouts, the addresses and
mandates of a batch export), so it says `no-store` itself rather than relying on
the app-wide default of `web.headers`: a route that leaves the app keeps its headers.
"""

from __future__ import annotations


def download_headers(filename: str) -> dict[str, str]:
    """`Content-Disposition: attachment` with `filename` and `Cache-Control: no-store`.

    `filename` is built by chargebook from ids and labels (ASCII, no quotes).
    """
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
