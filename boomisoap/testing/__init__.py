"""pytest plugin: fixtures that start an emulator and hand back ready clients.

Registered through the ``pytest11`` entry point, so installing boomisoap makes the fixtures
available to any test suite (docs/emulator.md, "pytest fixtures"):

- ``boomi_sandbox``: a fresh :class:`~boomisoap.sandbox.Sandbox` per test (empty state);
  ``boomi_sandbox_module`` and ``boomi_sandbox_session``: one shared by a module or by the
  whole run, for suites that want speed;
- ``apim_client``, ``platform_client``: SOAP clients logged in to ``boomi_sandbox``;
  ``apim_rest_client``, ``platform_rest_client``: the same on the REST wire;
- ``mft_client``: an MFT client holding its API key;
- ``partner_client``: a Partner API client (SOAP) of ``boomi_sandbox``'s account;
- ``boomi_requests``: the requests the test made, parsed and redacted;
- ``boomi_env``: the ``BOOMI_*`` variables pointing at ``boomi_sandbox``, for code under
  test that builds its own clients.

Options for the sandbox come from the ``boomi_sandbox`` marker, e.g.
``@pytest.mark.boomi_sandbox(seed_demo=True, rate_limit=10.0)``; an option
``Sandbox.start()`` does not take fails the test with a message naming it. By default the
rate limit is off on both sides: no client fixture paces its requests, and the sandbox
does not count them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .markers import MARKER, PASSWORD, USERNAME, MarkerError, check_marker, options_for
from .recorder import BoomiRequests, RecordedRequest

if TYPE_CHECKING:
    from ..clients import ApimClient, PlatformClient
    from ..partner import PartnerClient
    from ..rest.mft import MftClient
    from ..sandbox import Sandbox

__all__ = [
    "PASSWORD",
    "USERNAME",
    "BoomiEnv",
    "BoomiRequests",
    "RecordedRequest",
    "check_marker",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options for the boomi_sandbox fixture's Sandbox.start() "
        "(on a module: for boomi_sandbox_module too)",
    )


def _start(node: Any) -> Sandbox:
    from ..sandbox import Sandbox

    # pytest.fail outside the except blocks: the report shows one message, not a chain.
    try:
        options = options_for(node)
    except MarkerError as exc:
        problem = str(exc)
    else:
        try:
            return Sandbox.start(**options)
        except (TypeError, ValueError) as exc:
            # A value Sandbox refuses (a port out of range ...): name the marker.
            problem = f"{node.nodeid}: @pytest.mark.{MARKER}{_shown(options)}: {exc}"
    pytest.fail(problem, pytrace=False)


def _shown(options: Mapping[str, Any]) -> str:
    return "(" + ", ".join(f"{k}=..." for k in options if k not in ("users",)) + ")"


@pytest.fixture
def boomi_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A running emulator with fresh, in-memory state, stopped after the test."""
    with _start(request.node) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def boomi_sandbox_module(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """One emulator for every test of a module (options: the module's ``pytestmark``).

    State is shared: a test sees what the tests before it created.
    """
    with _start(request.node) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def boomi_sandbox_session(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """One emulator for the whole test run, with the default options; state is shared."""
    with _start(request.node) as sandbox:
        yield sandbox


@pytest.fixture
def boomi_requests(monkeypatch: pytest.MonkeyPatch) -> BoomiRequests:
    """The requests the test made, parsed and redacted (``get_requests()``, ``get_request()``).

    Every client built during the test reports to it: the plugin's client fixtures and
    clients the code under test builds itself. Only exchanges that got an HTTP answer are
    recorded (a refused connection has no request to show).
    """
    from ..transport import BaseTransport

    recorder = BoomiRequests()
    original = BaseTransport.__init__

    # The sync and the async transports alike.
    def observed(self: BaseTransport, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        recorder.attach(self)

    monkeypatch.setattr(BaseTransport, "__init__", observed)
    return recorder


def _client_options(sandbox: Sandbox) -> dict[str, Any]:
    username, password = next(iter(sandbox.users.items()))
    return {
        "account_id": sandbox.account_id,
        "username": username,
        "password": password,
        "base_url": sandbox.base_url,
        "rate_limit": None,  # no pacing: the docstring's promise, and the sandbox's default
    }


@pytest.fixture
def apim_client(boomi_sandbox: Sandbox, boomi_requests: BoomiRequests) -> Iterator[ApimClient]:
    """An ApimClient (SOAP) connected to ``boomi_sandbox``, without pacing."""
    from ..clients import ApimClient

    with ApimClient(**_client_options(boomi_sandbox)) as client:
        yield client


@pytest.fixture
def platform_client(
    boomi_sandbox: Sandbox, boomi_requests: BoomiRequests
) -> Iterator[PlatformClient]:
    """A PlatformClient (SOAP) connected to ``boomi_sandbox``, without pacing."""
    from ..clients import PlatformClient

    with PlatformClient(**_client_options(boomi_sandbox)) as client:
        yield client


@pytest.fixture
def apim_rest_client(boomi_sandbox: Sandbox, boomi_requests: BoomiRequests) -> Iterator[ApimClient]:
    """An ApimClient on the REST (JSON) wire connected to ``boomi_sandbox``, without pacing."""
    from ..clients import ApimClient

    with ApimClient(**_client_options(boomi_sandbox), wire="rest") as client:
        yield client


@pytest.fixture
def platform_rest_client(
    boomi_sandbox: Sandbox, boomi_requests: BoomiRequests
) -> Iterator[PlatformClient]:
    """A PlatformClient on the REST (JSON) wire connected to ``boomi_sandbox``, no pacing."""
    from ..clients import PlatformClient

    with PlatformClient(**_client_options(boomi_sandbox), wire="rest") as client:
        yield client


@pytest.fixture
def partner_client(
    boomi_sandbox: Sandbox, boomi_requests: BoomiRequests
) -> Iterator[PartnerClient]:
    """A PartnerClient (SOAP) connected to ``boomi_sandbox``, without pacing; its
    sub-accounts are the sandbox's hierarchy (``seed_demo=True``, ``hierarchy=``)."""
    from ..partner import PartnerClient

    with PartnerClient(**_client_options(boomi_sandbox)) as client:
        yield client


@pytest.fixture
def mft_client(boomi_sandbox: Sandbox, boomi_requests: BoomiRequests) -> Iterator[MftClient]:
    """An MftClient using ``boomi_sandbox``'s MFT API key, without pacing."""
    from ..rest.mft import MftClient

    client = MftClient(
        base_url=boomi_sandbox.base_url, api_key=boomi_sandbox.mft_api_key, rate_limit=None
    )
    try:
        yield client
    finally:
        client.close()


@dataclasses.dataclass(frozen=True)
class BoomiEnv:
    """What ``boomi_env`` set: the variables, and the sandbox they point at."""

    variables: Mapping[str, str]
    sandbox: Sandbox = dataclasses.field(repr=False)

    def __getitem__(self, name: str) -> str:
        return self.variables[name]


# Read by the CLI (boomisoap/cli) and by the clients' from_env(): set, or removed so that
# the developer's own shell cannot leak into the test.
_REMOVED = ("BOOMI_TOKEN", "BOOMISOAP_AUDIT", "BOOMISOAP_CONFIG", "BOOMISOAP_PROFILE")


@pytest.fixture
def boomi_env(boomi_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> BoomiEnv:
    """``BOOMI_*`` variables pointing at ``boomi_sandbox`` (undone after the test).

    For code under test that builds its own clients from the environment, the way the CLI
    does: account, user, password, base URL and MFT key set; pacing off
    (``BOOMISOAP_RATE_LIMIT=0``); ``BOOMI_TOKEN``, ``BOOMISOAP_AUDIT``, ``BOOMISOAP_CONFIG``
    and ``BOOMISOAP_PROFILE`` removed, and ``XDG_CONFIG_HOME`` an empty directory so no
    config file of the developer's is read.
    """
    username, password = next(iter(boomi_sandbox.users.items()))
    variables = {
        "BOOMI_ACCOUNT_ID": boomi_sandbox.account_id,
        "BOOMI_USERNAME": username,
        "BOOMI_PASSWORD": password,
        "BOOMI_BASE_URL": boomi_sandbox.base_url,
        "BOOMI_MFT_API_KEY": boomi_sandbox.mft_api_key,
        "BOOMISOAP_RATE_LIMIT": "0",
        "XDG_CONFIG_HOME": str(tmp_path / "boomi-env-config"),
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for name in _REMOVED:
        monkeypatch.delenv(name, raising=False)
    return BoomiEnv(variables, boomi_sandbox)
