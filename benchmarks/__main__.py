"""Run every benchmark and print one table: ``python -m benchmarks [--quick]``."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any

SUITES = ("bench_client", "bench_roundtrip", "bench_emulator", "bench_audit", "bench_environment")


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
    """One table per workload, each with only the columns its rows use."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row.get("workload", "")), []).append(row)
    for workload, members in groups.items():
        columns: list[str] = []
        for row in members:
            columns.extend(k for k, v in row.items() if k != "workload" and k not in columns)
        cells = [[_cell(row.get(c)) for c in columns] for row in members]
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
        print(f"\n## {workload}")
        print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
        for r in cells:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


if __name__ == "__main__":
    sys.exit(main())
