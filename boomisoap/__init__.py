"""boomisoap: a SOAP-first client and local emulator for the Boomi platform APIs.

The public names are re-exported here; every other module may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .clients import ApimClient, PlatformClient
from .config import ConfigError
from .deprecation import DeprecationNotice
from .errors import (
    AuthenticationError,
    BoomiError,
    BoomiFault,
    Conflict,
    DeadlineExceeded,
    EnvelopeValidationError,
    InvalidRequest,
    NotFound,
    RateLimited,
    Retired,
    SecurityError,
    ServiceUnavailable,
    SignatureError,
    TransportError,
)
from .history import History
from .models import (
    Account,
    AccountStatus,
    ApiKey,
    Application,
    BulkItem,
    Contract,
    License,
    Licensing,
    Molecule,
    Plan,
    PlanAssociation,
    PlanStatus,
    QueryPage,
    QuotaLimitUnit,
    RateLimitUnit,
    SupportLevel,
)
from .models.extras import Extras, UnknownFieldWarning
from .models.mft import (
    BillingDaily,
    BillingDailyActionItem,
    DailyTransfer,
    MonthToDateTransfer,
    TransferUsage,
)
from .models.mftpaths import MftPaths
from .models.partner import (
    AccountProvision,
    AccountProvisionResult,
    ProvisionProduct,
    ProvisionStatus,
)
from .pacing import RateLimitFallbackWarning, RedisRateLimit
from .partner import PartnerClient
from .query import Q
from .version import __version__ as __version__

if TYPE_CHECKING:
    from .aio import AsyncApimClient, AsyncMftClient, AsyncPlatformClient
    from .rest.mft import MftClient


__all__ = [
    "Account",
    "AccountProvision",
    "AccountProvisionResult",
    "AccountStatus",
    "ApiKey",
    "ApimClient",
    "Application",
    "AsyncApimClient",
    "AsyncMftClient",
    "AsyncPlatformClient",
    "AuthenticationError",
    "BillingDaily",
    "BillingDailyActionItem",
    "BoomiError",
    "BoomiFault",
    "BulkItem",
    "ConfigError",
    "Conflict",
    "Contract",
    "DailyTransfer",
    "DeadlineExceeded",
    "DeprecationNotice",
    "EnvelopeValidationError",
    "Extras",
    "History",
    "InvalidRequest",
    "License",
    "Licensing",
    "MftClient",
    "MftPaths",
    "Molecule",
    "MonthToDateTransfer",
    "NotFound",
    "PartnerClient",
    "Plan",
    "PlanAssociation",
    "PlanStatus",
    "PlatformClient",
    "ProvisionProduct",
    "ProvisionStatus",
    "Q",
    "QueryPage",
    "QuotaLimitUnit",
    "RateLimitFallbackWarning",
    "RateLimitUnit",
    "RateLimited",
    "RedisRateLimit",
    "Retired",
    "SecurityError",
    "ServiceUnavailable",
    "SignatureError",
    "SupportLevel",
    "TransferUsage",
    "TransportError",
    "UnknownFieldWarning",
]


def __getattr__(name: str) -> Any:
    if name == "MftClient":
        from .rest.mft import MftClient

        return MftClient
    if name in ("AsyncApimClient", "AsyncPlatformClient", "AsyncMftClient"):
        # Loaded on first use: the sync clients need no httpx.
        from . import aio

        return getattr(aio, name)
    raise AttributeError(f"module 'boomisoap' has no attribute {name!r}")
