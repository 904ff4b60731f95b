"""When a failed delivery is tried again, and when a failing endpoint is disabled.

Retries: exponential backoff from 30 s, doubling up to 6 h, with "equal jitter" (half the
delay fixed, half random) so that many deliveries failing together do not return together;
at most `max_attempts` attempts (10: about 4 h of tries).

Disabling: an endpoint whose last `disable_after_failures` (20) attempts all failed, or
whose unbroken run of failures began more than `disable_after_hours` (24) ago, is disabled:
its pending deliveries fail, the API shows `disabled_at` and the reason, and its owner gets
a `webhook_disabled` notification. A success resets the run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from chargebook.settings import Settings


@dataclass(frozen=True, slots=True)
class HookPolicy:
    max_attempts: int = 10
    base_delay_s: float = 30.0
    max_delay_s: float = 6 * 3600.0
    disable_after_failures: int = 20
    disable_after_hours: float = 24.0
    timeout_s: float = 10.0
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> HookPolicy:
        return cls(
            max_attempts=settings.webhook_max_attempts,
            base_delay_s=settings.webhook_retry_base_s,
            disable_after_failures=settings.webhook_disable_after_failures,
            disable_after_hours=settings.webhook_disable_after_hours,
            timeout_s=settings.webhook_timeout_s,
            allow_private=settings.webhook_allow_private_networks,
        )

    def retry_delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1-based)."""
        delay = min(self.max_delay_s, self.base_delay_s * 2 ** max(0, attempts - 1))
        jitter = (rng or random).uniform(0, delay / 2)
        return timedelta(seconds=delay / 2 + jitter)

    def should_disable(
        self, failures: int, first_failure_at: datetime | None, now: datetime
    ) -> bool:
        if failures >= self.disable_after_failures:
            return True
        return (
            first_failure_at is not None
            and failures > 1
            and now - first_failure_at > timedelta(hours=self.disable_after_hours)
        )
