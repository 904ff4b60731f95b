"""Per vendor and model quirks of OCPP chargers, as data (evcc templates, HA OCPP issues).

`quirks_for(vendor, model)` returns the first matching rule's quirks, or the defaults. Matching
is case-insensitive on the vendor and on a model prefix ("" matches every model).
"""

from __future__ import annotations

from dataclasses import dataclass

# What the central system asks chargers to sample, minus each model's unsupported measurands.
DEFAULT_MEASURANDS = (
    "Energy.Active.Import.Register",
    "Power.Active.Import",
    "Current.Import",
    "Current.Offered",
    "Power.Offered",
)


@dataclass(frozen=True, slots=True)
class ChargerQuirks:
    """How to drive one kind of charger."""

    remote_start_required: bool = False  # no autostart: send RemoteStart when a car plugs in
    stack_level: int | None = (
        None  # fixed stack level for profiles (None: the charger's max, 0 if unknown)
    )
    profile_kind: str = "Absolute"  # chargingProfileKind of the TxDefaultProfile
    unsupported_measurands: frozenset[str] = frozenset()
    # Evidence only: MeterValues energy is session-relative while Start/Stop are lifetime.
    session_relative_meter_values: bool = False

    @property
    def measurands(self) -> tuple[str, ...]:
        """The measurands to configure (MeterValuesSampledData), in order."""
        return tuple(m for m in DEFAULT_MEASURANDS if m not in self.unsupported_measurands)


@dataclass(frozen=True, slots=True)
class QuirkRule:
    vendor: str
    model_prefix: str
    quirks: ChargerQuirks
    source: str  # where the quirk is documented


WALLBOX = ChargerQuirks(
    remote_start_required=True,
    stack_level=0,
    profile_kind="Relative",
    unsupported_measurands=frozenset({"Current.Offered", "Power.Offered"}),
    session_relative_meter_values=True,
)

QUIRKS: tuple[QuirkRule, ...] = (
    QuirkRule(
        "Wall Box Chargers",
        "",
        WALLBOX,
        "evcc templates ocpp-wallbox(-fw5).yaml; evcc #15535, #15490; HA OCPP #1069, #1725",
    ),
)

DEFAULT_QUIRKS = ChargerQuirks()


def quirks_for(
    vendor: str | None, model: str | None, rules: tuple[QuirkRule, ...] = QUIRKS
) -> ChargerQuirks:
    """The quirks of a charger by its BootNotification vendor and model."""
    vendor_key = (vendor or "").strip().lower()
    model_key = (model or "").strip().lower()
    for rule in rules:
        if rule.vendor.lower() == vendor_key and model_key.startswith(rule.model_prefix.lower()):
            return rule.quirks
    return DEFAULT_QUIRKS
