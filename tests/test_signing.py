"""X.509 signing and verification: round trips, key formats, trust, and attacks."""

from __future__ import annotations

import base64
import contextlib
import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
import zeep.exceptions
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from signing_keys import (
    KeyMaterial,
    issued_by,
    make_ca,
    make_cert,
    new_key,
    self_signed,
    write_bundle,
    write_material,
)
from signxml.verifier import SignatureConfiguration, XMLVerifier
from zeep.transports import Transport
from zeep.wsse import Compose
from zeep.wsse.username import UsernameToken

from boomisoap.errors import SignatureError
from boomisoap.namespaces import DS, EXC_C14N, SOAP12_ENV, SOAP_ENV, WSSE, WSU, X509V3
from boomisoap.wsse.signature import (
    ResponseVerifier,
    TrustedCerts,
    X509Signer,
    sign_envelope,
    verify_envelope,
    verify_request,
)

NS = {"s": SOAP_ENV, "wsse": WSSE, "wsu": WSU, "ds": DS}
WSU_ID = f"{{{WSU}}}Id"
REQUEST = (
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soapenv:Body>"
    b'<soap:get xmlns:soap="http://soap.apim.api.platform.boomi.com/">'
    b'<apim:objectType xmlns:apim="http://apim.api.platform.boomi.com/">Plan</apim:objectType>'
    b'<apim:objectId xmlns:apim="http://apim.api.platform.boomi.com/">plan-1</apim:objectId>'
    b"</soap:get></soapenv:Body></soapenv:Envelope>"
)
FAULT = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
    b"<faultcode>S:Client</faultcode><faultstring>Object not found</faultstring>"
    b"</S:Fault></S:Body></S:Envelope>"
)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KeyMaterial]:
    directory = tmp_path_factory.mktemp("keys")
    ca = make_ca(directory)
    # Same subject as the CA, different key: issuer names alone must not confer trust.
    fake_ca_key = new_key("ec")
    fake_ca = write_material(
        directory, "fake-ca", fake_ca_key, make_cert(fake_ca_key, "Test CA", ca=True)
    )
    old_key = new_key("ec")
    old_cert = make_cert(old_key, "old", valid_from=datetime.now(UTC) - timedelta(days=90))
    return {
        "rsa": self_signed(directory, "signer"),
        "ec": self_signed(directory, "ec-signer", "ec"),
        "intruder": self_signed(directory, "intruder"),
        "locked": self_signed(directory, "locked", password=b"s3cret"),
        "ca": ca,
        "leaf": issued_by(ca, directory, "leaf"),
        "forged": issued_by(fake_ca, directory, "forged"),
        "expired": write_material(directory, "old", old_key, old_cert),
    }


def signer_for(material: KeyMaterial, **options: Any) -> X509Signer:
    return X509Signer(material.key_path, material.cert_path, password=material.password, **options)


def signed(material: KeyMaterial, envelope: bytes = REQUEST, **options: Any) -> bytes:
    root = etree.fromstring(envelope)
    Compose([UsernameToken("u", "p"), signer_for(material, **options)]).apply(root, {})
    return bytes(etree.tostring(root))


def one(root: Any, path: str) -> Any:
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, path
    return found[0]


def resign(root: Any, key: Any) -> bytes:
    """Sign SignedInfo again with ``key`` after a test has edited it (RSA-SHA256)."""
    signed_info = one(root, "//ds:SignedInfo")
    c14n = etree.tostring(signed_info, method="c14n", exclusive=True)
    value = key.sign(c14n, padding.PKCS1v15(), hashes.SHA256())
    one(root, "//ds:SignatureValue").text = base64.b64encode(value).decode()
    return bytes(etree.tostring(root))


# --- round trips -----------------------------------------------------------------------


def test_round_trip_with_username_token(keys: dict[str, KeyMaterial]) -> None:
    data = signed(keys["rsa"])
    result = verify_envelope(data, trusted=keys["rsa"].cert_path)

    root = result.envelope
    assert result.body is one(root, "/s:Envelope/s:Body")
    assert result.certificate == keys["rsa"].cert
    assert result.created is not None and result.expires is not None
    assert result.expires - result.created == timedelta(seconds=300)
    assert result.signature_method.endswith("#rsa-sha256")
    security = one(root, "/s:Envelope/s:Header/wsse:Security")
    assert security.get(f"{{{SOAP_ENV}}}mustUnderstand") == "1"
    assert [etree.QName(child).localname for child in security] == [
        "Timestamp",
        "UsernameToken",
        "BinarySecurityToken",
        "Signature",
    ]
    created = one(security, "wsu:Timestamp/wsu:Created").text
    assert created.endswith("Z") and "+" not in created
    token = one(security, "wsse:BinarySecurityToken")
    assert token.get("ValueType") == X509V3
    reference = one(security, "ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference")
    assert reference.get("URI") == "#" + token.get(WSU_ID)
    assert reference.get("ValueType") == X509V3
    algorithms = {e.get("Algorithm") for e in root.xpath("//ds:Transform", namespaces=NS)}
    assert algorithms == {EXC_C14N}
    assert one(root, "//ds:CanonicalizationMethod").get("Algorithm") == EXC_C14N
    digests = {e.get("Algorithm") for e in root.xpath("//ds:DigestMethod", namespaces=NS)}
    assert digests == {"http://www.w3.org/2001/04/xmlenc#sha256"}
    uris = {e.get("URI") for e in root.xpath("//ds:Reference", namespaces=NS)}
    body_id = result.body.get(WSU_ID)
    assert uris == {"#" + body_id, "#" + one(security, "wsu:Timestamp").get(WSU_ID)}
    assert b"wsu:Id=" in data and b"ns0:" not in data


def test_ec_key_signs_with_ecdsa(keys: dict[str, KeyMaterial]) -> None:
    result = verify_envelope(signed(keys["ec"]), trusted=keys["ec"].cert)
    assert result.signature_method == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"


@pytest.mark.parametrize("method", ["rsa-sha384", "rsa-sha512"])
def test_stronger_algorithms(keys: dict[str, KeyMaterial], method: str) -> None:
    data = signed(keys["rsa"], signature_method=method, digest_method="sha512")
    assert verify_envelope(data, trusted=keys["rsa"].cert).signature_method.endswith(method)


def test_soap12_envelope(keys: dict[str, KeyMaterial]) -> None:
    envelope = REQUEST.replace(SOAP_ENV.encode(), SOAP12_ENV.encode())
    result = verify_envelope(signed(keys["rsa"], envelope), trusted=keys["rsa"].cert)
    assert result.body.tag == f"{{{SOAP12_ENV}}}Body"


def test_reuses_existing_timestamp_and_header(keys: dict[str, KeyMaterial]) -> None:
    from boomisoap.wsse import Timestamp
    from boomisoap.wsse import UsernameToken as BoomiToken

    root = etree.fromstring(REQUEST)
    plugins = [BoomiToken("u", "p", digest=True), Timestamp(ttl=120), signer_for(keys["rsa"])]
    Compose(plugins).apply(root, {})
    assert len(root.xpath("//wsu:Timestamp", namespaces=NS)) == 1
    result = verify_envelope(etree.tostring(root), trusted=keys["rsa"].cert)
    assert result.expires is not None and result.created is not None
    assert result.expires - result.created == timedelta(seconds=120)


def test_signxml_verifies_our_signature(keys: dict[str, KeyMaterial]) -> None:
    # A second, independent XML-DSig implementation accepts the layout.
    for name in ("rsa", "ec"):
        results = XMLVerifier().verify(
            signed(keys[name]),
            x509_cert=keys[name].cert_pem.decode(),
            expect_config=SignatureConfiguration(expect_references=2),
        )
        assert isinstance(results, list) and len(results) == 2


# --- key and certificate formats -----------------------------------------------------------


@pytest.mark.parametrize("form", ["str", "path", "pem-bytes", "pem-text", "objects", "der"])
def test_key_and_cert_forms(keys: dict[str, KeyMaterial], form: str) -> None:
    m = keys["rsa"]
    key: Any
    cert: Any
    if form == "str":
        key, cert = str(m.key_path), str(m.cert_path)
    elif form == "path":
        key, cert = m.key_path, m.cert_path
    elif form == "pem-bytes":
        key, cert = m.key_pem, m.cert_pem
    elif form == "pem-text":
        key, cert = m.key_pem.decode(), m.cert_pem.decode()
    elif form == "objects":
        key, cert = m.key, m.cert
    else:
        key = m.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        cert = m.cert.public_bytes(serialization.Encoding.DER)
    root = etree.fromstring(REQUEST)
    X509Signer(key, cert).apply(root, {})
    verify_envelope(root, trusted=m.cert_pem)


@pytest.mark.parametrize("password", [b"s3cret", "s3cret"])
def test_encrypted_key(keys: dict[str, KeyMaterial], password: bytes | str) -> None:
    m = keys["locked"]
    root = etree.fromstring(REQUEST)
    X509Signer(m.key_path, m.cert_path, password=password).apply(root, {})
    verify_envelope(root, trusted=m.cert_path)


@pytest.mark.parametrize(
    ("password", "message"),
    [(None, "encrypted: pass password="), (b"wrong", "wrong password")],
)
def test_encrypted_key_needs_right_password(
    keys: dict[str, KeyMaterial], password: bytes | None, message: str
) -> None:
    with pytest.raises(SignatureError, match=message):
        X509Signer(keys["locked"].key_path, keys["locked"].cert_path, password=password)


def test_signer_refuses_bad_inputs(keys: dict[str, KeyMaterial], tmp_path: Path) -> None:
    with pytest.raises(SignatureError, match="does not belong"):
        X509Signer(keys["rsa"].key_path, keys["ec"].cert_path)
    with pytest.raises(SignatureError, match="cannot read"):
        X509Signer(tmp_path / "missing.key", keys["rsa"].cert_path)
    with pytest.raises(SignatureError, match="SHA-1"):
        X509Signer(keys["rsa"].key, keys["rsa"].cert, signature_method="rsa-sha1")
    with pytest.raises(SignatureError, match="SHA-1"):
        X509Signer(keys["rsa"].key, keys["rsa"].cert, digest_method="sha1")
    with pytest.raises(SignatureError, match="unknown"):
        X509Signer(keys["rsa"].key, keys["rsa"].cert, signature_method="dsa-md5")
    weak = new_key("rsa", bits=1024)
    with pytest.raises(SignatureError, match="below 2048"):
        X509Signer(weak, make_cert(weak, "weak"))
    with pytest.raises(ValueError, match="timestamp_ttl"):
        X509Signer(keys["rsa"].key, keys["rsa"].cert, timestamp_ttl=0)


def test_already_signed_envelope_is_refused(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    with pytest.raises(SignatureError, match="already signed"):
        signer_for(keys["rsa"]).apply(root, {})


# --- trust -----------------------------------------------------------------------------------


def test_trust_through_ca_and_bundles(keys: dict[str, KeyMaterial], tmp_path: Path) -> None:
    data = signed(keys["leaf"])
    verify_envelope(data, trusted=keys["ca"].cert)
    bundle = write_bundle(tmp_path / "trusted.pem", keys["intruder"], keys["ca"])
    verify_envelope(data, trusted=bundle)
    verify_envelope(data, trusted=str(bundle))
    verify_envelope(data, trusted=[keys["intruder"].cert_path, keys["ca"].cert_pem])
    verify_envelope(data, trusted=TrustedCerts.load(bundle))


def test_untrusted_certificate(keys: dict[str, KeyMaterial]) -> None:
    with pytest.raises(SignatureError, match="not trusted"):
        verify_envelope(signed(keys["intruder"]), trusted=keys["rsa"].cert)
    # A trusted leaf cannot vouch for others, and a CA look-alike does not chain.
    with pytest.raises(SignatureError, match="not trusted"):
        verify_envelope(signed(keys["intruder"]), trusted=[keys["leaf"].cert])
    with pytest.raises(SignatureError, match="not trusted"):
        verify_envelope(signed(keys["forged"]), trusted=keys["ca"].cert)


def test_expired_certificate(keys: dict[str, KeyMaterial]) -> None:
    with pytest.raises(SignatureError, match="expired or not yet valid"):
        verify_envelope(signed(keys["expired"]), trusted=keys["expired"].cert)


def test_token_swapped_for_trusted_certificate(keys: dict[str, KeyMaterial]) -> None:
    # Put the trusted certificate in the token of a message the intruder signed.
    root = etree.fromstring(signed(keys["intruder"]))
    trusted_der = keys["rsa"].cert.public_bytes(serialization.Encoding.DER)
    one(root, "//wsse:BinarySecurityToken").text = base64.b64encode(trusted_der).decode()
    with pytest.raises(SignatureError, match="does not verify"):
        verify_envelope(root, trusted=keys["rsa"].cert)


# --- attacks -------------------------------------------------------------------------------


def test_body_changed_after_signing(keys: dict[str, KeyMaterial]) -> None:
    data = signed(keys["rsa"]).replace(b">plan-1<", b">plan-2<")
    with pytest.raises(SignatureError, match=r"digest .* does not match"):
        verify_envelope(data, trusted=keys["rsa"].cert)


def test_signature_value_changed(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    value = one(root, "//ds:SignatureValue")
    raw = bytearray(base64.b64decode(value.text))
    raw[10] ^= 1
    value.text = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(SignatureError, match="does not verify"):
        verify_envelope(root, trusted=keys["rsa"].cert)


def test_timestamp_expired(keys: dict[str, KeyMaterial]) -> None:
    data = signed(keys["rsa"], timestamp_ttl=30)
    verify_envelope(data, trusted=keys["rsa"].cert, now=datetime.now(UTC) + timedelta(seconds=80))
    with pytest.raises(SignatureError, match="expired"):
        later = datetime.now(UTC) + timedelta(seconds=120)
        verify_envelope(data, trusted=keys["rsa"].cert, now=later)


def test_timestamp_already_stale_when_signed(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(REQUEST)
    from boomisoap.wsse import Timestamp

    past = datetime.now(UTC) - timedelta(hours=1)
    Compose([Timestamp(ttl=60, clock=lambda: past), signer_for(keys["rsa"])]).apply(root, {})
    with pytest.raises(SignatureError, match="expired"):
        verify_envelope(etree.tostring(root), trusted=keys["rsa"].cert)


def test_timestamp_created_in_future(keys: dict[str, KeyMaterial]) -> None:
    data = signed(keys["rsa"])
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    with pytest.raises(SignatureError, match="future"):
        verify_envelope(data, trusted=keys["rsa"].cert, now=earlier)
    # Within the allowed clock skew the same message passes.
    verify_envelope(data, trusted=keys["rsa"].cert, now=earlier, max_clock_skew=400)


@pytest.mark.parametrize(
    ("created", "message"),
    [
        ("garbage", "not a dateTime"),
        ("2026-13-01T00:00:00Z", "not a dateTime"),
        ("2026-01-01T00:00:00", "no time zone"),
        (None, "no wsu:Created"),
        ("2999-01-01T00:00:00Z", "expires before it was created"),
    ],
)
def test_timestamp_malformed(
    keys: dict[str, KeyMaterial], created: str | None, message: str
) -> None:
    root = etree.fromstring(REQUEST)
    header = etree.SubElement(root, f"{{{SOAP_ENV}}}Header")
    root.insert(0, header)
    stamp = etree.SubElement(etree.SubElement(header, f"{{{WSSE}}}Security"), f"{{{WSU}}}Timestamp")
    if created is not None:
        etree.SubElement(stamp, f"{{{WSU}}}Created").text = created
    expires = datetime.now(UTC) + timedelta(minutes=5)
    etree.SubElement(stamp, f"{{{WSU}}}Expires").text = expires.isoformat()
    signer_for(keys["rsa"]).apply(root, {})
    with pytest.raises(SignatureError, match=message):
        verify_envelope(etree.tostring(root), trusted=keys["rsa"].cert)


def test_timestamp_not_referenced(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    stamp_id = one(root, "//wsu:Timestamp").get(WSU_ID)
    reference = one(root, f"//ds:Reference[@URI='#{stamp_id}']")
    reference.getparent().remove(reference)
    data = resign(root, keys["rsa"].key)
    with pytest.raises(SignatureError, match="Timestamp is not covered"):
        verify_envelope(data, trusted=keys["rsa"].cert)
    with pytest.raises(SignatureError, match="Timestamp is not covered"):
        verify_envelope(data, trusted=keys["rsa"].cert, require_timestamp=False)


def test_timestamp_missing(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    stamp = one(root, "//wsu:Timestamp")
    reference = one(root, f"//ds:Reference[@URI='#{stamp.get(WSU_ID)}']")
    reference.getparent().remove(reference)
    stamp.getparent().remove(stamp)
    data = resign(root, keys["rsa"].key)
    with pytest.raises(SignatureError, match="no wsu:Timestamp"):
        verify_envelope(data, trusted=keys["rsa"].cert)
    result = verify_envelope(data, trusted=keys["rsa"].cert, require_timestamp=False)
    assert result.created is None


def _wrap_original_body(root: Any) -> Any:
    """Move the signed Body into a header wrapper; return that original Body."""
    body = one(root, "/s:Envelope/s:Body")
    header = one(root, "/s:Envelope/s:Header")
    wrapper = etree.SubElement(header, "{urn:attacker}Wrapper")
    wrapper.append(body)
    return body


def test_wrapping_attack_same_id(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    original = _wrap_original_body(root)
    evil = copy.deepcopy(original)
    one(evil, "//*[local-name()='objectId']").text = "someone-elses-plan"
    root.append(evil)
    with pytest.raises(SignatureError, match="appears more than once"):
        verify_envelope(root, trusted=keys["rsa"].cert)


@pytest.mark.parametrize("new_id", ["id-attacker", None])
def test_wrapping_attack_other_id(keys: dict[str, KeyMaterial], new_id: str | None) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    original = _wrap_original_body(root)
    evil = copy.deepcopy(original)
    del evil.attrib[WSU_ID]
    if new_id:
        evil.set(WSU_ID, new_id)
    root.append(evil)
    with pytest.raises(SignatureError, match="Body is not the element the signature covers"):
        verify_envelope(root, trusted=keys["rsa"].cert)


def test_wrapping_attack_second_body(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    evil = copy.deepcopy(one(root, "/s:Envelope/s:Body"))
    del evil.attrib[WSU_ID]
    root.insert(1, evil)
    with pytest.raises(SignatureError, match="2 Body elements"):
        verify_envelope(root, trusted=keys["rsa"].cert)


@pytest.mark.parametrize("attribute", [WSU_ID, "Id"])
def test_duplicate_id(keys: dict[str, KeyMaterial], attribute: str) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    stamp_id = one(root, "//wsu:Timestamp").get(WSU_ID)
    decoy = etree.SubElement(one(root, "/s:Envelope/s:Header"), "{urn:x}Decoy")
    decoy.set(attribute, stamp_id)
    with pytest.raises(SignatureError, match="appears more than once"):
        verify_envelope(root, trusted=keys["rsa"].cert)


def test_signature_removed(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    signature = one(root, "//ds:Signature")
    signature.getparent().remove(signature)
    with pytest.raises(SignatureError, match="response is not signed"):
        verify_envelope(root, trusted=keys["rsa"].cert)
    with pytest.raises(SignatureError, match="request is not signed"):
        verify_request(etree.tostring(root), keys["rsa"].cert)


def test_signature_moved_out_of_security(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    one(root, "/s:Envelope/s:Header").append(one(root, "//ds:Signature"))
    with pytest.raises(SignatureError, match="not signed"):
        verify_envelope(root, trusted=keys["rsa"].cert)


def test_sha1_refused_unless_allowed(keys: dict[str, KeyMaterial]) -> None:
    data = signed(keys["rsa"], signature_method="rsa-sha1", digest_method="sha1", allow_sha1=True)
    with pytest.raises(SignatureError, match=r"rsa-sha1.* is not allowed"):
        verify_envelope(data, trusted=keys["rsa"].cert)
    verify_envelope(data, trusted=keys["rsa"].cert, allow_sha1=True)
    # A SHA-1 digest under a SHA-256 signature is refused as well.
    data = signed(keys["rsa"], digest_method="sha1", allow_sha1=True)
    with pytest.raises(SignatureError, match=r"sha1.* is not allowed"):
        verify_envelope(data, trusted=keys["rsa"].cert)


def test_inclusive_c14n_transform_refused(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    for transform in root.xpath("//ds:Transform", namespaces=NS):
        transform.set("Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
    with pytest.raises(SignatureError, match=r"canonicalization .* is not allowed"):
        verify_envelope(resign(root, keys["rsa"].key), trusted=keys["rsa"].cert)


def test_external_reference_refused(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    root.xpath("//ds:Reference", namespaces=NS)[0].set("URI", "http://example.com/x")
    with pytest.raises(SignatureError, match="not a same-document"):
        verify_envelope(resign(root, keys["rsa"].key), trusted=keys["rsa"].cert)


def test_certificate_embedded_in_key_info(keys: dict[str, KeyMaterial]) -> None:
    # zeep's own Signature layout: X509Data inside the SecurityTokenReference, no token.
    root = etree.fromstring(signed(keys["rsa"]))
    token = one(root, "//wsse:BinarySecurityToken")
    token_ref = one(root, "//ds:KeyInfo/wsse:SecurityTokenReference")
    token_ref.remove(token_ref[0])
    x509_data = etree.SubElement(token_ref, f"{{{DS}}}X509Data")
    etree.SubElement(x509_data, f"{{{DS}}}X509Certificate").text = token.text
    token.getparent().remove(token)
    assert verify_envelope(root, trusted=keys["rsa"].cert).certificate == keys["rsa"].cert


def test_token_outside_security_refused(keys: dict[str, KeyMaterial]) -> None:
    root = etree.fromstring(signed(keys["rsa"]))
    one(root, "/s:Envelope/s:Header").append(one(root, "//wsse:BinarySecurityToken"))
    with pytest.raises(SignatureError, match="does not name a BinarySecurityToken"):
        verify_envelope(root, trusted=keys["rsa"].cert)


def test_unsigned_fault(keys: dict[str, KeyMaterial]) -> None:
    with pytest.raises(SignatureError, match=r"response is not signed \(an unsigned SOAP Fault"):
        verify_envelope(FAULT, trusted=keys["rsa"].cert)
    with pytest.raises(SignatureError, match="response is not signed"):
        ResponseVerifier(keys["rsa"].cert).verify(etree.fromstring(FAULT))
    with pytest.raises(SignatureError, match=r"response is not signed$"):
        verify_envelope(REQUEST, trusted=keys["rsa"].cert)


@pytest.mark.parametrize(
    "data",
    [
        b"not xml",
        b"<a/>",
        b'<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>',
        b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'/>",
    ],
)
def test_malformed_input(keys: dict[str, KeyMaterial], data: bytes) -> None:
    with pytest.raises(SignatureError):
        verify_envelope(data, trusted=keys["rsa"].cert)


def test_no_crash_on_any_single_deletion(keys: dict[str, KeyMaterial]) -> None:
    # Removing any one element or attribute either leaves a valid message (a part the
    # signature does not cover) or fails with SignatureError, never with another error.
    data = signed(keys["rsa"])
    count = len(etree.fromstring(data).xpath("//*"))
    for index in range(1, count):
        root = etree.fromstring(data)
        element = root.xpath("//*")[index]
        element.getparent().remove(element)
        _accept_or_signature_error(root, keys["rsa"])
        root = etree.fromstring(data)
        for name in list(root.xpath("//*")[index].attrib):
            root = etree.fromstring(data)
            del root.xpath("//*")[index].attrib[name]
            _accept_or_signature_error(root, keys["rsa"])


def _accept_or_signature_error(root: Any, material: KeyMaterial) -> None:
    with contextlib.suppress(SignatureError):
        verify_envelope(root, trusted=material.cert)


# --- server side helpers and zeep integration ------------------------------------------------


def test_sign_envelope_bytes_and_verify_request(keys: dict[str, KeyMaterial]) -> None:
    out = sign_envelope(
        b'<?xml version="1.0" encoding="utf-8"?>\n' + REQUEST, signer_for(keys["ec"])
    )
    assert out.startswith(b"<?xml")
    assert verify_request(out, keys["ec"].cert_path).certificate == keys["ec"].cert
    assert not sign_envelope(REQUEST, signer_for(keys["ec"])).startswith(b"<?xml")


def test_plugin_verify_hooks(keys: dict[str, KeyMaterial]) -> None:
    data = etree.fromstring(signed(keys["rsa"]))
    verifier = ResponseVerifier(keys["rsa"].cert_path)
    assert verifier.verify(data) is data
    assert verifier.apply(data, {"a": "b"}) == (data, {"a": "b"})
    assert signer_for(keys["rsa"], verifier=verifier).verify(data) is data
    # Without a verifier the signer leaves responses alone.
    assert signer_for(keys["rsa"]).verify(etree.fromstring(FAULT)) is not None
    with pytest.raises(SignatureError, match="not trusted"):
        signer_for(keys["rsa"], verifier=ResponseVerifier(keys["ec"].cert)).verify(data)


WSDL = """<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="http://soap.apim.api.platform.boomi.com/"
    xmlns:apim="http://apim.api.platform.boomi.com/"
    targetNamespace="http://soap.apim.api.platform.boomi.com/">
  <wsdl:types>
    <xs:schema targetNamespace="http://apim.api.platform.boomi.com/" elementFormDefault="qualified">
      <xs:element name="objectType" type="xs:string"/>
      <xs:element name="objectId" type="xs:string"/>
      <xs:element name="result" type="xs:string"/>
    </xs:schema>
    <xs:schema targetNamespace="http://soap.apim.api.platform.boomi.com/"
               elementFormDefault="qualified">
      <xs:import namespace="http://apim.api.platform.boomi.com/"/>
      <xs:element name="get"><xs:complexType><xs:sequence>
        <xs:element ref="apim:objectType"/><xs:element ref="apim:objectId"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="getResponse"><xs:complexType><xs:sequence>
        <xs:element ref="apim:result"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="get"><wsdl:part name="parameters" element="tns:get"/></wsdl:message>
  <wsdl:message name="getResponse">
    <wsdl:part name="parameters" element="tns:getResponse"/>
  </wsdl:message>
  <wsdl:portType name="Apim">
    <wsdl:operation name="get">
      <wsdl:input message="tns:get"/><wsdl:output message="tns:getResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="ApimSoap" type="tns:Apim">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
    <wsdl:operation name="get">
      <soap:operation soapAction=""/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="ApimService">
    <wsdl:port name="ApimPort" binding="tns:ApimSoap">
      <soap:address location="http://sandbox.invalid/apim/api/soap/v1/acct-1"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""

RESPONSE = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
    b'<soap:getResponse xmlns:soap="http://soap.apim.api.platform.boomi.com/">'
    b'<apim:result xmlns:apim="http://apim.api.platform.boomi.com/">%s</apim:result>'
    b"</soap:getResponse></S:Body></S:Envelope>"
)


class FakeServer(Transport):  # type: ignore[misc]
    """A zeep transport answering in process: checks the request, signs the answer."""

    def __init__(self, client_cert: Any, server_signer: X509Signer, *, fault: bool = False):
        super().__init__()
        self.client_cert = client_cert
        self.server_signer = server_signer
        self.fault = fault

    def post_xml(self, address: str, envelope: Any, headers: dict[str, str]) -> Any:
        request = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        checked = verify_request(request, self.client_cert)
        object_id = one(checked.body, "//*[local-name()='objectId']").text.encode()
        response = requests.Response()
        response.headers["Content-Type"] = "text/xml; charset=utf-8"
        if self.fault:
            response.status_code, response._content = 500, FAULT
        else:
            response.status_code = 200
            response._content = sign_envelope(RESPONSE % object_id, self.server_signer)
        return response


def test_zeep_client_round_trip(keys: dict[str, KeyMaterial], tmp_path: Path) -> None:
    wsdl = tmp_path / "apim.wsdl"
    wsdl.write_text(WSDL)
    client_signer = signer_for(keys["rsa"], verifier=ResponseVerifier(keys["ec"].cert))
    wsse = Compose([UsernameToken("u", "p"), client_signer])
    server = FakeServer(keys["rsa"].cert, signer_for(keys["ec"]))
    client = zeep.Client(str(wsdl), wsse=wsse, transport=server)
    assert client.service.get(objectType="Plan", objectId="plan-7") == "plan-7"

    server.fault = True
    with pytest.raises(SignatureError, match="unsigned SOAP Fault"):
        client.service.get(objectType="Plan", objectId="plan-7")
    lenient = ResponseVerifier(keys["ec"].cert, allow_unsigned_faults=True)
    wsse = Compose([signer_for(keys["rsa"]), lenient])
    client = zeep.Client(str(wsdl), wsse=wsse, transport=server)
    with pytest.raises(zeep.exceptions.Fault, match="Object not found"):
        client.service.get(objectType="Plan", objectId="plan-7")

    # The server's key is not the one the client trusts.
    server.fault = False
    server.server_signer = signer_for(keys["intruder"])
    with pytest.raises(SignatureError, match="not trusted"):
        client.service.get(objectType="Plan", objectId="plan-7")
