"""The lxml envelope writer against zeep's ``create_message``, the reference.

For every object type and every operation its WSDL offers, generated objects, ids, tokens
and query filters go through both builders; the two envelopes must be the same document
once canonicalised (C14N 2.0 with prefixes rewritten and ``xsi:type`` read as a QName). The
WS-Security values that differ by design between two calls (wsu:Id, signature and digest
values) are normalised; Nonce and Created come from the same fixed sources on both sides,
so they are compared as they are. Signed envelopes are also verified as a server would.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hardening.strategies import NON_EMPTY_TEXT, XML_TEXT, expressions, objects
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from signing_keys import KeyMaterial, self_signed

from boomisoap.models.fields import ObjectSpec
from boomisoap.models.registry import OBJECTS
from boomisoap.namespaces import DS, WSU, XSI
from boomisoap.query import bind
from boomisoap.soap.envelopes import EnvelopeBuilder
from boomisoap.soap.fastenvelope import EnvelopeWriter, Typed, writer
from boomisoap.validation import validate_envelope
from boomisoap.wsse import Timestamp, UsernameToken, X509Signer, verify_request

MOMENT = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
SPECS = sorted(OBJECTS.values(), key=lambda spec: spec.type_name)
OPERATIONS = [
    (spec, operation)
    for spec in SPECS
    for operation in sorted(
        spec.operations | ({"queryMore"} if "query" in spec.operations else set())
    )
]
_IDS = {f"{{{WSU}}}Id", "Id"}
_VARYING_TEXT = {f"{{{DS}}}DigestValue", f"{{{DS}}}SignatureValue"}


def canonical(envelope: Any, *, signed: bool = False) -> str:
    """The envelope as C14N 2.0 text, with what varies by design replaced by markers.

    The signer stamps its Timestamp from the real clock (its moment is not injectable), so
    for signed envelopes the Timestamp's Created and Expires are markers too.
    """
    element = copy.deepcopy(envelope)
    if signed:
        for stamp in element.iter(f"{{{WSU}}}Timestamp"):
            for node in stamp:
                node.text = "MOMENT"
    for node in element.iter():
        for name in _IDS & set(node.attrib):
            node.set(name, "ID")
        if node.get("URI", "").startswith("#"):
            node.set("URI", "#ID")
        if node.tag in _VARYING_TEXT:
            node.text = "VALUE"
    text = etree.tostring(element, encoding="unicode")
    return str(
        etree.canonicalize(text, rewrite_prefixes=True, qname_aware_attrs=[f"{{{XSI}}}type"])
    )


def _nonce(size: int) -> bytes:
    return bytes(range(size))


@pytest.fixture(scope="module")
def signer_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyMaterial:
    return self_signed(tmp_path_factory.mktemp("keys"), "client")


def _headers(signer_keys: KeyMaterial) -> dict[str, Callable[[], list[Any]]]:
    def token(digest: bool = False) -> UsernameToken:
        return UsernameToken(
            "user", "pass word", digest=digest, nonce_source=_nonce, clock=lambda: MOMENT
        )

    return {
        "none": list,
        "PasswordText": lambda: [token()],
        "PasswordDigest + Timestamp": lambda: [token(True), Timestamp(60, clock=lambda: MOMENT)],
        "signed": lambda: [token(), X509Signer(signer_keys.key, signer_keys.cert)],
    }


HEADERS = ("none", "PasswordText", "PasswordDigest + Timestamp", "signed")


def _arguments(spec: ObjectSpec, operation: str) -> st.SearchStrategy[tuple[Any, ...]]:
    """What the builder method of ``operation`` takes, generated from the field map."""
    if operation in ("get", "delete"):
        return st.tuples(NON_EMPTY_TEXT)
    if operation == "queryMore":
        return st.tuples(XML_TEXT)
    if operation in ("create", "update"):
        return st.tuples(objects(spec))
    if operation == "getBulk":
        return st.tuples(st.lists(NON_EMPTY_TEXT, min_size=1, max_size=5))
    assert operation == "query"
    return st.tuples((st.none() | expressions(spec)).map(lambda expr: bind(expr, spec)))


_METHODS = {"queryMore": "query_more", "getBulk": "get_bulk"}


def _build(
    builder: EnvelopeBuilder, spec: ObjectSpec, operation: str, args: tuple[Any, ...]
) -> Any:
    method = getattr(builder, _METHODS.get(operation, operation))
    return method(*args) if operation == "queryMore" else method(spec, *args)


@pytest.mark.parametrize("header", HEADERS)
@pytest.mark.parametrize(
    ("spec", "operation"), OPERATIONS, ids=[f"{s.type_name}-{o}" for s, o in OPERATIONS]
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_written_envelope_is_zeeps(
    spec: ObjectSpec, operation: str, header: str, signer_keys: KeyMaterial, data: st.DataObject
) -> None:
    args = data.draw(_arguments(spec, operation))
    plugins = _headers(signer_keys)[header]
    fast = _build(EnvelopeBuilder(spec.service, plugins()), spec, operation, args)
    reference = _build(
        EnvelopeBuilder(spec.service, plugins(), engine="zeep"), spec, operation, args
    )
    signed = header == "signed"
    assert canonical(fast, signed=signed) == canonical(reference, signed=signed)
    # What is sent is a valid request, and a signed one verifies as a server checks it.
    validate_envelope(fast, direction="request")
    if signed:
        verify_request(fast, signer_keys.cert, now=datetime.now(UTC))


def test_every_operation_of_both_wsdls_is_covered() -> None:
    """The property above reaches every operation the WSDLs declare (none is left to zeep)."""
    covered = {(spec.service, operation) for spec, operation in OPERATIONS}
    declared = {
        (service, name) for service in ("apim", "platform") for name in writer(service).operations
    }
    assert covered == declared


def test_layout_is_read_from_the_wsdl_and_schemas() -> None:
    apim = EnvelopeWriter("apim")
    get = apim.operations["get"]
    assert get.wrapper == "{http://soap.apim.api.platform.boomi.com/}get"
    assert [tag for _, tag, _ in get.layout.children] == [
        "{http://apim.api.platform.boomi.com/}objectType",
        "{http://apim.api.platform.boomi.com/}objectId",
    ]
    platform = EnvelopeWriter("platform")
    assert platform.operations["get"].wrapper == "{http://api.platform.boomi.com/}get"


def test_a_part_the_schema_does_not_declare_is_refused() -> None:
    apim = writer("apim")
    with pytest.raises(ValueError, match="declares no objectKind"):
        apim.envelope("get", {"objectKind": "Plan"})
    with pytest.raises(ValueError, match="not an operation"):
        apim.envelope("getBulk", {})
    with pytest.raises(ValueError, match="not a complex type"):
        apim.envelope("create", {"object": Typed(XSI, "Nothing", {})})


def test_the_engine_is_checked() -> None:
    with pytest.raises(ValueError, match="engine must be one of"):
        EnvelopeBuilder("apim", engine="suds")  # type: ignore[arg-type]


def test_create_leaves_out_what_the_service_assigns() -> None:
    spec = OBJECTS["Plan"]
    plan = spec.cls(plan_id="p-1", name="Gold")
    for engine in ("lxml", "zeep"):
        created = EnvelopeBuilder("apim", engine=engine).create(spec, plan)  # type: ignore[arg-type]
        updated = EnvelopeBuilder("apim", engine=engine).update(spec, plan)  # type: ignore[arg-type]
        assert "planId" not in _object_attributes(created)
        assert _object_attributes(updated)["planId"] == "p-1"


def _object_attributes(envelope: Any) -> dict[str, str]:
    found: Iterator[Any] = envelope.iter("{http://apim.api.platform.boomi.com/}object")
    return dict(next(found).attrib)


def test_sendable_is_the_rule_of_both_wires(tmp_path: Path) -> None:
    for spec in SPECS:
        sent = spec.sendable("create")
        assert all(not f.server_assigned for f in sent)
        assert {f.name for f in spec.fields} - {f.name for f in sent} == {
            f.name for f in spec.fields if f.server_assigned
        }
        assert spec.sendable("update") == spec.fields
