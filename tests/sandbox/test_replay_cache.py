"""The replay cache's bound: nobody else's traffic can flush a Nonce that is still live.

Issue 15: with one shared cache evicting its oldest entry, a burst of another user's
requests pushed the victim's Nonce out, and the victim's request then replayed. Now each
user holds at most ``max_nonces`` live entries, entries leave only when they expire, and a
user whose share is full is answered 503 until some expire. Unit tests run the cache on a
hand-driven clock; the HTTP tests run the same rules through a sandbox.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator

import pytest

from boomisoap.errors import AuthenticationError
from boomisoap.sandbox import Sandbox, SecurityPolicy
from boomisoap.sandbox.replay import CacheFull, ReplayCache
from boomisoap.sandbox.security import Authenticator, Credentials
from boomisoap.xmlsafe import parse

from .helpers import GET_PLAN, envelope, fault, now_text, post, security, token


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_other_users_evicts_nothing() -> None:
    clock = Clock()
    cache = ReplayCache(limit=3, clock=clock)
    assert cache.first_use("victim", "n1", clock.now + 360)
    refused = 0
    for i in range(10_000):
        try:
            cache.first_use("mallory", f"m{i}", clock.now + 360)
        except CacheFull:
            refused += 1
    assert refused == 10_000 - 3
    assert cache.size("mallory") == 3  # mallory's own share filled, and no more
    assert cache.first_use("victim", "n1", clock.now + 360) is False  # still a replay


def test_a_full_share_refuses_new_entries_until_they_expire() -> None:
    clock = Clock()
    cache = ReplayCache(limit=2, clock=clock)
    assert cache.first_use("u", "a", clock.now + 10)
    assert cache.first_use("u", "b", clock.now + 20)
    with pytest.raises(CacheFull):
        cache.first_use("u", "c", clock.now + 30)
    assert cache.first_use("u", "a", clock.now + 10) is False  # nothing was forgotten
    clock.now += 10  # "a" is live up to and including its expiry
    assert cache.first_use("u", "a", clock.now) is False
    clock.now += 0.5
    assert cache.size("u") == 1
    assert cache.first_use("u", "c", clock.now + 30)  # room again, and "a" may come back
    with pytest.raises(CacheFull):
        cache.first_use("u", "a", clock.now + 30)


def test_keys_are_global_and_charged_to_their_first_owner() -> None:
    clock = Clock()
    cache = ReplayCache(limit=1, clock=clock)
    assert cache.first_use("u", ("signature", b"x"), clock.now + 5)
    assert cache.first_use("v", ("signature", b"x"), clock.now + 5) is False
    assert (cache.size("u"), cache.size("v")) == (1, 0)


def test_the_limit_must_leave_room() -> None:
    with pytest.raises(ValueError, match="at least one entry"):
        ReplayCache(limit=0, clock=Clock())


def _signed_header(created: str, expires: str | None) -> bytes:
    stamp = f"<wsu:Created>{created}</wsu:Created>"
    if expires is not None:
        stamp += f"<wsu:Expires>{expires}</wsu:Expires>"
    return envelope(GET_PLAN, security(f"<wsu:Timestamp>{stamp}</wsu:Timestamp>", token()))


def test_a_signed_message_is_remembered_while_its_timestamp_holds() -> None:
    """The Authenticator's side of the signed-replay rule, on a hand-driven clock."""
    clock = Clock()
    clock.now = time.time()
    auth = Authenticator(Credentials({"u": "p"}), clock=clock)
    data = _signed_header(now_text(), now_text(100))
    assert auth.verify_envelope(parse(data), signed=b"digest-1") == "u"
    assert auth.replays.size("u") == 2  # the signed message and the Nonce
    with pytest.raises(AuthenticationError, match="already received"):
        auth.verify_envelope(parse(_with_new_nonce(data)), signed=b"digest-1")
    clock.now += 101  # past Expires: the Timestamp check now refuses the copy ...
    with pytest.raises(AuthenticationError, match="has expired"):
        auth.verify_envelope(parse(_with_new_nonce(data)), signed=b"digest-1")
    # ... so the signed message is forgotten; the Nonce stays for its own window.
    assert auth.replays.size("u") == 1


def test_a_signed_message_needs_a_timestamp() -> None:
    auth = Authenticator(Credentials({"u": "p"}))
    with pytest.raises(AuthenticationError, match="needs a wsu:Timestamp"):
        auth.verify_envelope(parse(envelope(GET_PLAN)), signed=b"digest")


def _with_new_nonce(data: bytes) -> bytes:
    start = data.index(b"<wsse:Nonce>") + len(b"<wsse:Nonce>")
    end = data.index(b"</wsse:Nonce>")
    return data[:start] + base64.b64encode(os.urandom(16)) + data[end:]


# --- through HTTP ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> Iterator[Sandbox]:
    policy = SecurityPolicy(max_nonces=5)
    users = {"victim": "pv", "mallory": "pm", "filler": "pf"}
    with Sandbox.start(users=users, seed_demo=True, rate_limit=None, security=policy) as sb:
        yield sb


def test_another_users_burst_cannot_flush_the_victims_nonce(small: Sandbox) -> None:
    nonce = os.urandom(16)
    captured = envelope(GET_PLAN, security(token("victim", "pv", nonce=nonce)))
    assert post(small, captured).status_code == 200
    statuses = [
        post(small, envelope(GET_PLAN, security(token("mallory", "pm")))).status_code
        for _ in range(40)
    ]
    assert statuses == [200] * 5 + [503] * 35  # mallory fills only mallory's share
    replay = post(small, captured)
    assert replay.status_code == 403
    assert "already used" in fault(replay)[2]
    assert "mallory" not in replay.text


def test_a_full_share_is_a_503_and_tokens_without_nonce_still_pass(small: Sandbox) -> None:
    answers = [post(small, envelope(GET_PLAN, security(token("filler", "pf")))) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [503]
    code, status, message = fault(answers[-1])
    assert (code, status) == ("S:Server", 503)
    assert "retry" in message and "pf" not in answers[-1].text
    bare = security(token("filler", "pf", with_nonce=False, created=None))
    assert post(small, envelope(GET_PLAN, bare)).status_code == 200


def test_unauthenticated_requests_add_nothing(small: Sandbox) -> None:
    before = small.auth.replays.size("nobody")
    for _ in range(20):
        response = post(small, envelope(GET_PLAN, security(token("nobody", "x"))))
        assert response.status_code == 403
    wrong = post(small, envelope(GET_PLAN, security(token("victim", "wrong"))))
    assert wrong.status_code == 403
    assert small.auth.replays.size("nobody") == before == 0


def test_created_window_still_applies(small: Sandbox) -> None:
    stale = security(token("mallory", "pm", with_nonce=False, created=now_text(-400)))
    assert post(small, envelope(GET_PLAN, stale)).status_code == 403
