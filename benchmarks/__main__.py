"""Run every benchmark and print one table: ``python -m benchmarks [--quick]``."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any

SUITES = ("bench_client", "bench_roundtrip", "bench_emulator", "bench_audit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small counts: proves it runs")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--only", action="append", choices=SUITES)
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for name in args.only or SUITES:
        module = importlib.import_module(f"benchmarks.{name}")
        rows.extend(module.run(args.quick))
    if args.json:
        json.dump(rows, sys.stdout, indent=2, default=str)
        print()
    else:
        print_table(rows)
    return 0


def print_table(rows: list[dict[str, Any]]) -> None:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


if __name__ == "__main__":
    sys.exit(main())
