"""One command factory for every object type: list, get, get-many, create, update, delete.

The commands an object type gets follow its ``ObjectSpec.operations`` and its options follow
its field map, so adding an object type to the registry adds its commands here too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

import click

from ..models.fields import ObjectSpec
from ..models.registry import OBJECTS
from ..services import BULK_LIMIT, ObjectService
from .fields import F, field_options, given_values, unset_option, unset_values
from .progress import track
from .state import State, get_state, output_option
from .where import WhereError, operators_text, parse_where

# Command name -> object type. Every group has the same verbs: ``list`` (documented) runs
# the query operation, and ``query`` stays as a hidden alias of it on every group (the old
# spelling of ``accounts``), so ``plans query`` and ``accounts list`` both work.
LIST_VERB = "list"
LIST_ALIASES = ("query",)
OBJECT_GROUPS: dict[str, str] = {
    "plans": "Plan",
    "contracts": "Contract",
    "api-keys": "ApiKey",
    "applications": "Application",
    "accounts": "Account",
}


SERVICE_NAMES = {"apim": "API Management API", "platform": "Platform API"}


def service_of(state: State, spec: ObjectSpec) -> ObjectService[Any]:
    """The client's ObjectService for ``spec`` (``apim.plans``, ``platform.accounts`` ...)."""
    client = state.client_for(spec)
    for value in vars(client).values():
        # By name: the Partner API's Account (boomisoap.partner) has its own spec.
        if isinstance(value, ObjectService) and value.spec.type_name == spec.type_name:
            return value
    raise click.UsageError(f"no client service for {spec.type_name}")


def where_option(spec: ObjectSpec) -> Callable[[F], F]:
    names = ", ".join(f.wire for f in spec.fields if f.queryable)

    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        try:
            return parse_where(value, spec)
        except WhereError as exc:
            raise click.BadParameter(exc.render(), ctx=ctx, param=param) from None

    return click.option(
        "--where",
        "where",
        metavar="EXPR",
        callback=convert,
        help=(
            "Filter, e.g. \"name like 'a%' and status = ENABLED\". "
            f"Operators: {operators_text(spec)}; and, or, (). Properties: {names}."
        ),
    )


def check_xml_wire(state: State) -> None:
    """``--output xml`` shows SOAP responses: refuse it before sending on the REST wire."""
    if (state.settings.output or "table") == "xml" and state.settings.wire != "soap":
        raise click.UsageError("--output xml shows the SOAP response bodies; use --wire soap")


def deprecation_note(spec: ObjectSpec) -> None:
    if spec.deprecated:
        click.echo(
            f"note: {spec.type_name} is deprecated by Boomi; use {spec.deprecated} "
            "(see: boomisoap contracts migrate)",
            err=True,
        )


def _start(spec: ObjectSpec) -> State:
    """What every object command does first: the CLI state, the wire check, the note."""
    state = get_state()
    check_xml_wire(state)
    deprecation_note(spec)
    return state


def article(name: str) -> str:
    """``name`` with its indefinite article: "a Plan", "an ApiKey", "an Account"."""
    return f"{'an' if name[:1].upper() in 'AEIOU' else 'a'} {name}"


def _list_command(spec: ObjectSpec, name: str, *, hidden: bool = False) -> click.Command:
    label = f"{spec.type_name} results"
    aliases = "" if hidden else f" (Also spelled: {', '.join(LIST_ALIASES)}.)"

    @click.command(
        name,
        hidden=hidden,
        help=f"List {spec.type_name} objects (the query operation), following queryMore pages."
        + aliases,
    )
    @where_option(spec)
    @click.option("--limit", type=click.IntRange(min=1), help="Stop after this many results.")
    @output_option
    def command(where: Any, limit: int | None) -> None:
        state = _start(spec)
        output = state.output()
        results: Iterator[Any] = iter(service_of(state, spec).query(where))
        if limit is not None:
            results = islice(results, limit)
        output.many(spec, track(results, label=label, length=limit))

    return command


def _get_command(spec: ObjectSpec) -> click.Command:
    @click.command("get", help=f"Get one {spec.type_name} by its {spec.id_wire}.")
    @click.argument("object_id", metavar="ID")
    @output_option
    def command(object_id: str) -> None:
        state = _start(spec)
        output = state.output()
        output.one(spec, service_of(state, spec).get(object_id))

    return command


class InputError(click.ClickException):
    """Input the command cannot use (a file that is not UTF-8): exit status 2, one line."""

    exit_code = 2


def ids_file_option(func: F) -> F:
    """``--from-file``, opened in binary: read_ids decodes it and names a bad byte."""
    return click.option(
        "--from-file",
        type=click.File("rb"),
        help="Read ids from FILE, UTF-8, one a line ('-' for stdin; blank lines and # "
        "comments skipped).",
    )(func)


def read_ids(ids: tuple[str, ...], from_file: Any) -> list[str]:
    wanted = list(ids)
    if from_file is not None:
        data = from_file.read()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            name = getattr(from_file, "name", "-")
            shown = "stdin" if name in ("-", "<stdin>") else str(name)
            raise InputError(
                f"--from-file: {shown} is not UTF-8 text "
                f"(byte 0x{data[exc.start]:02x} at offset {exc.start})"
            ) from None
        for line in text.splitlines():
            item = line.strip()
            if item and not item.startswith("#"):
                wanted.append(item)
    if not wanted:
        raise click.UsageError("give at least one ID, or --from-file FILE")
    return wanted


def _get_many_command(spec: ObjectSpec) -> click.Command:
    @click.command(
        "get-many",
        help=(
            f"Get many {spec.type_name} objects with bulk GETs of up to {BULK_LIMIT} ids. "
            "Ids that fail are listed on stderr and make the exit status 1; a last line on "
            "stderr counts the ids found and failed."
        ),
    )
    @click.argument("ids", nargs=-1, metavar="[ID]...")
    @ids_file_option
    @output_option
    def command(ids: tuple[str, ...], from_file: Any) -> None:
        state = _start(spec)
        wanted = read_ids(ids, from_file)
        output = state.output()
        service = service_of(state, spec)
        failures: list[str] = []

        def found() -> Iterator[Any]:
            chunks = range(0, len(wanted), BULK_LIMIT)
            for start in track(chunks, label=f"bulk {spec.type_name}", length=len(chunks)):
                for item in service.get_many(wanted[start : start + BULK_LIMIT]):
                    if item.ok:
                        yield item.result
                    else:
                        failures.append(
                            f"{output.shown_id(spec, item.id)}: {item.status_code} "
                            f"{item.error_message or 'failed'}"
                        )

        count = output.many(spec, found())
        for failure in failures:
            click.echo(f"error: {failure}", err=True)
        # On stderr, so that stdout stays one JSON/CSV/XML document.
        click.echo(f"get-many: {count} found, {len(failures)} failed", err=True)
        if failures:
            raise click.exceptions.Exit(1)

    return command


def _create_command(spec: ObjectSpec) -> click.Command:
    @click.command("create", help=f"Create {article(spec.type_name)} from the given fields.")
    @field_options(spec, "create")
    @output_option
    def command(**params: Any) -> None:
        state = _start(spec)
        output = state.output()
        obj = spec.cls(**given_values(spec, "create", params))
        output.one(spec, service_of(state, spec).create(obj))

    return command


def _update_command(spec: ObjectSpec) -> click.Command:
    @click.command(
        "update",
        help=f"Update {article(spec.type_name)}: get it, replace the given fields, send the "
        "update.",
    )
    @click.argument("object_id", metavar="ID")
    @field_options(spec, "update")
    @unset_option(spec)
    @output_option
    def command(object_id: str, unset: tuple[str, ...], **params: Any) -> None:
        state = _start(spec)
        changes = {**given_values(spec, "update", params), **unset_values(spec, unset)}
        if not changes:
            raise click.UsageError("nothing to update: give at least one field option")
        output = state.output()
        service = service_of(state, spec)
        current = service.get(object_id)
        state.recorder.clear()  # --output xml shows the update's answer, not the get's
        output.one(spec, service.update(dataclasses.replace(current, **changes)))

    return command


def _delete_command(spec: ObjectSpec) -> click.Command:
    @click.command("delete", help=f"Delete {article(spec.type_name)}.")
    @click.argument("object_id", metavar="ID")
    @output_option
    def command(object_id: str) -> None:
        state = _start(spec)
        output = state.output()
        service_of(state, spec).delete(object_id)
        output.deleted(spec, object_id)

    return command


def object_group(name: str, type_name: str) -> click.Group:
    """The command group of one object type, from its spec alone."""
    spec = OBJECTS[type_name]
    ops = spec.operations
    service = SERVICE_NAMES.get(spec.service, spec.service)
    note = f" Deprecated by Boomi: use {spec.deprecated}." if spec.deprecated else ""
    group = click.Group(name, help=f"{spec.type_name} objects of the {service}.{note}")
    if "query" in ops:
        group.add_command(_list_command(spec, LIST_VERB))
        for alias in LIST_ALIASES:
            group.add_command(_list_command(spec, alias, hidden=True))
    if "get" in ops:
        group.add_command(_get_command(spec))
    if "getBulk" in ops:
        group.add_command(_get_many_command(spec))
    if "create" in ops:
        group.add_command(_create_command(spec))
    if "update" in ops:
        group.add_command(_update_command(spec))
    if "delete" in ops:
        group.add_command(_delete_command(spec))
    return group
