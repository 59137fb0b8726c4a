"""Interoperability with xmlsec1, an independent XML-DSig implementation (libxmlsec1).

xmlsec1 does not know wsu:Id, so ``--id-attr:Id <ns>:<element>`` declares the Id
attribute of soap:Body and wsu:Timestamp; nor does it read a wsse:SecurityTokenReference,
so the certificate is given on the command line.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from required import missing
from signing_keys import KeyMaterial, self_signed
from zeep.wsse import Compose
from zeep.wsse.username import UsernameToken

from boomisoap.errors import SignatureError
from boomisoap.namespaces import SOAP_ENV, WSU
from boomisoap.wsse.signature import X509Signer, verify_envelope

ID_ATTRS = [
    "--id-attr:Id",
    f"{SOAP_ENV}:Body",
    "--id-attr:Id",
    f"{WSU}:Timestamp",
]
REQUEST = (
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soapenv:Body>"
    b'<soap:get xmlns:soap="http://soap.apim.api.platform.boomi.com/">'
    b'<apim:objectType xmlns:apim="http://apim.api.platform.boomi.com/">Plan</apim:objectType>'
    b'<apim:objectId xmlns:apim="http://apim.api.platform.boomi.com/">plan-1</apim:objectId>'
    b"</soap:get></soapenv:Body></soapenv:Envelope>"
)
METHODS = {
    "rsa": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "ec": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
}
TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <soapenv:Header>
    <wsse:Security soapenv:mustUnderstand="1">
      <wsu:Timestamp wsu:Id="Timestamp">
        <wsu:Created>{created}</wsu:Created>
        <wsu:Expires>{expires}</wsu:Expires>
      </wsu:Timestamp>
      <wsse:BinarySecurityToken wsu:Id="Token"
          EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
          ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3">{token}</wsse:BinarySecurityToken>
      <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:SignedInfo>
          <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
          <ds:SignatureMethod Algorithm="{method}"/>
          <ds:Reference URI="#Body">
            <ds:Transforms>
              <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
            </ds:Transforms>
            <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
            <ds:DigestValue/>
          </ds:Reference>
          <ds:Reference URI="#Timestamp">
            <ds:Transforms>
              <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
            </ds:Transforms>
            <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
            <ds:DigestValue/>
          </ds:Reference>
        </ds:SignedInfo>
        <ds:SignatureValue/>
        <ds:KeyInfo>
          <wsse:SecurityTokenReference>
            <wsse:Reference URI="#Token"
                ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"/>
          </wsse:SecurityTokenReference>
        </ds:KeyInfo>
      </ds:Signature>
    </wsse:Security>
  </soapenv:Header>
  <soapenv:Body wsu:Id="Body">
    <soap:get xmlns:soap="http://soap.apim.api.platform.boomi.com/">
      <apim:objectType xmlns:apim="http://apim.api.platform.boomi.com/">Plan</apim:objectType>
      <apim:objectId xmlns:apim="http://apim.api.platform.boomi.com/">plan-1</apim:objectId>
    </soap:get>
  </soapenv:Body>
</soapenv:Envelope>
"""


@pytest.fixture(scope="module")
def xmlsec1() -> str:
    path = shutil.which("xmlsec1")
    if path is None:
        missing("xmlsec1", "apt-get install xmlsec1")
    return path


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KeyMaterial]:
    directory = tmp_path_factory.mktemp("xmlsec1-keys")
    return {"rsa": self_signed(directory, "rsa"), "ec": self_signed(directory, "ec", "ec")}


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("kind", "method"), [("rsa", "rsa-sha256"), ("rsa", "rsa-sha512"), ("ec", "ecdsa-sha256")]
)
def test_xmlsec1_verifies_boomisoap_signature(
    xmlsec1: str, keys: dict[str, KeyMaterial], tmp_path: Path, kind: str, method: str
) -> None:
    m = keys[kind]
    root = etree.fromstring(REQUEST)
    signer = X509Signer(m.key_path, m.cert_path, signature_method=method, digest_method="sha512")
    Compose([UsernameToken("u", "p"), signer]).apply(root, {})
    signed = tmp_path / "signed.xml"
    signed.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))

    result = run(xmlsec1, "--verify", "--pubkey-cert-pem", m.cert_path, *ID_ATTRS, signed)
    assert result.returncode == 0, result.stderr
    assert "SignedInfo References (ok/all): 2/2" in result.stderr

    # The same check fails once the Body changes, so the success above means something.
    signed.write_bytes(signed.read_bytes().replace(b">plan-1<", b">plan-9<"))
    result = run(xmlsec1, "--verify", "--pubkey-cert-pem", m.cert_path, *ID_ATTRS, signed)
    assert result.returncode != 0


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_boomisoap_verifies_xmlsec1_signature(
    xmlsec1: str, keys: dict[str, KeyMaterial], tmp_path: Path, kind: str
) -> None:
    m = keys[kind]
    now = datetime.now(UTC)
    template = tmp_path / "template.xml"
    template.write_text(
        TEMPLATE.format(
            created=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            expires=(now + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            token=base64.b64encode(m.cert.public_bytes(Encoding.DER)).decode(),
            method=METHODS[kind],
        )
    )
    signed = tmp_path / "signed.xml"
    result = run(
        xmlsec1, "--sign", "--privkey-pem", m.key_path, *ID_ATTRS, "--output", signed, template
    )
    assert result.returncode == 0, result.stderr

    verified = verify_envelope(signed.read_bytes(), trusted=m.cert_path)
    assert verified.signed_ids == ("Body", "Timestamp")
    assert verified.certificate == m.cert
    assert verified.signature_method == METHODS[kind]

    tampered = signed.read_bytes().replace(b">plan-1<", b">plan-9<")
    with pytest.raises(SignatureError, match="digest"):
        verify_envelope(tampered, trusted=m.cert_path)
