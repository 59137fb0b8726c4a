"""Signed SOAP over HTTP between the clients and the emulator (issue 6).

Client signs -> emulator verifies -> emulator signs -> client verifies, on loopback; attacks
the emulator must refuse; responses the client must refuse; the audit trail of signed
requests; the ``serve`` command's signing flags. Keys and certificates are generated here.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from lxml import etree
from signing_keys import KeyMaterial, self_signed

import boomisoap
from boomisoap import ApimClient, AuthenticationError, NotFound, Plan, Q
from boomisoap.audit import REDACTED, AuditLog
from boomisoap.cli.sandbox import sandbox_group
from boomisoap.errors import SignatureError
from boomisoap.models.registry import spec_for
from boomisoap.namespaces import API, DS, SOAP_ENV, WSSE, WSU
from boomisoap.sandbox import Sandbox
from boomisoap.wsse.signature import X509Signer, sign_envelope, verify_envelope, verify_request

NS = {"s": SOAP_ENV, "wsse": WSSE, "wsu": WSU, "ds": DS, "api": API}
WSU_ID = f"{{{WSU}}}Id"
PLAN = spec_for("Plan", "apim")
PASSWORD = "correct-horse-battery"
FAMILY = {"rsa": "rsa", "ec": "ecdsa"}


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KeyMaterial]:
    directory = tmp_path_factory.mktemp("e2e-keys")
    return {
        "client-rsa": self_signed(directory, "client-rsa"),
        "client-ec": self_signed(directory, "client-ec", "ec"),
        "server-rsa": self_signed(directory, "server-rsa"),
        "server-ec": self_signed(directory, "server-ec", "ec"),
        "intruder": self_signed(directory, "intruder"),
    }


def signer_for(material: KeyMaterial, **options: Any) -> X509Signer:
    return X509Signer(material.key_path, material.cert_path, **options)


# --- an emulator whose wire is recorded ------------------------------------------------


@dataclass(frozen=True)
class Seen:
    request: bytes
    status: int
    response: bytes


class Recorder:
    """WSGI middleware keeping every exchange as the bytes that crossed the socket."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.exchanges: list[Seen] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        statuses: list[int] = []

        def capture(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            statuses.append(int(status.split()[0]))
            return start_response(status, headers, *exc_info)

        answer = b"".join(self.app(environ, capture))
        self.exchanges.append(Seen(body, statuses[0], answer))
        return [answer]


@contextlib.contextmanager
def serving(**options: Any) -> Iterator[tuple[Sandbox, Recorder]]:
    options.setdefault("users", {"u": PASSWORD})
    sandbox = Sandbox(rate_limit=None, **options)
    recorder = Recorder(sandbox.app)
    sandbox.app = recorder  # type: ignore[assignment]
    sandbox.serve_in_background()
    with sandbox:
        yield sandbox, recorder


def client(sandbox: Sandbox, **options: Any) -> ApimClient:
    options.setdefault("password", PASSWORD)
    return ApimClient(
        account_id=sandbox.account_id,
        username="u",
        base_url=sandbox.base_url,
        rate_limit=None,
        **options,
    )


def soap_url(sandbox: Sandbox) -> str:
    return f"{sandbox.base_url}/apim/api/soap/v1/{sandbox.account_id}"


def post(sandbox: Sandbox, body: bytes) -> requests.Response:
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    return requests.post(soap_url(sandbox), data=body, headers=headers, timeout=10)


def one(root: Any, path: str) -> Any:
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, path
    return found[0]


def operation(envelope: bytes) -> str:
    return str(etree.QName(one(etree.fromstring(envelope), "/s:Envelope/s:Body/*")).localname)


# --- client -> emulator -> client ------------------------------------------------------


@pytest.mark.parametrize(
    ("client_kind", "server_kind"), [("rsa", "rsa"), ("ec", "ec"), ("rsa", "ec")]
)
def test_signed_round_trip(
    keys: dict[str, KeyMaterial], client_kind: str, server_kind: str
) -> None:
    mine, theirs = keys[f"client-{client_kind}"], keys[f"server-{server_kind}"]
    options = {"trusted_certs": mine.cert_path, "require_signature": True}
    with serving(**options, signer=signer_for(theirs)) as (sandbox, wire):
        signed = {"signer": signer_for(mine), "verify_responses": theirs.cert_path}
        with client(sandbox, **signed) as apim:
            plan = apim.plans.create(Plan(name="gold", rate_limit=100))
            assert apim.plans.get(plan.plan_id) == plan
            assert apim.plans.get(plan.plan_id) == plan  # cached on the server, signed afresh
            assert [p.plan_id for p in apim.plans.query(Q.name == "gold")] == [plan.plan_id]
            assert apim.plans.delete(plan.plan_id) is True
            with pytest.raises(NotFound):
                apim.plans.get(plan.plan_id)  # a fault, signed as well
        assert sandbox.count("Plan") == 0

    seen = wire.exchanges
    operations = ["create", "get", "get", "query", "delete", "get"]
    assert [operation(s.request) for s in seen] == operations
    assert [s.status for s in seen] == [200, 200, 200, 200, 200, 500]
    for exchange in seen:
        request = verify_request(exchange.request, mine.cert)
        assert request.signature_method.endswith(f"#{FAMILY[client_kind]}-sha256")
        response = verify_envelope(exchange.response, trusted=theirs.cert)
        assert response.signature_method.endswith(f"#{FAMILY[server_kind]}-sha256")
        assert response.certificate == theirs.cert
    assert seen[1].response != seen[2].response
    fault = verify_envelope(seen[-1].response, trusted=theirs.cert).body
    assert one(fault, "s:Fault/detail/api:ServiceFault").get("statusCode") == "404"


def test_signature_optional_unless_required(keys: dict[str, KeyMaterial]) -> None:
    mine = keys["client-ec"]
    with serving(trusted_certs=mine.cert) as (sandbox, _):
        with client(sandbox) as plain:
            assert plain.plans.create(Plan(name="unsigned")).name == "unsigned"
        with client(sandbox, signer=signer_for(mine)) as signed:
            assert signed.plans.create(Plan(name="signed")).name == "signed"
        intruder = client(sandbox, signer=signer_for(keys["intruder"]))
        with intruder, pytest.raises(AuthenticationError, match="not trusted"):
            intruder.plans.create(Plan(name="forged"))
        assert sandbox.count("Plan") == 2


def test_username_token_still_checked(keys: dict[str, KeyMaterial]) -> None:
    mine = keys["client-rsa"]
    with serving(trusted_certs=mine.cert, require_signature=True) as (sandbox, _):
        wrong = client(sandbox, password="wrong", signer=signer_for(mine))
        with wrong, pytest.raises(AuthenticationError, match="Incorrect user name and password"):
            wrong.plans.create(Plan(name="gold"))
        with client(sandbox, signer=signer_for(mine)) as apim:
            envelope = apim.envelope("get", PLAN, "missing")
        assert post(sandbox, envelope).status_code == 500  # accepted: 404 fault
        replayed = post(sandbox, envelope)  # the signature still holds; the nonce does not
        assert replayed.status_code == 403
        assert b"replayed request" in replayed.content


def test_emulator_rejects_bad_configuration(keys: dict[str, KeyMaterial]) -> None:
    with pytest.raises(ValueError, match="require_signature needs trusted_certs"):
        Sandbox(require_signature=True)
    with pytest.raises(SignatureError):
        Sandbox(trusted_certs=b"not a certificate")
    with pytest.raises(TypeError, match="X509Signer"):
        Sandbox(signer=keys["server-rsa"].key)


# --- attacks over HTTP -----------------------------------------------------------------


@dataclass(frozen=True)
class Kit:
    """What an attacker holds: a signed capture source, an unsigned one, keys to sign with."""

    signed: ApimClient  # signs with the trusted client key
    plain: ApimClient  # UsernameToken only
    mine: KeyMaterial
    intruder: KeyMaterial

    def tree(self, operation: str, *args: Any, signed: bool = True) -> Any:
        return etree.fromstring((self.signed if signed else self.plain).envelope(operation, *args))


def _body_changed(kit: Kit) -> bytes:
    data = kit.signed.envelope("create", PLAN, Plan(name="gold"))
    assert data.count(b'name="gold"') == 1
    return data.replace(b'name="gold"', b'name="evil"')


def _timestamp_expired(kit: Kit) -> bytes:
    root = kit.tree("delete", PLAN, "mine", signed=False)
    stamp = etree.Element(f"{{{WSU}}}Timestamp")
    then = datetime.now(UTC) - timedelta(minutes=10)
    etree.SubElement(stamp, f"{{{WSU}}}Created").text = then.isoformat()
    etree.SubElement(stamp, f"{{{WSU}}}Expires").text = (then + timedelta(minutes=5)).isoformat()
    one(root, "//wsse:Security").insert(0, stamp)
    signer_for(kit.mine).sign(root)  # X509Signer signs the Timestamp it finds
    return bytes(etree.tostring(root))


def _untrusted(kit: Kit) -> bytes:
    return sign_envelope(kit.plain.envelope("delete", PLAN, "mine"), signer_for(kit.intruder))


def _wrap(kit: Kit, *, keep_id: bool) -> bytes:
    """The signed get's Body moved into a header; a delete Body put in its place."""
    root = kit.tree("get", PLAN, "mine")
    original = one(root, "/s:Envelope/s:Body")
    wrapper = etree.SubElement(one(root, "/s:Envelope/s:Header"), "{urn:attacker}Wrapper")
    wrapper.append(original)
    replacement = kit.tree("delete", PLAN, "theirs", signed=False)
    evil = copy.deepcopy(one(replacement, "/s:Envelope/s:Body"))
    if keep_id:
        evil.set(WSU_ID, original.get(WSU_ID))
    root.append(evil)
    return bytes(etree.tostring(root))


def _duplicate_id(kit: Kit) -> bytes:
    root = kit.tree("get", PLAN, "mine")
    decoy = etree.SubElement(one(root, "/s:Envelope/s:Header"), "{urn:attacker}Decoy")
    decoy.set(WSU_ID, one(root, "//wsu:Timestamp").get(WSU_ID))
    return bytes(etree.tostring(root))


def _signature_removed(kit: Kit) -> bytes:
    root = kit.tree("delete", PLAN, "mine")
    signature = one(root, "//ds:Signature")
    signature.getparent().remove(signature)
    return bytes(etree.tostring(root))


def _sha1(kit: Kit) -> bytes:
    sha1 = signer_for(kit.mine, signature_method="rsa-sha1", digest_method="sha1", allow_sha1=True)
    return sign_envelope(kit.plain.envelope("delete", PLAN, "mine"), sha1)


# The emulator's answer to each attack: a 403 Client fault naming the signature check that
# failed. A SOAP Body inside the Header is also refused earlier, as a malformed envelope
# (400), by the structure check of the request parser: either refusal will do.
SIGNATURE = 403
NESTED_BODY = (400, "a SOAP Body element is not allowed inside the Header or the Body")
ATTACKS: dict[str, tuple[Callable[[Kit], bytes], list[tuple[int, str]]]] = {
    "body changed after signing": (
        _body_changed,
        [(SIGNATURE, "does not match: the content changed")],
    ),
    "timestamp expired": (_timestamp_expired, [(SIGNATURE, "the wsu:Timestamp has expired")]),
    "untrusted certificate": (
        _untrusted,
        [(SIGNATURE, "the signing certificate is not trusted")],
    ),
    "wrapping, same Id": (
        lambda kit: _wrap(kit, keep_id=True),
        [(SIGNATURE, "appears more than once"), NESTED_BODY],
    ),
    "wrapping, new Body": (
        lambda kit: _wrap(kit, keep_id=False),
        [(SIGNATURE, "the soap Body is not the element the signature covers"), NESTED_BODY],
    ),
    "duplicate wsu:Id": (_duplicate_id, [(SIGNATURE, "appears more than once")]),
    "signature removed": (_signature_removed, [(SIGNATURE, "the request is not signed")]),
    "SHA-1": (_sha1, [(SIGNATURE, "is not allowed")]),
}


def test_attacks_over_http_are_refused(keys: dict[str, KeyMaterial]) -> None:
    mine, server = keys["client-rsa"], keys["server-ec"]
    options = {"trusted_certs": mine.cert_path, "require_signature": True}
    with serving(**options, signer=signer_for(server)) as (sandbox, _):
        sandbox.add(Plan(plan_id="mine", name="mine"), Plan(plan_id="theirs", name="theirs"))
        with client(sandbox, signer=signer_for(mine)) as signed, client(sandbox) as plain:
            kit = Kit(signed, plain, mine, keys["intruder"])
            # The control: the same kind of message, unaltered, is accepted.
            assert post(sandbox, signed.envelope("get", PLAN, "mine")).status_code == 200
            accepted: list[str] = []
            for name, (build, refusals) in ATTACKS.items():
                answer = post(sandbox, build(kit))
                if answer.status_code < 300:
                    accepted.append(name)
                    continue
                # The refusal is itself signed by the emulator.
                body = verify_envelope(answer.content, trusted=server.cert).body
                assert one(body, "s:Fault/faultcode").text == "S:Client", name
                message = one(body, "s:Fault/faultstring").text
                status = int(one(body, "s:Fault/detail/api:ServiceFault").get("statusCode"))
                refused_as = [code for code, reason in refusals if reason in message]
                assert refused_as == [status], (name, status, message)
                # docs/wire.md: 403 keeps its HTTP status, a 400 fault travels with 500.
                assert answer.status_code == (403 if status == 403 else 500), name
        assert accepted == []
        assert len(ATTACKS) == 8
        assert sandbox.count("Plan") == 2  # nothing was deleted or created


# --- the client refuses what it cannot trust -------------------------------------------


def _refused(sandbox: Sandbox, match: str, **options: Any) -> None:
    with client(sandbox, **options) as apim, pytest.raises(SignatureError, match=match):
        apim.plans.create(Plan(name="gold"))


def test_client_refuses_untrusted_or_unsigned_responses(keys: dict[str, KeyMaterial]) -> None:
    trusted = keys["server-rsa"].cert
    with serving(signer=signer_for(keys["intruder"])) as (sandbox, _):
        _refused(sandbox, "not trusted", verify_responses=trusted)
        # A signed 403 fault, signed with the wrong key.
        _refused(sandbox, "not trusted", password="wrong", verify_responses=trusted)
    with serving() as (sandbox, _):
        _refused(sandbox, r"^response is not signed$", verify_responses=trusted)
        # An unsigned fault is a SignatureError too, not a crash nor the fault's own error.
        _refused(
            sandbox,
            r"unsigned SOAP Fault, code S:Client",
            password="wrong",
            verify_responses=trusted,
        )
    with (
        serving(signer=signer_for(keys["server-rsa"])) as (sandbox, _),
        client(sandbox, verify_responses=trusted) as apim,
    ):
        assert apim.plans.create(Plan(name="gold")).name == "gold"
        # A genuine 404 fault arrives as HTTP 500, verified like any answer.
        with pytest.raises(NotFound):
            apim.plans.get("no-such-plan")
    with (
        serving(signer=signer_for(keys["intruder"])) as (sandbox, _),
        client(sandbox, verify_responses=trusted) as apim,
        pytest.raises(SignatureError, match="not trusted"),
    ):
        # A forged 404 fault (HTTP 500) must not pass for the service's own answer.
        apim.plans.get("no-such-plan")


# --- the audit trail keeps the signed bytes --------------------------------------------

_SECRET_TEXT = re.compile(rb"(<(?:[\w.-]+:)?(?:Password|Nonce)\b[^>]*>)([^<]*)(</)")


def test_audit_stores_signed_requests_as_sent(keys: dict[str, KeyMaterial], tmp_path: Path) -> None:
    mine, server = keys["client-rsa"], keys["server-ec"]
    url = f"sqlite://{tmp_path / 'audit.db'}"
    options = {"trusted_certs": mine.cert_path, "require_signature": True}
    with serving(**options, signer=signer_for(server)) as (sandbox, wire):
        signed = {"signer": signer_for(mine), "verify_responses": server.cert, "audit": url}
        with client(sandbox, **signed) as apim:
            plan = apim.plans.create(Plan(name="audited"))
            apim.plans.get(plan.plan_id)
            assert apim.audit is not None
            apim.audit.close()

    with AuditLog.open(url, read_only=True) as log:
        records = list(log.records())
        assert log.verify().ok
    assert [r.operation for r in records] == ["create", "get"]
    assert len(wire.exchanges) == len(records)
    for record, exchange in zip(records, wire.exchanges, strict=True):
        sent, stored = exchange.request, record.request_body
        assert PASSWORD.encode() in sent and PASSWORD.encode() not in stored
        # The stored bytes are the wire bytes with only the Password and Nonce values cut.
        expected, cuts = _SECRET_TEXT.subn(rb"\1" + REDACTED.encode() + rb"\3", sent)
        assert cuts == 2
        assert stored == expected
        signature_value = one(etree.fromstring(sent), "//ds:SignatureValue").text
        assert one(etree.fromstring(stored), "//ds:SignatureValue").text == signature_value
        # The signature covers Body and Timestamp, not the UsernameToken: it still verifies.
        assert verify_request(stored, mine.cert, max_clock_skew=3600).certificate == mine.cert
        verify_request(stored, mine.cert, now=record.started_at)  # as docs/signing.md says
        assert record.response_body == exchange.response
        verify_envelope(record.response_body, trusted=server.cert, max_clock_skew=3600)


# --- the serve command ------------------------------------------------------------------


def test_serve_flags_need_their_partners(keys: dict[str, KeyMaterial]) -> None:
    runner = CliRunner()
    result = runner.invoke(sandbox_group, ["serve", "--require-signature"])
    assert result.exit_code == 2 and "--require-signature needs --trust-cert" in result.output
    key_only = ["serve", "--sign-key", str(keys["server-rsa"].key_path)]
    result = runner.invoke(sandbox_group, key_only)
    assert result.exit_code == 2 and "--sign-key and --sign-cert go together" in result.output
    mismatched = [*key_only, "--sign-cert", str(keys["intruder"].cert_path)]
    result = runner.invoke(sandbox_group, mismatched)
    assert result.exit_code == 2 and "does not belong to the private key" in result.output


def test_serve_command_signs_and_verifies(keys: dict[str, KeyMaterial]) -> None:
    mine, server = keys["client-ec"], keys["server-rsa"]
    command = [
        *(sys.executable, "-m", "boomisoap.sandbox", "serve", "--port", "0"),
        *("--rate-limit", "off", "--user", f"u:{PASSWORD}"),
        *("--trust-cert", str(keys["intruder"].cert_path), "--trust-cert", str(mine.cert_path)),
        "--require-signature",
        *("--sign-key", str(server.key_path), "--sign-cert", str(server.cert_path)),
    ]
    # The server runs the boomisoap under test, wherever pytest was started from.
    source = str(Path(boomisoap.__file__).resolve().parent.parent)
    path = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = re.search(r"listening on (\S+) \(account (\S+)\)", line)
            assert match, line
            base_url, account_id = match.groups()
            options = {"account_id": account_id, "username": "u", "password": PASSWORD}
            options |= {"base_url": base_url, "rate_limit": None}
            with ApimClient(
                **options, signer=signer_for(mine), verify_responses=server.cert
            ) as apim:
                assert apim.plans.create(Plan(name="cli")).name == "cli"
            # Refused (403) as unsigned, in a fault signed by the emulator's key, which this
            # client does not trust: the response check comes first.
            distrustful = ApimClient(**options, verify_responses=mine.cert)
            with distrustful, pytest.raises(SignatureError, match="not trusted"):
                distrustful.plans.get("x")
            unsigned = ApimClient(**options, verify_responses=server.cert)
            with unsigned, pytest.raises(AuthenticationError, match="the request is not signed"):
                unsigned.plans.get("x")
        finally:
            process.terminate()
            process.wait(timeout=20)
