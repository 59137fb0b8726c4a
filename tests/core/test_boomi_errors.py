"""Errors and deprecation signals as Boomi sends them, on both wires, server mocked.

The shapes the emulator does not produce: each documented REST error body, a SOAP Fault
without our detail, gateway HTML pages, 401 against 403, 301/308/410 for a retired type,
and deprecation headers in Boomi's and the IETF forms (docs/client.md#errors).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from requests_mock import Mocker

from boomisoap import (
    ApimClient,
    AuthenticationError,
    BoomiError,
    BoomiFault,
    InvalidRequest,
    NotFound,
    RateLimited,
    Retired,
    ServiceUnavailable,
    TransportError,
)
from core.helpers import APIM_URL, BASE, PASSWORD, xml_response
from core.seeds import PLAN_GET_RESPONSE

PLAN_ID = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"
REST_PLAN_URL = f"{BASE}/apim/api/rest/v1/acct-1/plan/{PLAN_ID}"
PLAN_JSON = {"@type": "Plan", "planId": PLAN_ID, "name": "apiTestKh", "status": "DISABLED"}
WIRES = ["soap", "rest"]
HTML_502 = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><h1>502 Bad Gateway</h1></body></html>"
)
BOOMI_DEPRECATION = {
    "Deprecation": 'version="1.0"; date="Mon, 01 Jul 2024 00:00:00 GMT"',
    "Sunset": "Thu, 31 Dec 2026 23:59:59 GMT",
    "Warning": '299 - "You are using a deprecated API endpoint. Please migrate."',
    "Link": '<https://developer.boomi.com/deprecation>; rel="deprecation"; type="text/html"',
}


def bare_fault(code: str, message: str) -> bytes:
    """A Fault as any JAX-WS service writes one: no detail element at all."""
    return (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
        f"<faultcode>S:{code}</faultcode><faultstring>{message}</faultstring>"
        "</S:Fault></S:Body></S:Envelope>"
    ).encode()


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Iterator[ApimClient]:
    wire = getattr(request, "param", "soap")
    apim = ApimClient(
        account_id="acct-1",
        username="u",
        password=PASSWORD,
        base_url=BASE,
        wire=wire,
        rate_limit=None,
    )
    apim.transport._sleep = lambda _seconds: None
    with apim:
        yield apim


def url_of(client: ApimClient) -> str:
    return APIM_URL if client.wire_name == "soap" else REST_PLAN_URL


def answer(requests_mock: Mocker, client: ApimClient, **response: object) -> object:
    if client.wire_name == "soap":
        return requests_mock.post(APIM_URL, **response)
    return requests_mock.get(REST_PLAN_URL, **response)


def success(client: ApimClient, headers: dict[str, str]) -> dict[str, object]:
    """A Plan get answered with ``headers`` added."""
    if client.wire_name == "soap":
        response = xml_response(PLAN_GET_RESPONSE)
        response["headers"] = {**response["headers"], **headers}  # type: ignore[dict-item]
        return response
    return {"json": PLAN_JSON, "headers": headers}


# REST error bodies in every documented shape -----------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ({"message": "rateLimitUnit does not exist"}, "application/json"),
        ({"error": {"message": "rateLimitUnit does not exist"}}, "application/json"),
        ("<error><message>rateLimitUnit does not exist</message></error>", "application/xml"),
        ("<error><message>rateLimitUnit does not exist</message></error>", "text/xml"),
    ],
    ids=["message", "error.message", "xml error", "xml error as text/xml"],
)
@pytest.mark.parametrize(("status", "cls"), [(400, InvalidRequest), (404, NotFound)])
@pytest.mark.parametrize("client", ["rest"], indirect=True)
def test_rest_error_bodies_in_every_documented_shape(
    client: ApimClient,
    requests_mock: Mocker,
    body: object,
    content_type: str,
    status: int,
    cls: type[BoomiFault],
) -> None:
    text = body if isinstance(body, str) else json.dumps(body)
    answer(
        requests_mock,
        client,
        status_code=status,
        text=text,
        headers={"Content-Type": content_type},
    )
    with pytest.raises(cls) as caught:
        client.plans.get(PLAN_ID)
    assert type(caught.value) is cls
    assert caught.value.message == "rateLimitUnit does not exist"
    assert caught.value.status_code == status


@pytest.mark.parametrize("client", ["rest"], indirect=True)
def test_boomi_login_refusal_body_is_read(client: ApimClient, requests_mock: Mocker) -> None:
    body = (
        '<UserMessage id="error.user.login" type="error">'
        "<Data>Incorrect user name and password combination.</Data></UserMessage>"
    )
    answer(requests_mock, client, status_code=403, text=body)
    with pytest.raises(AuthenticationError) as caught:
        client.plans.get(PLAN_ID)
    assert caught.value.message == "Incorrect user name and password combination."


@pytest.mark.parametrize("client", ["rest"], indirect=True)
def test_rest_500_with_a_message_is_a_plain_boomi_fault(
    client: ApimClient, requests_mock: Mocker
) -> None:
    answer(requests_mock, client, status_code=500, json={"message": "internal failure"})
    with pytest.raises(BoomiFault) as caught:
        client.plans.get(PLAN_ID)
    assert type(caught.value) is BoomiFault
    assert (caught.value.message, caught.value.status_code) == ("internal failure", 500)


# A SOAP Fault without our detail --------------------------------------------------------


@pytest.mark.parametrize("code", ["Server", "Client"])
def test_bare_soap_fault_is_a_boomi_fault_with_its_code_and_string(
    client: ApimClient, requests_mock: Mocker, code: str
) -> None:
    mock = answer(requests_mock, client, **xml_response(bare_fault(code, "Invalid query"), 500))
    with pytest.raises(BoomiFault) as caught:
        client.plans.get(PLAN_ID)
    error = caught.value
    assert type(error) is BoomiFault
    assert (error.fault_code, error.message, error.status_code) == (code, "Invalid query", 500)
    assert mock.call_count == 1  # type: ignore[attr-defined]


def test_bare_soap_fault_with_503_is_service_unavailable_and_retried(
    client: ApimClient, requests_mock: Mocker
) -> None:
    mock = answer(requests_mock, client, **xml_response(bare_fault("Server", "busy"), 503))
    with pytest.raises(ServiceUnavailable) as caught:
        client.plans.get(PLAN_ID)
    assert isinstance(caught.value, RateLimited) and caught.value.status_code == 503
    assert mock.call_count == 6  # type: ignore[attr-defined]


@pytest.mark.parametrize("status", [401, 403])
def test_bare_soap_fault_with_401_or_403_is_an_authentication_error(
    client: ApimClient, requests_mock: Mocker, status: int
) -> None:
    fault = bare_fault("Client", "Incorrect user name and password combination.")
    answer(requests_mock, client, **xml_response(fault, status))
    with pytest.raises(AuthenticationError) as caught:
        client.plans.get(PLAN_ID)
    assert caught.value.status_code == status and caught.value.fault_code == "Client"


# 401 and 403, with and without a body -------------------------------------------------


@pytest.mark.parametrize("client", WIRES, indirect=True)
@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("body", ["", "Unauthorized", '{"message": "Access denied."}'])
def test_401_and_403_are_both_authentication_errors(
    client: ApimClient, requests_mock: Mocker, status: int, body: str
) -> None:
    answer(requests_mock, client, status_code=status, text=body)
    with pytest.raises(AuthenticationError) as caught:
        client.plans.get(PLAN_ID)
    assert caught.value.status_code == status


# HTML pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("client", WIRES, indirect=True)
@pytest.mark.parametrize("content_type", ["text/html", "text/plain", None])
def test_an_html_page_says_the_server_answered_html_with_the_status(
    client: ApimClient, requests_mock: Mocker, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    mock = answer(requests_mock, client, status_code=502, text=HTML_502, headers=headers)
    with pytest.raises(TransportError) as caught:
        client.plans.get(PLAN_ID)
    error = caught.value
    assert "answered HTML" in str(error) and "HTTP 502" in str(error)
    assert "DOCTYPE" not in error.message
    assert error.http_status == 502 and error.excerpt.startswith("<!DOCTYPE html>")
    assert mock.call_count == 6  # type: ignore[attr-defined]  # a read: 502 is retried


@pytest.mark.parametrize("client", WIRES, indirect=True)
def test_an_html_page_with_200_is_reported_as_html(
    client: ApimClient, requests_mock: Mocker
) -> None:
    answer(requests_mock, client, status_code=200, text=HTML_502)
    with pytest.raises(TransportError) as caught:
        client.plans.get(PLAN_ID)
    assert "answered HTML" in caught.value.message and caught.value.http_status == 200


# Retired object types ---------------------------------------------------------------------


@pytest.mark.parametrize("client", WIRES, indirect=True)
@pytest.mark.parametrize("body", ["", '{"message": "Endpoint is invalid or no longer exists."}'])
def test_410_is_a_retired_error_naming_the_object(
    client: ApimClient, requests_mock: Mocker, body: str
) -> None:
    answer(requests_mock, client, status_code=410, text=body)
    with pytest.raises(NotFound) as caught:  # old handlers keep catching it
        client.plans.get(PLAN_ID)
    error = caught.value
    assert isinstance(error, Retired)
    assert (error.object_type, error.location, error.status_code) == ("Plan", None, 410)
    assert str(error).startswith("Plan is retired by Boomi (HTTP 410)")


def test_410_bare_fault_is_retired_and_a_410_detail_is_one_deleted_object(
    client: ApimClient, requests_mock: Mocker
) -> None:
    answer(requests_mock, client, **xml_response(bare_fault("Client", "gone"), 410))
    with pytest.raises(Retired):
        client.plans.get(PLAN_ID)
    from core.helpers import fault

    # Our detail's 410 is about one object (a deleted Plan), as before: NotFound only.
    answer(requests_mock, client, **xml_response(fault(410, "deleted"), 500))
    with pytest.raises(NotFound) as caught:
        client.plans.get(PLAN_ID)
    assert type(caught.value) is NotFound


@pytest.mark.parametrize("client", WIRES, indirect=True)
@pytest.mark.parametrize("status", [301, 308])
def test_a_redirect_is_a_retired_error_naming_the_replacement(
    client: ApimClient, requests_mock: Mocker, status: int
) -> None:
    replacement = f"{BASE}/apim/api/rest/v2/acct-1/plan"
    mock = answer(
        requests_mock,
        client,
        status_code=status,
        headers={"Location": replacement, "Content-Type": "text/html"},
        text="<html><body>Moved</body></html>",
    )
    with pytest.raises(Retired) as caught:
        client.plans.get(PLAN_ID)
    error = caught.value
    assert (error.object_type, error.location, error.status_code) == ("Plan", replacement, status)
    assert "Plan" in str(error) and replacement in str(error)
    assert mock.call_count == 1  # type: ignore[attr-defined]  # never followed, never retried


@pytest.mark.parametrize("client", WIRES, indirect=True)
def test_a_redirect_location_never_carries_a_secret(
    client: ApimClient, requests_mock: Mocker
) -> None:
    answer(
        requests_mock,
        client,
        status_code=308,
        headers={"Location": f"{BASE}/new?echo={PASSWORD}"},
    )
    with pytest.raises(Retired) as caught:
        client.plans.get(PLAN_ID)
    texts = [str(caught.value), repr(caught.value), str(caught.value.location)]
    assert all(PASSWORD not in text for text in texts)


@pytest.mark.parametrize("client", WIRES, indirect=True)
def test_secrets_never_reach_error_messages_in_any_shape(
    client: ApimClient, requests_mock: Mocker
) -> None:
    bodies = [
        {"json": {"error": {"message": f"bad password {PASSWORD}"}}},
        {"text": f"<error><message>bad password {PASSWORD}</message></error>"},
        {"text": f"<html><body>{PASSWORD}</body></html>"},
        {"content": bare_fault("Client", f"bad password {PASSWORD}")},
    ]
    for body in bodies:
        for status in (400, 403, 410, 502):
            answer(requests_mock, client, status_code=status, **body)
            with pytest.raises(BoomiError) as caught:
                client.plans.get(PLAN_ID)
            texts = [str(caught.value), repr(caught.value)]
            texts += [str(getattr(caught.value, "excerpt", "")), str(caught.value.args)]
            assert all(PASSWORD not in text for text in texts), (status, body)


# Deprecation headers ------------------------------------------------------------------------


@pytest.mark.parametrize("client", WIRES, indirect=True)
def test_boomi_deprecation_headers_warn_once_per_type_and_are_readable(
    client: ApimClient, requests_mock: Mocker
) -> None:
    answer(requests_mock, client, **success(client, BOOMI_DEPRECATION))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.plans.get(PLAN_ID)
        client.plans.get(PLAN_ID)
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert len(messages) == 1
    assert "Plan" in messages[0] and "2026-12-31" in messages[0]
    assert "https://developer.boomi.com/deprecation" in messages[0]
    # Attributed to the caller, not to a line inside boomisoap.
    assert [w.filename for w in caught if w.category is DeprecationWarning] == [__file__]
    notice = client.deprecations["Plan"]
    assert notice.version == "1.0"
    assert notice.deprecated_on == datetime(2024, 7, 1, tzinfo=UTC)
    assert notice.sunset == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert notice.link == "https://developer.boomi.com/deprecation"
    assert notice.message == "You are using a deprecated API endpoint. Please migrate."
    assert notice.headers["Sunset"] == BOOMI_DEPRECATION["Sunset"]


@pytest.mark.parametrize("client", WIRES, indirect=True)
@pytest.mark.parametrize(
    ("headers", "sunset", "since"),
    [
        ({"Deprecation": "true"}, None, None),
        ({"Deprecation": "@1719792000"}, None, datetime(2024, 7, 1, tzinfo=UTC)),
        ({"Deprecation": "Mon, 01 Jul 2024 00:00:00 GMT"}, None, datetime(2024, 7, 1, tzinfo=UTC)),
        (
            {"Sunset": "Thu, 31 Dec 2026 23:59:59 GMT"},
            datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
            None,
        ),
        ({"Warning": '299 - "deprecated" "Mon, 01 Jul 2024 00:00:00 GMT"'}, None, None),
        ({"Link": '<https://x.test/d>; rel="deprecation"'}, None, None),
        ({"Deprecation": 'version="1.0"; date="not a date"', "Sunset": "soon"}, None, None),
    ],
)
def test_deprecation_header_forms(
    client: ApimClient,
    requests_mock: Mocker,
    headers: dict[str, str],
    sunset: datetime | None,
    since: datetime | None,
) -> None:
    answer(requests_mock, client, **success(client, headers))
    with pytest.warns(DeprecationWarning, match="Plan"):
        client.plans.get(PLAN_ID)
    notice = client.deprecations["Plan"]
    assert (notice.sunset, notice.deprecated_on) == (sunset, since)


@pytest.mark.parametrize("client", WIRES, indirect=True)
def test_no_deprecation_headers_no_warning(client: ApimClient, requests_mock: Mocker) -> None:
    headers = {"Link": '<https://x.test/next>; rel="next"', "Warning": '199 - "misc"'}
    answer(requests_mock, client, **success(client, headers))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        client.plans.get(PLAN_ID)
    assert dict(client.deprecations) == {}


@pytest.mark.parametrize("client", WIRES, indirect=True)
def test_deprecation_headers_on_an_error_answer_are_read_too(
    client: ApimClient, requests_mock: Mocker
) -> None:
    headers = {**BOOMI_DEPRECATION, "Content-Type": "application/json"}
    answer(requests_mock, client, status_code=410, headers=headers, text="")
    with pytest.warns(DeprecationWarning), pytest.raises(Retired):
        client.plans.get(PLAN_ID)
    assert client.deprecations["Plan"].sunset is not None


def test_mft_answers_with_deprecation_headers_warn_once_too(requests_mock: Mocker) -> None:
    from boomisoap import MftClient

    root = f"{BASE}/api/Accounting"
    requests_mock.get(f"{root}/transferQuota", text="250000", headers=BOOMI_DEPRECATION)
    with MftClient(base_url=BASE, api_key="mft-key-Secret-1", rate_limit=None) as mft:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert mft.accounting.transfer_quota() == 250000
            assert mft.accounting.transfer_quota() == 250000
        assert len([w for w in caught if w.category is DeprecationWarning]) == 1
        notice = mft.deprecations["transfer_quota"]
        assert notice.sunset == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("client", WIRES, indirect=True)
@pytest.mark.parametrize("status", [308, 404, 502])
def test_an_id_that_is_a_secret_never_reaches_an_error(
    client: ApimClient, requests_mock: Mocker, status: int
) -> None:
    """An ApiKey is fetched by its key: a server echoing it must not put it in a message."""
    import dataclasses

    from boomisoap.models.apim import API_KEY

    keyed = dataclasses.replace(API_KEY, id_field="key")  # the key as the id, as at Boomi
    key = "k-7f3a9c2e-secret-key"
    url = APIM_URL if client.wire_name == "soap" else f"{BASE}/apim/api/rest/v1/acct-1/apiKey/{key}"
    method = requests_mock.post if client.wire_name == "soap" else requests_mock.get
    echo = f"<html><body>no key {key}</body></html>"
    method(url, status_code=status, text=echo, headers={"Location": f"{BASE}/v2/apiKey/{key}"})
    with pytest.raises(BoomiError) as caught:
        client._wire.get(keyed, key)
    error = caught.value
    texts = [str(error), repr(error), str(error.args)]
    texts += [str(getattr(error, name, "")) for name in ("excerpt", "location", "message")]
    assert all(key not in text for text in texts), texts


@pytest.mark.parametrize("client", WIRES, indirect=True)
def test_several_links_in_one_header(client: ApimClient, requests_mock: Mocker) -> None:
    links = (
        '<https://x.test/next>; rel="next", <https://x.test/a,b>; rel="deprecation"; '
        'type="text/html", <https://x.test/v2/plan>; rel=successor-version'
    )
    answer(requests_mock, client, **success(client, {"Link": links}))
    with pytest.warns(DeprecationWarning, match="see https://x.test/a,b"):
        client.plans.get(PLAN_ID)
    notice = client.deprecations["Plan"]
    assert (notice.link, notice.successor) == ("https://x.test/a,b", "https://x.test/v2/plan")
    assert hash(notice) == hash(notice)  # usable in sets, though it holds the headers
