"""Paging, bulk, faults, retries and secrets on the SOAP wire, transport mocked."""

from __future__ import annotations

import threading

import pytest
import requests
import xmltree

from boomisoap import (
    ApimClient,
    AuthenticationError,
    Conflict,
    EnvelopeValidationError,
    InvalidRequest,
    NotFound,
    Plan,
    Q,
    RateLimited,
    RateLimitUnit,
    ServiceUnavailable,
    TransportError,
)
from boomisoap.namespaces import API, APIM, SOAP_ENV, XSI
from core.helpers import APIM_URL, BASE, PASSWORD, PLATFORM_URL, fault, xml_response
from core.seeds import NS, PLATFORM_NS, account_xml, response


def plan_page(start: int, count: int, token: str | None) -> bytes:
    items = "".join(
        f'<bns:result xsi:type="apim:Plan" name="p{i}" planId="id-{i}" status="ENABLED"/>'
        for i in range(start, start + count)
    )
    # Boomi's QueryResult: the token (while more remain) first, then the items.
    more = f"<bns:queryToken>{token}</bns:queryToken>" if token else ""
    return response(
        f'<ns4:queryMoreResponse {NS}><apim:results numberOfResults="{count}">{more}{items}'
        "</apim:results></ns4:queryMoreResponse>"
    ).replace(b"queryMoreResponse", b"queryResponse" if start == 0 else b"queryMoreResponse")


def test_query_pages_through_250_results_lazily(apim, mock):
    mock.post(
        APIM_URL,
        [
            xml_response(plan_page(0, 100, "tok-1")),
            xml_response(plan_page(100, 100, "tok-2")),
            xml_response(plan_page(200, 50, None)),
        ],
    )
    results = apim.plans.query(Q.name.like("p%"))
    assert mock.call_count == 0  # nothing is sent before the first item is asked for
    first = next(results)
    assert first.name == "p0" and mock.call_count == 1
    rest = list(results)
    assert [p.name for p in [first, *rest]] == [f"p{i}" for i in range(250)]
    assert mock.call_count == 3
    # APIM's queryMore carries apim:queryToken (apim.xsd).
    tokens = [
        xmltree.parse(r.body).findtext(f".//{{{APIM}}}queryToken") for r in mock.request_history
    ]
    assert tokens == [None, "tok-1", "tok-2"]
    operations = [xmltree.body_child(xmltree.parse(r.body)).tag for r in mock.request_history]
    assert operations[0].endswith("}query") and operations[1].endswith("}queryMore")


def bulk_answer(request, context) -> bytes:
    """Boomi's shape ("Bulk GET operations"): successes carry only statusCode and Result,
    failures errorMessage, statusCode and id; no item carries an index."""
    body = xmltree.parse(request.body)
    requested = list(body.iter(f"{{{API}}}request"))
    assert all(r.get(f"{{{XSI}}}type", "").endswith(":BulkId") for r in requested)
    items = []
    for account_id in (r.get("id") for r in requested):
        if account_id.endswith("7"):
            items.append(
                f'<api:response errorMessage="{account_id} does not exist" statusCode="404" '
                f'id="{account_id}"/>'
            )
        else:
            result = account_xml("api:Result", account_id, "n", "2020-01-01T00:00:00Z")
            items.append(f'<api:response statusCode="200">{result}</api:response>')
    context.headers["Content-Type"] = "text/xml"
    return response(
        f"<ns2:getBulkResponse {PLATFORM_NS}><api:results>{''.join(items)}"
        "</api:results></ns2:getBulkResponse>"
    )


def test_bulk_of_230_ids_is_sent_as_100_100_30(platform, mock):
    mock.post(PLATFORM_URL, content=bulk_answer)
    ids = [f"acct-{i:03d}" for i in range(230)]
    items = platform.accounts.get_many(ids)
    sizes = [
        len(list(xmltree.parse(r.body).iter(f"{{{API}}}request"))) for r in mock.request_history
    ]
    assert sizes == [100, 100, 30]
    assert [item.id for item in items] == ids
    assert [item.index for item in items] == list(range(230))
    failed = [item for item in items if not item.ok]
    assert [item.id for item in failed] == [i for i in ids if i.endswith("7")]
    assert all(
        item.status_code == 404 and "does not exist" in item.error_message for item in failed
    )
    with pytest.raises(NotFound):
        failed[0].unwrap()
    assert items[0].unwrap().account_id == "acct-000"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, InvalidRequest),
        (403, AuthenticationError),
        (404, NotFound),
        (409, Conflict),
        (410, NotFound),
        (500, ServiceUnavailable),
    ],
)
def test_fault_status_maps_to_error_class(apim, mock, status, error):
    http = 403 if status == 403 else 500
    mock.post(APIM_URL, **xml_response(fault(status, f"status {status}"), http))
    with pytest.raises(error) as caught:
        apim.plans.get("some-id")
    assert caught.value.status_code == status
    assert mock.call_count == 1


def test_http_401_without_xml_is_an_authentication_error(apim, mock):
    mock.post(APIM_URL, status_code=401, text="Unauthorized")
    with pytest.raises(AuthenticationError):
        apim.plans.get("x")


def test_html_502_page_is_a_transport_error_with_excerpt(apim, mock):
    mock.post(
        APIM_URL,
        status_code=502,
        text="<html><body>Bad gateway</body></html>",
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(TransportError) as caught:
        apim.plans.create(Plan(name="x"))
    assert caught.value.http_status == 502
    assert "Bad gateway" in caught.value.excerpt
    assert mock.call_count == 1  # a create is never sent twice


def test_invalid_response_envelope_is_rejected(apim, mock):
    bad = response(
        f'<ns4:getResponse {NS}><apim:result xsi:type="apim:Plan" rateLimit="-5"/>'
        "</ns4:getResponse>"
    )
    mock.post(APIM_URL, **xml_response(bad))
    with pytest.raises(EnvelopeValidationError) as caught:
        apim.plans.get("x")
    assert caught.value.direction == "response"
    assert "result" in caught.value.path


def test_invalid_request_is_never_sent(apim, mock):
    mock.post(APIM_URL, **xml_response(b""))
    with pytest.raises(InvalidRequest) as caught:
        apim.plans.create(Plan(name="n", rate_limit=-1))
    assert caught.value.field == "rateLimit"
    with pytest.raises(InvalidRequest) as caught:
        apim.plans.create(Plan(name="n", rate_limit_unit="minute"))  # type: ignore[arg-type]
    assert caught.value.field == "rateLimitUnit"
    with pytest.raises(InvalidRequest) as caught:
        apim.plans.create(Plan(name="n", quota_limit=2**63))
    assert caught.value.field == "quotaLimit"
    with pytest.raises(InvalidRequest) as caught:
        apim.plans.get("")
    with pytest.raises(InvalidRequest):
        apim.plans.query(Q.nope == "x")
    with pytest.raises(InvalidRequest):
        apim.plans.query(Q.status.between("ENABLED", "DISABLED"))
    assert mock.call_count == 0


def test_create_is_not_retried_after_connection_reset(apim, mock):
    mock.post(APIM_URL, exc=requests.exceptions.ConnectionError("reset by peer"))
    with pytest.raises(TransportError):
        apim.plans.create(Plan(name="once"))
    assert mock.call_count == 1


def test_get_is_retried_after_connection_reset(apim, mock):
    mock.post(APIM_URL, exc=requests.exceptions.ConnectionError("reset by peer"))
    with pytest.raises(TransportError):
        apim.plans.get("x")
    assert mock.call_count == 4  # retries=3


def test_503_is_retried_with_backoff_then_raised(apim, mock):
    mock.post(APIM_URL, **xml_response(fault(503, "slow down", "Server"), 503))
    with pytest.raises(RateLimited):
        apim.plans.create(Plan(name="x"))
    assert mock.call_count == 4
    sleeps = apim.transport._sleep
    assert len(sleeps) == 3 and sleeps[0] < sleeps[2]  # exponential, jittered


def test_503_then_success_returns_the_result(apim, mock):
    from core.seeds import PLAN_CREATE_RESPONSE

    mock.post(APIM_URL, [{"status_code": 503, "text": ""}, xml_response(PLAN_CREATE_RESPONSE)])
    assert apim.plans.create(Plan(name="how")).name == "how"
    assert mock.call_count == 2


def test_secrets_never_appear_in_errors_or_reprs(mock):
    client = ApimClient(
        account_id="acct-1",
        username="u",
        password=PASSWORD,
        base_url=BASE,
        retries=0,
        rate_limit=None,
    )
    echoed = f"<html>you sent {PASSWORD}</html>"
    mock.post(APIM_URL, status_code=502, text=echoed, headers={"Content-Type": "text/html"})
    with pytest.raises(TransportError) as caught:
        client.plans.get("x")
    texts = [str(caught.value), repr(caught.value), repr(client), repr(client.plans)]
    assert all(PASSWORD not in text for text in texts)
    token = client._wire._builder.plugins[0]
    assert PASSWORD not in repr(token)


def test_one_client_is_safe_to_share_between_threads(apim, mock):
    from core.seeds import PLAN_GET_RESPONSE

    mock.post(APIM_URL, **xml_response(PLAN_GET_RESPONSE))
    errors: list[BaseException] = []
    names: list[str] = []

    def work() -> None:
        try:
            for _ in range(20):
                names.append(apim.plans.get("4d50decd-f2b6-d59e-53f4-22ec4f188bb1").name)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert names == ["apiTestKh"] * 160
    nonces = {xmltree.parse(r.body).findtext(".//{*}Nonce") for r in mock.request_history}
    assert len(nonces) == 160  # a fresh nonce on every call


def test_envelope_namespace_is_soap_11(apim, mock):
    from core.seeds import PLAN_GET_RESPONSE

    mock.post(APIM_URL, **xml_response(PLAN_GET_RESPONSE))
    apim.plans.get("x")
    assert xmltree.parse(mock.last_request.body).tag == f"{{{SOAP_ENV}}}Envelope"
    _ = RateLimitUnit
