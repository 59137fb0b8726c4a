"""Realistic MFT Accounting rows carrying every field of seed 000, and their dataclasses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from boomisoap.rest import (
    BillingDaily,
    BillingDailyActionItem,
    DailyTransfer,
    MonthToDateTransfer,
    TransferUsage,
)

INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1

TRANSFER_USAGE_JSON: dict[str, Any] = {
    "customerId": 40213,
    "transferDate": "2026-11-03T14:00:00Z",
    "transferHour": "14",
    "pullCount": 118,
    "pushCount": 342,
    "guiDownloadCount": 9,
    "transferBytes": 48_318_382_080,
    "storageBytes": 1_099_511_627_776,
    "peakStorageBytes": INT64_MAX,
    "compressionCount": 21,
    "decompressionCount": 17,
    "encryptionCount": 260,
    "decryptionCount": INT32_MAX,
}
TRANSFER_USAGE = TransferUsage(
    customer_id=40213,
    transfer_date=datetime(2026, 11, 3, 14, tzinfo=UTC),
    transfer_hour="14",
    pull_count=118,
    push_count=342,
    gui_download_count=9,
    transfer_bytes=48_318_382_080,
    storage_bytes=1_099_511_627_776,
    peak_storage_bytes=INT64_MAX,
    compression_count=21,
    decompression_count=17,
    encryption_count=260,
    decryption_count=INT32_MAX,
)
# The seed allows a null transferHour.
TRANSFER_USAGE_NULL_HOUR_JSON = {**TRANSFER_USAGE_JSON, "transferHour": None}

MONTH_TO_DATE_JSON: dict[str, Any] = {
    "entityName": "Acme Logistics",
    "transferDate": "2026-11-01T00:00:00+02:00",
    "sourceTransfers": 1520,
    "targetTransfers": 1498,
    "guiDownloads": 37,
    "sourceTransferBytes": 999_999_999_999_999_999,
    "targetTransferBytes": 73_014_444_032,
}
MONTH_TO_DATE = MonthToDateTransfer(
    entity_name="Acme Logistics",
    transfer_date=datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=2))),
    source_transfers=1520,
    target_transfers=1498,
    gui_downloads=37,
    source_transfer_bytes=999_999_999_999_999_999,
    target_transfer_bytes=73_014_444_032,
)

DAILY_JSON: dict[str, Any] = {
    "entityName": None,
    "transferDate": "2026-11-02T00:00:00Z",
    "sourceTransfers": 88,
    "targetTransfers": 86,
    "guiDownloads": 2,
    "sourceTransferBytes": 2_147_483_648,
    "targetTransferBytes": 2_147_483_000,
    "storageBytes": 5_368_709_120,
    "peakStorageBytes": 6_442_450_944,
    "compressionCount": 4,
    "decompressionCount": 3,
    "encryptionCount": 5_000_000_000,  # int64 in this endpoint, unlike transferUsage
    "decryptionCount": 86,
}
DAILY = DailyTransfer(
    entity_name=None,
    transfer_date=datetime(2026, 11, 2, tzinfo=UTC),
    source_transfers=88,
    target_transfers=86,
    gui_downloads=2,
    source_transfer_bytes=2_147_483_648,
    target_transfer_bytes=2_147_483_000,
    storage_bytes=5_368_709_120,
    peak_storage_bytes=6_442_450_944,
    compression_count=4,
    decompression_count=3,
    encryption_count=5_000_000_000,
    decryption_count=86,
)

BILLING_DAILY_JSON: dict[str, Any] = {
    "id": "bd-2026-11-02-7-55",
    "flowEndpointId": 55,
    "flowId": 12,
    "organizationId": 7,
    "endpointId": 301,
    "thruNodeId": "node-eu-1",
    "flowEndpointType": "SOURCE",
    "protocol": "SFTP",
    "dayIndex": 2,
    "totalSourceCloudTransferCount": 140,
    "totalTargetCloudTransferCount": 138,
    "totalSourceNodeTransferCount": 12,
    "totalTargetNodeTransferCount": 11,
    "totalNodeCloudUploadCount": 6,
    "totalNodeCloudDownloadCount": 5,
    "totalSourceLanTransferCount": 3,
    "totalTargetLanTransferCount": 2,
    "totalCloudIngressBytes": 10_737_418_240,
    "totalCloudEgressBytes": 9_663_676_416,
    "totalNodeIngressBytes": 1_073_741_824,
    "totalNodeEgressBytes": 966_367_641,
    "totalNodeCloudUploadBytes": 536_870_912,
    "totalNodeCloudDownloadBytes": 483_183_820,
    "totalLanIngressBytes": 104_857_600,
    "totalLanEgressBytes": 94_371_840,
    "peakSourceActiveCloudFileBytes": 2_684_354_560,
    "peakTargetActiveCloudFileBytes": 2_415_919_104,
    "lastUpdated": "2026-11-02T23:59:59.250Z",
    "lastHourIndex": 23,
    "actionItems": [
        {"action": "ENCRYPT", "count": 140, "bytes": 10_737_418_240},
        {"action": "COMPRESS", "count": 12, "bytes": 999_999_999_999_999_999},
    ],
    "organizationName": "Acme Logistics",
    "endpointName": "partner-sftp",
    "flowName": "Invoices to ERP",
    "flowEndpointName": "partner-sftp (source)",
    "thruNodeName": "EU node 1",
    "totalSourceActiveCloudFileBytes": 3_221_225_472,
    "totalTargetActiveCloudFileBytes": 3_006_477_107,
}
BILLING_DAILY = BillingDaily(
    id="bd-2026-11-02-7-55",
    flow_endpoint_id=55,
    flow_id=12,
    organization_id=7,
    endpoint_id=301,
    thru_node_id="node-eu-1",
    flow_endpoint_type="SOURCE",
    protocol="SFTP",
    day_index=2,
    total_source_cloud_transfer_count=140,
    total_target_cloud_transfer_count=138,
    total_source_node_transfer_count=12,
    total_target_node_transfer_count=11,
    total_node_cloud_upload_count=6,
    total_node_cloud_download_count=5,
    total_source_lan_transfer_count=3,
    total_target_lan_transfer_count=2,
    total_cloud_ingress_bytes=10_737_418_240,
    total_cloud_egress_bytes=9_663_676_416,
    total_node_ingress_bytes=1_073_741_824,
    total_node_egress_bytes=966_367_641,
    total_node_cloud_upload_bytes=536_870_912,
    total_node_cloud_download_bytes=483_183_820,
    total_lan_ingress_bytes=104_857_600,
    total_lan_egress_bytes=94_371_840,
    peak_source_active_cloud_file_bytes=2_684_354_560,
    peak_target_active_cloud_file_bytes=2_415_919_104,
    last_updated=datetime(2026, 11, 2, 23, 59, 59, 250000, tzinfo=UTC),
    last_hour_index=23,
    action_items=(
        BillingDailyActionItem(action="ENCRYPT", count=140, bytes=10_737_418_240),
        BillingDailyActionItem(action="COMPRESS", count=12, bytes=999_999_999_999_999_999),
    ),
    organization_name="Acme Logistics",
    endpoint_name="partner-sftp",
    flow_name="Invoices to ERP",
    flow_endpoint_name="partner-sftp (source)",
    thru_node_name="EU node 1",
    total_source_active_cloud_file_bytes=3_221_225_472,
    total_target_active_cloud_file_bytes=3_006_477_107,
)
# Every nullable property null, the action items included ("Array of objects or null").
BILLING_DAILY_NULLS_JSON: dict[str, Any] = {
    **BILLING_DAILY_JSON,
    **dict.fromkeys(
        (
            "id",
            "thruNodeId",
            "flowEndpointType",
            "protocol",
            "actionItems",
            "organizationName",
            "endpointName",
            "flowName",
            "flowEndpointName",
            "thruNodeName",
        )
    ),
}
