"""Keep OCPP Basic-auth secrets out of the logs.

websockets logs every handshake header at DEBUG ("< Authorization: Basic ..."): with the root
logger at DEBUG a central system would write each charger's secret (base64 is no secret) into
the log. The filter blanks the value of credential headers and leaves the rest of the trace.
"""

from __future__ import annotations

import logging

CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


class HideCredentialHeaders(logging.Filter):
    """Replaces the value of a logged `"%s: %s"` credential header with "(hidden)"."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if (
            isinstance(args, tuple)
            and len(args) == 2
            and isinstance(args[0], str)
            and args[0].lower() in CREDENTIAL_HEADERS
        ):
            record.args = (args[0], "(hidden)")
        return True


def hide_credential_headers(logger: logging.Logger) -> None:
    """Install the filter on `logger` (once); filters apply to that logger's own records."""
    if not any(isinstance(f, HideCredentialHeaders) for f in logger.filters):
        logger.addFilter(HideCredentialHeaders())
