"""The first-sync benchmark's claim on a smaller account (not timed): `chargebook accounts add`
and `chargebook sync` under 3 reads a minute stay within one read per charger of the lower
bound, and here hit it exactly."""

from __future__ import annotations

from bench.first_sync_bench import run_scenario


def test_a_first_sync_makes_no_more_reads_than_the_lower_bound() -> None:
    out = run_scenario(chargers=3, years=1.5, seed=7)  # about 400 sessions per charger
    assert out.sessions > 1000
    assert out.reads <= out.lower_bound + out.chargers  # the target
    assert out.reads == out.lower_bound  # what the code achieves
    assert out.refused == 0  # paced by the budget, never throttled by the server
    assert out.sign_ins == 1
    # 3 reads at once, then 3 a minute.
    assert out.minutes == (out.reads - 1) // 3
