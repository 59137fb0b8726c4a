"""Round trips for every object type through both codecs, and for queries through XML/JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from boomisoap.codec.jsoncodec import from_json, to_json
from boomisoap.codec.xmlcodec import read_object, write_object
from boomisoap.models import OBJECTS
from boomisoap.namespaces import API, APIM, APIM_SOAP, XSI
from boomisoap.query import bind, read_query_config, write_query_config
from boomisoap.query import from_json as query_from_json
from boomisoap.query import to_json as query_to_json
from boomisoap.validation import validate_element
from hardening.strategies import expressions, objects

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_get_response(obj, spec):
    """The object as the result of a getResponse, the way the emulator writes it."""
    soap_ns = APIM_SOAP if spec.namespace == APIM else API
    nsmap = {"xsi": XSI, "api": API, "apim": APIM, "ns4": soap_ns}
    wrapper = etree.Element(f"{{{soap_ns}}}getResponse", nsmap=nsmap)
    write_object(wrapper, f"{{{spec.namespace}}}result", obj, spec)
    return etree.fromstring(etree.tostring(wrapper))


@pytest.mark.parametrize("type_name", sorted(OBJECTS))
def test_xml_round_trip_is_exact_and_valid(type_name):
    spec = OBJECTS[type_name]

    @SETTINGS
    @given(objects(spec))
    def check(obj):
        wrapper = as_get_response(obj, spec)
        validate_element(wrapper, direction="response")
        assert read_object(wrapper[0]) == obj

    check()


@pytest.mark.parametrize("type_name", sorted(OBJECTS))
def test_json_round_trip_is_exact(type_name):
    spec = OBJECTS[type_name]

    @SETTINGS
    @given(objects(spec))
    def check(obj):
        document = json.loads(json.dumps(to_json(obj, spec)))
        assert from_json(document) == obj

    check()


@pytest.mark.parametrize("type_name", sorted(OBJECTS))
def test_query_round_trips_through_xml_and_json(type_name):
    spec = OBJECTS[type_name]

    @SETTINGS
    @given(expressions(spec) | st.none())
    def check(expr):
        bound = bind(expr, spec)
        assert bound == expr  # the strategy draws wire-ready arguments
        config = write_query_config(etree.Element("wrapper"), bound)
        reparsed = etree.fromstring(etree.tostring(config))
        assert read_query_config(reparsed) == bound
        assert query_from_json(json.loads(json.dumps(query_to_json(bound)))) == bound

    check()
