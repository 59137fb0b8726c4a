"""The async clients: AsyncApimClient, AsyncPlatformClient and AsyncMftClient.

Options, checks, credentials, WS-Security, pacing (a Redis URL included: the fleet's
bucket is asked without blocking the loop), the audit trail and the errors are the sync
clients' (``boomisoap.clients``, ``boomisoap.rest.mft``, built by ``boomisoap.setup``);
calls are awaited, and the transport sends with httpx.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..clients import ApiClientBase
from ..models.apim import ApiKey, Application, Contract, Plan, PlanAssociation
from ..models.mft import BillingDaily, DailyTransfer, MonthToDateTransfer, TransferUsage
from ..models.platform import Account
from ..models.registry import spec_for
from ..rest.mft import AccountingCalls, MftClientBase
from ..setup import AsyncClosing
from .services import AsyncObjectService, Run
from .transport import AsyncHttpTransport


class _AsyncClient(AsyncClosing, ApiClientBase):
    transport_class = AsyncHttpTransport
    transport: AsyncHttpTransport

    def _objects(self, type_name: str) -> AsyncObjectService[Any]:
        return AsyncObjectService(
            self._described, spec_for(type_name, self.service), self.transport.run
        )


class AsyncApimClient(_AsyncClient):
    """API Management over asyncio: ``await apim.plans.get(...)``."""

    service = "apim"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plans: AsyncObjectService[Plan] = self._objects("Plan")
        self.contracts: AsyncObjectService[Contract] = self._objects("Contract")
        self.api_keys: AsyncObjectService[ApiKey] = self._objects("ApiKey")
        self.applications: AsyncObjectService[Application] = self._objects("Application")

    async def associate_plans(self, associations: Iterable[PlanAssociation]) -> None:
        """Add plans to API deployments (REST only; all or nothing)."""
        await self.transport.run(self._plan_associations("POST", associations))

    async def dissociate_plans(self, associations: Iterable[PlanAssociation]) -> None:
        """Remove plans from API deployments (REST only)."""
        await self.transport.run(self._plan_associations("DELETE", associations))


class AsyncPlatformClient(_AsyncClient):
    """Platform API over asyncio: Accounts (get, bulk get, query)."""

    service = "platform"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accounts: AsyncObjectService[Account] = self._objects("Account")


class AsyncAccountingService:
    """``AsyncMftClient.accounting``: the Accounting calls, awaited."""

    def __init__(self, calls: AccountingCalls, run: Run) -> None:
        self._calls = calls
        self._run = run
        self.paths = calls.paths

    async def transfer_quota(self) -> int:
        quota: int = await self._run(self._calls.transfer_quota())
        return quota

    async def transfer_usage(self) -> list[TransferUsage]:
        rows: list[TransferUsage] = await self._run(self._calls.transfer_usage())
        return rows

    async def month_to_date(self, org_id: int, month: int, year: int) -> list[MonthToDateTransfer]:
        rows: list[MonthToDateTransfer] = await self._run(
            self._calls.month_to_date(org_id, month, year)
        )
        return rows

    async def daily(self, org_id: int, month: int, year: int) -> list[DailyTransfer]:
        rows: list[DailyTransfer] = await self._run(self._calls.daily(org_id, month, year))
        return rows

    async def billing_daily(self, year: int, month: int, org_id: int = 0) -> list[BillingDaily]:
        rows: list[BillingDaily] = await self._run(self._calls.billing_daily(year, month, org_id))
        return rows


class AsyncMftClient(AsyncClosing, MftClientBase):
    """The MFT (AFT Management) API over asyncio; ``.accounting`` holds its calls."""

    transport_class = AsyncHttpTransport
    transport: AsyncHttpTransport

    def _serve(self) -> None:
        self.accounting = AsyncAccountingService(self._calls, self.transport.run)
