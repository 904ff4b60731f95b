"""What the central system does with charger messages: boot facts and the metering verdict,
status, transactions, meter values. Handlers parse; this records, through the group-commit
writer, so the book holds a frame before the charger gets its answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chargebook.central_system.quirks import ChargerQuirks, quirks_for
from chargebook.central_system.readings import parse_meter_values, parse_timestamp
from chargebook.central_system.writer import BookWriter
from chargebook.domain.ocpp import OcppBoot, OcppCredentials, OcppTransaction, StopOutcome
from chargebook.domain.ocpp201 import TransactionEventFacts, TransactionEventOutcome
from chargebook.domain.ports import OcppBook
from chargebook.ere import MeteringVerdict, assess_ocpp_boot


class OcppRecorder:
    """Records what charge points report into the book."""

    def __init__(self, writer: BookWriter) -> None:
        self._writer = writer
        # The quirks read with a handshake's credentials, for its connection to take once
        # (`quirks`): one book read per connecting charger instead of two.
        self._handshake_quirks: dict[str, ChargerQuirks] = {}

    async def credentials(self, charge_point_id: str) -> OcppCredentials | None:
        """How the charge point authenticates, or None if unknown."""
        found = await self._writer.run(
            lambda book: book.chargers.credentials_and_make(charge_point_id)
        )
        if found is None:
            return None
        credentials, vendor, model = found
        self._handshake_quirks[charge_point_id] = quirks_for(vendor, model)
        return credentials

    async def raise_security_profile(self, charge_point_id: str, profile: int) -> None:
        """Store a higher minimum security profile (`domain.ocpp_security.decide`)."""
        await self._writer.run(
            lambda book: book.chargers.raise_min_security_profile(charge_point_id, profile)
        )

    async def register_unclaimed(
        self, charge_point_id: str, *, secret_hash: str | None
    ) -> OcppCredentials:
        """Register an unknown charge point (home-LAN "accept unknown" mode), unclaimed.

        With a password the charger is trusted on first use (its hash is stored); without one
        it may keep connecting without a password.
        """

        def register(book: OcppBook) -> OcppCredentials:
            known = book.chargers.credentials(charge_point_id)
            if known is not None:  # registered meanwhile by a parallel handshake
                return known
            return book.chargers.register(
                charge_point_id,
                secret_hash=secret_hash,
                allow_empty_password=secret_hash is None,
            )

        return await self._writer.run(register)

    async def replace_secret_hash(self, charge_point_id: str, *, old: str, new: str) -> bool:
        """Store the same secret in a new form if the book still holds `old`."""
        return await self._writer.run(
            lambda book: book.chargers.replace_secret_hash(charge_point_id, old=old, new=new)
        )

    async def boot(
        self, charge_point_id: str, *, vendor: str, model: str, details: Mapping[str, Any]
    ) -> ChargerQuirks:
        """Store a BootNotification and the metering verdict; returns the charger's quirks."""
        meter_type = details.get("meter_type")
        meter_serial = details.get("meter_serial_number")
        assessment = assess_ocpp_boot(
            meter_type=meter_type, meter_serial_number=meter_serial, charge_point_model=model
        )
        boot = OcppBoot(
            vendor=vendor,
            model=model,
            serial_number=details.get("charge_point_serial_number")
            or details.get("charge_box_serial_number"),
            firmware_version=details.get("firmware_version"),
            meter_type=meter_type,
            meter_serial_number=meter_serial,
            metering_verdict=assessment.verdict.value,
            metering_explanation=assessment.explanation,
            mid_qualifying=assessment.verdict is MeteringVerdict.QUALIFYING,
        )
        await self._writer.run(lambda book: book.chargers.record_boot(charge_point_id, boot))
        return quirks_for(vendor, model)

    async def quirks(self, charge_point_id: str) -> ChargerQuirks:
        """The quirks by the vendor and model of the last BootNotification (as read with the
        handshake's credentials when there was one)."""
        known = self._handshake_quirks.pop(charge_point_id, None)
        if known is not None:
            return known
        vendor, model = await self._writer.run(
            lambda book: book.chargers.vendor_and_model(charge_point_id)
        )
        return quirks_for(vendor, model)

    async def status(
        self, charge_point_id: str, *, status: str, error_code: str, timestamp: str | None
    ) -> None:
        """Store a StatusNotification (its own timestamp, else now)."""
        at = parse_timestamp(timestamp) if timestamp else None

        await self._writer.run(
            lambda book: book.chargers.record_status(
                charge_point_id, status=status, error_code=error_code, at=at
            )
        )

    async def start(
        self,
        charge_point_id: str,
        *,
        connector_id: int,
        id_tag: str,
        meter_start_wh: int,
        timestamp: str,
        frame: str,
    ) -> int:
        """Open (or find again) a transaction; returns its transactionId."""
        started_at = parse_timestamp(timestamp)
        return await self._writer.run(
            lambda book: book.start_transaction(
                charge_point_id,
                connector_id=connector_id,
                id_tag=id_tag,
                meter_start_wh=meter_start_wh,
                started_at=started_at,
                frame=frame,
            )
        )

    async def meter_values(
        self,
        charge_point_id: str,
        *,
        transaction_id: int | None,
        meter_value: Sequence[Mapping[str, Any]],
        frame: str,
    ) -> int:
        """Store the readings as samples; returns how many were new."""
        readings = parse_meter_values(meter_value)
        return await self._writer.run(
            lambda book: book.add_meter_values(
                charge_point_id, transaction_id=transaction_id, readings=readings, frame=frame
            )
        )

    async def stop(
        self,
        charge_point_id: str,
        *,
        transaction_id: int,
        meter_stop_wh: int,
        timestamp: str,
        reason: str | None,
        transaction_data: Sequence[Mapping[str, Any]] | None,
        frame: str,
    ) -> StopOutcome:
        """Close the transaction and write its session (idempotent)."""
        stopped_at = parse_timestamp(timestamp)
        readings = parse_meter_values(transaction_data or [])
        return await self._writer.run(
            lambda book: book.stop_transaction(
                charge_point_id,
                transaction_id=transaction_id,
                meter_stop_wh=meter_stop_wh,
                stopped_at=stopped_at,
                reason=reason,
                readings=readings,
                frame=frame,
            )
        )

    async def transaction_event(
        self,
        charge_point_id: str,
        *,
        event: TransactionEventFacts,
        meter_value: Sequence[Mapping[str, Any]],
        frame: str,
    ) -> TransactionEventOutcome:
        """Store an OCPP 2.0.1 TransactionEvent (its meter values in the 1.6 shape, see
        `central_system.v201.readings`); idempotent, closes the transaction on Ended."""
        readings = parse_meter_values(meter_value)
        return await self._writer.run(
            lambda book: book.transaction_event(
                charge_point_id, event=event, readings=readings, frame=frame
            )
        )

    async def open_transactions(self, charge_point_id: str) -> list[OcppTransaction]:
        """The charger's open transactions, oldest first."""
        return await self._writer.run(lambda book: book.open_transactions(charge_point_id))
