"""pytest plugin: fixtures that start an emulator and hand back ready clients.

Registered through the ``pytest11`` entry point, so installing boomisoap makes the fixtures
available to any test suite:

- ``boomi_sandbox``: a fresh :class:`~boomisoap.sandbox.Sandbox` per test (empty state);
- ``apim_client``, ``platform_client``: SOAP clients logged in to it;
- ``mft_client``: an MFT client holding its API key.

Options for the sandbox come from the ``boomi_sandbox`` marker, e.g.
``@pytest.mark.boomi_sandbox(seed_demo=True, rate_limit=10.0)``. By default the fixtures
switch the rate limit off (server and client side) so that tests run at full speed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .clients import ApimClient, PlatformClient
    from .sandbox import Sandbox

USERNAME = "u"
PASSWORD = "p"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "boomi_sandbox(**options): options for the boomi_sandbox fixture's Sandbox.start()",
    )


def _client_options(sandbox: Sandbox) -> dict[str, Any]:
    username, password = next(iter(sandbox.users.items()))
    return {
        "account_id": sandbox.account_id,
        "username": username,
        "password": password,
        "base_url": sandbox.base_url,
        "rate_limit": None,
    }


@pytest.fixture
def boomi_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A running emulator with fresh, in-memory state, stopped after the test."""
    from .sandbox import Sandbox

    options: dict[str, Any] = {"users": {USERNAME: PASSWORD}, "rate_limit": None}
    marker = request.node.get_closest_marker("boomi_sandbox")
    if marker is not None:
        options.update(marker.kwargs)
    with Sandbox.start(**options) as sandbox:
        yield sandbox


@pytest.fixture
def apim_client(boomi_sandbox: Sandbox) -> Iterator[ApimClient]:
    """An ApimClient (SOAP) connected to ``boomi_sandbox``."""
    from .clients import ApimClient

    with ApimClient(**_client_options(boomi_sandbox)) as client:
        yield client


@pytest.fixture
def platform_client(boomi_sandbox: Sandbox) -> Iterator[PlatformClient]:
    """A PlatformClient (SOAP) connected to ``boomi_sandbox``."""
    from .clients import PlatformClient

    with PlatformClient(**_client_options(boomi_sandbox)) as client:
        yield client


@pytest.fixture
def mft_client(boomi_sandbox: Sandbox) -> Iterator[Any]:
    """An MftClient using ``boomi_sandbox``'s MFT API key."""
    from .rest.mft import MftClient

    client = MftClient(base_url=boomi_sandbox.base_url, api_key=boomi_sandbox.mft_api_key)
    yield client
    close = getattr(client, "close", None)
    if callable(close):
        close()
