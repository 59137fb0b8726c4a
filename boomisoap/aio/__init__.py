"""asyncio clients over httpx, driving the same I/O-free exchanges as the sync ones
(docs/async.md)."""

from __future__ import annotations

from .clients import AsyncApimClient, AsyncMftClient, AsyncPlatformClient
from .services import AsyncObjectService, AsyncQueryIterator
from .transport import AsyncHttpTransport

__all__ = [
    "AsyncApimClient",
    "AsyncHttpTransport",
    "AsyncMftClient",
    "AsyncObjectService",
    "AsyncPlatformClient",
    "AsyncQueryIterator",
]
