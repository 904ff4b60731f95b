"""Errors of the OCPP central system.

ChargebookError
 └── CentralSystemError
      ├── ChargePointNotConnectedError   the charge point is offline (retryable)
      ├── CommandTimeoutError            no answer within the response timeout (retryable)
      ├── CommandRejectedError           CALLERROR, or a status such as Rejected (permanent)
      └── CommandInHandlerError          a command awaited inside a message handler (a bug)

No `ocpp` or `websockets` exception escapes the package; these carry the charge point id and,
for rejections, the OCPP error code or status.
"""

from __future__ import annotations

from chargebook.errors import ChargebookError


class CentralSystemError(ChargebookError):
    """Something the OCPP central system could not do."""

    def __init__(self, message: str, *, charge_point_id: str) -> None:
        super().__init__(message)
        self.charge_point_id = charge_point_id


class ChargePointNotConnectedError(CentralSystemError):
    """The charge point is not connected now; it may be when retried."""

    retryable = True


class CommandTimeoutError(CentralSystemError):
    """The charge point did not answer in time."""

    retryable = True


class CommandRejectedError(CentralSystemError):
    """The charge point answered with a CALLERROR or refused (e.g. status Rejected)."""

    def __init__(self, message: str, *, charge_point_id: str, code: str) -> None:
        super().__init__(message, charge_point_id=charge_point_id)
        self.code = code


class CommandInHandlerError(CentralSystemError):
    """A command was awaited inside an OCPP message handler, which would deadlock."""
