"""Schema construction under concurrency, in fresh processes (issue 15, point 7).

libxml2 fills process-wide tables the first time it parses a schema, and did so unlocked:
threads building their first schemas at once got ``XMLSchemaParseError`` or aborted the
process (``double free or corruption``), and a process that hit it stayed broken. The race
only exists before anything has been built, so every round is a fresh interpreter whose
threads meet at a barrier and then make their first call: a request envelope (zeep and the
libxml2 screen), a refused request (the xmlschema report) and a response read in the
default open mode and in strict mode (the derived schema of docs/choices.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boomisoap

ROUNDS = 50
THREADS = 8
ROOT = Path(boomisoap.__file__).resolve().parent.parent

GROWN = (
    '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
    '<ns4:getResponse xmlns:ns4="http://soap.apim.api.platform.boomi.com/" '
    'xmlns:apim="http://apim.api.platform.boomi.com/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<apim:result xsi:type="apim:Plan" name="n" status="ARCHIVED" createdBy="x">'
    "<apim:sla/></apim:result></ns4:getResponse></S:Body></S:Envelope>"
)

SCRIPT = f"""
import threading, warnings
from boomisoap import ApimClient, EnvelopeValidationError, PlatformClient
from boomisoap.models.registry import spec_for
from boomisoap.validation import validate_envelope
from boomisoap.xmlsafe import parse

GROWN = {GROWN!r}.encode()
# A known field wrongly typed: refused in every policy, with xmlschema's detailed report.
WRONG = GROWN.replace(b'status="ARCHIVED" createdBy="x"><apim:sla/>', b'rateLimit="-5">')
assert WRONG != GROWN

barrier = threading.Barrier({THREADS})
failures = []

def work(i):
    try:
        cls, name = (ApimClient, "Plan") if i % 2 else (PlatformClient, "Account")
        client = cls(account_id="a", username="u", password="p",
                     base_url="http://127.0.0.1:9", rate_limit=None)
        barrier.wait()
        if i % 4 == 1:
            # The open policy's first use: table, relaxed documents, libxml2 schema.
            child = validate_envelope(parse(GROWN), direction="response", policy="open")
            assert child.tag.endswith("getResponse")
            try:
                validate_envelope(parse(GROWN), direction="response", policy="strict")
            except EnvelopeValidationError:
                pass
            else:
                raise AssertionError("strict accepted an unknown attribute")
        elif i % 4 == 3:
            try:
                validate_envelope(parse(WRONG), direction="response", policy="strict")
            except EnvelopeValidationError as exc:
                assert "result" in exc.path, exc.path
            else:
                raise AssertionError("a negative rateLimit was accepted")
        else:
            assert b"objectId" in client.envelope("get", spec_for(name), "x")
    except BaseException as exc:
        failures.append(f"{{type(exc).__name__}}: {{exc}}")

threads = [threading.Thread(target=work, args=(i,)) for i in range({THREADS})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(failures[0] if failures else "OK")
"""


def test_first_schema_builds_at_a_barrier_in_fresh_processes() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outcomes = []
    for _ in range(ROUNDS):
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        last = (done.stdout.strip().splitlines() or [""])[-1]
        outcomes.append((done.returncode, last, done.stderr.strip()[-300:]))
    bad = [outcome for outcome in outcomes if outcome[:2] != (0, "OK")]
    assert bad == [], f"{len(bad)} of {ROUNDS} fresh processes failed, first: {bad[0]}"
