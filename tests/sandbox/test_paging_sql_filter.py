"""Query pages filtered inside SQLite give exactly the pages of filtering decoded objects.

The reference is the evaluator the emulator used on every row before (``query.matches``
over all objects in creation order, 100 a page): STARTS_WITH compares characters exactly,
so ``%`` and ``_`` are literal, case counts, and non-ASCII text is code points.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from boomisoap import Account, Application, Plan, Q
from boomisoap.codec.jsoncodec import from_json, to_json
from boomisoap.models.registry import spec_for
from boomisoap.query import Expr, bind, matches
from boomisoap.sandbox.objects import ObjectState
from boomisoap.sandbox.rules import keeps_deleted
from boomisoap.sandbox.storage import Store
from boomisoap.sandbox.tokens import QueryTokens

PLAN = spec_for("Plan")
ACCOUNT = spec_for("Account")
APPLICATION = spec_for("Application")
OWNER = "owner-1"
NAMES = (
    "plan",
    "Plan",
    "PLAN-x",
    "p%an",
    "pXan",
    "p_an",
    "plan_",
    "plan%",
    "plan%_",
    "%",
    "_",
    "",
    "é",
    "éa",
    "É",
    "e\u0301",
    "a\U0001f600b",
    "a\U0001f600",
    "a\U0001f601",
    "ß",
    "SS",
    "ǆ",
    "日本語",
    "日本",
    " plan",
    "plan\ttab",
    "\\plan",
    "'plan",
    '"plan',
)
PREFIXES = (
    "",
    "p",
    "P",
    "pl",
    "plan",
    "PLAN",
    "p%",
    "p_",
    "plan_",
    "plan%",
    "%",
    "_",
    "é",
    "É",
    "e",
    "a\U0001f600",
    "a\ud83d",
    "ß",
    "s",
    "日本",
    "日本語!",
    " ",
    "\\",
    "'",
    '"',
    "plan\t",
)


def _state(objects: list[tuple[Any, Any]], page_size: int) -> ObjectState:
    state = ObjectState(Store(), QueryTokens(), page_size=page_size)
    with state.store.transaction() as tx:
        for obj, spec in objects:
            object_id = getattr(obj, spec.id_field)
            tx.insert(OWNER, spec.type_name, object_id, to_json(obj, spec))
    return state


def _plans() -> list[tuple[Any, Any]]:
    plans: list[tuple[Any, Any]] = []
    for round_ in range(3):  # enough rows for several pages of most filters
        for n, name in enumerate(NAMES):
            plans.append((Plan(plan_id=f"p-{round_}-{n:02d}", name=name), PLAN))
    return plans


def _applications() -> list[tuple[Any, Any]]:
    """Applications whose contactName is each of NAMES, or absent (matched by nothing)."""
    found: list[tuple[Any, Any]] = []
    for round_ in range(2):
        for n, name in enumerate((*NAMES, None)):
            app = Application(application_id=f"a-{round_}-{n:02d}", application_name="app")
            found.append((replace(app, contact_name=name), APPLICATION))
    return found


def _reference(state: ObjectState, spec: Any, expr: Expr | None) -> list[list[str]]:
    """The pages the per-row evaluator gives: every row decoded, ``matches`` applied."""
    with state.store.transaction() as tx:
        rows = list(tx.scan(OWNER, spec.type_name, include_deleted=keeps_deleted(spec)))
    ids = []
    for row in rows:
        if spec.type_name == "Account" and row.id == OWNER:
            continue
        if matches(expr, spec, from_json(row.document, spec)):
            ids.append(row.id)
    size = state.page_size
    return [ids[i : i + size] for i in range(0, len(ids), size)] or [[]]


def _paged(state: ObjectState, spec: Any, expr: Expr | None) -> list[list[str]]:
    id_of = spec.id_field
    page = state.query(OWNER, spec, expr)
    pages = [[getattr(o, id_of) for o in page.results]]
    while page.query_token is not None:
        assert page.number_of_results == state.page_size  # only a full page has a token
        token = page.query_token
        _, page = state.query_more(OWNER, token)
        pages.append([getattr(o, id_of) for o in page.results])
    return pages


@pytest.mark.parametrize("page_size", [1, 4, 100])
@pytest.mark.parametrize("prefix", [p for p in PREFIXES if "\ud83d" not in p])
def test_starts_with_matches_the_per_row_evaluator(prefix: str, page_size: int) -> None:
    state = _state(_plans(), page_size)
    expr = bind(Q.name.starts_with(prefix), PLAN)
    expected = _reference(state, PLAN, expr)
    assert _paged(state, PLAN, expr) == expected
    names = {name for name in NAMES if name.startswith(prefix)}
    assert {state.get(OWNER, PLAN, i).name for page in expected for i in page} == names


@pytest.mark.parametrize("page_size", [1, 5])
@pytest.mark.parametrize("prefix", [p for p in PREFIXES if "\ud83d" not in p])
def test_starts_with_an_absent_value_and_kept_deleted_objects(prefix: str, page_size: int) -> None:
    state = _state(_applications(), page_size)
    state.delete(OWNER, APPLICATION, "a-0-00")  # kept, flagged deleted: still listed
    expr = bind(Q.contactName.starts_with(prefix), APPLICATION)
    assert _paged(state, APPLICATION, expr) == _reference(state, APPLICATION, expr)


def test_lone_surrogate_prefix_is_refused() -> None:
    from boomisoap.errors import InvalidRequest

    with pytest.raises(InvalidRequest):
        bind(Q.name.starts_with("a\ud83d"), PLAN)


@pytest.mark.parametrize(
    "where",
    [
        Q.name.starts_with("plan") & Q.name.starts_with("plan%"),
        Q.name.starts_with("p") & Q.name.like("p_an"),
        Q.name.starts_with("p") & (Q.name.like("%an") | Q.name.is_not_null()),
        Q.name.starts_with("plan") | Q.name.starts_with("é"),
        Q.name.like("p%"),
        Q.name.starts_with("") & Q.name.starts_with("pl"),
        Q.name.is_null(),
        Q.name != "plan",
    ],
    ids=repr,
)
@pytest.mark.parametrize("page_size", [1, 3, 100])
def test_combined_filters_match_the_per_row_evaluator(where: Expr, page_size: int) -> None:
    state = _state(_plans(), page_size)
    expr = bind(where, PLAN)
    assert _paged(state, PLAN, expr) == _reference(state, PLAN, expr)


@pytest.mark.parametrize("page_size", [1, 2, 100])
def test_unfiltered_pages_end_exactly_at_the_last_object(page_size: int) -> None:
    plans = [(Plan(plan_id=f"id-{n}", name=f"n{n}"), PLAN) for n in range(4)]
    state = _state(plans, page_size)
    assert _paged(state, PLAN, None) == _reference(state, PLAN, None)
    assert sum(len(p) for p in _paged(state, PLAN, None)) == 4


def test_deleted_objects_are_left_out_of_filtered_pages() -> None:
    state = _state(_plans(), 2)
    state.delete(OWNER, PLAN, "p-0-00")
    expr = bind(Q.name.starts_with("plan"), PLAN)
    pages = _paged(state, PLAN, expr)
    assert "p-0-00" not in {i for page in pages for i in page}
    assert pages == _reference(state, PLAN, expr)


def test_an_account_query_leaves_out_the_account_itself() -> None:
    accounts = [
        (Account(account_id=OWNER, name="Own Co"), ACCOUNT),
        (Account(account_id="child-1", name="Own Child"), ACCOUNT),
        (Account(account_id="child-2", name="Other"), ACCOUNT),
    ]
    state = _state(accounts, 1)
    for where in (None, Q.name.contains("Own"), Q.name.like("Own%")):
        expr = bind(where, ACCOUNT)
        assert _paged(state, ACCOUNT, expr) == _reference(state, ACCOUNT, expr)
    assert _paged(state, ACCOUNT, None) == [["child-1"], ["child-2"]]
