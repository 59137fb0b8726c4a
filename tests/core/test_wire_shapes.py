"""The model half of Boomi's real wire: bulk pairing, tolerant Account dates, Plan status as
a string, Application's element fields, ApiKey keyed by its key."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from boomisoap import (
    Account,
    ApiKey,
    Application,
    EnvelopeValidationError,
    InvalidRequest,
    Plan,
    PlanStatus,
    Q,
)
from boomisoap.codec.jsoncodec import from_json, to_json
from boomisoap.codec.xmlcodec import read_object, write_object
from boomisoap.models import OBJECTS, BulkAnswer
from boomisoap.models.results import NO_ANSWER, pair_bulk
from boomisoap.namespaces import API, APIM, XSI
from boomisoap.query import bind
from boomisoap.validation import validate_element
from core.helpers import PLATFORM_URL, xml_response
from core.seeds import PLATFORM_NS, account_xml, response

IDS = [f"id-{n}" for n in range(6)]


def answers_for(ids: list[str], **parts: object) -> list[BulkAnswer[str]]:
    return [BulkAnswer(result=f"obj {i}", status_code=200, **parts) for i in ids]


# bulk pairing ----------------------------------------------------------------------------


def test_pairing_by_order_when_answers_carry_neither_index_nor_id() -> None:
    items = pair_bulk(IDS, answers_for(IDS), offset=100)
    assert [(i.index, i.id, i.result) for i in items] == [
        (100 + n, f"id-{n}", f"obj id-{n}") for n in range(6)
    ]


@pytest.mark.parametrize("start", [0, 1])
def test_pairing_by_index_zero_or_one_based_in_any_order(start: int) -> None:
    answers = [
        BulkAnswer(index=n + start, status_code=200, result=f"obj {IDS[n]}") for n in range(6)
    ]
    random.Random(start).shuffle(answers)
    items = pair_bulk(IDS, answers)
    assert [i.result for i in items] == [f"obj {i}" for i in IDS]
    assert [i.id for i in items] == IDS


def test_pairing_by_id_exact_then_ignoring_case_then_order() -> None:
    # Boomi's own example answers "not_a_real_process_ID" for "not_a_real_process_id".
    ids = ["a", "not_a_real_process_id", "c", "d"]
    answers: list[BulkAnswer[str]] = [
        BulkAnswer(status_code=404, id="not_a_real_process_ID", error_message="No such"),
        BulkAnswer(status_code=200, result="obj d", id="d"),
        BulkAnswer(status_code=200, result="obj a"),
        BulkAnswer(status_code=200, result="obj c"),
    ]
    items = pair_bulk(ids, answers)
    assert [(i.id, i.status_code, i.result) for i in items] == [
        ("a", 200, "obj a"),
        ("not_a_real_process_id", 404, None),
        ("c", 200, "obj c"),
        ("d", 200, "obj d"),
    ]
    assert items[1].error_message == "No such"


def test_incomplete_indexes_fall_back_to_ids_and_order() -> None:
    answers = [
        BulkAnswer(index=5, status_code=200, result="obj id-0"),  # index out of numbering
        BulkAnswer(status_code=200, result="obj id-1"),
    ]
    items = pair_bulk(IDS[:2], answers)
    assert [i.result for i in items] == ["obj id-0", "obj id-1"]


def test_an_id_without_an_answer_is_a_failed_item() -> None:
    items = pair_bulk(IDS[:3], answers_for(IDS[:2]))
    assert [i.ok for i in items] == [True, True, False]
    assert (items[2].status_code, items[2].error_message, items[2].id) == (500, NO_ANSWER, "id-2")


def test_missing_status_reads_from_the_result() -> None:
    items = pair_bulk(["x", "y"], [BulkAnswer(result="obj"), BulkAnswer(error_message="bad")])
    assert [(i.status_code, i.ok) for i in items] == [(200, True), (500, False)]


def test_bulk_of_230_ids_answered_in_boomis_shape_over_soap(platform, mock) -> None:
    """Successes carry only statusCode and Result; the client still answers in order."""
    ids = [f"acct-{n:03d}" for n in range(230)]

    def answer(request, context) -> bytes:
        asked = [r.get("id") for r in etree.fromstring(request.body).iter(f"{{{API}}}request")]
        items = "".join(
            f'<api:response statusCode="200">{account_xml("api:Result", i, "n", "2020-01-01")}'
            "</api:response>"
            for i in asked
        )
        context.headers["Content-Type"] = "text/xml"
        return response(
            f"<ns2:getBulkResponse {PLATFORM_NS}><api:results>{items}</api:results>"
            "</ns2:getBulkResponse>"
        )

    mock.post(PLATFORM_URL, content=answer)
    items = platform.accounts.get_many(ids)
    assert [i.id for i in items] == ids and [i.index for i in items] == list(range(230))
    assert [i.unwrap().account_id for i in items] == ids


def test_empty_bulk_results_leave_every_id_unanswered(platform, mock) -> None:
    mock.post(
        PLATFORM_URL,
        **xml_response(response(f"<ns2:getBulkResponse {PLATFORM_NS}/>")),
    )
    items = platform.accounts.get_many(["a", "b"])
    assert [(i.id, i.status_code) for i in items] == [("a", 500), ("b", 500)]


# Account dates -----------------------------------------------------------------------------

TOLERATED = {
    "2016-02-13T05:00:00Z": datetime(2016, 2, 13, 5, tzinfo=UTC),
    "2016-02-13T05:00:00.000Z": datetime(2016, 2, 13, 5, tzinfo=UTC),
    "2016-02-13T05:00:00.1234567Z": datetime(2016, 2, 13, 5, 0, 0, 123456, tzinfo=UTC),
    "2016-02-13T00:00:00-05:00": datetime(2016, 2, 13, 5, tzinfo=UTC),
    "2016-02-13T00:00:00-0500": datetime(2016, 2, 13, 5, tzinfo=UTC),
    "2016-02-13T05:00:00": datetime(2016, 2, 13, 5, tzinfo=UTC),
    "2016-02-13": datetime(2016, 2, 13, tzinfo=UTC),
}


@pytest.mark.parametrize(("text", "moment"), TOLERATED.items())
def test_account_dates_tolerate_boomis_text(text: str, moment: datetime) -> None:
    spec = OBJECTS["Account"]
    parent = etree.Element("p", nsmap={"api": API, "xsi": XSI})
    element = etree.SubElement(parent, f"{{{API}}}result")
    element.set(f"{{{XSI}}}type", "api:Account")
    element.set("accountId", "a-1")
    element.set("dateCreated", text)
    element.set("expirationDate", text)
    account = read_object(element, spec)
    assert account.date_created == moment and account.expiration_date == moment
    assert account.date_created.tzinfo is not None
    from_rest = from_json({"@type": "Account", "accountId": "a", "dateCreated": text}, spec)
    assert from_rest.date_created == moment


def test_an_account_date_that_is_not_iso_text_names_the_field(platform, mock) -> None:
    body = account_xml("api:result", "a-1", "n", "Mon Mar 16 00:00:00 EDT 2020")
    mock.post(
        PLATFORM_URL,
        **xml_response(response(f"<ns2:getResponse {PLATFORM_NS}>{body}</ns2:getResponse>")),
    )
    with pytest.raises(EnvelopeValidationError) as caught:
        platform.accounts.get("a-1")
    assert caught.value.direction == "response"
    assert caught.value.path == "dateCreated" and "ISO 8601" in caught.value.reason


def test_account_dates_are_strings_in_the_schema() -> None:
    # Boomi: xs:string. Any text passes the schema; the field map is what reads it.
    element = etree.Element(f"{{{API}}}getResponse", nsmap={"api": API, "xsi": XSI})
    result = etree.SubElement(element, f"{{{API}}}result")
    result.set(f"{{{XSI}}}type", "api:Account")
    result.set("dateCreated", "someday")
    validate_element(element, direction="response")


# Plan status ------------------------------------------------------------------------------


def test_plan_status_reads_any_string_and_checks_what_is_sent() -> None:
    spec = OBJECTS["Plan"]
    # Read as the clients read answers (unknown="keep"): the value stays the plain string.
    plan = from_json({"@type": "Plan", "name": "p", "status": "ARCHIVED"}, spec, unknown="keep")
    assert plan.status == "ARCHIVED" and not isinstance(plan.status, PlanStatus)
    known = from_json({"@type": "Plan", "name": "p", "status": "ENABLED"}, spec)
    assert known.status is PlanStatus.ENABLED
    wrapper = etree.Element(f"{{{APIM}}}r", nsmap={"apim": APIM, "api": API, "xsi": XSI})
    element = write_object(wrapper, f"{{{APIM}}}result", plan, spec)
    assert element.get("status") == "ARCHIVED"
    assert read_object(element, spec, unknown="keep") == plan
    with pytest.raises(InvalidRequest) as caught:
        bind(Q.status == "ARCHIVED", spec)
    assert caught.value.field == "status"
    from boomisoap.models.fields import check_object

    with pytest.raises(InvalidRequest):
        check_object(spec, Plan(name="p", status="ARCHIVED"), "create")


# Application elements -------------------------------------------------------------------


def test_application_elements_round_trip_in_schema_order() -> None:
    spec = OBJECTS["Application"]
    app = Application(application_name="a", notes="second", description="first", enabled=True)
    wrapper = etree.Element(f"{{{APIM}}}getResponse", nsmap={"apim": APIM, "xsi": XSI})
    element = write_object(wrapper, f"{{{APIM}}}result", app, spec)
    assert [(etree.QName(c).localname, c.text) for c in element] == [
        ("description", "first"),
        ("notes", "second"),
    ]
    assert set(element.attrib) == {f"{{{XSI}}}type", "applicationName", "enabled"}
    assert read_object(element, spec) == app
    empty = Application(application_name="a", description="")
    written = write_object(wrapper, f"{{{APIM}}}result", empty, spec)
    assert read_object(written, spec) == empty
    assert to_json(app, spec)["description"] == "first"


def test_application_fields_as_attributes_are_refused_by_the_schema() -> None:
    ns = {"apim": APIM, "xsi": XSI}
    element = etree.Element("{http://soap.apim.api.platform.boomi.com/}getResponse", nsmap=ns)
    result = etree.SubElement(element, f"{{{APIM}}}result")
    result.set(f"{{{XSI}}}type", "apim:Application")
    result.set("description", "an attribute")
    with pytest.raises(EnvelopeValidationError):
        validate_element(element, direction="response")


# ApiKey ----------------------------------------------------------------------------------


def test_api_key_is_keyed_by_its_secret_key() -> None:
    spec = OBJECTS["ApiKey"]
    assert spec.id_field == "key" and spec.id_wire == "key"
    assert spec.by_name["key"].secret and spec.by_name["key"].server_assigned
    assert "apiKeyId" not in spec.by_wire and not hasattr(ApiKey(), "api_key_id")
    assert "s3cr3t" not in repr(ApiKey(key="s3cr3t"))


def test_account_offsets_normalise_to_the_same_instant() -> None:
    east = timezone(timedelta(hours=5))
    spec = OBJECTS["Account"]
    account = Account(account_id="a", date_created=datetime(2020, 1, 1, 5, tzinfo=east))
    document = to_json(account, spec)
    assert document["dateCreated"] == "2020-01-01T00:00:00Z"
    assert from_json(document, spec) == account


# Platform wrappers of the older namespace ----------------------------------------------


LEGACY = "http://soap.api.platform.boomi.com/"


def test_a_platform_answer_in_the_older_wrapper_namespace_is_read(platform, mock) -> None:
    # Boomi's "Query paging" page answers with ns4 = http://soap.api.platform.boomi.com/.
    legacy = PLATFORM_NS.replace(f'xmlns:ns2="{API}"', f'xmlns:ns2="{LEGACY}"')
    items = account_xml("api:result", "a-1", "n", "2020-01-01T00:00:00Z")
    body = response(
        f'<ns2:queryResponse {legacy}><api:results numberOfResults="1">'
        f"<api:queryToken>t-1</api:queryToken>{items}</api:results></ns2:queryResponse>"
    )
    empty = '<api:results numberOfResults="0"/>'
    last = response(f"<ns2:queryMoreResponse {legacy}>{empty}</ns2:queryMoreResponse>")
    mock.post(PLATFORM_URL, [xml_response(body), xml_response(last)])
    assert f'xmlns:ns2="{LEGACY}"' in body.decode()
    assert [a.account_id for a in platform.accounts.query()] == ["a-1"]
