"""Click options generated from a field map, so every object type gets its flags for free.

A field ``rateLimitUnit`` becomes ``--rate-limit-unit``, typed by its kind: integers are
range-checked, enumerations are choices, booleans are ``--enabled/--no-enabled`` pairs,
date-times are ISO 8601. Server-assigned fields (ids, generated keys) never become options;
immutable ones are offered on create only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

import click

from ..models.fields import DATETIME, Field, Kind, ObjectSpec

F = Callable[..., Any]


def kebab(wire: str) -> str:
    """``rateLimitUnit`` -> ``rate-limit-unit``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", wire).lower()


class DateTimeType(click.ParamType[datetime]):
    name = "datetime"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return DATETIME.check(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date-time (e.g. 2024-01-31T12:00:00Z)")


class EnumChoice(click.Choice[str]):
    """A choice shown with the service's spelling, accepted in any case (``minute``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            for choice in self.choices:
                if str(choice).lower() == value.lower():
                    return choice
        return super().convert(value, param, ctx)


def editable(spec: ObjectSpec, operation: str) -> list[Field]:
    """The fields a caller may set for ``operation`` ("create" or "update")."""
    return [
        f
        for f in spec.fields
        if not f.server_assigned
        and f.nested is None
        and f.name != spec.id_field
        and not (operation == "update" and f.immutable)
    ]


def field_option(fld: Field, *, required: bool) -> F:
    flag = "--" + kebab(fld.wire)
    kind = fld.kind
    help_text = f"{fld.wire} ({kind.name})"
    if kind.name == "boolean":
        negative = "--no-" + kebab(fld.wire)
        return click.option(
            f"{flag}/{negative}", fld.name, default=None, help=f"Set or clear {fld.wire}."
        )
    param_type: click.ParamType[Any]
    if kind.name.startswith("int"):
        param_type = click.IntRange(getattr(kind, "minimum", None), getattr(kind, "maximum", None))
    elif _is_enum(kind):
        members: type[StrEnum] = kind.enum  # type: ignore[attr-defined]
        param_type = EnumChoice([m.value for m in members])
    elif kind.name == "dateTime":
        param_type = DateTimeType()
    else:
        param_type = click.STRING
    # No explicit default: click 8.2+ skips the required check when one (even None) is set.
    return click.option(flag, fld.name, type=param_type, required=required, help=help_text)


def field_options(spec: ObjectSpec, operation: str) -> Callable[[F], F]:
    """A decorator adding one option per editable field of ``spec``."""
    fields = editable(spec, operation)

    def decorate(func: F) -> F:
        for fld in reversed(fields):
            func = field_option(fld, required=operation == "create" and fld.required)(func)
        return func

    return decorate


def given_values(spec: ObjectSpec, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The field values actually given on the command line, in canonical types."""
    values: dict[str, Any] = {}
    for fld in editable(spec, operation):
        value = params.get(fld.name)
        if value is not None:
            values[fld.name] = fld.kind.check(value) if _is_enum(fld.kind) else value
    return values


def unset_option(spec: ObjectSpec) -> F:
    """``--unset NAME`` (repeatable): clear optional fields on update."""
    names = [kebab(f.wire) for f in editable(spec, "update") if not f.required]
    return click.option(
        "--unset",
        "unset",
        multiple=True,
        type=click.Choice(names),
        help="Clear a field (repeatable), e.g. --unset max-message-size for unlimited.",
    )


def unset_values(spec: ObjectSpec, unset: tuple[str, ...]) -> dict[str, None]:
    by_flag = {kebab(f.wire): f.name for f in editable(spec, "update")}
    return {by_flag[name]: None for name in unset}


def _is_enum(kind: Kind) -> bool:
    return kind.name == "enum" and hasattr(kind, "enum")
