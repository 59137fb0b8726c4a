"""``mft daily --plot``: transfers and bytes per day, drawn with matplotlib (optional)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

INSTALL_HINT = "pip install 'boomisoap[plot]'"


class PlotUnavailable(click.ClickException):
    exit_code = 2


def require_matplotlib() -> Any:
    """matplotlib with a non-interactive backend, or a usage error naming the extra."""
    try:
        import matplotlib
    except ImportError:
        message = f"--plot needs matplotlib, which is not installed: {INSTALL_HINT}"
        raise PlotUnavailable(message) from None
    matplotlib.use("Agg")  # files only: works without a display, in cron and CI
    return matplotlib


def daily_totals(rows: Sequence[Any]) -> tuple[list[date], list[int], list[int]]:
    """Per day: transfers (source + target) and bytes (source + target), summed over entities."""
    transfers: dict[date, int] = defaultdict(int)
    volume: dict[date, int] = defaultdict(int)
    for row in rows:
        day = row.transfer_date.date()
        transfers[day] += row.source_transfers + row.target_transfers
        volume[day] += row.source_transfer_bytes + row.target_transfer_bytes
    days = sorted(transfers)
    return days, [transfers[d] for d in days], [volume[d] for d in days]


def plot_daily(rows: Sequence[Any], path: Path, *, title: str) -> None:
    require_matplotlib()
    import matplotlib.pyplot as plt

    days, transfers, volume = daily_totals(rows)
    figure, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(9, 6))
    try:
        top.bar(days, transfers, color="tab:blue")
        top.set_ylabel("transfers")
        top.set_title(title)
        bottom.bar(days, volume, color="tab:orange")
        bottom.set_ylabel("bytes")
        bottom.set_xlabel("day")
        figure.autofmt_xdate()
        figure.tight_layout()
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)
