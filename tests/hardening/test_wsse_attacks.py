"""WS-Security attacks on the emulator, counted: every one is refused, none is accepted.

Each attack is a raw SOAP request posted over HTTP to a running ``Sandbox`` (default
``SecurityPolicy``). Replays first send the legitimate request they copy, which must
succeed. The single-case tests of ``tests/sandbox/test_sandbox_security.py`` document the
individual rules; this battery counts them together with the tricks around them, then
checks that legitimate requests still work, that no answer repeats a secret, and that the
emulator's own audit trail of the whole run verifies and holds no secret.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sandbox.helpers import APIM_NS, GET_PLAN, PLATFORM_NS, SOAP_HEADERS, fault, now_text

from boomisoap.audit import AuditLog
from boomisoap.namespaces import PASSWORD_DIGEST, PASSWORD_TEXT, SOAP_ENV, WSSE, WSU
from boomisoap.sandbox import Sandbox
from boomisoap.wsse.username import password_digest

USER, PASSWORD = "alice", "correct-horse-7Q"
OTHER, OTHER_PASSWORD = "bob", "bob-secret-9Z"
TOKEN_USER, API_TOKEN = "svc", "tok-svc-5h4X"
WRONG = "wrong-pass-3K"
SECRETS = (PASSWORD, OTHER_PASSWORD, API_TOKEN)
GET_ACCOUNT = (
    "<soap:get><api:objectType>Account</api:objectType>"
    "<api:objectId>acct-1</api:objectId></soap:get>"
)
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


# building requests ---------------------------------------------------------------------------


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def respelled(raw: bytes) -> str:
    """Another base64 spelling of ``raw``: the last character's unused low bits set."""
    canonical = b64(raw)
    body = canonical.rstrip("=")
    padding = canonical[len(body) :]
    assert padding, "needs a length whose last character has unused bits"
    last = B64[B64.index(body[-1]) | 1]
    other = body[:-1] + last + padding
    assert other != canonical and base64.b64decode(other, validate=True) == raw
    return other


def usertoken(
    user: str | None = USER,
    password: str | None = PASSWORD,
    *,
    kind: str | None = PASSWORD_TEXT,
    nonce: str | None = "fresh",
    created: str | None = "now",
) -> str:
    """A UsernameToken with every part under control (None leaves a part out)."""
    parts = []
    if user is not None:
        parts.append(f"<wsse:Username>{user}</wsse:Username>")
    if password is not None:
        type_attribute = "" if kind is None else f' Type="{kind}"'
        parts.append(f"<wsse:Password{type_attribute}>{password}</wsse:Password>")
    if nonce is not None:
        parts.append(
            f"<wsse:Nonce>{b64(os.urandom(16)) if nonce == 'fresh' else nonce}</wsse:Nonce>"
        )
    if created is not None:
        parts.append(f"<wsu:Created>{now_text() if created == 'now' else created}</wsu:Created>")
    return f"<wsse:UsernameToken>{''.join(parts)}</wsse:UsernameToken>"


def digest_token(
    user: str = USER,
    password: str = PASSWORD,
    *,
    raw_nonce: bytes | None = None,
    created: str | None = None,
    sent_nonce: str | None = None,
    sent_created: str | None = None,
) -> str:
    """A PasswordDigest token; ``sent_*`` send other values than those hashed."""
    raw_nonce = os.urandom(16) if raw_nonce is None else raw_nonce
    created = now_text() if created is None else created
    value = password_digest(password, raw_nonce, created)
    return usertoken(
        user,
        value,
        kind=PASSWORD_DIGEST,
        nonce=b64(raw_nonce) if sent_nonce is None else sent_nonce,
        created=created if sent_created is None else sent_created,
    )


def security(*tokens: str) -> str:
    return f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}">{"".join(tokens)}</wsse:Security>'


def envelope(header: str | None, body: str = GET_PLAN, service: str = "apim") -> bytes:
    """``header`` is the Header's content; None leaves the Header out."""
    namespaces = APIM_NS if service == "apim" else PLATFORM_NS
    head = "" if header is None else f"<soapenv:Header>{header}</soapenv:Header>"
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" {namespaces}>{head}'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def legit(token: str | None = None, service: str = "apim") -> bytes:
    body = GET_PLAN if service == "apim" else GET_ACCOUNT
    return envelope(security(token or usertoken()), body, service)


@dataclasses.dataclass(frozen=True)
class Send:
    data: bytes
    service: str = "apim"
    account: str | None = None  # None: the sandbox's own
    headers: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class Attack:
    name: str
    # -> (legitimate requests sent first, each must succeed; the attack itself)
    prepare: Callable[[], tuple[list[Send], Send]]
    status: int = 403  # the status the fault detail must carry


def single(build: Callable[[], bytes], status: int = 403, **send: Any) -> Any:
    return lambda name: Attack(name, lambda: ([], Send(build(), **send)), status)


def replay(primer: Callable[[], tuple[Send, Send]]) -> Any:
    def prepare() -> tuple[list[Send], Send]:
        first, again = primer()
        return [first], again

    return lambda name: Attack(name, prepare)


def _replay_same(
    token: Callable[[], str], service: str = "apim"
) -> Callable[[], tuple[Send, Send]]:
    def primer() -> tuple[Send, Send]:
        data = legit(token(), service)
        return Send(data, service), Send(data, service)

    return primer


def _replay_respelled(digest: bool) -> Callable[[], tuple[Send, Send]]:
    def primer() -> tuple[Send, Send]:
        raw = os.urandom(16)
        token = digest_token(raw_nonce=raw) if digest else usertoken(nonce=b64(raw))
        data = legit(token)
        return Send(data), Send(data.replace(b64(raw).encode(), respelled(raw).encode()))

    return primer


def _replay_padded_nonce() -> tuple[Send, Send]:
    raw = os.urandom(16)
    data = legit(digest_token(raw_nonce=raw))
    return Send(data), Send(data.replace(b64(raw).encode(), f"\n  {b64(raw)}\t".encode()))


def _replay_other_endpoint() -> tuple[Send, Send]:
    token = digest_token()
    return Send(legit(token)), Send(legit(token, "platform"), "platform")


def _replay_new_created() -> tuple[Send, Send]:
    raw = os.urandom(16)
    later = now_text(-2)
    first = legit(digest_token(raw_nonce=raw, created=now_text(-3)))
    return Send(first), Send(legit(digest_token(raw_nonce=raw, created=later)))


def _with_body_in_security() -> bytes:
    body = GET_PLAN.replace("</soap:get>", security(usertoken()) + "</soap:get>")
    return envelope(None, body)


ATTACKS: list[Attack] = [
    make(name)
    for name, make in {
        # credentials
        "wrong-password": single(lambda: legit(usertoken(password=WRONG))),
        "wrong-password-digest": single(lambda: legit(digest_token(password=WRONG))),
        "unknown-user": single(lambda: legit(usertoken("mallory"))),
        "unknown-user-digest": single(lambda: legit(digest_token("mallory"))),
        "other-users-password": single(lambda: legit(usertoken(password=OTHER_PASSWORD))),
        "username-in-other-case": single(lambda: legit(usertoken("Alice"))),
        "empty-password": single(lambda: legit(usertoken(password=""))),
        "self-closed-password": single(
            lambda: legit(usertoken(password=None) + "").replace(
                b"</wsse:Username>",
                f'</wsse:Username><wsse:Password Type="{PASSWORD_TEXT}"/>'.encode(),
            )
        ),
        "missing-password": single(lambda: legit(usertoken(password=None))),
        "empty-username": single(lambda: legit(usertoken(""))),
        "missing-username": single(lambda: legit(usertoken(None))),
        "sql-like-username": single(lambda: legit(usertoken("' OR '1'='1"))),
        "huge-password": single(lambda: legit(usertoken(password="x" * 100_000))),
        "api-token-user-with-password": single(lambda: legit(usertoken("BOOMI_TOKEN." + USER))),
        "api-token-as-plain-password": single(lambda: legit(usertoken(TOKEN_USER, API_TOKEN))),
        "empty-api-token-user": single(lambda: legit(usertoken("BOOMI_TOKEN.", ""))),
        "http-basic-instead-of-token": single(
            lambda: envelope(None),
            headers=(("Authorization", "Basic " + b64(f"{USER}:{PASSWORD}".encode())),),
        ),
        "foreign-account": single(lambda: legit(), account="someone-else"),
        # password types
        "password-type-unknown": single(
            lambda: legit(usertoken(kind=PASSWORD_TEXT.replace("Text", "Plain")))
        ),
        "password-type-empty": single(lambda: legit(usertoken(kind=""))),
        "digest-value-as-password-text": single(
            lambda: legit(
                digest_token().replace(f'Type="{PASSWORD_DIGEST}"', f'Type="{PASSWORD_TEXT}"')
            )
        ),
        "digest-value-without-type": single(
            lambda: legit(digest_token().replace(f' Type="{PASSWORD_DIGEST}"', ""))
        ),
        "plain-password-as-digest": single(lambda: legit(usertoken(kind=PASSWORD_DIGEST))),
        "digest-without-nonce": single(
            lambda: legit(usertoken(password="x", kind=PASSWORD_DIGEST, nonce=None))
        ),
        "digest-without-created": single(
            lambda: legit(usertoken(password="x", kind=PASSWORD_DIGEST, created=None))
        ),
        "digest-with-empty-nonce": single(
            lambda: legit(
                usertoken(
                    password=password_digest(PASSWORD, b"", now_text()),
                    kind=PASSWORD_DIGEST,
                    nonce="",
                )
            )
        ),
        "digest-nonce-not-base64": single(
            lambda: legit(digest_token(raw_nonce=b"!!not-base64!!", sent_nonce="!!not-base64!!"))
        ),
        "digest-over-other-created": single(
            lambda: legit(digest_token(created=now_text(-5), sent_created=now_text()))
        ),
        "digest-over-other-nonce": single(
            lambda: legit(digest_token(sent_nonce=b64(os.urandom(16))))
        ),
        # replays
        "replay-password-text": replay(_replay_same(usertoken)),
        "replay-digest": replay(_replay_same(digest_token)),
        "replay-digest-respelled-nonce": replay(_replay_respelled(digest=True)),
        "replay-text-respelled-nonce": replay(_replay_respelled(digest=False)),
        "replay-digest-padded-nonce": replay(_replay_padded_nonce),
        "replay-on-the-other-endpoint": replay(_replay_other_endpoint),
        "replay-nonce-with-new-created": replay(_replay_new_created),
        # freshness
        "stale-created": single(lambda: legit(usertoken(created=now_text(-301)))),
        "stale-created-digest": single(lambda: legit(digest_token(created=now_text(-301)))),
        "future-created": single(lambda: legit(usertoken(created=now_text(66)))),
        "future-created-digest": single(lambda: legit(digest_token(created=now_text(66)))),
        "created-far-future": single(lambda: legit(usertoken(created="9999-12-31T23:59:59Z"))),
        "created-without-time-zone": single(
            lambda: legit(usertoken(created=now_text().rstrip("Z")))
        ),
        "created-not-a-date": single(lambda: legit(usertoken(created="yesterday"))),
        # header structure
        "no-header": single(lambda: envelope(None)),
        "header-without-security": single(lambda: envelope("")),
        "security-without-token": single(lambda: envelope(security())),
        "two-tokens": single(lambda: envelope(security(usertoken(), usertoken()))),
        "bad-token-then-good": single(
            lambda: envelope(security(usertoken(password=WRONG), usertoken()))
        ),
        "good-token-then-bad": single(
            lambda: envelope(security(usertoken(), usertoken(password=WRONG)))
        ),
        "a-thousand-tokens": single(lambda: envelope(security(*[usertoken()] * 1000))),
        "two-security-headers": single(
            lambda: envelope(security(usertoken()) + security(usertoken()))
        ),
        "token-outside-security": single(
            lambda: envelope(
                usertoken().replace(
                    "<wsse:UsernameToken>",
                    f'<wsse:UsernameToken xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}">',
                    1,
                )
            )
        ),
        "security-inside-the-body": single(_with_body_in_security),
        "token-in-wrong-namespace": single(
            lambda: envelope(
                security(usertoken()).replace(WSSE, "http://schemas.xmlsoap.org/ws/2002/07/secext")
            )
        ),
        "security-in-a-second-header": single(
            lambda: envelope("").replace(
                b"<soapenv:Body>",
                f"<soapenv:Header>{security(usertoken())}</soapenv:Header><soapenv:Body>".encode(),
            ),
            status=400,
        ),
        # comments splitting the values a check reads
        "comment-truncated-username": single(lambda: legit(usertoken(USER + "<!-- -->x"))),
        "comment-hidden-password-suffix": single(
            lambda: legit(usertoken(password=PASSWORD + "<!-- -->junk"))
        ),
    }.items()
]


# running them -------------------------------------------------------------------------------


def start_sandbox(audit: str | None = None) -> Sandbox:
    return Sandbox.start(
        users={USER: PASSWORD, OTHER: OTHER_PASSWORD},
        tokens={TOKEN_USER: API_TOKEN},
        seed_demo=True,
        rate_limit=None,
        audit=audit,
    )


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with start_sandbox() as sandbox:
        yield sandbox


def send(sb: Sandbox, request: Send) -> requests.Response:
    prefix = "/apim/api/soap/v1/" if request.service == "apim" else "/api/soap/v1/"
    url = sb.base_url + prefix + (request.account or sb.account_id)
    headers = {**SOAP_HEADERS, **dict(request.headers)}
    return requests.post(url, data=request.data, headers=headers, timeout=10)


def run(sb: Sandbox, attack: Attack) -> tuple[int, requests.Response]:
    """Send the attack (after its primers); return how many requests went and the answer."""
    primers, request = attack.prepare()
    for primer in primers:
        answer = send(sb, primer)
        assert answer.status_code == 200, (attack.name, answer.text[:300])
    return len(primers) + 1, send(sb, request)


def check_refusal(attack: Attack, response: requests.Response) -> None:
    assert response.status_code != 200, f"{attack.name} was accepted"
    code, status, message = fault(response)
    assert status == attack.status, (attack.name, message)
    assert code == "S:Client"
    assert response.status_code == (403 if status == 403 else 500)
    for secret in (*SECRETS, WRONG):
        assert secret not in response.text


def test_the_battery_covers_every_attack() -> None:
    assert len({a.name for a in ATTACKS}) == len(ATTACKS) >= 55


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_is_refused(sb: Sandbox, attack: Attack) -> None:
    check_refusal(attack, run(sb, attack)[1])


def test_no_attack_is_accepted_and_legitimate_requests_still_work(tmp_path: Any) -> None:
    """The whole battery on a fresh emulator with an audit trail: counted, then checked."""
    audit_url = f"sqlite://{tmp_path}/server-audit.db"
    tried = accepted = sent = 0
    refusals: set[str] = set()
    started = time.perf_counter()
    with start_sandbox(audit_url) as sandbox:
        for attack in ATTACKS:
            count, response = run(sandbox, attack)
            sent += count
            tried += 1
            if response.status_code == 200:
                accepted += 1
            else:
                refusals.add(fault(response)[2])
        elapsed = time.perf_counter() - started
        for data, service in (
            (legit(), "apim"),
            (legit(digest_token()), "apim"),
            (legit(usertoken(OTHER, OTHER_PASSWORD)), "apim"),
            (legit(usertoken("BOOMI_TOKEN." + TOKEN_USER, API_TOKEN)), "apim"),
            (legit(digest_token(), "platform"), "platform"),
        ):
            assert send(sandbox, Send(data, service)).status_code == 200
            sent += 1
    assert (tried, accepted) == (len(ATTACKS), 0)
    print(
        f"\nWS-Security: {tried} attacks, {accepted} accepted, {sent} requests, "
        f"{elapsed:.2f} s, {len(refusals)} distinct refusal messages"
    )
    with AuditLog.open(audit_url, read_only=True) as log:
        records = list(log.records())
        report = log.verify()
    assert report.ok
    assert report.checked == len(records) == sent
    for record in records:
        stored = record.request_body + (record.response_body or b"") + repr(record).encode()
        for secret in SECRETS:
            assert secret.encode() not in stored
