"""REST-ish JSON: the APIM/Platform wire (``wire="rest"``) and the MFT Accounting client."""

from ..models.mft import (
    BillingDaily,
    BillingDailyActionItem,
    DailyTransfer,
    MonthToDateTransfer,
    TransferUsage,
)
from .mft import AccountingService, MftClient
from .wire import RestWire

__all__ = [
    "AccountingService",
    "BillingDaily",
    "BillingDailyActionItem",
    "DailyTransfer",
    "MftClient",
    "MonthToDateTransfer",
    "RestWire",
    "TransferUsage",
]
