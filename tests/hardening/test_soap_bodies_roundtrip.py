"""Every SOAP Body shape, written by boomisoap.soapbody and read back by its own reader.

For every object type and every operation of its service's WSDL, hypothesis draws objects,
query pages, bulk answers and faults; the writer's envelope is validated against xsd/ in the
emulator's strict policy (so writer and reader cannot agree on a shape the schema refuses),
sent as bytes through the client's response reading, and read by the shape's reader, which
must give back what was written. tests/golden holds the same shapes to Boomi's documents.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from boomisoap import BoomiFault, soapbody
from boomisoap.models import OBJECTS
from boomisoap.models.fields import ObjectSpec
from boomisoap.models.results import BulkAnswer, BulkItem, QueryPage, pair_bulk
from boomisoap.namespaces import PLATFORM_SOAP_LEGACY
from boomisoap.resources import wsdl_path
from boomisoap.soap import responses
from boomisoap.soapbody.fault import Fault
from boomisoap.transport import HttpResponse
from boomisoap.validation import validate_element, validate_envelope
from boomisoap.xmlsafe import parse
from hardening.strategies import NON_EMPTY_TEXT, XML_TEXT, objects

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WSDL = "http://schemas.xmlsoap.org/wsdl/"
# The Body shape of each operation's answer; an operation missing here fails the test below.
SHAPES = {
    "get": "result",
    "create": "result",
    "update": "result",
    "query": "page",
    "queryMore": "page",
    "delete": "successful",
    "getBulk": "bulk",
}
# The client's three readings: the open schema policy (the default), the closed one, none.
VALIDATE_MODES = st.sampled_from([True, "strict", False])
XS_INT = st.integers(0, 2**31 - 1)
# What the emulator's faults declare (docs/wire.md, "Status codes").
FAULT_STATUSES = st.sampled_from([400, 403, 404, 409, 410, 413, 500, 503])


def operations(service: str) -> list[str]:
    """The operations of the service's portType, as the WSDL declares them."""
    tree = etree.parse(str(wsdl_path(service)))
    names = tree.xpath("/w:definitions/w:portType/w:operation/@name", namespaces={"w": WSDL})
    return [str(name) for name in names]


CASES = [
    pytest.param(spec, operation, id=f"{name}-{operation}")
    for name, spec in sorted(OBJECTS.items())
    for operation in operations(spec.service)
]


def test_every_operation_has_a_shape():
    for service in ("apim", "platform"):
        assert set(operations(service)) <= set(SHAPES), service


def sent(envelope: Any, status: int = 200) -> HttpResponse:
    """The envelope as the emulator sends it, after the emulator's strict validation."""
    body = soapbody.envelope.to_bytes(envelope)
    validate_envelope(parse(body), direction="response")
    return HttpResponse(status, {"Content-Type": "text/xml; charset=utf-8"}, body)


def read_back(response: HttpResponse, read: Any, validate: bool | str) -> Any:
    child, unknown = responses.response_body(response, validate=validate, excerpt="")
    return read(child, unknown)


def in_legacy_namespace(response: HttpResponse) -> HttpResponse:
    """The same answer with its Platform wrapper in Boomi's older namespace."""
    envelope = parse(response.body)
    wrapper = envelope[0][0]
    wrapper.tag = f"{{{PLATFORM_SOAP_LEGACY}}}{etree.QName(wrapper).localname}"
    body = soapbody.envelope.to_bytes(envelope)
    return HttpResponse(response.status, dict(response.headers), body)


def pages(spec: ObjectSpec) -> st.SearchStrategy[QueryPage[Any]]:
    return st.builds(
        QueryPage,
        st.lists(objects(spec), max_size=3).map(tuple),
        XS_INT,
        st.none() | NON_EMPTY_TEXT,
    )


@st.composite
def bulk_items(draw: st.DrawFn, spec: ObjectSpec) -> list[BulkItem[Any]]:
    items: list[BulkItem[Any]] = []
    # Ids unique even ignoring case, so that pairing by id has one answer to find.
    ids = draw(st.lists(NON_EMPTY_TEXT, max_size=4, unique_by=str.casefold))
    for index, object_id in enumerate(ids):
        if draw(st.booleans()):
            items.append(BulkItem(index, object_id, 200, result=draw(objects(spec))))
        else:
            status = draw(st.sampled_from([400, 403, 404, 500]))
            message = draw(st.none() | NON_EMPTY_TEXT)
            items.append(BulkItem(index, object_id, status, error_message=message))
    return items


def expected_answer(item: BulkItem[Any]) -> BulkAnswer[Any]:
    """Boomi's shape: a success carries statusCode and Result, a failure statusCode,
    errorMessage and id; neither carries index."""
    if item.result is not None:
        return BulkAnswer(status_code=item.status_code, result=item.result)
    message = item.error_message or f"status {item.status_code}"
    return BulkAnswer(id=item.id, status_code=item.status_code, error_message=message)


def shape(spec: ObjectSpec, operation: str) -> tuple[Any, Any, Any, Any]:
    """What is drawn for an operation's answer, its writer and reader, and what the reader
    must give back for what was drawn."""
    service = spec.service
    kind = SHAPES[operation]
    if kind in ("result", "page"):  # both written as (service, operation, value, spec)
        module = getattr(soapbody, kind)
        return (
            objects(spec) if kind == "result" else pages(spec),
            lambda value: module.write(service, operation, value, spec),
            module.read,
            lambda value: value,
        )
    if kind == "successful":
        return (
            st.none(),
            lambda _: soapbody.successful.write(service),
            soapbody.successful.read,
            lambda _: True,
        )
    assert kind == "bulk"
    return (
        bulk_items(spec),
        lambda items: soapbody.bulk.write(service, items, spec),
        lambda child, unknown: soapbody.bulk.read(child, spec, unknown),
        lambda items: [expected_answer(item) for item in items],
    )


@pytest.mark.parametrize(("spec", "operation"), CASES)
def test_each_answer_reads_back_as_written(spec, operation):
    drawn, write, read, expected = shape(spec, operation)

    @SETTINGS
    @given(drawn, VALIDATE_MODES)
    def check(value, validate):
        response = sent(write(value))
        answer = read_back(response, read, validate)
        assert answer == expected(value)
        if spec.service == "platform":
            assert read_back(in_legacy_namespace(response), read, validate) == answer

    check()


@pytest.mark.parametrize("spec", [s for s in OBJECTS.values() if s.service == "platform"])
def test_bulk_answers_pair_back_into_the_items_answered(spec):
    @SETTINGS
    @given(bulk_items(spec))
    def check(items):
        response = sent(soapbody.bulk.write(spec.service, items, spec))
        answers = read_back(response, lambda c, u: soapbody.bulk.read(c, spec, u), True)
        assert pair_bulk([item.id for item in items], answers) == [
            dataclasses.replace(item, error_message=expected_answer(item).error_message)
            for item in items
        ]

    check()


STRIPPED_TEXT = NON_EMPTY_TEXT.filter(lambda s: s == s.strip())


@SETTINGS
@given(
    FAULT_STATUSES,
    STRIPPED_TEXT,
    st.none() | STRIPPED_TEXT,
    st.none() | st.sampled_from(["Client", "Server", "VersionMismatch"]),
)
def test_faults_read_back_as_written(status, message, field, code):
    envelope = soapbody.fault.write(status, message, field, code=code)
    body = soapbody.envelope.to_bytes(envelope)
    # What the emulator validates of a fault: its ServiceFault detail.
    validate_element(soapbody.fault.service_fault_of(parse(body)), direction="response")

    fault = parse(body).find(f"{soapbody.envelope.BODY}/{soapbody.envelope.FAULT}")
    default = "Client" if 400 <= status < 500 else "Server"
    assert soapbody.fault.read(fault) == Fault(code or default, message, status, field)

    # Through the client, as the emulator sends it (HTTP 500, the rate limit's 503): the
    # declared status, the message, the code and the field reach the typed error.
    response = HttpResponse(
        503 if status == 503 else 500, {"Content-Type": "text/xml; charset=utf-8"}, body
    )
    with pytest.raises(BoomiFault) as raised:
        responses.response_body(response, validate=True, excerpt="")
    error = raised.value
    if status == 503:  # the rate limit is told by the HTTP status alone, the body unread
        assert error.status_code == 503
    else:
        parts = (error.status_code, error.message, error.fault_code, error.field)
        assert parts == (status, message, code or default, field)


@SETTINGS
@given(XML_TEXT)
def test_a_fault_without_detail_reads_as_no_declared_status(message):
    envelope, body = soapbody.envelope.write()
    element = etree.SubElement(body, soapbody.envelope.FAULT)
    etree.SubElement(element, "faultcode").text = "S:Server"
    etree.SubElement(element, "faultstring").text = message
    fault = parse(soapbody.envelope.to_bytes(envelope))[0][0]
    assert soapbody.fault.read(fault) == Fault("Server", message.strip())
