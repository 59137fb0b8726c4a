"""The transport tells a pacer that can hear it of every 503, with the backoff delay."""

from __future__ import annotations

from typing import Any

import pytest
import requests_mock as requests_mock_module
from core.helpers import BASE, PASSWORD, PLATFORM_URL, Sleeps, fault, xml_response

from boomisoap import NotFound, PlatformClient, RateLimited
from boomisoap.transport import TokenBucket

# The answer after the 503s: a fault, so the test needs no success body of either wire.
MISSING = xml_response(fault(404, "no such account", "Client"), 500)


class Recorder:
    """A limiter of one's own (the Limiter protocol): records what the transport asks."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def bucket(self, host: str, account: str) -> Recorder:
        self.calls.append(("bucket", (host, account)))
        return self

    def reserve(self) -> float:
        self.calls.append(("reserve", None))
        return 0.0

    def penalize(self, seconds: float) -> None:
        self.calls.append(("penalize", seconds))


def client(rate_limit: Any, retries: int) -> PlatformClient:
    made = PlatformClient(
        account_id="acct-1",
        username="u",
        password=PASSWORD,
        base_url=BASE,
        rate_limit=rate_limit,
        retries=retries,
    )
    made.transport._sleep = Sleeps()
    return made


def test_each_503_penalises_with_the_delay_the_caller_backs_off(
    mock: requests_mock_module.Mocker,
) -> None:
    mock.post(
        PLATFORM_URL,
        [
            xml_response(fault(503, "slow down", "Server"), 503),
            xml_response(fault(503, "slow down", "Server"), 503),
            MISSING,
        ],
    )
    recorder = Recorder()
    with client(recorder, retries=3) as platform, pytest.raises(NotFound):
        platform.accounts.get("acct-1")
    sleeps = platform.transport._sleep
    assert recorder.calls[0] == ("bucket", ("api.boomi.test", "acct-1"))
    assert [name for name, _ in recorder.calls[1:]] == [
        "reserve",
        "penalize",
        "reserve",
        "penalize",
        "reserve",
    ]
    assert [seconds for name, seconds in recorder.calls if name == "penalize"] == list(sleeps)


def test_a_503_that_is_not_retried_still_penalises(mock: requests_mock_module.Mocker) -> None:
    mock.post(PLATFORM_URL, **xml_response(fault(503, "slow down", "Server"), 503))
    recorder = Recorder()
    with client(recorder, retries=0) as platform, pytest.raises(RateLimited):
        platform.accounts.get("acct-1")
    assert [name for name, _ in recorder.calls] == ["bucket", "reserve", "penalize"]
    assert list(platform.transport._sleep) == []  # nothing to retry: no backoff slept


def test_other_errors_do_not_penalise(mock: requests_mock_module.Mocker) -> None:
    mock.post(PLATFORM_URL, **xml_response(fault(500, "boom", "Server"), 500))
    recorder = Recorder()
    with client(recorder, retries=2) as platform, pytest.raises(Exception):  # noqa: B017
        platform.accounts.get("acct-1")
    assert "penalize" not in [name for name, _ in recorder.calls]


def test_the_local_bucket_is_paced_as_before(mock: requests_mock_module.Mocker) -> None:
    # A number is the per-process bucket: it has no penalty, a 503 is only backed off.
    mock.post(
        PLATFORM_URL,
        [xml_response(fault(503, "slow down", "Server"), 503), MISSING],
    )
    with client(1000.0, retries=1) as platform, pytest.raises(NotFound):
        assert isinstance(platform.transport.bucket, TokenBucket)
        platform.accounts.get("acct-1")
    assert len(platform.transport._sleep) == 1
