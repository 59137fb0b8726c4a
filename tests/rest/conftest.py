"""Fixtures: REST clients pointed at requests_mock's fake host, with sleeps skipped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _rest_helpers import ACCOUNT, API_KEY, BASE, PASSWORD, USER, quiet

from boomisoap import ApimClient, MftClient, PlatformClient


@pytest.fixture
def apim() -> Iterator[ApimClient]:
    client = ApimClient(
        account_id=ACCOUNT,
        username=USER,
        password=PASSWORD,
        base_url=BASE,
        wire="rest",
        rate_limit=None,
    )
    with quiet(client):
        yield client


@pytest.fixture
def plat() -> Iterator[PlatformClient]:
    client = PlatformClient(
        account_id=ACCOUNT,
        username=USER,
        password=PASSWORD,
        base_url=BASE,
        wire="rest",
        rate_limit=None,
    )
    with quiet(client):
        yield client


@pytest.fixture
def mft() -> Iterator[MftClient]:
    with quiet(MftClient(base_url=BASE, api_key=API_KEY, rate_limit=None)) as client:
        yield client
