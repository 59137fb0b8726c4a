"""MFT (AFT Management API) Accounting rows (Boomi's AFT Accounting reference) and their field maps.

Every property of that reference has a field here. Properties it types as ``string or
null`` are optional; every other one is required, so a row missing a counter is reported
rather than read as zero. Integer kinds follow its ``int32`` / ``int64`` formats.
The rows travel as JSON only (docs/wire.md, MFT Accounting).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from .extras import NO_EXTRAS, Extras
from .fields import DATETIME, INT32, INT64, STRING, Field, Kind, ObjectSpec

MFT = "mft"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class TransferUsage:
    """Transfer usage of the current customer (``GET /accounting/transferUsage``)."""

    customer_id: int
    transfer_date: datetime
    transfer_hour: str | None = None
    pull_count: int
    push_count: int
    gui_download_count: int
    transfer_bytes: int
    storage_bytes: int
    peak_storage_bytes: int
    compression_count: int
    decompression_count: int
    encryption_count: int
    decryption_count: int
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MonthToDateTransfer:
    """Month-to-date transfer statistics of one entity (``GET /accounting/monthToDate``)."""

    entity_name: str | None = None
    transfer_date: datetime
    source_transfers: int
    target_transfers: int
    gui_downloads: int
    source_transfer_bytes: int
    target_transfer_bytes: int
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DailyTransfer:
    """Daily transfer statistics of one entity (``GET /accounting/daily``)."""

    entity_name: str | None = None
    transfer_date: datetime
    source_transfers: int
    target_transfers: int
    gui_downloads: int
    source_transfer_bytes: int
    target_transfer_bytes: int
    storage_bytes: int
    peak_storage_bytes: int
    compression_count: int
    decompression_count: int
    encryption_count: int
    decryption_count: int
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BillingDailyActionItem:
    """One action counted in a billing day (the reference's ``BillingDailyActionItem``)."""

    action: str
    count: int
    bytes: int
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BillingDaily:
    """Billing statistics of one flow endpoint for one day (``GET /accounting/billing/daily``)."""

    id: str | None = None
    flow_endpoint_id: int
    flow_id: int
    organization_id: int
    endpoint_id: int
    thru_node_id: str | None = None
    flow_endpoint_type: str | None = None
    protocol: str | None = None
    day_index: int
    total_source_cloud_transfer_count: int
    total_target_cloud_transfer_count: int
    total_source_node_transfer_count: int
    total_target_node_transfer_count: int
    total_node_cloud_upload_count: int
    total_node_cloud_download_count: int
    total_source_lan_transfer_count: int
    total_target_lan_transfer_count: int
    total_cloud_ingress_bytes: int
    total_cloud_egress_bytes: int
    total_node_ingress_bytes: int
    total_node_egress_bytes: int
    total_node_cloud_upload_bytes: int
    total_node_cloud_download_bytes: int
    total_lan_ingress_bytes: int
    total_lan_egress_bytes: int
    peak_source_active_cloud_file_bytes: int
    peak_target_active_cloud_file_bytes: int
    last_updated: datetime
    last_hour_index: int
    action_items: tuple[BillingDailyActionItem, ...] | None = None
    organization_name: str | None = None
    endpoint_name: str | None = None
    flow_name: str | None = None
    flow_endpoint_name: str | None = None
    thru_node_name: str | None = None
    total_source_active_cloud_file_bytes: int
    total_target_active_cloud_file_bytes: int
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _fields(*columns: tuple[str, Kind | None]) -> tuple[Field, ...]:
    # The reference's JSON keys are the camelCase of the python names; ``None`` marks the
    # nullable strings, everything else is required.
    return tuple(
        Field(name, _camel(name), kind or STRING, required=kind is not None)
        for name, kind in columns
    )


def _spec(type_name: str, cls: type, fields: tuple[Field, ...]) -> ObjectSpec:
    return ObjectSpec(type_name=type_name, cls=cls, namespace=MFT, service="mft", fields=fields)


TRANSFER_USAGE = _spec(
    "TransferUsage",
    TransferUsage,
    _fields(
        ("customer_id", INT32),
        ("transfer_date", DATETIME),
        ("transfer_hour", None),
        ("pull_count", INT32),
        ("push_count", INT32),
        ("gui_download_count", INT32),
        ("transfer_bytes", INT64),
        ("storage_bytes", INT64),
        ("peak_storage_bytes", INT64),
        ("compression_count", INT32),
        ("decompression_count", INT32),
        ("encryption_count", INT32),
        ("decryption_count", INT32),
    ),
)

_TRANSFER_TOTALS = (
    ("entity_name", None),
    ("transfer_date", DATETIME),
    ("source_transfers", INT64),
    ("target_transfers", INT64),
    ("gui_downloads", INT64),
    ("source_transfer_bytes", INT64),
    ("target_transfer_bytes", INT64),
)

MONTH_TO_DATE = _spec("MonthToDateTransfer", MonthToDateTransfer, _fields(*_TRANSFER_TOTALS))

DAILY = _spec(
    "DailyTransfer",
    DailyTransfer,
    _fields(
        *_TRANSFER_TOTALS,
        ("storage_bytes", INT64),
        ("peak_storage_bytes", INT64),
        ("compression_count", INT64),
        ("decompression_count", INT64),
        ("encryption_count", INT64),
        ("decryption_count", INT64),
    ),
)

ACTION_ITEM = _spec(
    "BillingDailyActionItem",
    BillingDailyActionItem,
    _fields(("action", STRING), ("count", INT64), ("bytes", INT64)),
)

BILLING_DAILY = _spec(
    "BillingDaily",
    BillingDaily,
    (
        *_fields(
            ("id", None),
            ("flow_endpoint_id", INT32),
            ("flow_id", INT32),
            ("organization_id", INT32),
            ("endpoint_id", INT32),
            ("thru_node_id", None),
            ("flow_endpoint_type", None),
            ("protocol", None),
            ("day_index", INT32),
            ("total_source_cloud_transfer_count", INT32),
            ("total_target_cloud_transfer_count", INT32),
            ("total_source_node_transfer_count", INT32),
            ("total_target_node_transfer_count", INT32),
            ("total_node_cloud_upload_count", INT32),
            ("total_node_cloud_download_count", INT32),
            ("total_source_lan_transfer_count", INT32),
            ("total_target_lan_transfer_count", INT32),
            ("total_cloud_ingress_bytes", INT64),
            ("total_cloud_egress_bytes", INT64),
            ("total_node_ingress_bytes", INT64),
            ("total_node_egress_bytes", INT64),
            ("total_node_cloud_upload_bytes", INT64),
            ("total_node_cloud_download_bytes", INT64),
            ("total_lan_ingress_bytes", INT64),
            ("total_lan_egress_bytes", INT64),
            ("peak_source_active_cloud_file_bytes", INT64),
            ("peak_target_active_cloud_file_bytes", INT64),
            ("last_updated", DATETIME),
            ("last_hour_index", INT32),
        ),
        # "Array of objects or null (BillingDailyActionItem)" in the reference.
        Field("action_items", "actionItems", nested=ACTION_ITEM, many=True),
        *_fields(
            ("organization_name", None),
            ("endpoint_name", None),
            ("flow_name", None),
            ("flow_endpoint_name", None),
            ("thru_node_name", None),
            ("total_source_active_cloud_file_bytes", INT64),
            ("total_target_active_cloud_file_bytes", INT64),
        ),
    ),
)

MFT_ROWS: dict[str, ObjectSpec] = {
    spec.type_name: spec
    for spec in (TRANSFER_USAGE, MONTH_TO_DATE, DAILY, ACTION_ITEM, BILLING_DAILY)
}
