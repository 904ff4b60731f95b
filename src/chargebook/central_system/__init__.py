"""chargebook's own OCPP central system (1.6J and 2.0.1 on one port, see `server.py` and
`v201/`), on the `ocpp` library and `websockets`.

Start it next to the web app (`chargebook serve`) or alone (`chargebook ocpp serve`):

    async with CentralSystem(settings, database) as central:
        port = await central.start("0.0.0.0", 8887)
        await central.set_current("CP-1", 10)

Sessions land in the book next to cloud sessions (source "ocpp", external id
"<charge point id>:<transactionId>"; for 2.0.1 the book's transaction row id, the station's
own string id in the session's raw payload), samples in session_samples.
"""

from chargebook.central_system.auth import generate_secret, hash_secret, issue_secret
from chargebook.central_system.exceptions import (
    CentralSystemError,
    ChargePointNotConnectedError,
    CommandInHandlerError,
    CommandRejectedError,
    CommandTimeoutError,
)
from chargebook.central_system.quirks import QUIRKS, ChargerQuirks, quirks_for
from chargebook.central_system.server import CentralSystem, run_central_system

__all__ = [
    "QUIRKS",
    "CentralSystem",
    "CentralSystemError",
    "ChargePointNotConnectedError",
    "ChargerQuirks",
    "CommandInHandlerError",
    "CommandRejectedError",
    "CommandTimeoutError",
    "generate_secret",
    "hash_secret",
    "issue_secret",
    "quirks_for",
    "run_central_system",
]
