"""``boomisoap contracts migrate``: Contracts to Plans, dry run by default."""

from __future__ import annotations

import click

from ..migration import migrate_contracts
from .progress import Steps
from .state import get_state, output_option

COLUMNS = ("contractId", "name", "action", "planId", "reason", "contractDeleted", "deleteError")


@click.command("migrate")
@click.option("--dry-run", "dry_run", is_flag=True, help="Report what would change (default).")
@click.option("--apply", "apply", is_flag=True, help="Create the Plans.")
@click.option(
    "--delete-contracts",
    is_flag=True,
    help="With --apply: delete each Contract once an equivalent Plan exists for it.",
)
@output_option
def migrate_command(dry_run: bool, apply: bool, delete_contracts: bool) -> None:
    """Create an equivalent Plan for every Contract that is not deleted.

    A Plan is equivalent when its name, max message size, rate limit and unit and quota
    limit and unit all equal the Contract's; a second run creates nothing. Contracts are
    never deleted unless --delete-contracts is given with --apply. Exit status 1 when any
    Contract failed.
    """
    if dry_run and apply:
        raise click.UsageError("give --dry-run or --apply, not both")
    state = get_state()
    output = state.output()
    if output.format == "xml":
        raise click.UsageError("the migration report is available as table, json or csv")
    steps = Steps("migrating contracts")
    try:
        report = migrate_contracts(
            state.apim(),
            dry_run=not apply,
            delete_contracts=delete_contracts,
            progress=steps.update,
        )
    finally:
        steps.close()
    if output.format == "json":
        import json

        document = {
            "dryRun": report.dry_run,
            "created": report.created,
            "wouldCreate": report.would_create,
            "skipped": report.skipped,
            "failed": report.failed,
            "contractsDeleted": report.deleted,
            "items": [item.as_dict() for item in report.items],
        }
        output.echo(json.dumps(document, indent=2))
    else:
        output.records(
            [item.as_dict() for item in report.items], COLUMNS, drop_empty=output.format == "table"
        )
    if delete_contracts and not apply:
        click.echo("note: --delete-contracts has no effect without --apply", err=True)
    click.echo(report.summary(), err=True)
    if not report.ok:
        raise click.exceptions.Exit(1)
