"""The one list of secret names: every secret field of the field maps is hidden by name,
in the audit's bodies and in the CLI's output, with the protocol's own names beside them."""

from __future__ import annotations

import json

import pytest

from boomisoap.models.registry import OBJECTS
from boomisoap.namespaces import XSI
from boomisoap.redact import MASK, REDACTED
from boomisoap.redact.display import mask_xml
from boomisoap.redact.names import SECRET_FIELDS_BY_TYPE, is_secret_header, is_secret_name
from boomisoap.redact.structural import redact_body

SECRET_FIELDS = [
    (spec.type_name, fld.wire) for spec in OBJECTS.values() for fld in spec.fields if fld.secret
]


def test_the_field_maps_have_secret_fields() -> None:
    assert ("ApiKey", "key") in SECRET_FIELDS
    assert {
        t: tuple(w for tt, w in SECRET_FIELDS if tt == t) for t, _ in SECRET_FIELDS
    } == SECRET_FIELDS_BY_TYPE


@pytest.mark.parametrize(("type_name", "wire"), SECRET_FIELDS)
def test_a_secret_field_is_hidden_by_name_everywhere(type_name: str, wire: str) -> None:
    value = "s3cr3t-value-0001"
    assert is_secret_name(wire)
    xml = (
        f'<r xmlns:xsi="{XSI}" xmlns:a="urn:a"><a:o xsi:type="a:{type_name}" '
        f'{wire}="{value}"/><{wire}>{value}</{wire}></r>'
    ).encode()
    redacted = redact_body(xml, "text/xml")
    assert redacted is not None and value.encode() not in redacted
    assert redacted.count(REDACTED.encode()) == 2
    document = json.dumps({"@type": type_name, wire: value}).encode()
    assert json.loads(redact_body(document, "application/json") or b"")[wire] == REDACTED
    assert f'{wire}="{MASK}"'.encode() in mask_xml(xml)  # the CLI's, on the typed object


@pytest.mark.parametrize(
    "name", ["Authorization", "proxy-authorization", "X-Boomi-OTP", "X-API-Key", "Cookie"]
)
def test_the_protocol_headers_are_secret(name: str) -> None:
    assert is_secret_header(name)


def test_the_usernametoken_values_are_secret() -> None:
    body = (
        b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:w="urn:w">'
        b"<S:Header><w:Password>pw-123456</w:Password><w:Nonce>bm9uY2U=</w:Nonce>"
        b"</S:Header></S:Envelope>"
    )
    redacted = redact_body(body, "text/xml") or b""
    assert b"pw-123456" not in redacted and b"bm9uY2U=" not in redacted
