"""Configuration of the Wallbox Cloud simulator (one frozen dataclass, plain defaults)."""

from __future__ import annotations

from dataclasses import dataclass

# Transient faults the simulator can inject into data requests (see faults.py).
FAULT_KINDS: tuple[str, ...] = (
    "server_error",  # 500/502/503; on a write, 500/502 come after it acted, 503 before
    "slow",  # a real delay of `slow_answer_s` before an otherwise normal answer
    "drop",  # response started, then the connection is cut mid-body (a write acted first)
    "truncated",  # complete 200 response whose JSON body is cut short (a write acted)
    "missing_key",  # a top-level envelope key is missing (a write acted)
    "wrong_type",  # a top-level envelope value has the wrong type (a write acted)
    "duplicate",  # sessions/stats page overlaps the previous page by one session
)

# Fault that hits `/users/refresh-token`: the refresh token turns out to be revoked (401).
REVOKED_REFRESH = "revoked_refresh"


@dataclass(frozen=True)
class SimulatorConfig:
    """How the simulated Wallbox Cloud behaves.

    Times are seconds unless named `_ms`; rates are probabilities in [0, 1].
    `fault_rate` applies per data request (and per refresh for `revoked_refresh`);
    `bad_session_rate` marks sessions as persistently malformed in the ground truth.
    """

    seed: int = 1
    accounts: int = 1
    chargers_per_account: int = 2
    days: int = 30
    fault_rate: float = 0.0
    latency_ms: int = 0
    partner_mode: bool = False
    reads_per_minute: int = 3
    writes_per_minute: int = 5
    token_ttl_s: int = 900
    refresh_token_ttl_s: int = 7 * 86400
    bad_session_rate: float = 0.0
    throttle_403_rate: float = 0.25
    fault_kinds: tuple[str, ...] = (*FAULT_KINDS, REVOKED_REFRESH)
    slow_answer_s: float = 2.0
    max_login_sessions: int = 10
    # Which data requests faults may hit, at most how many in all (None: no limit), and the
    # statuses `server_error` draws from (tests pin one to reach every case).
    fault_methods: tuple[str, ...] = ("GET", "PUT", "POST")
    fault_limit: int | None = None
    server_error_statuses: tuple[int, ...] = (500, 502, 503)
    # Real-world variants of valid payloads (see variants.py): nulls and a month reset in
    # `resume`, missing optional fields, numbers instead of strings; rate per response.
    variant_rate: float = 0.25

    def __post_init__(self) -> None:
        if self.accounts < 1 or self.chargers_per_account < 1:
            raise ValueError("the simulator needs at least one account with one charger")
        if self.days < 0:
            raise ValueError("days must be >= 0")
        for name in ("fault_rate", "bad_session_rate", "throttle_403_rate", "variant_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
        unknown = set(self.fault_kinds) - {*FAULT_KINDS, REVOKED_REFRESH}
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        if not self.server_error_statuses or any(
            not 500 <= status <= 599 for status in self.server_error_statuses
        ):
            raise ValueError("server_error_statuses must be 5xx statuses")
        if self.fault_limit is not None and self.fault_limit < 0:
            raise ValueError("fault_limit must be >= 0")
