"""The state of the MFT Accounting API: transfer quota, usage, daily and billing rows.

Rows are stored as the JSON documents the API answers (the fields of Boomi's Accounting
reference). Month-to-date statistics are not stored: they are summed from the daily rows of
each organization.
"""

from __future__ import annotations

from typing import Any

from .storage import Store

QUOTA_KEY = "mft.transferQuota"
# The daily fields that a month-to-date row sums, by their month-to-date name.
MONTH_TO_DATE_SUMS = (
    "sourceTransfers",
    "targetTransfers",
    "guiDownloads",
    "sourceTransferBytes",
    "targetTransferBytes",
)


class AccountingState:
    def __init__(self, store: Store) -> None:
        self.store = store

    def transfer_quota(self) -> int:
        with self.store.transaction() as tx:
            value = tx.get_meta(QUOTA_KEY)
        return 0 if value is None else int(value)

    def set_transfer_quota(self, quota: int) -> None:
        with self.store.transaction() as tx:
            tx.set_meta(QUOTA_KEY, str(quota))

    def transfer_usage(self) -> list[dict[str, Any]]:
        with self.store.transaction() as tx:
            return tx.mft_rows("usage")

    def daily(self, org_id: int, month: int, year: int) -> list[dict[str, Any]]:
        with self.store.transaction() as tx:
            return tx.mft_rows("daily", org_id=org_id, year=year, month=month)

    def billing_daily(self, year: int, month: int, org_id: int = 0) -> list[dict[str, Any]]:
        with self.store.transaction() as tx:
            return tx.mft_rows("billing", org_id=org_id, year=year, month=month)

    def month_to_date(self, org_id: int, month: int, year: int) -> list[dict[str, Any]]:
        """One row per organization: its daily figures summed, dated by its last day."""
        totals: dict[str, dict[str, Any]] = {}
        for row in self.daily(org_id, month, year):
            name = row.get("entityName") or ""
            total = totals.setdefault(
                name, {"entityName": row.get("entityName"), **dict.fromkeys(MONTH_TO_DATE_SUMS, 0)}
            )
            total["transferDate"] = row["transferDate"]
            for key in MONTH_TO_DATE_SUMS:
                total[key] += int(row.get(key, 0))
        return [
            {"entityName": t["entityName"], "transferDate": t["transferDate"]}
            | {key: t[key] for key in MONTH_TO_DATE_SUMS}
            for t in totals.values()
        ]

    def add_rows(
        self, kind: str, org_id: int, year: int, month: int, rows: list[dict[str, Any]]
    ) -> None:
        with self.store.transaction() as tx:
            for row in rows:
                tx.add_mft_row(kind, org_id, year, month, row)
