"""The emulator's getBulk answers: Result elements appended as copies of ones written
before serialise to the same bytes as Result elements written in place."""

from __future__ import annotations

import dataclasses

from boomisoap.models.platform import ACCOUNT, Account, License, Licensing, Molecule
from boomisoap.models.results import BulkItem
from boomisoap.sandbox import bulkresults
from boomisoap.sandbox.bulkresults import result_copies
from boomisoap.soapbody import bulk
from boomisoap.soapbody.envelope import to_bytes


def _account(n: int) -> Account:
    return Account(
        account_id=f"acct-{n}",
        name=f"Account {n}",
        licensing=Licensing(standard=License(purchased=5, used=n)),
        molecule=Molecule(purchased=1, used=0),
    )


def _items(accounts: list[Account]) -> list[BulkItem[Account]]:
    items: list[BulkItem[Account]] = [
        BulkItem(i, a.account_id, 200, a) for i, a in enumerate(accounts)
    ]
    items.append(BulkItem(len(accounts), "missing", 400, None, "missing does not exist"))
    return items


def _answers(items: list[BulkItem[Account]]) -> tuple[bytes, bytes]:
    in_place = to_bytes(bulk.write("platform", items, ACCOUNT))
    copies = result_copies("platform", ACCOUNT)
    copied = to_bytes(bulk.write("platform", items, ACCOUNT, result=copies.append))
    return in_place, copied


def test_copies_serialise_as_results_written_in_place() -> None:
    accounts = [_account(n) for n in range(5)]
    in_place, first = _answers(_items(accounts))
    assert first == in_place
    # The second answer appends copies of the elements the first one wrote.
    again, second = _answers(_items(accounts))
    assert second == again == in_place


def test_a_changed_object_gets_its_own_element() -> None:
    account = _account(7)
    _answers(_items([account]))
    changed = dataclasses.replace(account, name="Renamed")
    in_place, copied = _answers(_items([changed]))
    assert copied == in_place
    assert b'name="Renamed"' in copied


def test_the_memory_starts_over_past_its_limit(monkeypatch) -> None:
    monkeypatch.setattr(bulkresults, "LIMIT", 2)
    accounts = [_account(n) for n in range(100, 105)]
    in_place, copied = _answers(_items(accounts))
    assert copied == in_place
    assert len(result_copies("platform", ACCOUNT)._built) <= 2
