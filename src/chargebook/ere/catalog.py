"""Charger model catalog: which models can carry a built-in MID meter.

A data table, matched by part-number prefix (longest first) and, when the part number is
unknown or unmatched, by normalised model name. Sources: reference wallbox-cloud-api.md §4
(part numbers, Pulsar Plus "Internal NON compliant") and ere-rules.md §7 (Joulo: Pulsar Plus,
Pulsar Pro and consumer Commander have no MID meter; Tesla's MID Wall Connector part number).
Business variants whose MID SKUs no source confirms are `ONLY_IF_REPORTED`: they count only
when the API reports a MID meter.

The brands of issue 19 (reference charger-clouds.md §2.4, §3.3, §7.2, §12), matched by their
brand-prefixed model names (and Zaptec's serial prefixes, from docs.zaptec.com "identify
device types"): Easee's API has no MID field and no stored source confirms which Easee models
carry a MID meter, so every Easee model is `ONLY_IF_REPORTED` (the owner proves it: the type
plate's MID mark, recorded by the operator with its evidence); Zaptec Go, Go 2 and Pro and
Peblar Home, Home Plus and Business carry one by their makers (`YES`), and count when the API
reports it for the charger (Zaptec's MID field and signed sessions, Peblar's `HwHasMeter`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MidCapability(StrEnum):
    """Whether a model family carries a MID meter."""

    YES = "yes"
    NO = "no"
    ONLY_IF_REPORTED = "only_if_reported"


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One model family: part-number prefixes and names that identify it."""

    model_name: str
    has_mid: MidCapability
    part_number_prefixes: tuple[str, ...] = ()
    model_names: tuple[str, ...] = ()  # normalised: lower case, letters and digits only
    note: str = ""


MODEL_CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "Tesla Wall Connector Gen 3 (MID)",
        MidCapability.YES,
        ("1529455",),
        (),
        "MID variant with an EN 50470-3 meter (ere-rules.md §7, [Tesla-WC])",
    ),
    CatalogEntry(
        "Wallbox Pulsar Plus",
        MidCapability.NO,
        ("PLP1", "PUP1", "PUP2"),
        ("pulsarplus", "pulsarplusus"),
        "consumer model without a MID meter",
    ),
    CatalogEntry(
        "Wallbox Pulsar Pro",
        MidCapability.NO,
        ("PUP3",),
        ("pulsarpro",),
        "consumer model without a MID meter (PUP3 prefix unconfirmed)",
    ),
    CatalogEntry(
        "Wallbox Commander",
        MidCapability.ONLY_IF_REPORTED,
        (),
        ("commander", "commander2"),
        "consumer Commander has no MID meter; MID variants count only when reported",
    ),
    CatalogEntry(
        "Wallbox Copper SB",
        MidCapability.ONLY_IF_REPORTED,
        (),
        ("coppersb", "copper"),
        "business model; counts only when the API reports a MID meter",
    ),
    CatalogEntry(
        "Wallbox Pulsar Max",
        MidCapability.ONLY_IF_REPORTED,
        (),
        ("pulsarmax",),
        "no source on MID variants; counts only when the API reports a MID meter",
    ),
    CatalogEntry(
        "Wallbox Quasar",
        MidCapability.ONLY_IF_REPORTED,
        ("QS",),
        ("quasar", "quasar2"),
        "bidirectional; counts only when the API reports a MID meter",
    ),
    *(
        CatalogEntry(
            f"Easee {name}",
            MidCapability.ONLY_IF_REPORTED,
            (),
            names,
            "Easee's API has no MID field and no source confirms a MID meter in this model: it "
            "counts only when the owner proves it (type plate, certificate)",
        )
        for name, names in (
            ("Home", ("easeehome",)),
            ("Charge", ("easeecharge",)),
            ("One", ("easeeone", "easeechargeone")),
            ("Charge Lite", ("easeechargelite", "chargelite")),
            ("Charge Max", ("easeechargemax", "chargemax")),
            ("Charge Up", ("easeechargeup", "chargeup")),
            ("Charge Core", ("easeechargecore", "chargecore")),
            ("Charge Pro", ("easeechargepro",)),
        )
    ),
    CatalogEntry(
        "Zaptec Go",
        MidCapability.YES,
        ("ZAP", "ZGB", "ZAG"),
        ("zaptecgo",),
        "MID observations and OCMF-signed sessions in the API (certificate not seen)",
    ),
    CatalogEntry(
        "Zaptec Go 2",
        MidCapability.YES,
        ("GPN", "GPG"),
        ("zaptecgo2",),
        "MID observations and OCMF-signed sessions in the API (certificate not seen)",
    ),
    CatalogEntry(
        "Zaptec Pro",
        MidCapability.YES,
        ("ZCS", "ZPR", "ZCH", "ZPG"),
        ("zaptecpro",),
        "MID observations and OCMF-signed sessions in the API (certificate not seen)",
    ),
    *(
        CatalogEntry(
            f"Peblar {name}",
            MidCapability.YES,
            (),
            names,
            "built-in meter reported by system/info HwHasMeter (MID by the maker's datasheet)",
        )
        for name, names in (
            ("Home", ("peblarhome",)),
            ("Home Plus", ("peblarhomeplus",)),
            ("Business", ("peblarbusiness",)),
        )
    ),
)


def _normalise_name(name: str) -> str:
    return "".join(char for char in name.lower() if char.isalnum())


def lookup_model(
    part_number: str | None,
    model_name: str | None = None,
    catalog: tuple[CatalogEntry, ...] = MODEL_CATALOG,
) -> CatalogEntry | None:
    """Find the catalog entry for a charger.

    Args:
        part_number: e.g. `PLP1-M-2-4-9-002-F` or OCPP's truncated `PLP1-0-2-3`.
        model_name: free-text model (`chargerType`, `model_name`), used when the part number
            does not match.
        catalog: the table to search (tests may pass their own).

    Returns:
        The matching entry (longest part-number prefix wins), or None when unknown.
    """
    if part_number:
        code = part_number.strip().upper()
        best: CatalogEntry | None = None
        best_length = 0
        for entry in catalog:
            for prefix in entry.part_number_prefixes:
                if code.startswith(prefix) and len(prefix) > best_length:
                    best, best_length = entry, len(prefix)
        if best is not None:
            return best
    if model_name:
        wanted = _normalise_name(model_name)
        for entry in catalog:
            if wanted in entry.model_names:
                return entry
    return None
