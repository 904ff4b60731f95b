"""Per vendor and model quirks of OCPP chargers, as data (evcc templates, HA OCPP issues).

`quirks_for(vendor, model)` returns the first matching rule's quirks, or the defaults. Matching
is case-insensitive on the vendor and on a model prefix ("" matches every model).

`READING_QUIRKS` lists how real chargers send meter readings and how `readings.py` and
`chargebook.domain.ocpp` read them; every entry names its source, and the recorded frames are
in tests/fixtures/real/ocpp (see SOURCES there).
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
    # Evidence only (the register mode is decided from the readings themselves, see
    # `chargebook.domain.ocpp.decide_register_mode`): MeterValues energy is session-relative
    # while Start/Stop are lifetime.
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
    # Recorded Pulsar Plus and Copper SB frames carry the lifetime register in MeterValues
    # (lbbrhzn/ocpp #1069, #1786; evcc #15492), sometimes after a spurious 0 (issue 15).
    session_relative_meter_values=False,
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


@dataclass(frozen=True, slots=True)
class ReadingQuirk:
    """One way real chargers send meter readings, and how the book reads it."""

    chargers: str
    behaviour: str
    handling: str
    source: str


READING_QUIRKS: tuple[ReadingQuirk, ...] = (
    ReadingQuirk(
        "Wallbox Pulsar Plus; MicroOcpp-based chargers; EVBox Elvi",
        "an Energy.Active.Import.Register of 0 before the lifetime register",
        "a register of about 0 decides no register mode; the first reading above 0 does, and a "
        "'session' decision is revised when a register could only be the lifetime one",
        "issue 15; matth-x/MicroOcpp #128; evcc-io/evcc #26734",
    ),
    ReadingQuirk(
        "Growatt THOR 11AS / 22AS",
        "Sample.Periodic and Transaction.Begin registers in one meterValue",
        "contexts are never added up: the periodic value is the reading, the Transaction.Begin "
        "value is kept as evidence (transaction_begin_register_wh)",
        "lbbrhzn/ocpp #1466, #1709, #1838",
    ),
    ReadingQuirk(
        "Growatt THOR 11AS, ABB Terra AC",
        "session-relative energy in MeterValues while meterStart/meterStop are lifetime",
        "register mode SESSION (a register above 0 and below meterStart)",
        "lbbrhzn/ocpp #919, #1466",
    ),
    ReadingQuirk(
        "ABB Terra AC, Growatt THOR, MicroOcpp",
        "power and current per phase (L1, L2, L3) without a total; voltage as L1-N",
        "a total wins; else energy and power phases are summed, current is the highest phase; "
        "neutral and line-to-line values are never summed",
        "lbbrhzn/ocpp #374, #1466; matth-x/MicroOcpp #193",
    ),
    ReadingQuirk(
        "MicroOcpp-based chargers",
        "values with spaces (' 0.0'), enumerations in their own case ('Current.import'), "
        "units the 1.6 schema lacks ('Hz')",
        "values are stripped; enumerations respelled before schema validation, a sampled "
        "value naming an unknown one is left out instead of refusing the whole MeterValues "
        "(wire_spelling.py)",
        "matth-x/MicroOcpp #128, #193",
    ),
    ReadingQuirk(
        "Alfen EVE Pro",
        "a context that is no 1.6 value ('CurrentMax'), a value without measurand in A, "
        "transactionId 9223372036854775807",
        "the unknown value is left out (not the whole MeterValues); a value without measurand "
        "is the register only in Wh/kWh; an id chargebook never gave names no transaction",
        "lbbrhzn/ocpp #361",
    ),
    ReadingQuirk(
        "charge point HKW.WB07",
        "every sampled value in its own meterValue element, all with one timestamp",
        "elements of one timestamp are one reading (readings.parse_meter_values)",
        "evcc-io/evcc #27686",
    ),
    ReadingQuirk(
        "charge point JVH223002421WE",
        "location Body, power in kW, phases as L1-N",
        "Body is a meter location; L1-N is phase 1 for power and current",
        "evcc-io/evcc #16966",
    ),
    ReadingQuirk(
        "Growatt THOR",
        "timestamps with a local offset (+01:00, +10:00)",
        "converted to UTC",
        "lbbrhzn/ocpp #1466, #1838",
    ),
    ReadingQuirk(
        "any charger (Wallbox Trigger answers, StopTransaction data)",
        "several readings with the same second",
        "merged into one sample: the later reading's measured values win, the register is the "
        "highest (SampleRepository.add_known)",
        "issue 15 (OCPP timestamps are often whole seconds, as in every recorded Wallbox frame)",
    ),
    ReadingQuirk(
        "all (OCPP 1.6 allows both)",
        "energy in kWh or power in kW instead of Wh and W",
        "scaled by the unit; a value in an unknown unit is skipped, never guessed",
        "OCPP 1.6 UnitOfMeasure; road-labs/chargestation-one #61",
    ),
)
