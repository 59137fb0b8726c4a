"""Which object types the emulator treats as deprecated or retired (docs/emulator.md).

Boomi's versioning policy: operations on a deprecated object answer normally with
``Deprecation``/``Sunset``/``Warning``/``Link`` headers; a retired object answers 410, or
301/308 with a replacement URL. ``Sandbox.start(deprecated=..., retired=...)`` sets both
per object type, so a client's handling of either is testable end to end.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..models.fields import ObjectSpec
from ..models.registry import specs_for_service
from ..namespaces import SOAP_ENV
from .httpio import Response, deprecation_headers, json_response

REDIRECTS = (301, 308)


@dataclasses.dataclass(frozen=True, slots=True)
class Retirement:
    """How a retired type answers: 410 without ``location``, else ``status`` to it.

    ``location`` is an absolute URL or a path from the server root (``/apim/api/rest/v1/
    {account}/plan``); ``{account}`` is replaced by the account of the request.
    """

    location: str | None = None
    status: int = 308

    def __post_init__(self) -> None:
        if self.location is not None and self.status not in REDIRECTS:
            raise ValueError(f"a retired type redirects with 301 or 308, not {self.status}")

    def url(self, base_url: str, account: str) -> str | None:
        if self.location is None:
            return None
        target = self.location.replace("{account}", account)
        return base_url + target if target.startswith("/") else target


@dataclasses.dataclass(frozen=True, slots=True)
class Deprecated:
    """A deprecated type: its successor's name (or None) for the Warning and Link headers."""

    successor: str | None = None


def _known_types() -> set[str]:
    return {
        spec.type_name for service in ("apim", "platform") for spec in specs_for_service(service)
    }


class Lifecycle:
    """The deprecated and retired types of one sandbox; Contract is deprecated by default."""

    def __init__(
        self,
        deprecated: Mapping[str, Deprecated | str | None] | None = None,
        retired: Mapping[str, Retirement | str | None] | None = None,
    ) -> None:
        known = _known_types()
        for name in [*(deprecated or {}), *(retired or {})]:
            if name not in known:
                raise ValueError(f"{name} is not an object type of the emulator")
        self.deprecated = {
            name: value if isinstance(value, Deprecated) else Deprecated(value)
            for name, value in (deprecated or {}).items()
        }
        self.retired = {
            name: value if isinstance(value, Retirement) else Retirement(value)
            for name, value in (retired or {}).items()
        }

    def headers(self, spec: ObjectSpec, base_url: str, account: str) -> list[tuple[str, str]]:
        """Deprecation headers for an answer about ``spec``; none when it is current."""
        chosen = self.deprecated.get(spec.type_name)
        successor = chosen.successor if chosen is not None else spec.deprecated
        if chosen is None and spec.deprecated is None:
            return []
        successor_url = None
        if successor is not None:
            successor_spec = next(
                (s for s in specs_for_service(spec.service) if s.type_name == successor), None
            )
            if successor_spec is not None:
                successor_url = (
                    _rest_root(spec.service, base_url, account) + successor_spec.rest_path
                )
        return deprecation_headers(spec.type_name, successor, successor_url)

    def retirement(self, spec: ObjectSpec | None) -> Retirement | None:
        return None if spec is None else self.retired.get(spec.type_name)


def _rest_root(service: str, base_url: str, account: str) -> str:
    prefix = "/apim/api/rest/v1/" if service == "apim" else "/api/rest/v1/"
    return f"{base_url}{prefix}{account}/"


def retired_message(spec: ObjectSpec, url: str | None) -> str:
    if url is None:
        return f"{spec.type_name} is retired and no longer available"
    return f"{spec.type_name} is retired; use {url}"


def retired_rest(spec: ObjectSpec, retirement: Retirement, base_url: str, account: str) -> Response:
    """Boomi's REST answer for a retired type: ``{"message"}`` with 410 or a redirect."""
    url = retirement.url(base_url, account)
    document: dict[str, Any] = {"message": retired_message(spec, url)}
    if url is None:
        return json_response(410, document)
    return json_response(retirement.status, document, [("Location", url)])


def retired_soap_body(
    spec: ObjectSpec, retirement: Retirement, base_url: str, account: str
) -> bytes:
    """A Fault without our ``api:ServiceFault`` detail: Boomi publishes no detail format."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"S": SOAP_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = "S:Client"
    url = retirement.url(base_url, account)
    etree.SubElement(fault, "faultstring").text = retired_message(spec, url)
    return bytes(etree.tostring(envelope, encoding="utf-8", xml_declaration=True))


def retired_soap_status(
    retirement: Retirement, base_url: str, account: str
) -> tuple[int, list[tuple[str, str]]]:
    url = retirement.url(base_url, account)
    if url is None:
        return 410, []
    return retirement.status, [("Location", url)]
