"""The small HTTP vocabulary the handlers share: a parsed request and a response."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class BodyTooLarge(Exception):
    """The request body exceeds the configured limit (answered 413)."""


class EnvironHeaders(Mapping[str, str]):
    """A WSGI environ's request headers under lower-case names (``content-type``), read
    on demand: most requests look at one or two, and copying every one costs more than
    the look-ups."""

    __slots__ = ("_environ",)

    _SPECIAL = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self._environ = environ

    def _key(self, name: str) -> str:
        return self._SPECIAL.get(name) or "HTTP_" + name.upper().replace("-", "_")

    def __getitem__(self, name: str) -> str:
        key = self._key(name.lower())
        value = self._environ.get(key)
        # An empty Content-Type or Content-Length is no header (WSGI servers set both keys).
        if value is None or (not value and key in self._SPECIAL.values()):
            raise KeyError(name)
        return str(value)

    def __iter__(self) -> Iterator[str]:
        for key, value in self._environ.items():
            if key.startswith("HTTP_"):
                yield key[5:].replace("_", "-").lower()
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                yield key.replace("_", "-").lower()

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclasses.dataclass(slots=True)
class Request:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    base_url: str  # scheme://host[:port] as the client addressed the server

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def params(self) -> dict[str, str]:
        """Query parameters, the first value of each."""
        return {key: values[0] for key, values in parse_qs(self.query).items()}


@dataclasses.dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    # What the request was about, for the request log and the audit record.
    operation: str = ""
    object_type: str | None = None
    # Ids named by the request that are secrets (an ApiKey's key in /apiKey/{key}): kept
    # out of the request log and the audit record.
    secret_ids: tuple[str, ...] = ()


STATUS_TEXT = {
    200: "OK",
    301: "Moved Permanently",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    413: "Content Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def path_segments(environ: Mapping[str, Any]) -> list[str]:
    """The request path's segments, each percent-decoded (UTF-8) after splitting.

    Split first, decode second: ``%2F`` inside an id stays part of that id instead of
    becoming a separator (``boomisoap.urlpath`` encodes the same way). waitress hands the
    raw target as ``REQUEST_URI``; other servers only give the decoded ``PATH_INFO``.
    """
    raw = environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw:
        target = raw.partition("?")[0]
        if "://" in target:
            target = urlsplit(raw).path
        if "%" not in target:
            return target.split("/")[1:]  # nothing to decode (the common case)
        # Bytes that are not UTF-8 become lone surrogates, which every id check refuses.
        return [unquote(part, errors="surrogateescape") for part in target.split("/")[1:]]
    raw_path = str(environ.get("PATH_INFO", "/")).encode("latin-1")
    return raw_path.decode("utf-8", "surrogateescape").split("/")[1:]


def status_line(status: int) -> str:
    return f"{status} {STATUS_TEXT.get(status, 'Error')}"


def json_response(
    status: int, document: Any, headers: list[tuple[str, str]] | None = None
) -> Response:
    body = json.dumps(document).encode()
    return Response(status, body, [("Content-Type", "application/json"), *(headers or [])])


def json_error(status: int, message: str, field: str | None = None) -> Response:
    """The REST error body of docs/wire.md."""
    document: dict[str, Any] = {"@type": "Error", "statusCode": status, "message": message}
    if field:
        document["field"] = field
    return json_response(status, document)


def xml_error(status: int, message: str) -> Response:
    """The REST error body Boomi's "API errors" page shows for XML clients."""
    from xml.sax.saxutils import escape

    body = f"<error><message>{escape(message)}</message></error>".encode()
    return Response(status, body, [("Content-Type", "application/xml")])


def wants_xml(request: Request) -> bool:
    """The client asked for XML (Boomi's REST API answers XML or JSON by ``Accept``)."""
    accept = (request.header("Accept") or "").lower()
    return "xml" in accept and "json" not in accept


def read_body(environ: Mapping[str, Any], limit: int) -> bytes:
    """At most ``limit`` bytes of the body; BodyTooLarge if the client sends (or says) more."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared:
        try:
            length = int(declared)
        except ValueError:
            length = -1  # the server validates the header first; refuse rather than guess
        if not 0 <= length <= limit:
            raise BodyTooLarge
    stream = environ["wsgi.input"]
    # One byte more than allowed tells "exactly at the limit" from "over it".
    data = stream.read(limit + 1) if not declared else stream.read(int(declared))
    if len(data) > limit:
        raise BodyTooLarge
    return bytes(data)


# Boomi's deprecation headers (its versioning policy page, the OpenAPI's response
# headers): the dates are HTTP-dates; the Link points at the policy page (text/html).
DEPRECATED_ON = "Mon, 01 Jan 2024 00:00:00 GMT"
SUNSET = "Fri, 31 Dec 2027 23:59:59 GMT"
POLICY_URL = (
    "https://developer.boomi.com/docs/APIs/PlatformSOAPAPI/Introduction/"
    "API-versioning-and-deprecation-policy"
)


def deprecation_headers(
    type_name: str, successor: str | None, successor_url: str | None
) -> list[tuple[str, str]]:
    advice = f"; use {successor}" if successor else ""
    link = f'<{POLICY_URL}>; rel="deprecation"; type="text/html"'
    if successor_url:
        link += f', <{successor_url}>; rel="successor-version"'
    return [
        ("Deprecation", f'version="1.0"; date="{DEPRECATED_ON}"'),
        ("Sunset", SUNSET),
        (
            "Warning",
            f'299 - "You are using a deprecated API endpoint: {type_name} is deprecated{advice}"',
        ),
        ("Link", link),
    ]
