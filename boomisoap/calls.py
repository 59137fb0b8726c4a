"""What one exchange is, free of I/O: the call, its request, and how its answer is read.

A wire (``boomisoap.soap.wire``, ``boomisoap.rest.wire``, the MFT calls) turns a Boomi
operation into an :class:`Operation`; a transport (the sync one over requests,
``boomisoap.transport``, or the async one over httpx, ``boomisoap.aio``) sends it and
hands the answer to ``Operation.parse``. Nothing here opens a socket.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from .redact import redact_id
from .redact import scrub as _scrub

T = TypeVar("T")

# Operations that change nothing on the server: safe to send again after a lost answer.
IDEMPOTENT = frozenset(
    {
        "get",
        "query",
        "queryMore",
        "getBulk",
        "transfer_quota",
        "transfer_usage",
        "month_to_date",
        "daily",
        "billing_daily",
    }
)


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    """What an exchange is about, for retries and the audit record."""

    service: str
    operation: str
    wire: str
    object_type: str | None = None
    object_ids: tuple[str, ...] = ()
    account_id: str | None = None
    # The object type's id field is secret (an ApiKey's key): the ids are secrets too.
    secret_ids: bool = False
    # The object type has secret fields: values of those in answers are secrets as well.
    secret_fields: bool = False

    @property
    def idempotent(self) -> bool:
        return self.operation in IDEMPOTENT

    @property
    def shown_ids(self) -> tuple[str, ...]:
        """The ids as they may be shown: redacted when they are secrets."""
        return tuple(redact_id(i, self.secret_ids) for i in self.object_ids)

    def __repr__(self) -> str:
        return (
            f"Call(service={self.service!r}, operation={self.operation!r}, wire={self.wire!r}, "
            f"object_type={self.object_type!r}, object_ids={self.shown_ids!r}, "
            f"account_id={self.account_id!r})"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""

    def __repr__(self) -> str:
        # Headers and body carry the credentials: a repr (a traceback's locals, a debug
        # print of what an observer got) names only their size.
        return (
            f"HttpRequest({self.method} {_scrub(self.url)}, headers={sorted(self.headers)}, "
            f"body={len(self.body)} bytes)"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def __repr__(self) -> str:
        return f"HttpResponse({self.status}, body={len(self.body)} bytes)"


@dataclasses.dataclass(frozen=True, slots=True)
class Operation(Generic[T]):
    """One exchange described: what a transport sends and how it reads the answer.

    ``parse`` raises the typed error (a fault, a 503, a bad body) the retry policy decides
    on; ``rebuild`` gives the body of every attempt after the first (the SOAP wire writes a
    fresh UsernameToken: the server has seen the first Nonce, and would refuse it again).
    """

    call: Call
    request: HttpRequest
    parse: Callable[[HttpResponse], T]
    rebuild: Callable[[], bytes] | None = None

    def __repr__(self) -> str:
        return f"Operation({self.call!r}, {self.request!r})"


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, its name matched without regard to case."""
    value = headers.get(name)  # as most servers spell it: no walk over every header
    if value is not None:
        return value
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def is_xml(response: HttpResponse) -> bool:
    content_type = (header(response.headers, "Content-Type") or "").lower()
    return "xml" in content_type or response.body.lstrip()[:1] == b"<"


def answered_html(response: HttpResponse) -> bool:
    """True when the body is an HTML page (a gateway, proxy or login page), not an answer."""
    content_type = (header(response.headers, "Content-Type") or "").lower()
    if "text/html" in content_type:
        return True
    start = response.body.lstrip()[:15].lower()
    return start.startswith((b"<!doctype html", b"<html"))
