"""The `audit` command group: show, search, export, verify, replay."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from audit_helpers import PASSWORD, SqliteTamper, exchange
from click.testing import CliRunner
from lxml import etree

from boomisoap.audit import AuditLog
from boomisoap.cli.audit import audit
from boomisoap.namespaces import WSSE, WSU


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "cli.db"
    with AuditLog.open(f"sqlite://{path}") as log:
        for i in range(5):
            log.record(exchange(i, operation="get" if i < 3 else "query"))
    return f"sqlite://{path}", path


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(audit, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_show(db):
    url, _ = db
    code, out = run("show", url, "--seq", "2")
    assert code == 0
    assert "record 2 of stream main" in out and "***REDACTED***" in out
    assert "Authorization: Bearer ***REDACTED***" in out
    code, out = run("show", url)
    assert code == 0 and "record 5 of stream main" in out
    code, out = run("show", url, "--seq", "2", "--output", "json")
    assert json.loads(out)["seq"] == 2
    assert run("show", url, "--seq", "99")[0] == 1


def test_search(db):
    url, _ = db
    code, out = run("search", url, "--operation", "query")
    assert code == 0 and len(out.splitlines()) == 2
    code, out = run("search", url, "--object-id", "key-1", "--output", "json")
    found = json.loads(out)
    assert [r["seq"] for r in found] == [2]
    code, out = run("search", url, "--since", "2026-03-01T12:00:03", "--output", "json")
    assert [r["seq"] for r in json.loads(out)] == [4, 5]
    assert run("search", url, "--since", "yesterday")[0] == 2


def test_export(db, tmp_path):
    url, _ = db
    dest = tmp_path / "out.jsonl"
    assert run("export", url, "--format", "jsonl", "--dest", str(dest))[0] == 0
    lines = dest.read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3, 4, 5]
    folder = tmp_path / "files"
    assert run("export", url, "--format", "files", "--dest", str(folder))[0] == 0
    record = folder / "main" / "00000003"
    assert sorted(p.name for p in record.iterdir()) == ["meta.json", "request.xml", "response.xml"]
    etree.fromstring((record / "request.xml").read_bytes())


def test_verify_exit_codes(db, tmp_path):
    url, path = db
    code, out = run("verify", url)
    assert code == 0 and "checked 5 records" in out and "OK" in out
    SqliteTamper(str(path)).edit_body(3)
    code, out = run("verify", url)
    assert code == 1 and "first broken record 3" in out
    assert run("verify", "nosuch://x")[0] == 2
    assert run("verify", url, "--hmac-key-env", "NO_SUCH_VAR_SET")[0] == 2


def test_verify_with_hmac_key(tmp_path):
    url = f"jsonl://{tmp_path}/h.jsonl"
    with AuditLog.open(url, hmac_key=b"k3y") as log:
        log.record(exchange(0))
    assert run("verify", url, "--hmac-key-env", "KEY", env={"KEY": "k3y"})[0] == 0
    assert run("verify", url, "--hmac-key-env", "KEY", env={"KEY": "other"})[0] == 1
    assert run("verify", url)[0] == 1


class _Echo(BaseHTTPRequestHandler):
    seen: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Echo.seen.append((self.path, dict(self.headers), body))
        answer = (
            b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
            b'<r xmlns="urn:x" key="fresh-key-value-1">new</r></S:Body></S:Envelope>'
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Echo.seen.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/prefix"
    httpd.shutdown()
    httpd.server_close()


def test_replay_with_fresh_token(db, server):
    url, _ = db
    code, out = run(
        "replay", url, "2", "--base-url", server, "--username", "carol",
        "--password-env", "NEWPW", env={"NEWPW": "n3w-Pa55"},
    )  # fmt: skip
    assert code == 0, out
    path, headers, body = _Echo.seen[-1]
    assert path == "/prefix/apim/api/soap/v1/acct-1"
    assert headers["Content-Type"] == "text/xml; charset=utf-8"
    assert "Authorization" not in headers and "Cookie" not in headers
    root = etree.fromstring(body)
    ns = {"wsse": WSSE, "wsu": WSU}
    tokens = root.findall(".//wsse:UsernameToken", ns)
    assert len(tokens) == 1
    assert tokens[0].findtext("wsse:Username", namespaces=ns) == "carol"
    assert tokens[0].findtext("wsse:Password", namespaces=ns) == "n3w-Pa55"
    assert tokens[0].find("wsse:Password", ns).get("Type").endswith("#PasswordText")
    assert len(tokens[0].findtext("wsse:Nonce", namespaces=ns)) == 24
    assert tokens[0].findtext("wsu:Created", namespaces=ns).endswith("Z")
    assert b"***REDACTED***" not in body and b"objectId>plan-1<" in body
    assert "=== recorded response: 200" in out and "=== new response: 200" in out
    assert "n3w-Pa55" not in out and "fresh-key-value-1" not in out
    assert PASSWORD not in out


def test_replay_usage_errors(db, server):
    url, _ = db
    args = ["replay", url, "2", "--base-url", server, "--username", "u"]
    assert run(*args, "--password-env", "UNSET_PW_VAR")[0] == 2
    assert run(*args)[0] == 2
    assert run("replay", url, "77", "--base-url", server, "--username", "u",
               "--password-env", "P", env={"P": "x"})[0] == 1  # fmt: skip
