"""`python -m bench.soak`: one soak run; exit code 1 when a check fails (see bench.soak)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bench.soak.run import SoakConfig, run_soak

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "results" / "soak.json"


def parse(argv: list[str] | None = None) -> tuple[SoakConfig, argparse.Namespace]:
    defaults = SoakConfig()
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--accounts", type=int, default=defaults.accounts)
    parser.add_argument("--workers", type=int, default=defaults.workers)
    parser.add_argument("--minutes", type=float, default=defaults.minutes, help="chaos phase")
    parser.add_argument(
        "--kill-every", type=float, default=defaults.kill_every_s, help="seconds between kills"
    )
    parser.add_argument("--ocpp-chargers", type=int, default=defaults.ocpp_chargers)
    parser.add_argument("--days", type=int, default=defaults.days, help="history per charger")
    parser.add_argument("--fault-rate", type=float, default=defaults.fault_rate)
    parser.add_argument("--latency-ms", type=int, default=defaults.latency_ms)
    parser.add_argument(
        "--drop-every", type=float, default=defaults.drop_every_s, help="seconds between drops"
    )
    parser.add_argument("--drain-timeout", type=float, default=defaults.drain_timeout_s)
    parser.add_argument("--concurrency", type=int, default=defaults.worker_concurrency)
    parser.add_argument("--no-record", action="store_true", help="no recorder jobs")
    parser.add_argument(
        "--fallback-sync",
        action="store_true",
        help="killable `chargebook sync` loops instead of `chargebook worker` (no queue)",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON result")
    parser.add_argument("--keep-logs", action="store_true", help="keep logs of a passing run")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CHARGEBOOK_BENCH_POSTGRES_URL")
        or os.environ.get("CHARGEBOOK_TEST_POSTGRES_URL"),
        help="server to make a private schema in (default: CHARGEBOOK_TEST_POSTGRES_URL)",
    )
    args = parser.parse_args(argv)
    if not args.postgres_url:
        parser.error("set CHARGEBOOK_TEST_POSTGRES_URL or pass --postgres-url")
    if not 2 <= args.workers <= 8:
        parser.error("--workers must be between 2 and 8 (one of them gets killed)")
    config = SoakConfig(
        accounts=args.accounts,
        workers=args.workers,
        minutes=args.minutes,
        kill_every_s=args.kill_every,
        ocpp_chargers=args.ocpp_chargers,
        days=args.days,
        fault_rate=args.fault_rate,
        latency_ms=args.latency_ms,
        drop_every_s=args.drop_every,
        drain_timeout_s=args.drain_timeout,
        worker_concurrency=args.concurrency,
        record=not args.no_record,
        fallback_sync=args.fallback_sync,
        seed=args.seed,
    )
    return config, args


def main(argv: list[str] | None = None) -> int:
    config, args = parse(argv)
    result = run_soak(config, args.postgres_url, keep_logs=args.keep_logs)
    print(result.summary(), flush=True)
    result.write(args.out)
    print(f"result written to {args.out}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
