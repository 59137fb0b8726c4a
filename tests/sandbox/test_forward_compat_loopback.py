"""Forward-compatible reading end to end: real clients, real HTTP on loopback, the emulator.

The emulator answers in today's shapes; :class:`GrowingProxy` in front of it adds what a
later Boomi might send (an attribute / key, a child element / object, a new enumeration
value) or breaks a known field's type. Clients read the grown answers in the default mode
and refuse them with ``validate="strict"``; the broken type is refused in both modes.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from lxml import etree

from boomisoap import (
    ApimClient,
    EnvelopeValidationError,
    Plan,
    PlanStatus,
    RateLimitUnit,
    UnknownFieldWarning,
)
from boomisoap.models.extras import forget_reported
from boomisoap.namespaces import APIM, XSI
from boomisoap.sandbox import Sandbox
from sandbox.growing_proxy import GrowingProxy

XSI_TYPE = f"{{{XSI}}}type"


def grow_xml(body: bytes) -> bytes:
    root = etree.fromstring(body)
    for element in root.iter():
        if str(element.get(XSI_TYPE, "")).endswith(":Plan"):
            element.set("status", "ARCHIVED")
            element.set("createdBy", "ann")
            etree.SubElement(element, f"{{{APIM}}}sla").set("level", "3")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def grow_json(document: Any) -> Any:
    if isinstance(document, dict):
        if document.get("@type") == "Plan":
            document.update(status="ARCHIVED", createdBy="ann", sla={"level": 3})
        for value in document.values():
            grow_json(value)
    elif isinstance(document, list):
        for item in document:
            grow_json(item)
    return document


def grow(body: bytes, content_type: str) -> bytes:
    if not body:
        return body
    if "json" in content_type:
        return json.dumps(grow_json(json.loads(body))).encode()
    if "xml" in content_type:
        return grow_xml(body)
    return body


def break_rate_limit(body: bytes, content_type: str) -> bytes:
    if "json" in content_type and body:
        document = json.loads(body)
        if isinstance(document, dict) and document.get("rateLimit") == 5:
            document["rateLimit"] = "lots"
        return json.dumps(document).encode()
    return body.replace(b'rateLimit="5"', b'rateLimit="lots"')


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(users={"u": "p"}, rate_limit=None) as sb:
        sb.add(Plan(plan_id="p-1", name="gold", rate_limit=5, status=PlanStatus.ENABLED))
        yield sb


@pytest.fixture(autouse=True)
def fresh_reports() -> Iterator[None]:
    forget_reported()
    yield
    forget_reported()


def client(proxy: GrowingProxy, sb: Sandbox, wire: str, validate: bool | str) -> ApimClient:
    return ApimClient(
        account_id=sb.account_id,
        username="u",
        password="p",
        base_url=proxy.base_url,
        rate_limit=None,
        wire=wire,
        validate=validate,
    )


def through(sb: Sandbox, rewrite: Callable[[bytes, str], bytes]) -> GrowingProxy:
    return GrowingProxy(sb.base_url, rewrite)


@pytest.mark.parametrize("wire", ["soap", "rest"])
def test_grown_answers_read_in_the_default_mode(sandbox: Sandbox, wire: str) -> None:
    proxy = through(sandbox, grow)
    with (
        proxy,
        client(proxy, sandbox, wire, True) as apim,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        plan = apim.plans.get("p-1")
        (queried,) = [p for p in apim.plans.query() if p.plan_id == "p-1"]
        created = apim.plans.create(Plan(name="new", rate_limit_unit=RateLimitUnit.SECOND))
    for found in (plan, queried, created):
        assert found.status == "ARCHIVED" and type(found.status) is str
        assert found.extras["createdBy"] == "ann"
        assert "sla" in found.extras
    assert (plan.name, plan.rate_limit) == ("gold", 5)
    assert created.rate_limit_unit is RateLimitUnit.SECOND
    names = sorted(
        str(w.message).split("'")[1] for w in caught if w.category is UnknownFieldWarning
    )
    assert names == ["createdBy", "sla", "status"]  # once each, across three calls


@pytest.mark.parametrize("wire", ["soap", "rest"])
def test_grown_answers_are_refused_in_strict_mode(sandbox: Sandbox, wire: str) -> None:
    proxy = through(sandbox, grow)
    with (
        proxy,
        client(proxy, sandbox, wire, "strict") as apim,
        pytest.raises(EnvelopeValidationError) as caught,
    ):
        apim.plans.get("p-1")
    assert caught.value.direction == "response"


@pytest.mark.parametrize("validate", [True, "strict"])
@pytest.mark.parametrize("wire", ["soap", "rest"])
def test_a_wrongly_typed_known_field_is_refused_in_both_modes(
    sandbox: Sandbox, wire: str, validate: bool | str
) -> None:
    proxy = through(sandbox, break_rate_limit)
    with (
        proxy,
        client(proxy, sandbox, wire, validate) as c,
        pytest.raises(EnvelopeValidationError) as caught,
    ):
        c.plans.get("p-1")
    assert "rateLimit" in caught.value.path + caught.value.reason
