"""Partner API commands (docs/partner.md): ``accounts create | delete | provision |
provision-status``, and ``--override-account`` on every object command.

``--override-account ACCOUNT`` sends the command through the Partner API on behalf of a
sub-account (Boomi's ``overrideAccount`` / ``accountId``). The Account CREATE and DELETE
and Account Provision commands take no override, as in Boomi's API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import click

from ..models.partner import (
    ACCOUNT_PROVISION_RESULT,
    PARTNER_ACCOUNT,
    TRIAL_DAYS,
    AccountProvision,
    ProvisionProduct,
)
from ..models.platform import ACCOUNT
from ..partner import check_override
from .state import State, get_state, output_option

OVERRIDE_HELP = (
    "Act on this sub-account through the Partner API (/partner/api/...): Boomi's "
    "overrideAccount (REST) / accountId (SOAP). It must be in the hierarchy of --account-id."
)


def _set_override(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    try:
        checked = check_override(value)
    except Exception as exc:  # InvalidRequest: shown as a usage error of the option
        raise click.BadParameter(str(getattr(exc, "message", exc)), ctx=ctx, param=param) from None
    state = ctx.find_object(State)
    if state is not None:
        state.override_account = checked


def add_override_option(command: click.Command) -> None:
    """Give ``command`` the ``--override-account`` option (stored in the CLI state)."""
    command.params.append(
        click.Option(
            ["--override-account"],
            metavar="ACCOUNT",
            expose_value=False,
            callback=_set_override,
            help=OVERRIDE_HELP,
        )
    )


def _product(text: str) -> ProvisionProduct:
    code, sep, quantity = text.rpartition("=")
    if not sep or not code.strip() or not quantity.strip().isdigit():
        raise click.BadParameter(f"{text!r}: give CODE=QUANTITY, e.g. STANDARD=2")
    return ProvisionProduct(product_code=code.strip(), quantity=int(quantity))


def _expiration(days: int | None, date: datetime | None) -> datetime:
    if date is not None:
        return date if date.tzinfo is not None else date.replace(tzinfo=UTC)
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=days or TRIAL_DAYS)


@click.command(
    "create", help=f"Create a sub-account (Partner API) on a trial of at most {TRIAL_DAYS} days."
)
@click.argument("name")
@click.option(
    "--trial-days",
    type=click.IntRange(min=1),
    help=f"Trial length in days from now (default and maximum: {TRIAL_DAYS}).",
)
@click.option(
    "--expiration-date",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"]),
    help="Trial expiration date (UTC), instead of --trial-days.",
)
@output_option
def create_command(name: str, trial_days: int | None, expiration_date: datetime | None) -> None:
    state = get_state()
    account = state.partner().create_account(name, _expiration(trial_days, expiration_date))
    state.output().one(ACCOUNT, account)


@click.command("delete", help="Delete a sub-account (Partner API).")
@click.argument("account_id", metavar="ID")
@output_option
def delete_command(account_id: str) -> None:
    state = get_state()
    state.partner().delete_account(account_id)
    state.output().deleted(PARTNER_ACCOUNT, account_id)


@click.command(
    "provision",
    help="Provision a sub-account with products (Partner API Account Provision); prints the "
    "provisioning's id, account and status (PENDING until it completes).",
)
@click.option("--id", "account_id", metavar="ID", help="The sub-account to provision.")
@click.option("--name", help="Without --id: the name of the account to create.")
@click.option(
    "--product",
    "products",
    metavar="CODE=QUANTITY",
    multiple=True,
    required=True,
    help="A product and how many (repeatable), e.g. --product STANDARD=2.",
)
@click.option("--wait", is_flag=True, help="Poll the status until it is COMPLETED.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Seconds between polls with --wait.",
)
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=300.0,
    show_default=True,
    help="Seconds to wait at most with --wait.",
)
@output_option
def provision_command(
    account_id: str | None,
    name: str | None,
    products: tuple[str, ...],
    wait: bool,
    interval: float,
    wait_timeout: float,
) -> None:
    state = get_state()
    client = state.partner()
    request = AccountProvision(
        id=account_id, name=name, products=tuple(_product(p) for p in products)
    )
    result = client.provision(request)
    if wait:
        result = client.wait_provisioned(result, timeout=wait_timeout, interval=interval)
    state.output().one(ACCOUNT_PROVISION_RESULT, result)


@click.command("provision-status", help="The status of an Account Provision (Partner API).")
@click.argument("provision_id", metavar="ID")
@output_option
def provision_status_command(provision_id: str) -> None:
    state = get_state()
    state.output().one(ACCOUNT_PROVISION_RESULT, state.partner().provision_status(provision_id))


PARTNER_COMMANDS = (create_command, delete_command, provision_command, provision_status_command)


def install(root: click.Group, object_groups: Any) -> None:
    """Add Account CREATE, DELETE and Provision to ``accounts`` and ``--override-account``
    to every command of the object groups (the ones Boomi lets an override apply to)."""
    for name in object_groups:
        group = root.commands[name]
        assert isinstance(group, click.Group)
        for command in group.commands.values():
            add_override_option(command)
    # After the override options: these calls take none, as in Boomi's API.
    accounts = root.commands["accounts"]
    assert isinstance(accounts, click.Group)
    for command in PARTNER_COMMANDS:
        accounts.add_command(command)
