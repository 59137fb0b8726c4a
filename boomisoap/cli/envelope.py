"""``boomisoap envelope``: print the SOAP request a call would send, without sending it.

For ESB bridges that post envelopes themselves. The client that builds them never holds
the real password: a placeholder stands in, the wsse:Security header is left out unless
``--with-security``, and even then the Password value is replaced by the placeholder.
"""

from __future__ import annotations

import sys
from typing import Any

import click
from lxml import etree

from ..clients import ApimClient, PlatformClient
from ..models.fields import ObjectSpec
from ..models.registry import OBJECTS
from ..namespaces import SOAP_ENV, WSSE
from ..query import bind
from ..xmlsafe import parse
from .fields import field_options, given_values
from .objects import OBJECT_GROUPS, ids_file_option, read_ids, where_option
from .state import get_state

PLACEHOLDER = "REDACTED"


def _client(spec: ObjectSpec) -> ApimClient | PlatformClient:
    settings = get_state().settings
    credentials = {"token": PLACEHOLDER} if settings.token else {"password": PLACEHOLDER}
    cls = ApimClient if spec.service == "apim" else PlatformClient
    return cls(
        account_id=settings.account_id or "ACCOUNT_ID",
        username=settings.username or "USERNAME",
        **credentials,
        base_url=settings.base_url,
        password_digest=settings.password_digest,
        validate=settings.validate,
        rate_limit=None,
    )


def redact(envelope: bytes, *, with_security: bool) -> bytes:
    """Drop the Security header, or keep it with every Password value replaced."""
    root = parse(envelope)
    header = root.find(f"{{{SOAP_ENV}}}Header")
    if header is not None:
        for security in header.findall(f"{{{WSSE}}}Security"):
            if with_security:
                for password in security.iter(f"{{{WSSE}}}Password"):
                    password.text = PLACEHOLDER
            else:
                header.remove(security)
        if len(header) == 0:
            root.remove(header)
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))


def pretty(envelope: bytes) -> bytes:
    """The envelope indented for reading (whitespace-only text dropped first)."""
    root = parse(envelope)
    for element in root.iter():
        if element.text is not None and not element.text.strip() and len(element):
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    return bytes(
        etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)
    ).rstrip(b"\n")


def _print(envelope: bytes) -> None:
    state = get_state()
    text = redact(envelope, with_security=state.with_security)
    # Indented for a person at a terminal; byte-exact when piped to a file or an ESB.
    wanted = state.pretty if state.pretty is not None else sys.stdout.isatty()
    click.echo(pretty(text) if wanted else text)


def _emit(spec: ObjectSpec, operation: str, *args: Any) -> None:
    with _client(spec) as client:
        envelope = client.envelope(operation, spec, *args)
    _print(envelope)


def _group_for(name: str, spec: ObjectSpec) -> click.Group:
    group = click.Group(name, help=f"Request envelopes for {spec.type_name} operations.")
    ops = spec.operations

    if "get" in ops:

        @group.command("get")
        @click.argument("object_id", metavar="ID")
        def get(object_id: str) -> None:
            """The get request."""
            _emit(spec, "get", object_id)

    if "query" in ops:

        @group.command("query")
        @where_option(spec)
        def query(where: Any) -> None:
            """The query request (no --where: every object)."""
            _emit(spec, "query", bind(where, spec))

        @group.command("query-more")
        @click.argument("token")
        def query_more(token: str) -> None:
            """The queryMore request for a query token."""
            with _client(spec) as client:
                envelope = client.envelope("query_more", token)
            _print(envelope)

    if "getBulk" in ops:

        @group.command("get-many")
        @click.argument("ids", nargs=-1, metavar="[ID]...")
        @ids_file_option
        def get_many(ids: tuple[str, ...], from_file: Any) -> None:
            """The getBulk request (at most 100 ids)."""
            wanted = read_ids(ids, from_file)
            if len(wanted) > 100:
                raise click.UsageError("one getBulk request carries at most 100 ids")
            _emit(spec, "get_bulk", wanted)

    if "create" in ops:

        @group.command("create")
        @field_options(spec, "create")
        def create(**params: Any) -> None:
            """The create request for an object with the given fields."""
            _emit(spec, "create", spec.cls(**given_values(spec, "create", params)))

    if "update" in ops:

        @group.command("update")
        @click.argument("object_id", metavar="ID")
        @field_options(spec, "update")
        def update(object_id: str, **params: Any) -> None:
            """The update request: the id and the given fields (nothing is fetched)."""
            values = given_values(spec, "update", params)
            assert spec.id_field is not None
            values[spec.id_field] = object_id
            try:
                obj = spec.cls(**values)
            except TypeError:
                missing = [f"--{f.wire}" for f in spec.fields if f.required]
                raise click.UsageError(f"update needs {', '.join(missing)}") from None
            _emit(spec, "update", obj)

    if "delete" in ops:

        @group.command("delete")
        @click.argument("object_id", metavar="ID")
        def delete(object_id: str) -> None:
            """The delete request."""
            _emit(spec, "delete", object_id)

    return group


@click.group("envelope")
@click.option(
    "--with-security",
    is_flag=True,
    help="Keep the wsse:Security header (its Password value replaced by a placeholder).",
)
@click.option(
    "--pretty/--raw",
    "pretty_print",
    default=None,
    help="Indent the XML, or print the bytes as sent (default: indented on a terminal, "
    "raw when piped).",
)
def envelope_group(with_security: bool, pretty_print: bool | None) -> None:
    """Print the SOAP request envelope a call would send, without sending it.

    The envelope is validated against xsd/ (unless --no-validate). No password is ever
    printed.
    """
    state = get_state()
    state.with_security = with_security
    state.pretty = pretty_print


for _name, _type in OBJECT_GROUPS.items():
    envelope_group.add_command(_group_for(_name, OBJECTS[_type]))
