"""Replaying a captured signed request (issue 15): refused whatever is done to its token.

The X.509 signature covers the Body and the Timestamp, not the PasswordText UsernameToken,
so a copy with a fresh Nonce, or without Nonce and Created, still verifies. The emulator
remembers each verified signed message (the digest of its canonical SignedInfo) for as
long as its signed Timestamp could be accepted again, per user: a second arrival is a
replay. Over loopback HTTP against a sandbox with ``require_signature=True``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from lxml import etree
from signing_keys import KeyMaterial, self_signed

from boomisoap import ApimClient, Plan
from boomisoap.models.registry import spec_for
from boomisoap.namespaces import DS, SOAP_ENV, WSSE, WSU
from boomisoap.sandbox import Sandbox
from boomisoap.wsse.signature import X509Signer, verify_request

NS = {"s": SOAP_ENV, "wsse": WSSE, "wsu": WSU, "ds": DS}
PLAN = spec_for("Plan", "apim")
PASSWORD = "replay-pass-4R"
# The order of the P-256 group: (r, n - s) verifies wherever (r, s) does.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KeyMaterial]:
    directory = tmp_path_factory.mktemp("replay-keys")
    return {"rsa": self_signed(directory, "client-rsa"), "ec": self_signed(directory, "ec", "ec")}


@pytest.fixture(scope="module")
def sb(keys: dict[str, KeyMaterial]) -> Iterator[Sandbox]:
    trusted = [keys["rsa"].cert, keys["ec"].cert]
    with Sandbox.start(
        users={"u": PASSWORD, "v": PASSWORD},
        rate_limit=None,
        trusted_certs=trusted,
        require_signature=True,
    ) as sandbox:
        sandbox.add(Plan(plan_id="p1", name="one"))
        yield sandbox


def client(sb: Sandbox, material: KeyMaterial, user: str = "u") -> ApimClient:
    return ApimClient(
        account_id=sb.account_id,
        username=user,
        password=PASSWORD,
        base_url=sb.base_url,
        rate_limit=None,
        signer=X509Signer(material.key_path, material.cert_path),
    )


def post(sb: Sandbox, data: bytes) -> requests.Response:
    url = f"{sb.base_url}/apim/api/soap/v1/{sb.account_id}"
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    return requests.post(url, data=data, headers=headers, timeout=10)


def captured(sb: Sandbox, material: KeyMaterial, user: str = "u") -> bytes:
    """A signed get that the emulator accepted once (the eavesdropper's copy)."""
    with client(sb, material, user) as apim:
        data = apim.envelope("get", PLAN, "p1")
    first = post(sb, data)
    assert first.status_code == 200, first.text[:300]
    return data


def edited(data: bytes, edit: Any) -> bytes:
    root = etree.fromstring(data)
    edit(root)
    return bytes(etree.tostring(root))


def token_part(root: Any, name: str) -> Any:
    (found,) = root.xpath(f"//wsse:UsernameToken/*[local-name()='{name}']", namespaces=NS)
    return found


def fresh_nonce(root: Any) -> None:
    token_part(root, "Nonce").text = base64.b64encode(os.urandom(16)).decode()


def no_nonce_no_created(root: Any) -> None:
    for name in ("Nonce", "Created"):
        part = token_part(root, name)
        part.getparent().remove(part)


def no_token_timestamp(root: Any) -> None:
    part = token_part(root, "Created")
    part.getparent().remove(part)
    fresh_nonce(root)


def respelled_signature(root: Any) -> None:
    (value,) = root.xpath("//ds:SignatureValue", namespaces=NS)
    value.text = "\n".join(value.text[i : i + 16] for i in range(0, len(value.text), 16))
    fresh_nonce(root)


def malleated_ecdsa(root: Any) -> None:
    """Anyone can turn (r, s) into (r, n - s): a new SignatureValue without the key."""
    (value,) = root.xpath("//ds:SignatureValue", namespaces=NS)
    raw = base64.b64decode(value.text)
    r, s = raw[:32], int.from_bytes(raw[32:], "big")
    value.text = base64.b64encode(r + (P256_ORDER - s).to_bytes(32, "big")).decode()
    fresh_nonce(root)


def assert_replay_refused(response: requests.Response) -> None:
    assert response.status_code == 403, response.text[:300]
    assert b"replayed request" in response.content
    assert PASSWORD.encode() not in response.content


@pytest.mark.parametrize(
    "edit",
    [fresh_nonce, no_nonce_no_created, no_token_timestamp, respelled_signature],
    ids=["fresh-nonce", "no-nonce-no-created", "no-token-created", "respelled-signature"],
)
def test_a_signed_request_is_accepted_once(
    sb: Sandbox, keys: dict[str, KeyMaterial], edit: Any
) -> None:
    data = captured(sb, keys["rsa"])
    copy = edited(data, edit)
    verify_request(copy, keys["rsa"].cert)  # the copy's signature still holds
    assert_replay_refused(post(sb, copy))


def test_a_malleated_ecdsa_signature_is_the_same_message(
    sb: Sandbox, keys: dict[str, KeyMaterial]
) -> None:
    data = captured(sb, keys["ec"])
    copy = edited(data, malleated_ecdsa)
    assert copy != edited(data, fresh_nonce)
    verify_request(copy, keys["ec"].cert)  # a different SignatureValue, valid too
    assert_replay_refused(post(sb, copy))


def test_the_exact_copy_is_refused(sb: Sandbox, keys: dict[str, KeyMaterial]) -> None:
    data = captured(sb, keys["rsa"])
    assert_replay_refused(post(sb, data))


def test_the_replay_is_refused_under_another_users_token(
    sb: Sandbox, keys: dict[str, KeyMaterial]
) -> None:
    """Another user's valid token on the captured message: the message is still known."""
    data = captured(sb, keys["rsa"], "u")
    with client(sb, keys["rsa"], "v") as other:
        theirs = etree.fromstring(other.envelope("get", PLAN, "p1"))

    def swap(root: Any) -> None:
        (mine,) = root.xpath("//wsse:UsernameToken", namespaces=NS)
        (token,) = theirs.xpath("//wsse:UsernameToken", namespaces=NS)
        mine.getparent().replace(mine, token)

    # v's token is valid, but the signed message was already received (from u).
    assert_replay_refused(post(sb, edited(data, swap)))


def test_the_clients_signer_makes_every_request_a_new_message(
    sb: Sandbox, keys: dict[str, KeyMaterial]
) -> None:
    with client(sb, keys["rsa"]) as apim:
        first = apim.envelope("get", PLAN, "p1")
        second = apim.envelope("get", PLAN, "p1")
        digests = {verify_request(e, keys["rsa"].cert).signed_info_digest for e in (first, second)}
        assert len(digests) == 2
        for data in (first, second):
            assert post(sb, data).status_code == 200
        # And through the client itself: the same get three times, all answered.
        assert [apim.plans.get("p1").name for _ in range(3)] == ["one"] * 3


def test_an_unsigned_copy_is_refused(sb: Sandbox, keys: dict[str, KeyMaterial]) -> None:
    data = captured(sb, keys["rsa"])

    def unsign(root: Any) -> None:
        (signature,) = root.xpath("//ds:Signature", namespaces=NS)
        signature.getparent().remove(signature)
        fresh_nonce(root)

    response = post(sb, edited(data, unsign))
    assert response.status_code == 403
    assert b"not signed" in response.content
