"""The request half redacted early gives the same record as redacting it all at once."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from audit_helpers import API_KEY, PASSWORD, apikey_response, exchange, password_text_envelope
from hypothesis import given, settings
from hypothesis import strategies as st

from boomisoap.audit import AuditLog
from boomisoap.audit.capture import RequestSide, draft
from boomisoap.http_session import new_session, while_waiting
from boomisoap.redact.structural import Redactor

FAULT_ECHO = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
    b"<faultcode>S:Client</faultcode><faultstring>bad password "
    + PASSWORD.encode()
    + b"</faultstring></S:Fault></S:Body></S:Envelope>"
)

CASES = {
    "secrets on both sides": exchange(1),
    # The fault repeats the request's password: an echo found on the request side.
    "response echoes the request": exchange(2, response_body=FAULT_ECHO),
    # The response reveals a key the request carried in free text: found only after
    # the response, it must still be scrubbed from the request half.
    "request echoes the response": exchange(
        3,
        request_body=password_text_envelope(body=f"<note>copy of {API_KEY}</note>"),
        response_body=apikey_response(),
    ),
    # A request secret inside a longer response secret: the longer goes first.
    "nested echoes": exchange(
        4,
        request_body=password_text_envelope(body=f"<note>{PASSWORD}-suffix</note>"),
        response_body=apikey_response(key=f"{PASSWORD}-suffix"),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_prepared_request_gives_the_same_draft(name):
    e = CASES[name]
    redactor = Redactor()
    expected = draft(e, redactor)
    ran = RequestSide(e.url, e.request_headers, e.request_body, redactor)
    ran.run()
    assert draft(e, redactor, ran) == expected
    unrun = RequestSide(e.url, e.request_headers, e.request_body, redactor)
    assert draft(e, redactor, unrun) == expected
    # Prepared for other bytes (a retry rebuilt the body): not used.
    other = RequestSide(e.url, e.request_headers, b"<other/>", redactor)
    other.run()
    assert draft(e, redactor, other) == expected
    for secret in (PASSWORD.encode(), API_KEY.encode()):
        assert secret not in expected.request_body
        assert secret not in (expected.response_body or b"")


def test_record_with_a_prepared_request(tmp_path):
    e = CASES["request echoes the response"]
    with AuditLog.open(f"sqlite:///{tmp_path / 'a.db'}") as log:
        prepared = log.prepare_request(e.url, e.request_headers, e.request_body)
        prepared.run()
        first = log.record(e, request=prepared)
        second = log.record(e)
        assert first is not None and second is not None
        assert first.request_body == second.request_body
        assert first.response_body == second.response_body
        assert log.verify().ok


class _HoldingHandler(BaseHTTPRequestHandler):
    """Answers once the client's waiting job has run, or after ``hold`` seconds."""

    job_ran = threading.Event()
    hold = 5.0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        answered_in_time = self.job_ran.wait(timeout=self.hold)
        body = b"job ran first" if answered_in_time else b"job did not run"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_waiting_job_runs_while_the_server_holds_the_answer():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HoldingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    session = new_session()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        with while_waiting(_HoldingHandler.job_ran.set):
            answer = session.post(url, data=b"<ping/>", timeout=10)
        assert answer.content == b"job ran first"
        # Outside the block no job runs.
        _HoldingHandler.job_ran.clear()
        _HoldingHandler.hold = 0.05
        answer = session.post(url, data=b"<ping/>", timeout=10)
        assert answer.content == b"job did not run"
    finally:
        session.close()
        server.shutdown()
        server.server_close()


@settings(max_examples=300, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.text(), st.text())),
    items=st.lists(st.text()),
)
def test_fast_meta_encoders_write_what_json_writes(pairs, items):
    """The canonical encoding depends on these being byte-identical to the json module."""
    import json

    from boomisoap.audit.encoding import pairs_text, strings_text

    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    assert pairs_text(pairs) == dumps(pairs)
    assert strings_text(items) == dumps(items)
