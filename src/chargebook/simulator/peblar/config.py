"""Configuration of the Peblar charger simulator (one frozen dataclass, plain defaults)."""

from __future__ import annotations

from dataclasses import dataclass

# Transient faults the simulator can inject (see faults.py). Reads change nothing either way;
# a write is refused before it acts only by a 503, every other fault hits it after it acted.
FAULT_KINDS: tuple[str, ...] = (
    "server_error",  # 500/502/503
    "timeout",  # no answer in time (in-process: an httpx.ReadTimeout; served: a 504)
    "drop",  # response started, then the connection is cut mid-body
    "truncated",  # a 200 whose JSON body is cut short
    "wrong_type",  # a 200 whose JSON is a string instead of the object
)

# The hardware the reference and the recorded payloads show (python-peblar tests/fixtures,
# HA core tests/components/peblar/fixtures): a three-phase Home with MID meter and display, a
# single-phase one (its meter leaves the phase 2 and 3 fields out), a white-label unit sold
# under another vendor's name, and a Business with the German Eichrecht laser marking.
VARIANTS: tuple[str, ...] = ("home", "home_1p", "whitelabel", "business_eichrecht")


@dataclass(frozen=True)
class PeblarSimConfig:
    """How the simulated charger behaves.

    Rates are probabilities in [0, 1]. `fault_rate` applies per API request (not the web
    login); `bad_session_rate` marks meter-log records the charger reports as corrupted.
    `requests_per_minute` is the charger's own throttle (0: none; the real charger's limit is
    undocumented, python-peblar retries its 429).
    """

    seed: int = 1
    days: int = 30
    variant: str = "home"
    web_password: str = "demo-password"  # noqa: S105 (the published demo credential)
    firmware: str = "1.9.0+1+WL-1"
    mid_certified: bool = True
    rest_api_enabled: bool = True
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    fault_methods: tuple[str, ...] = ("GET", "PATCH", "PUT", "POST")
    fault_limit: int | None = None
    server_error_statuses: tuple[int, ...] = (500, 502, 503)
    bad_session_rate: float = 0.0
    requests_per_minute: int = 0
    latency_ms: int = 0

    def __post_init__(self) -> None:
        if self.days < 0:
            raise ValueError("days must be >= 0")
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(VARIANTS)}")
        for name in ("fault_rate", "bad_session_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
        unknown = set(self.fault_kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        if any(not 500 <= status <= 599 for status in self.server_error_statuses):
            raise ValueError("server_error_statuses must be 5xx statuses")
        if self.requests_per_minute < 0 or self.latency_ms < 0:
            raise ValueError("requests_per_minute and latency_ms must be >= 0")
        if not self.web_password:
            raise ValueError("the web password must not be empty")
