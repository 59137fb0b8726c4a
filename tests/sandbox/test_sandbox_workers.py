"""``Sandbox(workers=N)``: several processes, one socket, one database, the same rules.

Each test holds one keep-alive connection to each of two different workers (told apart by
the ``X-Sandbox-Worker`` header of their answers), so a request is known to reach the
worker it is meant for: a Nonce accepted by one is refused by the other, the per-account
rate limit is one bucket for both, a queryToken of one pages on the other, and an object
written through one (or through the parent's admin helpers) is read by the other.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
from base64 import b64encode
from collections.abc import Iterator
from typing import Any

import pytest

from boomisoap import ApimClient, Plan
from boomisoap.sandbox import Sandbox
from tests.sandbox.helpers import GET_PLAN, SOAP_HEADERS, envelope, fault, security, token

AUTH = {"Authorization": "Basic " + b64encode(b"u:p").decode(), "Accept": "application/json"}
ATTEMPTS = 200  # new connections tried until both workers have answered one
# Connections opened together before any is probed: a worker that has just answered is
# awake and would accept the next lone connection before the idle one is scheduled, so a
# connection at a time can keep reaching the same worker; a burst queued at once is
# taken by both.
BURST = 16


class Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status_code = response.status
        self.content = response.read()
        self.worker = response.getheader("X-Sandbox-Worker")

    def json(self) -> Any:
        return json.loads(self.content)


class Connection:
    """One keep-alive connection, and so one worker."""

    def __init__(self, sandbox: Sandbox, *, probe: bool = True) -> None:
        self.sandbox = sandbox
        self.http = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=30)
        self.worker: str | None = None
        if probe:
            self.probe()

    def probe(self) -> None:
        # The worker that accepted the connection answers every request sent on it.
        self.worker = self.soap(envelope(GET_PLAN)).worker

    def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        self.http.request(method, path, body=body, headers=headers)
        return Answer(self.http.getresponse())

    def soap(self, body: bytes) -> Answer:
        path = f"/apim/api/soap/v1/{self.sandbox.account_id}"
        return self.request("POST", path, body, SOAP_HEADERS)

    def rest(self, path: str, body: bytes, content_type: str = "application/json") -> Answer:
        root = f"/api/rest/v1/{self.sandbox.account_id}"
        return self.request("POST", root + path, body, {**AUTH, "Content-Type": content_type})


def _burst(sandbox: Sandbox) -> list[Connection]:
    """BURST new connections, all connected before any request is sent."""
    burst = [Connection(sandbox, probe=False) for _ in range(BURST)]
    for connection in burst:
        connection.http.connect()
    return burst


def two_workers(sandbox: Sandbox) -> tuple[Connection, Connection]:
    """A connection to each of two different workers."""
    seen: set[str | None] = set()
    for _ in range(ATTEMPTS // BURST):
        burst = _burst(sandbox)
        for connection in burst:
            connection.probe()
        by_worker = {c.worker: c for c in burst}
        seen |= by_worker.keys()
        if len(by_worker) >= 2:
            one, two = list(by_worker.values())[:2]
            for connection in burst:
                if connection is not one and connection is not two:
                    connection.http.close()
            return one, two
        for connection in burst:
            connection.http.close()
    raise AssertionError(
        f"{ATTEMPTS} connections reached only the workers {sorted(map(str, seen))}"
    )


def _burst_answers(sandbox: Sandbox) -> Iterator[Answer]:
    """Answers to GET_PLAN over bursts of new connections (see BURST), each refused by
    the rate limit whichever worker it reached."""
    for _ in range(ATTEMPTS // BURST):
        burst = _burst(sandbox)
        for connection in burst:
            refused = connection.soap(envelope(GET_PLAN))
            connection.http.close()
            assert refused.status_code == 503
            yield refused


@pytest.fixture(scope="module")
def pool() -> Iterator[Sandbox]:
    with Sandbox.start(seed_demo=True, rate_limit=None, workers=2) as sandbox:
        yield sandbox


def test_each_worker_answers_the_same(pool: Sandbox) -> None:
    one, two = two_workers(pool)
    assert {one.worker, two.worker} == {"1", "2"}
    first, second = one.soap(envelope(GET_PLAN)), two.soap(envelope(GET_PLAN))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


def test_a_nonce_accepted_by_one_worker_is_refused_by_another(pool: Sandbox) -> None:
    one, two = two_workers(pool)
    request = envelope(GET_PLAN, security(token(digest=True)))
    assert one.soap(request).status_code == 200
    replayed = two.soap(request)
    assert replayed.status_code == 403
    assert "already used" in fault(replayed)[2]
    assert one.soap(request).status_code == 403  # and by the first one too


def test_a_query_token_of_one_worker_pages_on_another(pool: Sandbox) -> None:
    one, two = two_workers(pool)
    first = one.rest("/Account/query", b"{}").json()
    assert first["numberOfResults"] == 100 and first["queryToken"]
    rest = two.rest("/Account/queryMore", first["queryToken"].encode(), "text/plain").json()
    assert "queryToken" not in rest
    ids = [a["accountId"] for a in first["result"] + rest["result"]]
    assert len(ids) == len(set(ids)) == 123  # 3 seed accounts and 120 generated children
    # The token that reached the end is spent, for every worker.
    again = one.rest("/Account/queryMore", first["queryToken"].encode(), "text/plain")
    assert again.status_code == 400


def test_writes_through_one_worker_are_read_by_another(pool: Sandbox) -> None:
    one, two = two_workers(pool)
    with ApimClient(
        base_url=pool.base_url, username="u", password="p", account_id=pool.account_id
    ) as client:
        plan = client.plans.create(Plan(name="seen by every worker"))
        get = GET_PLAN.replace("4d50decd-f2b6-d59e-53f4-22ec4f188bb1", plan.plan_id)
        # Read by both (each worker caches the row), then changed and read again.
        assert b"seen by every worker" in one.soap(envelope(get)).content
        assert b"seen by every worker" in two.soap(envelope(get)).content
        client.plans.update(dataclasses.replace(plan, name="changed"))
    assert b"changed" in one.soap(envelope(get)).content
    assert b"changed" in two.soap(envelope(get)).content
    # The parent's admin helpers write the same database.
    assert pool.count("Plan") == 7


def test_the_rate_limit_per_account_holds_across_workers() -> None:
    # One request per 1,000 s: the first is allowed, and no token comes back during the test.
    with Sandbox.start(seed_demo=True, rate_limit=0.001, workers=2) as sandbox:
        answered = Connection(sandbox, probe=False).soap(envelope(GET_PLAN))
        assert answered.status_code == 200
        refused = next((r for r in _burst_answers(sandbox) if r.worker != answered.worker), None)
        if refused is None:
            raise AssertionError("no request reached the other worker")
        assert "Rate limit exceeded" in fault(refused)[2]


def test_options_a_worker_cannot_share_are_refused() -> None:
    with pytest.raises(ValueError, match="workers must be"):
        Sandbox(workers=0)
    with pytest.raises(ValueError, match="store URL"):
        Sandbox(workers=2, audit=object())
