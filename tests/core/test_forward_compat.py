"""Forward-compatible reading on SOAP (issue 13, point 3): what Boomi adds later is read.

A response with an unknown attribute, an unknown child element and an unknown enumeration
value reads in the default mode (warned once, kept in ``extras`` / as a plain string) and
is refused with ``validate="strict"``; a wrongly typed known field is refused in both.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator

import pytest

from boomisoap import (
    ApimClient,
    EnvelopeValidationError,
    Extras,
    InvalidRequest,
    PlanStatus,
    PlatformClient,
    UnknownFieldWarning,
)
from boomisoap.models.extras import forget_reported
from boomisoap.validation import validate_element
from core.helpers import APIM_URL, BASE, PASSWORD, PLATFORM_URL, xml_response
from core.seeds import ACCOUNT_QUERY_RESPONSE, NS, response


def grown_plan(tag: str = "apim:result") -> str:
    """A Plan as a later Boomi might send it: a new attribute (two, one namespaced), a new
    child element (repeated, with content) and a new status value."""
    return (
        f'<{tag} xsi:type="apim:Plan" planId="p-1" name="gold" status="ARCHIVED" '
        'rateLimit="5" createdBy="ann" xmlns:x="urn:x" x:flag="on">'
        '<apim:sla level="3"><apim:tier>gold</apim:tier></apim:sla>'
        f'<apim:sla level="4"/></{tag}>'
    )


GROWN_PLAN = grown_plan()


def plan_get(plan: str) -> bytes:
    return response(f"<ns4:getResponse {NS}>{plan}</ns4:getResponse>")


def plan_page(*plans: str) -> bytes:
    return response(
        f'<ns4:queryResponse {NS}><apim:results numberOfResults="{len(plans)}">'
        + "".join(plans)
        + "</apim:results></ns4:queryResponse>"
    )


def client(validate: bool | str = True, cls: type = ApimClient) -> ApimClient:
    return cls(  # type: ignore[no-any-return]
        account_id="acct-1",
        username="u",
        password=PASSWORD,
        base_url=BASE,
        rate_limit=None,
        validate=validate,
    )


@pytest.fixture(autouse=True)
def fresh_reports() -> Iterator[None]:
    forget_reported()
    yield
    forget_reported()


def unknown_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, UnknownFieldWarning)]


def test_unknown_attribute_element_and_enum_value_are_read_and_kept(mock, caplog) -> None:
    mock.post(APIM_URL, **xml_response(plan_get(GROWN_PLAN)))
    caplog.set_level(logging.INFO, logger="boomisoap")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan = client().plans.get("p-1")
    assert (plan.plan_id, plan.name, plan.rate_limit) == ("p-1", "gold", 5)
    assert plan.status == "ARCHIVED" and type(plan.status) is str and str(plan.status) == "ARCHIVED"
    assert plan.status != PlanStatus.ENABLED
    assert isinstance(plan.extras, Extras)
    assert plan.extras["createdBy"] == "ann"
    assert plan.extras["{urn:x}flag"] == "on"
    first, second = plan.extras["sla"]  # repeated unknown elements: a tuple, in order
    assert 'level="3"' in first and "<apim:tier>gold</apim:tier>" in first
    assert 'level="4"' in second
    reported = unknown_warnings(caught)
    assert len(reported) == 4, reported
    assert {m.split("'")[1] for m in reported} == {"createdBy", "{urn:x}flag", "sla", "status"}
    assert all(m.startswith("Plan in a response") for m in reported)
    assert [r.name for r in caplog.records if "unknown" in r.getMessage()] == ["boomisoap"] * 4


def test_each_unknown_is_reported_once_per_type_and_name(mock) -> None:
    mock.post(APIM_URL, **xml_response(plan_page(*[grown_plan("bns:result")] * 3)))
    apim = client()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plans = list(apim.plans.query())
        again = list(apim.plans.query())
    assert [p.extras["createdBy"] for p in plans + again] == ["ann"] * 6
    assert len(unknown_warnings(caught)) == 4


def test_extras_stay_out_of_equality_hash_and_repr_values(mock) -> None:
    mock.post(APIM_URL, **xml_response(plan_get(GROWN_PLAN.replace("ann", "s3cr3t-echo"))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownFieldWarning)
        plan = client().plans.get("p-1")
    plain = type(plan)(plan_id="p-1", name="gold", status=plan.status, rate_limit=5)
    assert plan == plain and hash(plan) == hash(plain)
    assert "s3cr3t-echo" not in repr(plan)
    assert "extras=Extras('createdBy', '{urn:x}flag', 'sla')" in repr(plan)


def test_strict_mode_refuses_each_unknown_kind(mock) -> None:
    known = '<apim:result xsi:type="apim:Plan" planId="p-1" name="gold" status="ENABLED"/>'
    grown = {
        "attribute": known.replace("/>", ' createdBy="ann"/>'),
        "element": known.replace("/>", "><apim:sla/></apim:result>"),
        "enum value": known.replace("ENABLED", "ARCHIVED"),
    }
    strict = client("strict")
    mock.post(APIM_URL, **xml_response(plan_get(known)))
    assert strict.plans.get("p-1").status is PlanStatus.ENABLED
    for kind, plan in grown.items():
        mock.post(APIM_URL, **xml_response(plan_get(plan)))
        with pytest.raises(EnvelopeValidationError) as caught:
            strict.plans.get("p-1")
        assert caught.value.direction == "response", kind
        # Plan status is an xs:string on the wire: the reader, not the schema, refuses an
        # unknown value, and names the field.
        expected_in_path = "status" if kind == "enum value" else "result"
        assert expected_in_path in caught.value.path, kind


@pytest.mark.parametrize("validate", [True, "strict"])
def test_wrongly_typed_known_field_is_refused_in_both_modes(mock, validate) -> None:
    bad = '<apim:result xsi:type="apim:Plan" planId="p-1" name="gold" rateLimit="lots"/>'
    if validate is True:  # with unknown items beside it, which the open mode would accept
        bad = GROWN_PLAN.replace('rateLimit="5"', 'rateLimit="lots"')
    mock.post(APIM_URL, **xml_response(plan_get(bad)))
    with pytest.raises(EnvelopeValidationError) as caught:
        client(validate).plans.get("p-1")
    assert caught.value.path.endswith("apim:result")
    assert "rateLimit" in caught.value.reason


def test_known_children_keep_their_order_and_required_attributes_stay_required(mock) -> None:
    # The lifted copy is held to the relaxed schema: an unknown element between known ones
    # is lifted out, but known children out of order, or a required attribute missing (its
    # value moved to an unknown name), are refused.
    account = ACCOUNT_QUERY_RESPONSE.decode()
    between = account.replace("<api:molecule ", "<api:zz/><api:molecule ", 1)
    licensing = account[account.index("<api:licensing>") : account.index("</api:licensing>") + 16]
    swapped = account.replace(licensing, "", 1).replace(
        "</api:result>", licensing + "</api:result>", 1
    )
    missing = account.replace('accountId="abc-H566GG"', 'tenant="abc-H566GG"', 1)
    platform = client(cls=PlatformClient)
    mock.post(PLATFORM_URL, **xml_response(between.encode()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = next(iter(platform.accounts.query()))
    assert first.extras["zz"].startswith("<api:zz")
    assert first.molecule is not None and first.licensing is not None
    assert unknown_warnings(caught) == [
        "Account in a response has an unknown element 'zz' (kept in extras)"
    ]
    for broken, named in ((swapped, "licensing"), (missing, "accountId")):
        mock.post(PLATFORM_URL, **xml_response(broken.encode()))
        with pytest.raises(EnvelopeValidationError) as refused:
            list(platform.accounts.query())
        assert named in refused.value.path + refused.value.reason


def test_unknown_items_inside_a_nested_object_and_on_the_wrappers(mock) -> None:
    page = (
        ACCOUNT_QUERY_RESPONSE.decode()
        .replace('numberOfResults="2"', 'numberOfResults="2" took="12ms"')
        .replace("<api:licensing>", '<api:licensing><api:premium purchased="9" used="1"/>', 1)
        .replace("<api:standard ", '<api:standard reserved="2" ', 1)
    )
    mock.post(PLATFORM_URL, **xml_response(page.encode()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first, _ = list(client(cls=PlatformClient).accounts.query())
    licensing = first.licensing
    assert licensing is not None and licensing.standard is not None
    assert 'purchased="9"' in licensing.extras["premium"]
    assert licensing.standard.extras == {"reserved": "2"}
    assert sorted(unknown_warnings(caught)) == [
        "License in a response has an unknown attribute 'reserved' (kept in extras)",
        "Licensing in a response has an unknown element 'premium' (kept in extras)",
        "QueryResult in a response has an unknown attribute 'took' (ignored)",
    ]


def test_validate_false_reads_without_the_schema_and_keeps_extras(mock) -> None:
    mock.post(APIM_URL, **xml_response(plan_get(GROWN_PLAN)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownFieldWarning)
        plan = client(False).plans.get("p-1")
    assert plan.status == "ARCHIVED" and plan.extras["createdBy"] == "ann"


@pytest.mark.parametrize("value", ["open", "STRICT", 1, 0, None, "", [True]])
def test_validate_option_is_checked_at_construction(value) -> None:
    for wire in ("soap", "rest"):
        with pytest.raises(InvalidRequest) as caught:
            ApimClient(
                account_id="a", username="u", password="p", base_url=BASE, validate=value, wire=wire
            )
        assert caught.value.field == "validate"


def test_requests_stay_strictly_validated() -> None:
    # The open policy is for responses only: a request element with an unknown attribute
    # is refused whatever the client's mode.
    from lxml import etree

    element = etree.fromstring(
        f'<ns4:create {NS}><apim:object xsi:type="apim:Plan" name="x" extra="1"/></ns4:create>'
    )
    with pytest.raises(EnvelopeValidationError):
        validate_element(element)
    assert validate_element(element, policy="open") is element


def test_unknown_siblings_of_the_result_and_results_are_ignored(mock) -> None:
    plan = '<apim:result xsi:type="apim:Plan" planId="p-1" name="gold"/>'
    mock.post(APIM_URL, **xml_response(plan_get("<ns4:audit>a</ns4:audit>" + plan)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert client().plans.get("p-1").name == "gold"
    assert unknown_warnings(caught) == [
        "getResponse in a response has an unknown element 'audit' (ignored)"
    ]
    page = plan_page(plan.replace("apim:result", "bns:result")).replace(
        b"<apim:results ", b"<ns4:took>3</ns4:took><apim:results "
    )
    mock.post(APIM_URL, **xml_response(page))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownFieldWarning)
        assert [p.plan_id for p in client().plans.query()] == ["p-1"]
