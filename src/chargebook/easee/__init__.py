"""Easee Cloud client (reference /work/shared/reference/charger-clouds.md §2): async httpx,
a conservative per-account budget, tokens in the given `TokenKeeper`, the full session
history with its raw evidence, and control through the one port. Composition roots use
`chargebook.easee.connector.CONNECTOR`."""

from chargebook.easee.budget import EaseeBudget, RequestKind
from chargebook.easee.client import CAPABILITIES, EaseeClient
from chargebook.easee.connector import CONNECTOR, EaseeConnector
from chargebook.easee.models import MidEvidence, mid_evidence, model_name

__all__ = [
    "CAPABILITIES",
    "CONNECTOR",
    "EaseeBudget",
    "EaseeClient",
    "EaseeConnector",
    "MidEvidence",
    "RequestKind",
    "mid_evidence",
    "model_name",
]
