"""Reading JSON responses: HTTP statuses and error bodies to typed errors, bodies to objects.

The exception classes are the SOAP wire's: a status maps through
:func:`boomisoap.errors.error_for_status`, a body that is not JSON at all (an HTML error
page, a truncated answer) is a :class:`TransportError`, and JSON that parses but breaks
the documented shape or a field's rule is an :class:`EnvelopeValidationError` with
``direction="response"`` and a JSON-pointer-like path, as a bad SOAP response is.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from lxml import etree

from ..codec.jsoncodec import from_json
from ..errors import (
    RETIRED_STATUSES,
    EnvelopeValidationError,
    InvalidRequest,
    TransportError,
    error_for_status,
)
from ..models.extras import Unknown
from ..models.fields import ObjectSpec
from ..models.results import BulkAnswer, QueryPage
from ..redact import scrub
from ..transport import HttpResponse, answered_html, header
from ..xmlsafe import UnsafeXMLError, parse

# The start of a body, for a TransportError; computed only when an error needs it.
Excerpt = Callable[[], str]

# Boomi's object pages print a successful delete as ``{true}``, which is not JSON; accept it too.
_BRACED_BOOLEAN = re.compile(rb"\s*\{\s*(true|false)\s*\}\s*")


def _reject_constant(name: str) -> NoReturn:
    # NaN and Infinity are not JSON; Python's parser would accept them by default.
    raise ValueError(f"{name} is not a JSON value")


class _TooDeep(ValueError):
    """JSON nested past the interpreter's recursion limit (docs/security.md, "Limits")."""


def _loads(body: bytes) -> Any:
    """The parsed body; ValueError when it is not one complete JSON document."""
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        # The C decoder recurses once per array or object level.
        raise _TooDeep("nested too deeply") from None


def raise_for_status(
    response: HttpResponse,
    *,
    excerpt: Excerpt,
    secrets: Iterable[str],
    object_type: str | None = None,
) -> None:
    """Raise the typed error a non-2xx response stands for; return on success.

    The body is read in any of Boomi's documented error shapes (see
    :func:`error_document`); the status decides the class through the one policy both
    wires share, :func:`boomisoap.errors.error_for_status`.
    """
    status = response.status
    if 200 <= status < 300:
        return
    secrets = tuple(secrets)
    found = error_document(response)
    location = header(response.headers, "Location") if status in RETIRED_STATUSES else None
    error = error_for_status(
        status,
        message=None if found is None else _clean(found.message, secrets),
        declared=None if found is None else found.declared,
        field=None if found is None else found.field,
        answered=found is not None,
        object_type=object_type,
        location=_clean(location, secrets),
    )
    if error is not None:
        raise error
    if answered_html(response):
        raise TransportError(HTML_ANSWER, http_status=status, excerpt=excerpt())
    reason = "unexpected HTTP status" if status < 400 else "the error response is not JSON"
    raise TransportError(reason, http_status=status, excerpt=excerpt())


# Said instead of a parser's complaint about a DOCTYPE or a stray "<": an HTML page in
# place of an answer is a gateway, a proxy or a login page, and the status tells which.
HTML_ANSWER = "the server answered HTML, not the service's JSON"


@dataclasses.dataclass(frozen=True, slots=True)
class ErrorDocument:
    """What an error body says: its message, a status of its own and the field named."""

    message: str | None
    declared: int | None = None
    field: str | None = None


def error_document(response: HttpResponse) -> ErrorDocument | None:
    """The error a body describes, in any shape Boomi documents, or None for other bodies.

    ``{"message": ...}`` (the OpenAPI's 403/410/503 examples), ``{"error": {"message":
    ...}}`` and ``<error><message>...</message></error>`` (the "API errors" page),
    ``<UserMessage><Data>...</Data></UserMessage>`` (Boomi's 403 for bad credentials), and
    docs/wire.md's ``{"@type": "Error", "statusCode", "message", "field"}``.
    """
    body = response.body
    if not body.strip() or answered_html(response):
        return None
    if body.lstrip()[:1] == b"<":
        return _xml_error(body)
    try:
        document = _loads(body)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    nested = document.get("error")
    message = document.get("message")
    if message is None and isinstance(nested, dict):
        message = nested.get("message")
    elif message is None and isinstance(nested, str):
        message = nested  # {"error": "..."}: a gateway's habit, read the same way
    field = document.get("field")
    return ErrorDocument(
        message if isinstance(message, str) else None,
        _declared_status(document),
        field if isinstance(field, str) else None,
    )


def _xml_error(body: bytes) -> ErrorDocument | None:
    try:
        root = parse(body)
    except UnsafeXMLError:
        return None
    name = etree.QName(root).localname
    # Boomi's error elements carry no namespace; read them in any, to be lenient.
    if name == "error":
        return ErrorDocument(_child_text(root, "message"))
    if name == "UserMessage":
        return ErrorDocument(_child_text(root, "Data"))
    return None


def _child_text(element: Any, local: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == local:
            return "".join(child.itertext())
    return None


def _declared_status(error: dict[str, Any]) -> int | None:
    # docs/wire.md: a body's own code (when it is a plausible error status) is more
    # precise behind gateways that answer 500 for all.
    declared = error.get("statusCode")
    if isinstance(declared, int) and not isinstance(declared, bool) and 400 <= declared < 600:
        return declared
    return None


def _clean(text: str | None, secrets: Iterable[str]) -> str | None:
    if text is None or not text.strip():
        return None
    return scrub(text.strip(), secrets)


def load(response: HttpResponse, *, excerpt: Excerpt) -> Any:
    """The JSON document of a successful response."""
    try:
        return _loads(response.body)
    except _TooDeep:
        what = "the response nests JSON too deeply to be read"
        raise TransportError(what, http_status=response.status, excerpt=excerpt()) from None
    except ValueError:
        what = "the response is empty" if not response.body.strip() else "the response is not JSON"
        if answered_html(response):
            what = HTML_ANSWER
        raise TransportError(what, http_status=response.status, excerpt=excerpt()) from None


def _invalid(path: str, reason: str) -> EnvelopeValidationError:
    return EnvelopeValidationError(path or "/", reason, direction="response")


def read_object(
    document: Any,
    spec: ObjectSpec,
    path: str = "",
    *,
    typed: bool = True,
    unknown: Unknown = "keep",
) -> Any:
    """The dataclass a JSON object describes; its ``@type``, when present, must fit.

    ``typed=False`` ignores ``@type``: MFT rows are not typed in their schema, so a name
    the service might add there means nothing to the client. ``unknown``: what becomes of
    keys and enumeration values the field map does not know ("keep": extras and plain
    strings, reported once; "refuse": an error, for ``validate="strict"``).
    """
    if not isinstance(document, dict):
        raise _invalid(path, f"expected a {spec.type_name} object")
    declared = document.get("@type")
    if typed and declared not in (None, "", spec.type_name):
        raise _invalid(f"{path}/@type", f"expected {spec.type_name}, got {declared!r}")
    try:
        return from_json(document, spec, unknown=unknown)
    except InvalidRequest as exc:
        # A value that does not fit its field is the service's error, reported like one.
        raise _invalid(f"{path}/{exc.field or '?'}", exc.message) from None


def read_list(document: Any, spec: ObjectSpec, *, unknown: Unknown = "keep") -> list[Any]:
    """An array of objects; a lone object is read as a list of one."""
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        raise _invalid("/", f"expected an array of {spec.type_name}")
    return [
        read_object(item, spec, f"/{i}", typed=False, unknown=unknown)
        for i, item in enumerate(document)
    ]


def read_page(document: Any, spec: ObjectSpec, *, unknown: Unknown = "keep") -> QueryPage[Any]:
    """``{"@type": "ApimQueryResult"|"QueryResult", "result", "numberOfResults", "queryToken"}``."""
    if not isinstance(document, dict):
        raise _invalid("/", "expected a query result object")
    results = document.get("result")
    if results is None:
        results = []
    if not isinstance(results, list):
        raise _invalid("/result", "expected an array")
    items = tuple(
        read_object(item, spec, f"/result/{i}", unknown=unknown) for i, item in enumerate(results)
    )
    count = document.get("numberOfResults", len(items))
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise _invalid("/numberOfResults", "expected a non-negative integer")
    token = document.get("queryToken")
    if token is not None and not isinstance(token, str):
        raise _invalid("/queryToken", "expected a string")
    return QueryPage(items, count, token or None)


def read_successful(response: HttpResponse, *, excerpt: Excerpt) -> bool:
    """A delete's answer: ``true`` (or the object pages' ``{true}``)."""
    braced = _BRACED_BOOLEAN.fullmatch(response.body)
    document: Any = braced.group(1) == b"true" if braced else load(response, excerpt=excerpt)
    if not isinstance(document, bool):
        raise _invalid("/", "expected true or false")
    return document


def read_bulk(
    document: Any, spec: ObjectSpec, *, unknown: Unknown = "keep"
) -> list[BulkAnswer[Any]]:
    """``{"@type": "BulkResult", "response": [{"@type": "BulkResponse", "Result", "statusCode"}]}``.

    ``index``, ``id``, ``statusCode``, ``errorMessage`` and ``Result`` are all optional
    (Boomi's successful items carry only statusCode and Result); the adapter pairs the
    items with the ids asked.
    """
    if not isinstance(document, dict):
        raise _invalid("/", "expected a BulkResult object")
    entries = document.get("response", [])
    if not isinstance(entries, list):
        raise _invalid("/response", "expected an array")
    items: list[BulkAnswer[Any]] = []
    for position, entry in enumerate(entries):
        path = f"/response/{position}"
        if not isinstance(entry, dict):
            raise _invalid(path, "expected an object")
        object_id = entry.get("id")
        if object_id is not None and not isinstance(object_id, str):
            raise _invalid(f"{path}/id", "expected a string")
        error_message = entry.get("errorMessage")
        if error_message is not None and not isinstance(error_message, str):
            raise _invalid(f"{path}/errorMessage", "expected a string")
        raw = entry.get("Result")
        items.append(
            BulkAnswer(
                index=_integer(entry, "index", path),
                id=object_id or None,
                status_code=_integer(entry, "statusCode", path),
                result=None
                if raw is None
                else read_object(raw, spec, f"{path}/Result", unknown=unknown),
                # An empty errorMessage reads as none, as on the SOAP wire.
                error_message=error_message or None,
            )
        )
    return items


def _integer(entry: dict[str, Any], key: str, path: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{path}/{key}", "expected an integer")
    return value
