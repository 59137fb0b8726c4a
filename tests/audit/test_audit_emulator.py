"""Audited calls over real HTTP against the emulator, for every sink.

The stored bodies must equal the bytes that crossed the wire except inside the redacted
values, and nothing secret may be found anywhere in the store, the log output or the
exception texts: not the password, not a PasswordDigest, not a Nonce, not an API key.
"""

from __future__ import annotations

import dataclasses
import logging
import re

import pytest
from audit_helpers import exchange, store_bytes

from boomisoap import ApiKey, ApimClient, Application, AuthenticationError, MftClient, Plan
from boomisoap.audit import REDACTED, AuditError, AuditLog
from boomisoap.sandbox import Sandbox
from boomisoap.transport import Call, HttpRequest, HttpResponse

PASSWORD = "Emul4tor-Secr3t-pw"
WRONG_PASSWORD = "Wr0ng-Guess-pw-77"
_TOKEN_VALUES = re.compile(rb"<(?:[\w.-]+:)?(?:Password|Nonce)\b[^>]*>([^<]+)<")
_KEY_VALUES = re.compile(rb'\bkey="([^"]+)"')


@dataclasses.dataclass
class Wire:
    """Every attempt as it crossed the wire, seen by the transport's observers."""

    exchanges: list[tuple[bytes, bytes]] = dataclasses.field(default_factory=list)

    def __call__(self, call: Call, request: HttpRequest, response: HttpResponse) -> None:
        self.exchanges.append((request.body, response.body))


def matches_except_redacted(stored: bytes, wire: bytes) -> list[bytes]:
    """The wire values hidden behind each marker, or AssertionError if anything else differs."""
    pieces = stored.split(REDACTED.encode())
    pattern = b"(.+?)".join(re.escape(piece) for piece in pieces)
    found = re.fullmatch(pattern, wire, re.DOTALL)
    assert found is not None, f"stored body differs from the wire:\n{stored!r}\n{wire!r}"
    hidden = list(found.groups())
    # Only values were replaced, never markup around them.
    assert all(b"<" not in value and b'"' not in value for value in hidden)
    return hidden


def lifecycle(apim: ApimClient) -> None:
    plan = apim.plans.create(Plan(name="audited", rate_limit=10))
    assert plan.plan_id is not None
    apim.plans.get(plan.plan_id)
    list(apim.plans.query())
    apim.plans.update(dataclasses.replace(plan, max_message_size=2048))
    apim.plans.delete(plan.plan_id)


@pytest.mark.parametrize("digest", [False, True], ids=["text", "digest"])
def test_wire_bytes_are_stored_with_only_secrets_redacted(store, digest, caplog, flavour):
    caplog.set_level(logging.DEBUG, logger="boomisoap")
    wire = Wire()
    errors: list[str] = []
    with Sandbox.start(users={"auditor": PASSWORD}, rate_limit=None) as sb:
        log = AuditLog.open(store.url, log_bodies=True)
        options = dict(
            account_id=sb.account_id, username="auditor", base_url=sb.base_url,
            rate_limit=None, audit=log, password_digest=digest,
        )  # fmt: skip
        with flavour.make(ApimClient, password=PASSWORD, **options) as apim:
            apim.transport.observers.append(wire)
            lifecycle(apim)
            application = apim.applications.create(Application(application_name="audited"))
            key = apim.api_keys.create(
                ApiKey(api_id="api-1", environment_id="env-1",
                       application_id=application.application_id)
            )  # fmt: skip
            assert key.key  # the emulator generated a secret key
        with flavour.make(ApimClient, password=WRONG_PASSWORD, **options) as intruder:
            intruder.transport.observers.append(wire)
            with pytest.raises(AuthenticationError) as refused:
                intruder.plans.get("x")
            errors += [str(refused.value), repr(refused.value)]
        with flavour.make(MftClient, base_url=sb.base_url, api_key=sb.mft_api_key, audit=log,
                          rate_limit=None) as mft:  # fmt: skip
            mft.transport.observers.append(wire)
            assert isinstance(mft.accounting.transfer_quota(), int)
        mft_key = sb.mft_api_key
        log.close()

    with AuditLog.open(store.url) as reader:
        assert reader.verify().ok
        records = list(reader.records())
    assert len(records) == len(wire.exchanges) == 9  # 5 Plan calls, 2 creates, 1 refused, 1 MFT

    secrets: set[bytes] = {PASSWORD.encode(), WRONG_PASSWORD.encode(), mft_key.encode()}
    for record, (request, response) in zip(records, wire.exchanges, strict=True):
        hidden = matches_except_redacted(record.request_body, request)
        if record.service != "mft":
            # The Password and the Nonce of every UsernameToken, and nothing else.
            assert hidden == _TOKEN_VALUES.findall(request)
        secrets.update(_TOKEN_VALUES.findall(request))
        secrets.update(_KEY_VALUES.findall(response))
        assert record.response_body is not None
        matches_except_redacted(record.response_body, response)
    assert key.key.encode() in secrets

    haystacks = [
        store_bytes(store.kind, store.location),
        caplog.text.encode(),
        *map(str.encode, errors),
    ]
    for secret in secrets:
        for haystack in haystacks:
            assert secret not in haystack


def test_a_client_closes_the_log_it_opened_and_only_that(tmp_path):
    """audit=URL: the client opened the log, so its close() closes it; a log passed in
    may serve other clients and stays open."""
    shared = AuditLog.open(f"sqlite:///{tmp_path / 'shared.db'}")
    with Sandbox.start(users={"auditor": PASSWORD}, rate_limit=None) as sb:
        options = dict(account_id=sb.account_id, username="auditor", password=PASSWORD,
                       base_url=sb.base_url, rate_limit=None)  # fmt: skip
        with ApimClient(audit=f"sqlite:///{tmp_path / 'own.db'}", **options) as own:
            own.plans.create(Plan(name="owned"))
        with MftClient(base_url=sb.base_url, api_key=sb.mft_api_key, rate_limit=None,
                       audit=f"jsonl://{tmp_path / 'mft.jsonl'}") as mft:  # fmt: skip
            mft.accounting.transfer_quota()
        with ApimClient(audit=shared, **options) as borrower:
            borrower.plans.create(Plan(name="borrowed"))
    for log in (own.audit, mft.audit):
        assert log is not None
        with pytest.raises(AuditError, match="closed"):
            log.record(exchange(1))
        with AuditLog.open(log.url, read_only=True) as reader:
            assert reader.verify().checked == 1
    assert shared.record(exchange(2)) is not None
    assert shared.verify().checked == 2
    shared.close()
