"""REST-ish JSON: the APIM/Platform wire (``wire="rest"``) and the MFT Accounting client."""

from ..models.mft import (
    BillingDaily,
    BillingDailyActionItem,
    DailyTransfer,
    MonthToDateTransfer,
    TransferUsage,
)
from ..models.mftpaths import LEGACY_MFT_PATHS, MftPaths
from .mft import AccountingService, MftClient
from .wire import RestWire

__all__ = [
    "LEGACY_MFT_PATHS",
    "AccountingService",
    "BillingDaily",
    "BillingDailyActionItem",
    "DailyTransfer",
    "MftClient",
    "MftPaths",
    "MonthToDateTransfer",
    "RestWire",
    "TransferUsage",
]
