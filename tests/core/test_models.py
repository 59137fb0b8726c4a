"""Dataclass rules from the seeds, the UsernameToken, pacing and the shipped files."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import sys
import warnings
from datetime import UTC, datetime

import pytest
from lxml import etree

from boomisoap import ApiKey, Contract, InvalidRequest, Plan, QuotaLimitUnit, RateLimitUnit
from boomisoap.codec.jsoncodec import from_json, to_json
from boomisoap.codec.xmlcodec import read_object, write_object
from boomisoap.models import OBJECTS, check_object
from boomisoap.resources import resource_root
from boomisoap.transport import TokenBucket
from boomisoap.wsse import UsernameToken, password_digest


def test_password_digest_known_answer():
    created = "2016-05-08T12:00:00+00:00"
    assert password_digest("geheim", b"mocked-random", created) == "hVicspAQSg70JNhe67OHqD9gexc="


def test_username_token_digest_uses_utc_created_and_fresh_nonce():
    token = UsernameToken(
        "michael",
        "geheim",
        digest=True,
        nonce_source=lambda n: b"mocked-random",
        clock=lambda: datetime(
            2016, 5, 8, 14, 0, tzinfo=__import__("zoneinfo").ZoneInfo("Europe/Berlin")
        ),
    )
    element = token.token_element()
    ns = {"wsse": element.nsmap["wsse"], "wsu": element.nsmap["wsu"]}
    assert element.findtext("wsu:Created", namespaces=ns) == "2016-05-08T12:00:00+00:00"
    assert element.findtext("wsse:Password", namespaces=ns) == "hVicspAQSg70JNhe67OHqD9gexc="
    text_token = UsernameToken("u", "p")
    nonces = {text_token.token_element().findtext("wsse:Nonce", namespaces=ns) for _ in range(5)}
    assert len(nonces) == 5


def test_max_message_size_none_means_unlimited_and_is_omitted():
    plan = Plan(name="p", max_message_size=None)
    root = etree.Element(
        "r",
        nsmap={
            "apim": OBJECTS["Plan"].namespace,
            "xsi": "http://www.w3.org/2001/XMLSchema-instance",
        },
    )
    element = write_object(
        root, "{http://apim.api.platform.boomi.com/}object", plan, OBJECTS["Plan"]
    )
    assert "maxMessageSize" not in element.attrib
    assert read_object(element) == plan


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        (Plan(name=""), "name"),
        (Plan(name="p", max_message_size=-1), "maxMessageSize"),
        (Plan(name="p", rate_limit=2**63), "rateLimit"),
        (Plan(name="p", quota_limit=True), "quotaLimit"),  # type: ignore[arg-type]
        (Plan(name="p", quota_limit_unit="SECOND"), "quotaLimitUnit"),  # type: ignore[arg-type]
        (Plan(name="p", rate_limit_unit="minute"), "rateLimitUnit"),  # type: ignore[arg-type]
        (Contract(name="c", max_message_size=-9017668127734891520), "maxMessageSize"),
        (ApiKey(api_id="a", environment_id="e"), "applicationId"),
    ],
)
def test_documented_rules_raise_invalid_request_naming_the_field(obj, field):
    spec = OBJECTS[type(obj).__name__]
    with pytest.raises(InvalidRequest) as caught:
        check_object(spec, obj, "create")
    assert caught.value.field == field
    assert field in str(caught.value)


def test_update_needs_the_id():
    with pytest.raises(InvalidRequest) as caught:
        check_object(OBJECTS["Plan"], Plan(name="p"), "update")
    assert caught.value.field == "planId"


def test_json_codec_keeps_64_bit_values_exact():
    contract = Contract(
        name="testQA",
        max_message_size=0,
        rate_limit=999999999999999999,
        quota_limit=999999999999999999,
        rate_limit_unit=RateLimitUnit.MINUTE,
        quota_limit_unit=QuotaLimitUnit.MONTH,
    )
    document = to_json(contract, OBJECTS["Contract"])
    assert next(iter(document)) == "@type" and document["@type"] == "Contract"
    assert document["rateLimit"] == 999999999999999999
    assert from_json(document) == contract


def test_api_key_repr_hides_the_key():
    key = ApiKey(api_id="a1", key="very-secret-key-value")
    assert "very-secret-key-value" not in repr(key)
    assert dataclasses.replace(key, enabled=True).key == "very-secret-key-value"


def test_token_bucket_paces_to_the_rate():
    now = [0.0]
    bucket = TokenBucket(10.0, clock=lambda: now[0])
    waits = [bucket.reserve() for _ in range(12)]
    assert waits[:10] == [0.0] * 10  # a burst of one second's worth
    assert waits[10] == pytest.approx(0.1) and waits[11] == pytest.approx(0.2)
    now[0] = 10.0
    assert bucket.reserve() == 0.0


def test_wsdl_and_xsd_load_offline_without_warnings(monkeypatch):
    import xmlschema
    import zeep

    def no_network(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    root = resource_root()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("apim", "platform"):
            client = zeep.Client(str(root / "wsdl" / f"{name}.wsdl"))
            assert client.service._binding is not None
        for xsd in sorted((root / "xsd").glob("*.xsd")):
            xmlschema.XMLSchema(str(xsd))


def test_documented_one_liner_loads_the_wsdl_from_the_repository():
    root = resource_root()
    code = (
        "import zeep, xmlschema; zeep.Client('wsdl/apim.wsdl'); "
        "xmlschema.XMLSchema('xsd/apim.xsd'); print('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    _ = UTC
