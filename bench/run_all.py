"""Run every benchmark in bench/ (each `*_bench.py` module with a `main()`, and each package
with a `__main__.main`, e.g. the soak harness), one after another.

    .venv/bin/python -m bench.run_all [--quick] [--only NAME ...]

`--quick` shrinks every benchmark to a tiny size (a smoke test, not a measurement): a module
that accepts `--quick` gets it; otherwise its `QUICK_ARGV` list, or the entry in `QUICK_ARGV`
below; a benchmark with none of these is skipped in quick mode (and says so).
Results are printed; bench/README.md records them. Exits non-zero when a benchmark failed
(the others still run).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# Tiny sizes for benchmarks without a --quick flag of their own.
QUICK_ARGV: dict[str, list[str]] = {"planner_bench": ["--runs", "1", "--plans", "300"]}


def discover(only: list[str] | None = None) -> dict[str, Callable[..., object]]:
    """name -> `main` of every `bench/*_bench.py` module that has one (or of `only`)."""
    found: dict[str, Callable[..., object]] = {}
    modules = [path.stem for path in BENCH_DIR.glob("*_bench.py")]
    # Packages run as `python -m bench.NAME` (the soak harness): their __main__.main.
    packages = [path.parent.name for path in BENCH_DIR.glob("*/__main__.py")]
    for name in sorted(modules + packages):
        if only and name not in only:
            continue
        dotted = f"bench.{name}" if name in modules else f"bench.{name}.__main__"
        main = getattr(importlib.import_module(dotted), "main", None)
        if callable(main):
            found[name] = main
    return found


def quick_argv(name: str, main: Callable[..., object]) -> list[str] | None:
    """The arguments that make `name` tiny, or None when it has no quick mode."""
    module = inspect.getmodule(main)
    if module is None:
        return None
    if '"--quick"' in inspect.getsource(module):
        return ["--quick"]
    own = getattr(module, "QUICK_ARGV", None)
    if isinstance(own, list):
        return [str(arg) for arg in own]
    return QUICK_ARGV.get(name)


def run(main: Callable[..., object], argv: list[str]) -> None:
    """Call `main` with `argv`, whether it takes argv or reads sys.argv."""
    if inspect.signature(main).parameters:
        code = main(argv)
    else:
        saved = sys.argv
        sys.argv = [main.__module__, *argv]
        try:
            code = main()
        finally:
            sys.argv = saved
    if isinstance(code, int) and code != 0:  # a `main` that returns its exit code
        raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes where supported")
    parser.add_argument("--only", nargs="*", default=None, help="benchmark names to run")
    args = parser.parse_args(argv)
    benches = discover(args.only)
    if args.only and set(args.only) - set(benches):
        parser.error(f"no such benchmark: {', '.join(sorted(set(args.only) - set(benches)))}")
    failed = []
    for name, bench_main in benches.items():
        bench_argv = quick_argv(name, bench_main) if args.quick else []
        if bench_argv is None:
            print(f"== {name}: no quick mode, skipped", flush=True)
            continue
        print(f"== {name} {' '.join(bench_argv)}".rstrip(), flush=True)
        began, cpu_began = time.perf_counter(), time.process_time()
        try:
            run(bench_main, bench_argv)
        except (Exception, SystemExit):
            traceback.print_exc()
            failed.append(name)
        wall_s, cpu_s = time.perf_counter() - began, time.process_time() - cpu_began
        print(f"== {name}: {wall_s:.1f} s ({cpu_s:.1f} s CPU in this process)", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
