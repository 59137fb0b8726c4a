"""The Q DSL against the seeds' QueryFilter examples, in JSON and XML."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from lxml import etree

from boomisoap import InvalidRequest, Q
from boomisoap.models import OBJECTS
from boomisoap.query import (
    Group,
    Simple,
    bind,
    from_json,
    matches,
    read_query_config,
    to_json,
    write_query_config,
)

PLAN = OBJECTS["Plan"]
CONTRACT = OBJECTS["Contract"]
ACCOUNT = OBJECTS["Account"]


def test_plan_status_filter_matches_seed_001_json():
    seed = json.loads(
        '{"QueryFilter": {"expression": {"argument": ["ENABLED"], "operator": "EQUALS",'
        ' "property": "status"}}}'
    )
    assert to_json(bind(Q.status == "ENABLED", PLAN)) == seed


def test_contract_and_filter_matches_seed_002_json():
    seed = json.loads(
        '{"QueryFilter": { "expression": { "operator": "and", "nestedExpression": [ '
        '{ "argument": [ "c0cd5950-5f79-42a7-9dff-678d87989207" ], "operator": "EQUALS",'
        ' "property": "contractId" }, { "argument": [ "false" ], "operator": "EQUALS",'
        ' "property": "deleted" } ] } } }'
    )
    where = (Q.contractId == "c0cd5950-5f79-42a7-9dff-678d87989207") & (Q.deleted == False)  # noqa: E712
    assert to_json(bind(where, CONTRACT)) == seed


def test_account_filter_matches_seed_003_json():
    seed = {
        "QueryFilter": {
            "expression": {
                "operator": "and",
                "nestedExpression": [
                    {"argument": ["deleted"], "operator": "NOT_EQUALS", "property": "status"},
                    {
                        "argument": ["2014-01-01T00:00:00Z", "2016-01-01T00:00:00Z"],
                        "operator": "BETWEEN",
                        "property": "dateCreated",
                    },
                ],
            }
        }
    }
    where = (Q.status != "deleted") & Q.dateCreated.between(
        datetime(2014, 1, 1, tzinfo=UTC), datetime(2016, 1, 1, tzinfo=UTC)
    )
    assert to_json(bind(where, ACCOUNT)) == seed
    assert from_json(seed) == bind(where, ACCOUNT)


def test_xml_round_trip_of_nested_groups():
    where = (Q.name.like("a%") | Q.name.starts_with("b")) & (Q.status == "ENABLED")
    bound = bind(where, PLAN)
    parent = etree.Element("wrapper")
    config = write_query_config(parent, bound)
    assert read_query_config(config) == bound
    assert isinstance(bound, Group) and bound.operator == "and"
    assert isinstance(bound.expressions[0], Group) and bound.expressions[0].operator == "or"


def test_groups_of_one_operator_are_flattened():
    where = (Q.name == "a") & (Q.name == "b") & (Q.name == "c")
    assert isinstance(where, Group) and len(where.expressions) == 3


def test_no_filter_means_all():
    assert to_json(bind(None, PLAN)) == {"QueryFilter": {}}


@pytest.mark.parametrize(
    ("where", "field"),
    [
        (Q.planId == "x", "planId"),  # not a documented Plan query property
        (Q.status.like("EN%"), "status"),  # LIKE is not allowed on an enumeration
        (Q.status == "enabled", "status"),  # units and statuses are uppercase
        (Q.dateCreated > "yesterday", "dateCreated"),
        (Q.name.between("a", "b"), "name"),
    ],
)
def test_invalid_filters_name_the_property(where, field):
    spec = ACCOUNT if field == "dateCreated" else PLAN
    with pytest.raises(InvalidRequest) as caught:
        bind(where, spec)
    assert caught.value.field == field


def test_argument_counts_are_enforced():
    with pytest.raises(InvalidRequest, match="takes 2"):
        bind(Simple("BETWEEN", "dateCreated", ("2014-01-01T00:00:00Z",)), ACCOUNT)
    with pytest.raises(InvalidRequest, match="takes 0"):
        bind(Simple("IS_NULL", "name", ("x",)), PLAN)
    # CONTAINS became a real operator (Boomi's OpenAPI); an invented one is still refused.
    with pytest.raises(InvalidRequest, match="not a query operator"):
        bind(Simple("ENDS_WITH", "name", ("x",)), PLAN)


def test_evaluation_compares_typed_values():
    from boomisoap import Account

    old = Account(account_id="a", date_created=datetime(2015, 6, 1, tzinfo=UTC), name="ab")
    new = Account(account_id="b", date_created=datetime(2020, 6, 1, tzinfo=UTC))
    where = bind(Q.dateCreated.between("2014-01-01T00:00:00Z", "2016-01-01T00:00:00Z"), ACCOUNT)
    assert matches(where, ACCOUNT, old) and not matches(where, ACCOUNT, new)
    assert matches(bind(Q.name.is_null(), ACCOUNT), ACCOUNT, new)
    assert matches(bind(Q.name.like("a_"), ACCOUNT), ACCOUNT, old)
    assert not matches(bind(Q.name.like("a"), ACCOUNT), ACCOUNT, old)


def test_contains_and_not_contains_render_on_both_wires() -> None:
    where = bind(Q.name.contains("Co") & Q.accountId.not_contains("-T7"), ACCOUNT)
    assert to_json(where) == {
        "QueryFilter": {
            "expression": {
                "operator": "and",
                "nestedExpression": [
                    {"argument": ["Co"], "operator": "CONTAINS", "property": "name"},
                    {"argument": ["-T7"], "operator": "NOT_CONTAINS", "property": "accountId"},
                ],
            }
        }
    }
    assert from_json(to_json(where)) == where
    parent = etree.Element("query")
    write_query_config(parent, where)
    assert read_query_config(parent[0]) == where
    simple = parent[0][0][0][0]
    assert (simple.get("operator"), simple.get("property")) == ("CONTAINS", "name")
    assert [a.text for a in simple] == ["Co"]


def test_contains_semantics_in_the_evaluator() -> None:
    from boomisoap import Account

    abc = Account(account_id="abc-H566GG", name="ABC Co")
    nameless = Account(account_id="n-1")
    contains = bind(Q.name.contains("AC"), ACCOUNT)
    assert not matches(contains, ACCOUNT, abc)
    assert matches(bind(Q.name.contains("C Co"), ACCOUNT), ACCOUNT, abc)
    assert not matches(bind(Q.name.contains("c co"), ACCOUNT), ACCOUNT, abc)  # case-sensitive
    assert not matches(bind(Q.name.contains("%"), ACCOUNT), ACCOUNT, abc)  # no wildcards
    assert not matches(bind(Q.name.contains("A"), ACCOUNT), ACCOUNT, nameless)
    assert matches(bind(Q.name.not_contains("A"), ACCOUNT), ACCOUNT, nameless)
    assert not matches(bind(Q.name.not_contains("Co"), ACCOUNT), ACCOUNT, abc)


def test_operator_sets_are_per_object() -> None:
    name = ACCOUNT.by_wire["name"]
    assert "STARTS_WITH" not in ACCOUNT.operators_for(name)
    assert {"CONTAINS", "NOT_CONTAINS", "LIKE"} <= set(ACCOUNT.operators_for(name))
    assert "STARTS_WITH" in PLAN.operators_for(PLAN.by_wire["name"])
    assert "CONTAINS" not in PLAN.operators_for(PLAN.by_wire["name"])
    with pytest.raises(InvalidRequest) as caught:
        bind(Q.name.starts_with("A"), ACCOUNT)
    assert caught.value.field == "name"
    assert caught.value.message.startswith("STARTS_WITH is not allowed on name (Account takes")
    # The kind still narrows: CONTAINS is for text, not for a boolean.
    with pytest.raises(InvalidRequest, match="CONTAINS is not allowed on overDeployed"):
        bind(Q.overDeployed.contains("t"), ACCOUNT)


def test_upper_case_account_properties_bind_to_the_camel_case_names() -> None:
    assert bind(Q.ACCOUNTID == "a", ACCOUNT) == Simple("EQUALS", "accountId", ("a",))
    assert bind(Q.DATECREATED.between("2014-01-01T00:00:00Z", "2015-01-01T00:00:00Z"), ACCOUNT)
    assert bind(Q.WIDGETACCOUNT == True, ACCOUNT) == Simple(  # noqa: E712 - a query
        "EQUALS", "widgetAccount", ("true",)
    )
    for unknown in ("AccountId", "accountid", "SUGGESTIONSENABLED"):
        with pytest.raises(InvalidRequest, match=f"{unknown} does not exist"):
            bind(Q[unknown] == "x", ACCOUNT)
    # Only Account's OpenAPI spells its properties in upper case.
    with pytest.raises(InvalidRequest, match="NAME does not exist"):
        bind(Q.NAME == "x", PLAN)


def test_contains_takes_text_only() -> None:
    with pytest.raises(InvalidRequest, match="CONTAINS takes a string") as caught:
        bind(Q.name.contains(3), ACCOUNT)  # type: ignore[arg-type]
    assert caught.value.field == "name"
    with pytest.raises(InvalidRequest, match="NOT_CONTAINS takes 1 argument"):
        bind(Simple("NOT_CONTAINS", "name", ("a", "b")), ACCOUNT)
