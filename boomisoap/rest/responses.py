"""Reading JSON responses: HTTP statuses and error bodies to typed errors, bodies to objects.

The exception classes are the SOAP wire's: a status maps through
:func:`boomisoap.errors.fault_class_for`, a body that is not JSON at all (an HTML error
page, a truncated answer) is a :class:`TransportError`, and JSON that parses but breaks
the documented shape or a field's rule is an :class:`EnvelopeValidationError` with
``direction="response"`` and a JSON-pointer-like path, as a bad SOAP response is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from ..codec.jsoncodec import from_json
from ..errors import (
    AuthenticationError,
    EnvelopeValidationError,
    InvalidRequest,
    RateLimited,
    TransportError,
    fault_class_for,
)
from ..models.extras import Unknown
from ..models.fields import ObjectSpec
from ..models.results import BulkItem, QueryPage
from ..transport import HttpResponse, HttpTransport, scrub

# The start of a body, for a TransportError; computed only when an error needs it.
Excerpt = Callable[[], str]

# The seeds print a successful delete as ``{true}``, which is not JSON; accept it too.
_BRACED_BOOLEAN = re.compile(rb"\s*\{\s*(true|false)\s*\}\s*")


def _reject_constant(name: str) -> NoReturn:
    # NaN and Infinity are not JSON; Python's parser would accept them by default.
    raise ValueError(f"{name} is not a JSON value")


def _loads(body: bytes) -> Any:
    """The parsed body; ValueError when it is not one complete JSON document."""
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    return json.loads(text, parse_constant=_reject_constant)


def excerpt_of(transport: HttpTransport, body: bytes, secrets: Iterable[str]) -> str:
    """The start of ``body`` for a message, secrets removed before it is cut.

    Cutting first could leave the head of a secret at the end of the excerpt, where
    no replacement would find it.
    """
    text = scrub(body.decode("utf-8", errors="replace"), secrets)
    return transport.excerpt(text.encode("utf-8"))


def raise_for_status(response: HttpResponse, *, excerpt: Excerpt, secrets: Iterable[str]) -> None:
    """Raise the typed error a non-2xx response stands for; return on success."""
    status = response.status
    if 200 <= status < 300:
        return
    try:
        document = _loads(response.body) if response.body.strip() else None
    except ValueError:
        document = None
    error = document if isinstance(document, dict) else None
    message = _message(error, status, secrets)
    if status == 503:
        # Over the rate limit: whatever the body says, the transport may try again.
        if error is None:
            message = "the service answered 503 (rate limit)"
        raise RateLimited(message, status_code=503)
    if error is None:
        if status in (401, 403):
            # Proxies and gateways answer authentication failures with their own pages.
            raise AuthenticationError(message, status_code=status)
        if status == 413:
            # docs/rest.md: 413 is InvalidRequest, also when a server in front of the
            # service refuses the body with its own (non-JSON) page.
            raise InvalidRequest("HTTP 413: the request body is too large", status_code=413)
        reason = "unexpected HTTP status" if status < 400 else "the error response is not JSON"
        raise TransportError(reason, http_status=status, excerpt=excerpt())
    code = _status_code(error, status)
    field = error.get("field")
    cls = fault_class_for(code)
    raise cls(message, status_code=code, field=field if isinstance(field, str) else None)


def _status_code(error: dict[str, Any], http_status: int) -> int:
    # docs/wire.md: the HTTP status is the status code; a body's own code (when it is a
    # plausible error status) is more precise behind gateways that answer 500 for all.
    declared = error.get("statusCode")
    if isinstance(declared, int) and not isinstance(declared, bool) and 400 <= declared < 600:
        return declared
    return http_status


def _message(error: dict[str, Any] | None, status: int, secrets: Iterable[str]) -> str:
    text = None if error is None else error.get("message")
    if not isinstance(text, str) or not text.strip():
        return f"HTTP {status}"
    return scrub(text.strip(), secrets)


def load(response: HttpResponse, *, excerpt: Excerpt) -> Any:
    """The JSON document of a successful response."""
    try:
        return _loads(response.body)
    except ValueError:
        what = "the response is empty" if not response.body.strip() else "the response is not JSON"
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
    """A delete's answer: ``true`` (or the seeds' ``{true}``)."""
    braced = _BRACED_BOOLEAN.fullmatch(response.body)
    document: Any = braced.group(1) == b"true" if braced else load(response, excerpt=excerpt)
    if not isinstance(document, bool):
        raise _invalid("/", "expected true or false")
    return document


def read_bulk(document: Any, spec: ObjectSpec, *, unknown: Unknown = "keep") -> list[BulkItem[Any]]:
    """``{"response": [{"index", "id", "statusCode", "errorMessage", "Result"}]}``."""
    entries = document.get("response") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise _invalid("/response", "expected an array")
    items: list[BulkItem[Any]] = []
    for position, entry in enumerate(entries):
        path = f"/response/{position}"
        if not isinstance(entry, dict):
            raise _invalid(path, "expected an object")
        index = _integer(entry, "index", path, default=position)
        status = _integer(entry, "statusCode", path, default=None)
        object_id = entry.get("id")
        error_message = entry.get("errorMessage")
        raw = entry.get("Result")
        items.append(
            BulkItem(
                index=index,
                id=object_id if isinstance(object_id, str) else "",
                status_code=status,
                result=None
                if raw is None
                else read_object(raw, spec, f"{path}/Result", unknown=unknown),
                # An empty errorMessage reads as none, as on the SOAP wire.
                error_message=error_message
                if isinstance(error_message, str) and error_message
                else None,
            )
        )
    return items


def _integer(entry: dict[str, Any], key: str, path: str, *, default: int | None) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{path}/{key}", "expected an integer")
    return value
