"""``boomisoap mft``: the MFT Accounting calls, with an optional plot of the daily figures."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from ..models.fields import ObjectSpec
from ..models.mft import BILLING_DAILY, DAILY, MONTH_TO_DATE, TRANSFER_USAGE
from .state import get_state, output_option

F = Callable[..., Any]

_org_option = click.option(
    "--org",
    "org_id",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Organization id; 0 means every organization the key can see.",
)


def _period_options(func: F) -> F:
    # The defaults are resolved at run time (_period), so the help text stays stable.
    func = click.option(
        "--year", type=click.IntRange(2000, 2100), help="Year (default: the current year)."
    )(func)
    func = click.option(
        "--month", type=click.IntRange(1, 12), help="Month 1-12 (default: the current month)."
    )(func)
    return _org_option(func)


def _period(month: int | None, year: int | None) -> tuple[int, int]:
    now = datetime.now(UTC)
    return (month or now.month, year or now.year)


def _rows(spec: ObjectSpec, rows: list[Any]) -> None:
    output = get_state().output()
    if output.format == "xml":
        raise click.UsageError("MFT answers JSON only; use --output json, csv or table")
    output.many(spec, rows)


@click.group("mft")
def mft_group() -> None:
    """MFT (AFT Management API) accounting, with the bearer API key BOOMI_MFT_API_KEY."""


@mft_group.command("quota")
@output_option
def quota_command() -> None:
    """The customer's transfer quota."""
    state = get_state()
    output = state.output()
    if output.format == "xml":
        raise click.UsageError("MFT answers JSON only; use --output json, csv or table")
    quota = state.mft().accounting.transfer_quota()
    if output.format == "json":
        output.echo(json.dumps({"transferQuota": quota}))
    else:
        output.records([{"transferQuota": quota}], ["transferQuota"])


@mft_group.command("usage")
@output_option
def usage_command() -> None:
    """The customer's transfer usage."""
    _rows(TRANSFER_USAGE, get_state().mft().accounting.transfer_usage())


@mft_group.command("mtd")
@_period_options
@output_option
def mtd_command(org_id: int, month: int | None, year: int | None) -> None:
    """Month-to-date transfer statistics."""
    month, year = _period(month, year)
    _rows(MONTH_TO_DATE, get_state().mft().accounting.month_to_date(org_id, month, year))


def _plot_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """``--plot FILE``: a PNG file. ``daily`` becomes ``daily.png``; another extension is
    refused (the plot is always PNG); the directory must exist before anything is sent."""
    if value is None:
        return None
    if not value.suffix:
        value = value.with_suffix(".png")
    elif value.suffix.lower() != ".png":
        raise click.BadParameter(
            f"the plot is a PNG image: give a FILE ending in .png, not {value.name!r}",
            ctx=ctx,
            param=param,
        )
    if not value.expanduser().resolve().parent.is_dir():
        raise click.BadParameter(f"directory {value.parent} does not exist", ctx=ctx, param=param)
    return value


@mft_group.command("daily")
@_period_options
@click.option(
    "--plot",
    "plot",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_plot_path,
    help="Also draw transfers and bytes per day into FILE, a PNG image (.png is added when "
    "FILE has no extension; needs boomisoap[plot]).",
)
@output_option
def daily_command(org_id: int, month: int | None, year: int | None, plot: Path | None) -> None:
    """Daily transfer statistics of one month."""
    if plot is not None:
        from .plot import require_matplotlib

        require_matplotlib()
    month, year = _period(month, year)
    rows = get_state().mft().accounting.daily(org_id, month, year)
    if plot is not None:
        from .plot import plot_daily

        plot_daily(rows, plot, title=f"MFT transfers {year}-{month:02d}")
        click.echo(f"wrote {plot}", err=True)
    _rows(DAILY, rows)


@mft_group.command("billing")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Year.")
@click.option("--month", type=click.IntRange(1, 12), required=True, help="Month 1-12.")
@_org_option
@output_option
def billing_command(year: int, month: int, org_id: int) -> None:
    """Daily billing statistics per flow endpoint."""
    _rows(BILLING_DAILY, get_state().mft().accounting.billing_daily(year, month, org_id))
