"""Fixtures shared by the unit tests: clients whose transport is mocked with requests-mock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests_mock as requests_mock_module
from core.helpers import BASE, PASSWORD, Sleeps
from flavours import Flavour

from boomisoap import ApimClient, PlatformClient


@pytest.fixture
def mock() -> Iterator[requests_mock_module.Mocker]:
    with requests_mock_module.Mocker() as mocker:
        yield mocker


@pytest.fixture
def apim() -> Iterator[ApimClient]:
    client = ApimClient(
        account_id="acct-1",
        username="u",
        password=PASSWORD,
        base_url=BASE,
        rate_limit=None,
        retries=3,
    )
    client.transport._sleep = Sleeps()  # backoff without waiting
    yield client
    client.close()


@pytest.fixture
def platform() -> Iterator[PlatformClient]:
    client = PlatformClient(
        account_id="acct-1",
        username="u",
        password=PASSWORD,
        base_url=BASE,
        rate_limit=None,
        retries=3,
    )
    client.transport._sleep = Sleeps()
    yield client
    client.close()


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> Flavour:
    """Runs a behavioural test with the sync client, then with its async twin (flavours)."""
    return Flavour(request.param)
