"""Fixtures of the emulator tests: the plugin's own fixtures, and a shared seeded sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boomisoap.sandbox import Sandbox
from boomisoap.testing import (  # noqa: F401 - fixtures, in case the plugin is not installed
    apim_client,
    boomi_requests,
    boomi_sandbox,
    mft_client,
    platform_client,
)


@pytest.fixture(scope="module")
def seeded() -> Iterator[Sandbox]:
    """One sandbox with the demo data per test module, rate limit off."""
    with Sandbox.start(users={"u": "p"}, seed_demo=True, rate_limit=None) as sandbox:
        yield sandbox
