"""The sweep of issue 15: no secret of a session escapes, even when servers echo them back.

One session: the emulator (an ApiKey's life by key on both wires, its request log and
audit on), then servers that echo every secret they receive back in SOAP Faults, HTML
pages, JSON errors, invalid values and bulk messages, on SOAP, REST and MFT, to the
clients and to the command line. Every log record of every logger at DEBUG (xmlschema,
zeep, urllib3, requests, waitress, ours), every output of the command line, every
exception's text, repr, ``vars()`` and chain, every repr of a result, and every
stored audit byte (SQLite and JSONL) is then searched for every secret of the session:
the password and token, each PasswordDigest and Nonce, the HTTP Basic value, the MFT API
key and each ApiKey key. The secrets are gathered on the server side from what crossed
the wire, not from the client's own memory of them.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import secrets
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from boomisoap import ApiKey, ApimClient, Application, BoomiError, Plan, PlatformClient
from boomisoap.cli import cli
from boomisoap.rest import MftClient
from boomisoap.sandbox import Sandbox

from .echoserver import EchoServer, secrets_in

SOAP_MODES = (
    "soap_fault",
    "soap_fault_foreign",
    "html",
    "html_cut",
    "not_xml",
    "broken_xml",
    "invalid_attribute",
)
REST_MODES = (
    "json_error",
    "json_error_nested",
    "text_error",
    "html",
    "html_cut",
    "not_found",
    "invalid_json",
)
MFT_MODES = ("json_error", "json_error_nested", "text_error", "html", "quota_invalid")


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> Iterator[str]:
        for record in self.records:
            yield self.format(record)
            yield repr(vars(record))


@pytest.fixture
def every_logger_at_debug() -> Iterator[Records]:
    handler = Records()
    root = logging.getLogger()
    names = ["xmlschema", "zeep", "urllib3", "requests", "waitress", "boomisoap"]
    loggers = [logging.getLogger(n) for n in names] + [
        lg for lg in root.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    saved = [(lg, lg.level, lg.disabled) for lg in [root, *loggers]]
    for lg, _, _ in saved:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for lg, level, disabled in saved:
            lg.setLevel(level)
            lg.disabled = disabled


class Session:
    """What the session produced (texts to search) and the secrets that crossed the wire."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.secrets: set[str] = set()
        self.raw_answers: list[bytes] = []
        self.errors: list[BoomiError] = []

    def watch(self, transport: Any) -> None:
        def observe(call: Any, request: Any, response: Any) -> None:
            auth = next((v for k, v in request.headers.items() if k.lower() == "authorization"), "")
            self.secrets.update(secrets_in(request.url, auth, request.body))
            self.raw_answers.append(response.body)
            self.texts += [repr(call), repr(request), repr(response)]
            for key in re.findall(rb'\bkey="([^"]+)"|"key":\s*"([^"]+)"', response.body):
                self.secrets.update(k.decode() for k in key if k)

        transport.observers.append(observe)

    def keep(self, value: Any) -> Any:
        self.texts += [repr(value), str(value)]
        return value

    def fails(self, call: Callable[[], Any]) -> BoomiError:
        try:
            result = call()
        except BoomiError as exc:
            self.errors.append(exc)
            self.texts += list(exception_texts(exc))
            return exc
        raise AssertionError(f"expected an error, got {result!r}")


def exception_texts(exc: BaseException | None) -> Iterator[str]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield from (str(exc), repr(exc), repr(vars(exc)), repr(exc.args))
        yield "".join(traceback.format_exception(exc))
        # The chain as Python shows it: a context hidden by ``raise ... from None`` is
        # internal to the frame that replaced it (and holds only what that frame read).
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)


def _emulator_part(session: Session, tmp: Path, password: str) -> dict[str, bytes]:
    """The ApiKey's life by key on both wires; returns valid answers to spoil later."""
    templates: dict[str, bytes] = {}
    with Sandbox.start(
        users={"u": password},
        rate_limit=None,
        log_requests=True,
        audit=f"jsonl://{tmp}/emulator.jsonl",
    ) as sandbox:
        for wire in ("soap", "rest"):
            with ApimClient(
                account_id=sandbox.account_id,
                username="u",
                password=password,
                base_url=sandbox.base_url,
                wire=wire,
                password_digest=wire == "soap",
                audit=f"sqlite:///{tmp}/emulator-client-{wire}.db",
                rate_limit=None,
            ) as apim:
                templates.update(_api_key_life(session, apim, wire))
    assert b"__SECRET__" in templates["invalid_attribute"]
    assert b"__SECRET__" in templates["invalid_json"]
    return templates


def _api_key_life(session: Session, apim: ApimClient, wire: str) -> dict[str, bytes]:
    session.watch(apim.transport)
    app = apim.applications.create(Application(application_name="shop"))
    new = ApiKey(api_id="api", environment_id="env", application_id=app.application_id)
    key = session.keep(apim.api_keys.create(new))
    assert key.key
    session.keep(apim.api_keys.get(key.key))
    session.keep(apim.api_keys.update(dataclasses.replace(key, enabled=False)))
    session.fails(lambda: apim.api_keys.get("missing-key-" + wire))
    other = dataclasses.replace(key, key="other-key-" + wire)
    session.fails(lambda: apim.api_keys.update(other))
    plan = apim.plans.create(Plan(name="p", rate_limit=7777))
    sent: list[bytes] = []
    apim.transport.observers.append(lambda c, q, r: sent.append(r.body))
    apim.plans.get(str(plan.plan_id))
    apim.api_keys.get(key.key)
    apim.api_keys.delete(key.key)
    if wire == "soap":
        spoiled = sent[0].replace(b'rateLimit="7777"', b'rateLimit="__SECRET__"')
        return {"invalid_attribute": spoiled, "api_key": sent[1]}
    spoiled = re.sub(rb'"rateLimit":\s*7777', b'"rateLimit": "__SECRET__"', sent[0])
    return {"invalid_json": spoiled}


def _echo_part(session: Session, tmp: Path, password: str, token: str, mft_key: str) -> None:
    server = EchoServer()
    try:
        server.templates = _emulator_part(session, tmp, password)
        common: dict[str, Any] = {
            "account_id": "acct-1",
            "username": "u",
            "base_url": server.url,
            "rate_limit": None,
            "retries": 0,
        }
        soap_digest = ApimClient(
            password=password,
            password_digest=True,
            audit=f"sqlite:///{tmp}/digest.db",
            **common,
        )
        soap_text = ApimClient(password=password, audit=f"jsonl://{tmp}/text.jsonl", **common)
        rest = ApimClient(token=token, wire="rest", audit=f"jsonl://{tmp}/rest.jsonl", **common)
        accounts = PlatformClient(password=password, wire="rest", **common)
        mft = MftClient(
            base_url=server.url,
            api_key=mft_key,
            rate_limit=None,
            retries=0,
            audit=f"sqlite:///{tmp}/mft.db",
        )
        for client in (soap_digest, soap_text, rest, accounts, mft):
            session.watch(client.transport)
        a_key = "echoed-key-" + secrets.token_urlsafe(12)
        try:
            for mode in SOAP_MODES:
                server.mode = mode
                for client in (soap_digest, soap_text):
                    session.fails(lambda c=client: c.plans.get("plan-1"))
                    if mode != "invalid_attribute":
                        session.fails(lambda c=client: c.api_keys.get(a_key))
            server.mode = "api_key"
            for client in (soap_digest, soap_text):
                session.keep(client.api_keys.get(a_key))
            for mode in REST_MODES:
                server.mode = mode
                session.fails(lambda: rest.plans.get("plan-1"))
                if mode != "invalid_json":
                    session.fails(lambda: rest.api_keys.get(a_key))
                    session.fails(lambda: rest.api_keys.delete(a_key))
            server.mode = "bulk"
            items = session.keep(accounts.accounts.get_many(["acct-a", "acct-b"]))
            for item in items:
                session.fails(item.unwrap)
            for mode in MFT_MODES:
                server.mode = mode
                session.fails(mft.accounting.transfer_quota)
        finally:
            for client in (soap_digest, soap_text, rest, accounts, mft):
                client.close()
        _cli_part(session, server, tmp, password, mft_key, a_key)
        session.secrets |= server.seen
    finally:
        server.close()


def _cli_part(
    session: Session, server: EchoServer, tmp: Path, password: str, mft_key: str, a_key: str
) -> None:
    """The command line against the echoing server: its output and errors, every format."""
    env = {
        "BOOMI_ACCOUNT_ID": "acct-1",
        "BOOMI_USERNAME": "u",
        "BOOMI_PASSWORD": password,
        "BOOMI_TOKEN": None,
        "BOOMI_BASE_URL": server.url,
        "BOOMI_MFT_API_KEY": mft_key,
        "BOOMISOAP_AUDIT": f"sqlite:///{tmp}/cli.db",
        "BOOMISOAP_CONFIG": None,
        "BOOMISOAP_PROFILE": None,
        "BOOMISOAP_RATE_LIMIT": "0",
        "XDG_CONFIG_HOME": str(tmp / "xdg"),
    }
    commands = [
        ("soap_fault", ["--password-digest", "plans", "get", "plan-1"]),
        ("html", ["api-keys", "get", a_key]),
        ("invalid_attribute", ["plans", "get", "plan-1", "-o", "json"]),
        ("api_key", ["api-keys", "get", a_key, "-o", "json"]),
        ("api_key", ["api-keys", "get", a_key, "-o", "xml"]),
        ("json_error", ["--wire", "rest", "api-keys", "delete", a_key]),
        ("not_found", ["--wire", "rest", "api-keys", "get", a_key, "-o", "csv"]),
        ("json_error_nested", ["mft", "quota"]),
        ("text_error", ["mft", "quota"]),
    ]
    for mode, args in commands:
        server.mode = mode
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        assert (result.exit_code == 0) == (mode == "api_key"), (args, result.output)
        session.texts += [result.stdout, result.stderr]


def test_no_secret_escapes_a_session_with_echoing_servers(
    tmp_path: Path, every_logger_at_debug: Records
) -> None:
    password = "pw-" + secrets.token_urlsafe(18)
    token = "tok-" + secrets.token_urlsafe(18)
    mft_key = "mft-" + secrets.token_urlsafe(24)
    session = Session()
    _echo_part(session, tmp_path, password, token, mft_key)

    session.secrets |= {password, token, mft_key}
    kinds = {
        "digest": [s for s in session.secrets if len(s) == 28 and s.endswith("=")],
        "nonce": [s for s in session.secrets if len(s) == 24 and s.endswith("==")],
        "basic": [s for s in session.secrets if s.startswith("Basic ")],
        "api key": [s for s in session.secrets if s.startswith("echoed-key-")],
    }
    # The session did carry every kind of secret, and the servers did echo them.
    assert all(kinds.values()), kinds
    echoed = b"\n".join(session.raw_answers)
    for value in (password, mft_key):
        assert value.encode() in echoed, value
    for kind, values in kinds.items():
        assert any(v.encode() in echoed for v in values), kind
    assert len(session.errors) > 50

    stored = b"".join(p.read_bytes() for p in sorted(tmp_path.iterdir()) if p.is_file())
    assert b"***REDACTED***" in stored  # the scan does see the records
    texts = [*session.texts, *every_logger_at_debug.texts()]
    # The connections' DEBUG records (the request lines urllib3 logged before) were seen.
    assert any(t.startswith("boomisoap.connections DEBUG") for t in texts)
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    leaks = []
    for secret in sorted(session.secrets):
        for name, data in files.items():
            if secret.encode() in data:
                leaks.append((name, secret))
        for text in texts:
            if secret in text:
                leaks.append((text[:300], secret))
                break
    assert not leaks, leaks
