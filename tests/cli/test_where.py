"""The --where language: parsing to Q expressions, and errors that point at the column."""

from __future__ import annotations

import pytest

from boomisoap import Q
from boomisoap.cli.where import WhereError, parse_where, to_text
from boomisoap.models import OBJECTS

PLAN = OBJECTS["Plan"]
ACCOUNT = OBJECTS["Account"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status = ENABLED", Q.status == "ENABLED"),
        ("status != DISABLED", Q.status != "DISABLED"),
        ("name like 'a%'", Q.name.like("a%")),
        ("name starts-with ab", Q.name.starts_with("ab")),
        ("name is null", Q.name.is_null()),
        ("name IS NOT NULL", Q.name.is_not_null()),
        ("status = ENABLED and name like 'a%'", (Q.status == "ENABLED") & Q.name.like("a%")),
        ("name = 'it''s'", Q.name == "it's"),
        ("name = ''", Q.name == ""),
        ("name = 'a b' or name = c", (Q.name == "a b") | (Q.name == "c")),
        (
            "status = ENABLED and (name = a or name = b)",
            (Q.status == "ENABLED") & ((Q.name == "a") | (Q.name == "b")),
        ),
        # "and" binds tighter than "or".
        (
            "name = a or name = b and status = ENABLED",
            (Q.name == "a") | ((Q.name == "b") & (Q.status == "ENABLED")),
        ),
    ],
)
def test_parses_to_the_q_expression(text: str, expected: object) -> None:
    assert parse_where(text, PLAN) == expected


def test_ordering_and_between_on_typed_properties() -> None:
    expr = parse_where(
        "dateCreated between 2010-01-01T00:00:00Z and '2011-01-01T00:00:00Z' "
        "and widgetAccount = false and dateCreated >= 2000-01-01T00:00:00Z",
        ACCOUNT,
    )
    assert expr == (
        Q.dateCreated.between("2010-01-01T00:00:00Z", "2011-01-01T00:00:00Z")
        & (Q.widgetAccount == "false")
        & (Q.dateCreated >= "2000-01-01T00:00:00Z")
    )


@pytest.mark.parametrize(
    "text",
    [
        "status = ENABLED",
        "name like 'it''s %' or (name = a and status != DISABLED)",
        "name is not null and name starts-with x",
    ],
)
def test_round_trips_through_text(text: str) -> None:
    expr = parse_where(text, PLAN)
    assert parse_where(to_text(expr), PLAN) == expr


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("", 0, "empty expression"),
        ("status = ENABLED and", 20, "expected a property name"),
        ("status = ENABLED and name like", 30, "expected a value after 'like'"),
        ("status == ENABLED", 8, "expected a value"),
        ("status ENABLED", 7, "expected an operator"),
        ("name = 'abc", 7, "unterminated"),
        ("name = 'abc''", 7, "unterminated"),
        ("(name = a", 9, "expected ')'"),
        ("name = a)", 8, "expected 'and', 'or'"),
        ("name between a b", 15, "expected 'and' in 'between'"),
        ("name is nothing", 8, "expected 'null'"),
        ("name = a ; drop", 9, "unexpected character"),
        ("status = ENABLED and nme = 3", 21, "nme does not exist for Plan"),
        ("status > ENABLED", 7, "GREATER_THAN is not allowed on status"),
        ("status = ON", 9, "is not one of ENABLED, DISABLED"),
    ],
)
def test_errors_point_at_the_column(text: str, column: int, words: str) -> None:
    with pytest.raises(WhereError) as caught:
        parse_where(text, PLAN)
    error = caught.value
    assert words in error.message
    assert error.position == column
    lines = error.render().splitlines()
    assert lines[1] == "  " + text
    assert lines[2] == "  " + " " * column + "^"


def test_unknown_property_lists_the_query_properties() -> None:
    with pytest.raises(WhereError) as caught:
        parse_where("bogus = 1", PLAN)
    assert "query properties: name, status" in caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name contains Co", Q.name.contains("Co")),
        ("name CONTAINS 'a b'", Q.name.contains("a b")),
        ("name not-contains Co", Q.name.not_contains("Co")),
        ("name not contains 'it''s'", Q.name.not_contains("it's")),
        ("ACCOUNTID = abc-H566GG", Q.ACCOUNTID == "abc-H566GG"),
        (
            "name contains Boomi and accountId not contains QA",
            Q.name.contains("Boomi") & Q.accountId.not_contains("QA"),
        ),
    ],
)
def test_contains_operators_on_accounts(text: str, expected: object) -> None:
    expr = parse_where(text, ACCOUNT)
    assert expr == expected
    assert parse_where(to_text(expr), ACCOUNT) == expr


@pytest.mark.parametrize(
    ("text", "spec", "column", "words"),
    [
        ("name starts-with B", ACCOUNT, 5, "STARTS_WITH is not allowed on name (Account takes"),
        ("name contains x", PLAN, 5, "CONTAINS is not allowed on name (Plan takes"),
        ("name not like x", ACCOUNT, 9, "expected 'contains' after 'not'"),
        ("overDeployed contains t", ACCOUNT, 13, "CONTAINS is not allowed on overDeployed"),
    ],
)
def test_operators_an_object_does_not_take_point_at_the_operator(
    text: str, spec: object, column: int, words: str
) -> None:
    with pytest.raises(WhereError) as caught:
        parse_where(text, spec)  # type: ignore[arg-type]
    assert words in caught.value.message
    assert caught.value.position == column


def test_help_lists_the_operators_of_each_object() -> None:
    from boomisoap.cli.where import operators_text

    account = operators_text(ACCOUNT)
    assert "contains, not-contains" in account and "starts-with" not in account
    assert "between X and Y" in account
    plan = operators_text(PLAN)
    assert "starts-with" in plan and "contains" not in plan and "between" not in plan
