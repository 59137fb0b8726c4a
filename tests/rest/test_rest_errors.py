"""Errors, retries, limits and audit capture on the JSON wire: the SOAP wire's rules."""

from __future__ import annotations

import base64

import _rest_seeds as seeds
import pytest
import requests
from _rest_helpers import (
    ACCOUNT,
    APIM_ROOT,
    BASE,
    PASSWORD,
    PLATFORM_ROOT,
    USER,
    AuditRecorder,
    assert_no_secret,
    error_body,
    quiet,
)
from requests_mock import Mocker

from boomisoap import (
    ApimClient,
    AuthenticationError,
    BoomiError,
    Conflict,
    EnvelopeValidationError,
    InvalidRequest,
    NotFound,
    Plan,
    PlatformClient,
    RateLimited,
    ServiceUnavailable,
    TransportError,
)

PLAN_URL = f"{APIM_ROOT}/plan/p-1"
HTML_502 = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    "</h1></center><hr><center>nginx</center></body></html>"
)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidRequest),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFound),
        (409, Conflict),
        (410, NotFound),
        (413, InvalidRequest),
        (500, ServiceUnavailable),
    ],
)
def test_error_statuses_map_to_the_soap_exception_classes(
    apim: ApimClient, requests_mock: Mocker, status: int, cls: type[BoomiError]
) -> None:
    requests_mock.get(PLAN_URL, status_code=status, json=error_body(status, f"failed {status}"))
    with pytest.raises(cls) as caught:
        apim.plans.get("p-1")
    assert type(caught.value) is cls
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    assert caught.value.message == f"failed {status}"  # type: ignore[attr-defined]
    assert caught.value.fault_code is None  # type: ignore[attr-defined]


def test_invalid_request_names_the_field(apim: ApimClient, requests_mock: Mocker) -> None:
    body = error_body(400, "rateLimitUnit does not exist", field="rateLimitUnit")
    requests_mock.post(f"{APIM_ROOT}/plan/", status_code=400, json=body)
    with pytest.raises(InvalidRequest) as caught:
        apim.plans.create(Plan(name="n"))
    assert caught.value.field == "rateLimitUnit"
    assert "rateLimitUnit does not exist" in str(caught.value)


def test_an_error_without_a_json_body_still_gets_its_class(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    requests_mock.get(PLAN_URL, status_code=403, text="<html>Forbidden</html>")
    with pytest.raises(AuthenticationError) as caught:
        apim.plans.get("p-1")
    assert caught.value.status_code == 403


def test_html_502_page_is_a_transport_error_retried_for_reads(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    mock = requests_mock.get(
        PLAN_URL, status_code=502, text=HTML_502, headers={"Content-Type": "text/html"}
    )
    with pytest.raises(TransportError) as caught:
        apim.plans.get("p-1")
    error = caught.value
    assert error.http_status == 502
    assert error.excerpt.startswith("<html><head><title>502 Bad Gateway")
    assert len(error.excerpt) <= 200
    assert mock.call_count == 6  # the first attempt and five retries


def test_html_502_page_on_a_create_is_not_retried(apim: ApimClient, requests_mock: Mocker) -> None:
    mock = requests_mock.post(f"{APIM_ROOT}/plan/", status_code=502, text=HTML_502)
    with pytest.raises(TransportError) as caught:
        apim.plans.create(Plan(name="n"))
    assert caught.value.http_status == 502
    assert mock.call_count == 1


@pytest.mark.parametrize(
    "body",
    [
        seeds.PLAN_GET[:60],  # truncated
        "",
        "<Plan planId='p-1'/>",
        '{"@type": "Plan", "name": "n", "rateLimit": NaN}',
        b"\xff\xfe{}",
    ],
)
def test_a_body_that_is_not_json_is_a_transport_error(
    apim: ApimClient, requests_mock: Mocker, body: str | bytes
) -> None:
    if isinstance(body, bytes):
        requests_mock.get(PLAN_URL, content=body)
    else:
        requests_mock.get(PLAN_URL, text=body)
    with pytest.raises(TransportError) as caught:
        apim.plans.get("p-1")
    assert caught.value.http_status == 200


def test_503_is_retried_then_raised_as_rate_limited(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    mock = requests_mock.get(PLAN_URL, status_code=503, text="Service Unavailable")
    with pytest.raises(RateLimited) as caught:
        apim.plans.get("p-1")
    assert caught.value.status_code == 503
    assert mock.call_count == 6


def test_503_then_success(apim: ApimClient, requests_mock: Mocker) -> None:
    mock = requests_mock.post(
        f"{APIM_ROOT}/plan/",
        [
            {"status_code": 503, "json": error_body(503, "over the limit")},
            {"status_code": 503, "text": ""},
            {"status_code": 200, "text": seeds.PLAN_CREATE_RESPONSE},
        ],
    )
    # A 503 means the service did nothing, so even a create goes again.
    assert apim.plans.create(Plan(name="how")).name == "how"
    assert mock.call_count == 3


def test_a_create_is_never_retried_after_a_connection_reset(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    mock = requests_mock.post(f"{APIM_ROOT}/plan/", exc=requests.exceptions.ConnectionError)
    with pytest.raises(TransportError) as caught:
        apim.plans.create(Plan(name="how"))
    assert caught.value.http_status is None
    assert mock.call_count == 1


def test_a_read_is_retried_after_a_connection_reset(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    mock = requests_mock.get(
        PLAN_URL,
        [{"exc": requests.exceptions.ConnectionError}, {"text": seeds.PLAN_GET}],
    )
    assert apim.plans.get("p-1").name == "apiTestKh"
    assert mock.call_count == 2


def test_retries_setting_is_honoured(requests_mock: Mocker) -> None:
    client = ApimClient(
        account_id=ACCOUNT,
        username=USER,
        password=PASSWORD,
        base_url=BASE,
        wire="rest",
        rate_limit=None,
        retries=1,
    )
    mock = requests_mock.get(PLAN_URL, status_code=503)
    with quiet(client), pytest.raises(RateLimited):
        client.plans.get("p-1")
    assert mock.call_count == 2


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (2**63, "/maxMessageSize"),  # beyond int64
        (-1, "/maxMessageSize"),  # sizes are non-negative
        (1.5, "/maxMessageSize"),
        ("lots", "/maxMessageSize"),
    ],
)
def test_a_response_value_breaking_its_field_rule_is_reported(
    apim: ApimClient, requests_mock: Mocker, value: object, path: str
) -> None:
    requests_mock.get(PLAN_URL, json={"@type": "Plan", "name": "n", "maxMessageSize": value})
    with pytest.raises(EnvelopeValidationError) as caught:
        apim.plans.get("p-1")
    assert caught.value.path == path and caught.value.direction == "response"


def test_int64_bounds_are_exact(apim: ApimClient, requests_mock: Mocker) -> None:
    requests_mock.get(
        PLAN_URL, text='{"@type":"Plan","name":"n","maxMessageSize":9223372036854775807}'
    )
    assert apim.plans.get("p-1").max_message_size == 2**63 - 1


def test_secrets_never_reach_messages_or_reprs(apim: ApimClient, requests_mock: Mocker) -> None:
    credentials = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    echo = f"<html>bad login for {USER}:{PASSWORD} (Basic {credentials})</html>"
    cases = [
        (403, {"json": error_body(403, f"Incorrect password {PASSWORD}")}),
        (400, {"json": error_body(400, f"token Basic {credentials} rejected", field="password")}),
        (502, {"text": echo}),
        (200, {"text": echo}),
        (401, {"text": echo}),
        (503, {"json": error_body(503, PASSWORD)}),
    ]
    texts = [repr(apim), repr(apim.plans), repr(apim._wire)]
    for status, answer in cases:
        requests_mock.get(PLAN_URL, status_code=status, **answer)
        with pytest.raises(BoomiError) as caught:
            apim.plans.get("p-1")
        texts += [str(caught.value), repr(caught.value), str(caught.value.args)]
        texts += [str(getattr(caught.value, name, "")) for name in ("message", "excerpt")]
    assert_no_secret(*texts)


def test_requests_carry_json_headers_and_basic_auth_for_tokens(requests_mock: Mocker) -> None:
    client = PlatformClient(
        account_id=ACCOUNT, username="ann", token="tok-123", base_url=BASE, wire="rest"
    )
    mock = requests_mock.get(f"{PLATFORM_ROOT}/Account/a-1", json={"accountId": "a-1"})
    with client:
        assert client.accounts.get("a-1").account_id == "a-1"
    headers = mock.last_request.headers
    expected = base64.b64encode(b"BOOMI_TOKEN.ann:tok-123").decode()
    assert headers["Authorization"] == f"Basic {expected}"
    assert headers["Accept"] == "application/json"
    assert headers["X-Correlation-ID"]


def test_otp_header_is_sent(requests_mock: Mocker) -> None:
    client = PlatformClient(
        account_id=ACCOUNT,
        username="u",
        password="p-secret",
        otp="123456",
        base_url=BASE,
        wire="rest",
    )
    mock = requests_mock.get(f"{PLATFORM_ROOT}/Account/a-1", json={"accountId": "a-1"})
    with client:
        client.accounts.get("a-1")
    assert mock.last_request.headers["X-Boomi-OTP"] == "123456"


def test_every_attempt_is_audited_as_it_crossed_the_wire(requests_mock: Mocker) -> None:
    recorder = AuditRecorder()
    client = ApimClient(
        account_id=ACCOUNT,
        username=USER,
        password=PASSWORD,
        base_url=BASE,
        wire="rest",
        rate_limit=None,
        audit=recorder,  # type: ignore[arg-type]
        correlation_id="cid-1",
    )
    requests_mock.post(
        f"{APIM_ROOT}/plan/",
        [{"status_code": 503, "text": ""}, {"text": seeds.PLAN_CREATE_RESPONSE}],
    )
    with quiet(client):
        client.plans.create(Plan(name="how"))
    first, second = recorder.exchanges
    assert (first.outcome, first.attempt, first.status) == ("fault", 1, 503)
    assert (second.outcome, second.attempt, second.status) == ("ok", 2, 200)
    for exchange in (first, second):
        assert exchange.wire == "rest" and exchange.service == "apim"
        assert exchange.operation == "create" and exchange.object_type == "Plan"
        assert exchange.method == "POST" and exchange.url == f"{APIM_ROOT}/plan/"
        assert exchange.request_body == b'{"name":"how"}'
        assert exchange.correlation_id == "cid-1"
        assert exchange.account_id == ACCOUNT
    assert second.response_body == seeds.PLAN_CREATE_RESPONSE.encode()
    assert first.error_class == "RateLimited"


def test_soap_only_envelope_helper_is_refused_on_rest(apim: ApimClient) -> None:
    with pytest.raises(InvalidRequest):
        apim.envelope("get", None, "p-1")


@pytest.mark.parametrize("offset", [190, 195, 199, 200])
def test_a_secret_cut_by_the_excerpt_leaves_no_head_behind(
    apim: ApimClient, requests_mock: Mocker, offset: int
) -> None:
    body = "<html>" + "x" * (offset - 6) + PASSWORD + "</html>"
    requests_mock.get(PLAN_URL, status_code=500, text=body)
    with pytest.raises(TransportError) as caught:
        apim.plans.get("p-1")
    assert PASSWORD[:5] not in caught.value.excerpt
