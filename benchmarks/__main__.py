"""Run every benchmark and print one table: ``python -m benchmarks [--quick] [--markdown]``.

Every row is a figure of at least three samples (min / median / max), beside the baseline
it is a ratio of and the issue's target, marked ✔ (met) or ✘ (missed). Each suite runs in
a fresh interpreter of its own, so that no suite's figures carry the heap, threads or
imports another one left behind: a suite's figures are the ones it gives when run alone.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
from typing import Any

from benchmarks.stats import mark

SUITES = (
    "bench_client",
    "bench_roundtrip",
    "bench_emulator",
    "bench_audit",
    "bench_audit_tree",
    "bench_environment",
    "bench_async",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small counts: proves it runs")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--markdown", action="store_true", help="print docs/performance.md's table")
    parser.add_argument("--only", action="append", choices=SUITES)
    parser.add_argument("--render", metavar="JSON", help="print a saved --json run instead")
    # The parent runs each suite through these in a child interpreter.
    parser.add_argument("--rows-of", choices=SUITES, help=argparse.SUPPRESS)
    parser.add_argument("--rows-to", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows_of and args.rows_to:
        module = importlib.import_module(f"benchmarks.{args.rows_of}")
        rows = module.run(args.quick)
        with open(args.rows_to, "w", encoding="utf-8") as out:
            json.dump(rows, out, default=str)
        return 0
    if args.render:
        with open(args.render, encoding="utf-8") as saved:
            found = json.load(saved)
        env, rows = found["environment"], found["rows"]
    else:
        env, rows = environment(), []
        for name in args.only or SUITES:
            rows.extend(suite_rows(name, args.quick))
    if args.json:
        json.dump({"environment": env, "rows": rows}, sys.stdout, indent=2, default=str)
        print()
    elif args.markdown:
        print(markdown(rows, env))
    else:
        print(" · ".join(f"{k} {v}" for k, v in env.items()))
        print_table(rows)
    missed = [r for r in rows if r.get("met") is False]
    if missed:
        names = "; ".join(_name(r) for r in missed)
        print(f"\n{len(missed)} target(s) missed: {names}", file=sys.stderr)
    return 0


def suite_rows(name: str, quick: bool) -> list[dict[str, Any]]:
    """The rows of suite ``name``, measured in a fresh child interpreter (which writes
    them to a file; what it prints goes to stderr, keeping ``--json`` output clean)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rows.json")
        command = [sys.executable, "-m", "benchmarks", "--rows-of", name, "--rows-to", path]
        command += ["--quick"] if quick else []
        subprocess.run(command, stdout=sys.stderr, check=True)
        with open(path, encoding="utf-8") as saved:
            rows: list[dict[str, Any]] = json.load(saved)
    return rows


def _name(row: dict[str, Any]) -> str:
    return f"{row['workload']} / {row['variant']}"


def environment() -> dict[str, str]:
    """When and where: date, machine (cores, CPU model), Python and library versions."""
    import datetime
    import platform
    from importlib.metadata import version

    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as info:
        cpu = next((ln.split(":", 1)[1].strip() for ln in info if "model name" in ln), cpu)
    versions = ", ".join(
        f"{name} {version(name)}" for name in ("boomisoap", "zeep", "lxml", "requests", "waitress")
    )
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores (nproc), {cpu}, load {os.getloadavg()[0]:.1f}",
        "versions": f"Python {platform.python_version()}, {versions}, {_wrk_version()}",
    }


def _wrk_version() -> str:
    import shutil
    import subprocess

    if shutil.which("wrk") is None:
        return "wrk not installed"
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr).split(" [", 1)[0].strip() or "wrk"


def markdown(rows: list[dict[str, Any]], env: dict[str, str]) -> str:
    """The figures as docs/performance.md shows them: one line per row."""
    lines = [
        f"Measured {env['date']} on {env['machine']}; {env['versions']}.",
        "",
        "| workload | variant | n | min | median | max | unit | baseline | ratio | other | "
        "target | |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    fixed = {"workload", "variant", "unit", "n", "min", "median", "max", "baseline", "ratio"}
    for r in rows:
        other = ", ".join(
            f"{k} {v}" for k, v in r.items() if k not in fixed | {"target", "met"} and v is not None
        )
        cells = [r.get(k) for k in ("workload", "variant", "n", "min", "median", "max", "unit")]
        cells += [r.get("baseline"), r.get("ratio"), other, r.get("target"), mark(r.get("met"))]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def print_table(rows: list[dict[str, Any]]) -> None:
    """One table per workload, each with only the columns its rows use."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row.get("workload", "")), []).append(row)
    for workload, members in groups.items():
        columns: list[str] = []
        for row in members:
            columns.extend(k for k, v in row.items() if k != "workload" and k not in columns)
        cells = [
            [mark(row.get(c)) if c == "met" else _cell(row.get(c)) for c in columns]
            for row in members
        ]
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
        print(f"\n## {workload}")
        print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
        for r in cells:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


if __name__ == "__main__":
    sys.exit(main())
