"""Fuzzing the client's response parser: anything but the library's typed errors fails."""

from __future__ import annotations

import contextlib

import pytest
from core import seeds
from hypothesis import given
from hypothesis import strategies as st

from boomisoap import soapbody
from boomisoap.errors import BoomiError
from boomisoap.models import OBJECTS
from boomisoap.soap import responses
from boomisoap.transport import HttpResponse
from hardening.fuzzing import FUZZ, mutations

# Mutated names read as unknown fields in the default mode: expected, and reported once each.
pytestmark = pytest.mark.filterwarnings("ignore::boomisoap.UnknownFieldWarning")

SEEDS = [
    (seeds.PLAN_GET_RESPONSE, soapbody.result.read),
    (seeds.PLAN_QUERY_RESPONSE, soapbody.page.read),
    (seeds.CONTRACT_QUERY_RESPONSE, soapbody.page.read),
    (seeds.ACCOUNT_GET_RESPONSE, soapbody.result.read),
    (seeds.ACCOUNT_QUERY_RESPONSE, soapbody.page.read),
    (seeds.DELETE_RESPONSE, soapbody.successful.read),
]


def parse(body: bytes, reader, validate: bool) -> None:
    response = HttpResponse(200, {"Content-Type": "text/xml"}, body)
    child, unknown = responses.response_body(response, validate=validate, excerpt="")
    reader(child, unknown)


@st.composite
def cases(draw: st.DrawFn):
    seed, reader = draw(st.sampled_from(SEEDS))
    return draw(mutations(seed)), reader, draw(st.booleans())


@FUZZ
@given(cases())
def test_fuzz_client_response_parser(case):
    body, reader, validate = case
    with contextlib.suppress(BoomiError):
        parse(body, reader, validate)


@FUZZ
@given(st.binary(max_size=512))
def test_fuzz_client_response_parser_on_noise(body):
    with contextlib.suppress(BoomiError):
        parse(body, soapbody.page.read, True)


def test_bulk_reader_survives_mutations():
    spec = OBJECTS["Account"]

    @FUZZ
    @given(mutations(seeds.ACCOUNT_BULK_RESPONSE), st.booleans())
    def check(body, validate):
        with contextlib.suppress(BoomiError):
            parse(body, lambda child, unknown: soapbody.bulk.read(child, spec, unknown), validate)

    check()
