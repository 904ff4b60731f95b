"""Settings of the Zaptec cloud simulator (all deterministic from `seed`)."""

from __future__ import annotations

from dataclasses import dataclass

# Transient faults a data request can get (`fault_kinds`); `revoked_token` answers 401 to a
# valid token once, as when Zaptec invalidates tokens early.
FAULT_KINDS = ("server_error", "drop", "truncated", "missing_key", "revoked_token")


@dataclass(frozen=True, slots=True)
class ZaptecSimConfig:
    """`chargers_per_account` cycles through Go, Pro, Go 2 and a Go on old firmware without
    MID observations or signed sessions (the one whose MID status the API cannot prove)."""

    seed: int = 1
    accounts: int = 1
    chargers_per_account: int = 2
    days: int = 30
    token_ttl_s: int = 86399  # what the real token endpoint answers (reference §3.1)
    requests_per_second: int = 10  # the fair-use limit per account; 0 = unlimited
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    fault_methods: tuple[str, ...] = ("GET", "POST")
    fault_limit: int | None = None
    server_error_statuses: tuple[int, ...] = (500, 502, 503, 504)
    bad_session_rate: float = 0.0  # persistently bad history items (the book quarantines)
    # Share of sessions in a real variant shape: SignedSession null (custom-components/zaptec
    # PR #344) or absent with no firmware version (stelund/charging-costs), or an OCMF with
    # no end reading (Home Assistant's test string, tests/zaptec/test_zconst.py).
    variant_rate: float = 0.2
    hierarchy_no_content: bool = False  # `installation/{id}/hierarchy` answers 204

    def __post_init__(self) -> None:
        if self.accounts < 1 or self.chargers_per_account < 1 or self.days < 1:
            raise ValueError("accounts, chargers per account and days must be at least 1")
        for rate in (self.fault_rate, self.bad_session_rate, self.variant_rate):
            if not 0.0 <= rate <= 1.0:
                raise ValueError("rates are between 0 and 1")
        unknown = set(self.fault_kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        if self.requests_per_second < 0 or self.token_ttl_s < 1:
            raise ValueError("requests per second must be >= 0 and the token TTL >= 1 s")
