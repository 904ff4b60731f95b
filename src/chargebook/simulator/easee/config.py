"""Configuration of the Easee Cloud simulator (one frozen dataclass, plain defaults).

Times are seconds; rates are probabilities in [0, 1]. The limits follow reference §2.2: the
sessions, totals and site endpoints allow 10 calls an hour per account, then one call every
360 s; an account that keeps knocking after a 429 gets its "IP" blocked for 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Transient faults the simulator can inject into data requests (see faults.py).
FAULT_KINDS: tuple[str, ...] = (
    "server_error",  # 500/502/503; on a write, 500/502 come after it acted, 503 before
    "slow",  # a real delay of `slow_answer_s` before an otherwise normal answer
    "drop",  # response started, then the connection is cut mid-body (a write acted first)
    "truncated",  # a complete 200 whose JSON body is cut short (a write acted)
    "wrong_type",  # the JSON body is a string instead of the object or list (a write acted)
)
# Fault that hits `/api/accounts/refresh_token`: the refresh token has expired (401, errorCode
# 105, verbatim from evcc-io/evcc#8511).
REFRESH_EXPIRED = "refresh_expired"


@dataclass(frozen=True)
class SimulatorConfig:
    """How the simulated Easee Cloud behaves (see the module docstring)."""

    seed: int = 1
    accounts: int = 1
    chargers_per_account: int = 2
    days: int = 30
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = (*FAULT_KINDS, REFRESH_EXPIRED)
    fault_methods: tuple[str, ...] = ("GET", "POST", "PUT", "DELETE")
    fault_limit: int | None = None
    server_error_statuses: tuple[int, ...] = (500, 502, 503)
    slow_answer_s: float = 2.0
    latency_ms: int = 0
    # Tokens: a 2025 Keycloak token lives 3600 s, its refresh token 86400 s (reference §2.1).
    token_ttl_s: int = 3600
    refresh_token_ttl_s: int = 86400
    # Rate limits (per account): every data request, and the history endpoints apart.
    unlimited: bool = False
    requests_per_window: int = 500
    window_s: int = 300
    history_per_hour: int = 10
    history_trickle_s: int = 360
    block_after_refusals: int = 20
    block_s: int = 86400
    # Sessions the ground truth marks persistently malformed, and the real variant of a
    # history item without `actualDurationSeconds` and the energy-transfer times.
    bad_session_rate: float = 0.0
    short_item_rate: float = 0.25
    # The day every charger was installed (`createdOn`, "YYYY-MM-DD"); None: a day in 2019 or
    # 2020 per charger, as a real fleet. The client reads history from it, so the demo sets
    # it to where its short history starts (years of windows at 10 reads an hour would not).
    installed_on: str | None = None

    def __post_init__(self) -> None:
        if self.accounts < 1 or self.chargers_per_account < 1:
            raise ValueError("the simulator needs at least one account with one charger")
        if self.days < 0:
            raise ValueError("days must be >= 0")
        for name in ("fault_rate", "bad_session_rate", "short_item_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
        if self.installed_on is not None:
            date.fromisoformat(self.installed_on)  # ValueError for anything else
        unknown = set(self.fault_kinds) - {*FAULT_KINDS, REFRESH_EXPIRED}
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        if not self.server_error_statuses or any(
            not 500 <= status <= 599 for status in self.server_error_statuses
        ):
            raise ValueError("server_error_statuses must be 5xx statuses")
