"""The one row shape every suite returns: samples summarised, a baseline, a target, a verdict.

A figure is never a single measurement: each row carries at least ``SAMPLES`` samples
(each one a full measurement: the median of a block of calls, one ``wrk`` run, one fresh
process) and reports their min / median / max. Ratios are the median over the median of
the baseline measured in the same run, with the variants interleaved.
"""

from __future__ import annotations

import operator
import statistics
from collections.abc import Sequence
from typing import Any

SAMPLES = 3
_OPS = {"<=": operator.le, ">=": operator.ge}


def spread(samples: Sequence[float], digits: int = 1) -> dict[str, Any]:
    """``n``, ``min``, ``median`` and ``max`` of ``samples``."""
    if len(samples) < SAMPLES:
        raise ValueError(f"a figure needs at least {SAMPLES} samples, got {len(samples)}")
    values = [min(samples), statistics.median(samples), max(samples)]
    rounded = [round(v) if digits == 0 else round(v, digits) for v in values]
    return {"n": len(samples), "min": rounded[0], "median": rounded[1], "max": rounded[2]}


def figure(
    workload: str,
    variant: str,
    unit: str,
    samples: Sequence[float],
    *,
    baseline: str = "",
    baseline_median: float | None = None,
    target: str = "",
    judge: str = "ratio",
    digits: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    """A row. ``target`` is ``"<= 0.6"`` or ``">= 2500"``; ``judge`` names what it checks
    (``"ratio"`` or ``"median"``, or a key of ``extra``)."""
    row: dict[str, Any] = {"workload": workload, "variant": variant, "unit": unit}
    row.update(spread(samples, digits))
    median = statistics.median(samples)
    ratio = None
    if baseline_median:
        ratio = round(median / baseline_median, 3)
    row["baseline"] = baseline or None
    row["ratio"] = ratio
    row.update(extra)
    row["target"] = target or None
    row["met"] = verdict(row, target, judge) if target else None
    return row


def verdict(row: dict[str, Any], target: str, judge: str) -> bool:
    """Whether the row meets every clause of ``target``: ``"<= 0.6"`` checks ``row[judge]``,
    ``"p99_ms <= 20; errors <= 0"`` the keys it names."""
    for clause in target.split(";"):
        words = clause.split()
        key, op, limit = words if len(words) == 3 else (judge, *words)
        value = row.get(key)
        if value is None or not _OPS[op](float(value), float(limit.replace(",", ""))):
            return False
    return True


def mark(met: bool | None) -> str:
    return "" if met is None else ("✔" if met else "✘")
