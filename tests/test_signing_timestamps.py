"""The client's signature verifier reads a signed Timestamp's times as xs:dateTime, strictly.

It used ``datetime.fromisoformat``, which takes spellings XML Schema does not (a space for
``T``, the basic format, week dates, no seconds): a response another stack would refuse
passed. It now shares the emulator's reader (``boomisoap.wsse.xsdatetime``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from signing_keys import KeyMaterial, self_signed

from boomisoap.errors import SignatureError
from boomisoap.namespaces import SOAP_ENV, WSSE, WSU
from boomisoap.wsse.signature import X509Signer, verify_envelope

RESPONSE = (
    f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body><ping xmlns="urn:t"/></s:Body></s:Envelope>'
).encode()


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> KeyMaterial:
    return self_signed(Path(tmp_path_factory.mktemp("ts-keys")), "server")


def signed(key: KeyMaterial, created: str, expires: str) -> bytes:
    root = etree.fromstring(RESPONSE)
    header = etree.Element(f"{{{SOAP_ENV}}}Header")
    root.insert(0, header)
    security = etree.SubElement(header, f"{{{WSSE}}}Security")
    stamp = etree.SubElement(security, f"{{{WSU}}}Timestamp")
    etree.SubElement(stamp, f"{{{WSU}}}Created").text = created
    etree.SubElement(stamp, f"{{{WSU}}}Expires").text = expires
    X509Signer(key.key_path, key.cert_path).sign(root)
    return bytes(etree.tostring(root))


def spelled(offset: float, pattern: str) -> str:
    return (datetime.now(UTC) + timedelta(seconds=offset)).strftime(pattern)


@pytest.mark.parametrize(
    "pattern",
    ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%f123Z", "%Y-%m-%dT%H:%M:%S+00:00"],
    ids=["z", "nanos", "offset"],
)
def test_xs_datetime_spellings_verify(key: KeyMaterial, pattern: str) -> None:
    data = signed(key, spelled(0, pattern), spelled(300, pattern))
    assert verify_envelope(data, trusted=key.cert).expires is not None


@pytest.mark.parametrize(
    "pattern",
    ["%Y-%m-%d %H:%M:%S+00:00", "%Y%m%dT%H%M%SZ", "%G-W%V-%uT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ"],
    ids=["space", "basic", "week-date", "no-seconds"],
)
def test_other_iso_spellings_are_refused(key: KeyMaterial, pattern: str) -> None:
    data = signed(key, spelled(0, pattern), spelled(300, "%Y-%m-%dT%H:%M:%SZ"))
    with pytest.raises(SignatureError, match="is not a dateTime"):
        verify_envelope(data, trusted=key.cert)
