"""Easee models by `productCode` and what the API can say about a MID meter.

Product codes: easee_hass `custom_components/easee/const.py` `EASEE_PRODUCT_CODES` (reference
§2.4). No Easee API field says whether a charger has a MID-certified meter, and which models
carry one could not be confirmed from public sources, so every Easee charger's MID status is
"unknown" until the owner proves it (type plate or certificate): `mid_evidence` says so, and
the charger's `MidMeter` is never `present` from the API alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from chargebook.domain.models import MidMeter

PRODUCT_MODELS: dict[int, str] = {
    1: "Easee Home",
    100: "Easee Charge",
    2: "Easee Charge Lite",
    3: "Easee Charge Max",
    4: "Easee Charge Up",
    102: "Easee Charge Core",
    103: "Easee Charge Pro",
    400: "Easee Charge One",
}
# What the API proves about a MID meter: nothing (reference §2.4, §12).
NO_MID_EVIDENCE = MidMeter(enabled=False, serial_number=None, status=None)


def model_name(product_code: object) -> str:
    """The model for `productCode`; an unknown code is named as such, never guessed."""
    if isinstance(product_code, int) and not isinstance(product_code, bool):
        return PRODUCT_MODELS.get(product_code, f"Easee (product code {product_code})")
    return "Easee (unknown product code)"


@dataclass(frozen=True, slots=True)
class MidEvidence:
    """How an Easee charger's MID status stands: `status` is "unknown" for every Easee,
    with the follow-up that resolves it."""

    status: str
    source: str
    follow_up: str


def mid_evidence(product_code: object) -> MidEvidence:
    return MidEvidence(
        status="unknown",
        source=f"Easee Cloud API (model: {model_name(product_code)})",
        follow_up=(
            "The Easee API does not say whether this charger has a MID-certified meter. Ask "
            "the owner for a photo of the type plate or the MID certificate of this model "
            "before counting its sessions for ERE."
        ),
    )
