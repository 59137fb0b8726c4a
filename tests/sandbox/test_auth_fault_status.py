"""The HTTP status of SOAP authentication faults, and the client reading every form.

Boomi documents 403 for bad credentials; WS-I Basic Profile R1126 puts every SOAP Fault on
HTTP 500, and a strict WS-I client reads the Fault only there. The emulator sends 403 by
default and ``auth_fault_status=500`` (or 401) on request; the fault itself is the same
(``S:Client``, detail statusCode 403). Our client raises AuthenticationError for each,
and for a WSS4J server's ``wsse:FailedAuthentication`` Fault on HTTP 500 without detail.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

import boomisoap
from boomisoap import ApimClient, AuthenticationError, BoomiFault, NotFound
from boomisoap.cli.sandbox import sandbox_group
from boomisoap.namespaces import SOAP_ENV, WSSE
from boomisoap.sandbox import Sandbox

from .helpers import GET_PLAN, SOAP_HEADERS, envelope, fault, post, security, token


def client(base_url: str, password: str, account_id: str = "acct-1") -> ApimClient:
    return ApimClient(
        account_id=account_id,
        username="u",
        password=password,
        base_url=base_url,
        rate_limit=None,
        retries=0,
    )


@pytest.mark.parametrize("status", [401, 403, 500])
def test_authentication_faults_travel_with_the_configured_status(status: int) -> None:
    with Sandbox.start(users={"u": "p"}, rate_limit=None, auth_fault_status=status) as sb:
        wrong = post(sb, envelope(GET_PLAN, security(token("u", "wrong"))))
        assert wrong.status_code == status
        code, detail, message = fault(wrong)
        assert (code, detail) == ("S:Client", 403)
        assert "Incorrect user name and password" in message
        # Other faults keep theirs: a 404 is a Client fault on HTTP 500.
        missing = post(sb, envelope(GET_PLAN))
        assert missing.status_code == 500 and fault(missing)[1] == 404
        for password, error in (("wrong", AuthenticationError), ("p", NotFound)):
            with client(sb.base_url, password) as apim, pytest.raises(error):
                apim.plans.get("no-such-plan")
        with client(sb.base_url, "p", "someone-else") as apim, pytest.raises(AuthenticationError):
            apim.plans.get("x")  # a foreign account: 403 too, on the configured status


def test_the_default_is_boomis_403() -> None:
    with Sandbox.start(users={"u": "p"}, rate_limit=None) as sb:
        assert post(sb, envelope(GET_PLAN, security(token("u", "x")))).status_code == 403


@pytest.mark.parametrize("value", [200, 404, "500", True, None])
def test_other_statuses_are_refused_before_anything_starts(value: Any) -> None:
    with pytest.raises(ValueError, match="auth_fault_status must be one of 401, 403, 500"):
        Sandbox(auth_fault_status=value)


def test_the_serve_command_takes_the_option() -> None:
    result = CliRunner().invoke(sandbox_group, ["serve", "--auth-fault-status", "404"])
    assert result.exit_code == 2 and "--auth-fault-status" in result.output


def test_the_serve_command_sends_authentication_faults_on_500() -> None:
    command = [sys.executable, "-m", "boomisoap.sandbox", "serve", "--port", "0"]
    command += ["--rate-limit", "off", "--user", "u:p", "--auth-fault-status", "500"]
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
            base_url, account = match.groups()
            url = f"{base_url}/apim/api/soap/v1/{account}"
            wrong = envelope(GET_PLAN, security(token("u", "wrong")))
            answer = requests.post(url, data=wrong, headers=SOAP_HEADERS, timeout=10)
            assert answer.status_code == 500
            assert fault(answer)[:2] == ("S:Client", 403)
            with client(base_url, "wrong", account) as apim, pytest.raises(AuthenticationError):
                apim.plans.get("x")
        finally:
            process.terminate()
            process.wait(timeout=20)


# --- a WSS4J-style server: wsse: fault codes on HTTP 500, no Boomi detail ---------------

WSS4J_FAULT = (
    f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><soap:Fault>'
    f'<faultcode xmlns:ns1="{WSSE}">ns1:{{code}}</faultcode>'
    "<faultstring>{text}</faultstring>"
    "</soap:Fault></soap:Body></soap:Envelope>"
)


class _Canned(BaseHTTPRequestHandler):
    answer: bytes = b""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(500)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def canned() -> Iterator[type[_Canned]]:
    handler = type("Handler", (_Canned,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("FailedAuthentication", AuthenticationError),
        ("InvalidSecurity", AuthenticationError),
        ("MessageExpired", AuthenticationError),
    ],
)
def test_the_client_reads_a_wss4j_fault(canned: Any, code: str, expected: type) -> None:
    text = "The security token could not be authenticated or authorized"
    canned.answer = WSS4J_FAULT.format(code=code, text=text).encode()
    with client(canned.base_url, "p") as apim, pytest.raises(expected) as raised:
        apim.plans.get("x")
    assert raised.value.status_code == 403


def test_a_plain_server_fault_on_500_is_not_an_authentication_error(canned: Any) -> None:
    answer = WSS4J_FAULT.format(code="x", text="boom").replace(f'xmlns:ns1="{WSSE}"', "")
    canned.answer = answer.replace("ns1:x", "soap:Server").encode()
    # Without a detail a Server fault on 500 is a plain BoomiFault (issue: a ServiceUnavailable
    # only for HTTP 503), and never an authentication error.
    with client(canned.base_url, "p") as apim, pytest.raises(BoomiFault) as raised:
        apim.plans.get("x")
    assert type(raised.value) is BoomiFault and raised.value.fault_code == "Server"
    assert not isinstance(raised.value, AuthenticationError)
