"""The read-only web viewer, `boomisoap audit serve`, in headless Chromium (Playwright
driving Debian's chromium): list, search, a record with its redaction markers, the
proof download checked offline, and access control off loopback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from audit_helpers import SECRETS, exchange
from required import missing

from boomisoap.audit import AuditLog
from boomisoap.audit.proofs import check_proof
from boomisoap.audit.signing import load_public_key, write_key_pair

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "viewer-token-5c1e0a7d"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("viewer")
    key, public = write_key_pair(folder / "signer.pem")
    url = f"sqlite://{folder / 'audit.db'}"
    with AuditLog.open(url, signing_key=key, checkpoint_every=4) as log:
        for i in range(7):
            log.record(
                exchange(
                    i,
                    operation="query" if i % 3 == 0 else "get",
                    outcome="fault" if i == 5 else "ok",
                    correlation_id="shared-cid" if i in (2, 4) else f"cid-{i}",
                )
            )
    return url, public


def _serve(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "boomisoap.cli", "audit", "serve", url, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def _base(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("serving "):
            return line.split()[1]
    raise AssertionError(f"the viewer did not start (exit {proc.wait()})")


@pytest.fixture(scope="module")
def viewer(store: tuple[str, Path]) -> Iterator[str]:
    proc = _serve(store[0], "--public-key", str(store[1]))
    try:
        yield _base(proc)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright", "pip install playwright")
    if not Path(CHROMIUM).exists():
        missing(f"chromium at {CHROMIUM}", "apt-get install chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    p = context.new_page()
    yield p
    context.close()


def test_list_search_record_markers_and_proof(page, viewer, store, tmp_path):
    page.goto(viewer)
    assert page.locator("#verification").inner_text().startswith("Verification: OK")
    assert (
        "Latest signed checkpoint of main: 7 records" in page.locator("#checkpoints").inner_text()
    )
    assert page.locator("tr.record").count() == 7

    page.select_option("select[name=outcome]", "fault")
    page.click("#search")
    assert page.locator("tr.record").count() == 1
    page.goto(viewer)
    page.fill("input[name=correlation_id]", "shared-cid")
    page.fill("input[name=operation]", "get")
    page.click("#search")
    rows = page.locator("tr.record td:first-child")
    assert [rows.nth(i).inner_text() for i in range(rows.count())] == ["3", "5"]
    page.goto(viewer + "?object_id=key-6&since=2026-03-01T12:00:05")
    assert page.locator("tr.record").count() == 1

    page.goto(viewer)
    page.click("#records a[href='/record/main/4']")
    page.wait_for_selector("#request")
    assert page.locator("h1").inner_text() == "Record 4 of stream main"
    marks = page.locator("mark.redacted")
    assert marks.count() >= 6  # password, nonce, bearer, cookie, OTP, the ApiKey's key
    assert marks.first.inner_text() == "***REDACTED***"
    assert page.locator("#request .body mark.redacted").count() >= 2
    assert page.locator("#response .body mark.redacted").count() >= 1
    assert "<wsse:Password" in page.locator("#request .body").inner_text()  # pretty XML
    html = page.content()
    for secret in SECRETS:
        assert secret not in html

    shot = tmp_path / "audit-viewer-record.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / shot.name)

    with page.expect_download() as info:
        page.click("#download-proof")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    proof = json.loads(saved.read_text())
    assert proof["record"]["seq"] == 4
    result = check_proof(proof, load_public_key(store[1]))
    assert result.ok, result.reason


def test_the_viewer_cannot_write(viewer):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = requests.request(method, viewer, timeout=10)
        assert response.status_code == 405
    missing = requests.get(viewer + "record/main/99", timeout=10)
    assert missing.status_code == 404


def test_a_non_loopback_bind_needs_a_token(store, page):
    url = store[0]
    refused = _serve(url, "--host", "0.0.0.0")
    _, err = refused.communicate(timeout=30)
    assert refused.returncode == 2 and "without an access token" in err

    proc = _serve(url, "--host", "0.0.0.0", "--token-env", "VIEWER_TOKEN",
                  env={"VIEWER_TOKEN": TOKEN})  # fmt: skip
    try:
        base = _base(proc).replace("0.0.0.0", "127.0.0.1")
        plain = requests.get(base, timeout=10)
        assert plain.status_code == 401 and "access token required" in plain.text
        wrong = requests.get(base, headers={"Authorization": "Bearer nope"}, timeout=10)
        assert wrong.status_code == 401
        assert requests.get(base + "record/main/1/proof.json", timeout=10).status_code == 401
        bearer = requests.get(base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        assert bearer.status_code == 200
        page.goto(f"{base}?token={TOKEN}")
        assert "?token" not in page.url  # kept in an HttpOnly cookie instead
        assert page.locator("tr.record").count() == 7
    finally:
        proc.terminate()
        proc.wait(10)


def test_pages_escape_what_the_store_holds(tmp_path):
    """A recorded body is data, never markup: a script in it is shown, not run."""
    url = f"sqlite://{tmp_path / 'x.db'}"
    hostile = b"<r><script>alert(1)</script><password>hunter2-secret</password></r>"
    with AuditLog.open(url) as log:
        log.record(exchange(0, request_body=hostile, response_body=b"not xml <b>bold</b>"))
    from boomisoap.audit.viewer import create_app

    client = create_app(url).test_client()
    html = client.get("/record/main/1").get_data(as_text=True)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html
    assert "hunter2-secret" not in html
    assert '<mark class="redacted">***REDACTED***</mark>' in html
    assert "default-src 'none'" in client.get("/").headers["Content-Security-Policy"]
