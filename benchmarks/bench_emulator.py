"""Emulator throughput under ``wrk``: SOAP ``plans.get`` with 16 keep-alive connections.

Every server runs in its own process and the load comes from ``wrk`` (Debian package
``wrk``) in another, so neither shares an interpreter with what it measures. The emulator
(rate limit and request log off) is measured next to the floor: the same waitress, with
the same settings, threads and number of processes (``--workers``), answering the
emulator's own recorded answer. Variants:

- PasswordText without Nonce or Created (Boomi's own example): one body, sent again and
  again; the replay cache is not involved, and the emulator reads the bytes once
  (sandbox/prepared.py), judging the password and the object on every request;
- PasswordText with a Nonce and Created, as boomisoap's client sends it: every body its own
  bytes, so each is read whole;
- PasswordDigest: each request its own Nonce, Created and digest, prepared in advance (the
  replay cache refuses a repeated Nonce), read by the Lua script;
- the server-side audit trail on (a synchronous SQLite store), PasswordText.

Each variant is measured ``SAMPLES`` times, taking turns. Without ``wrk`` the suite is
skipped, except under ``CI=true`` where a missing tool fails (the project's rule).

    python -m benchmarks.bench_emulator [--quick] [--threads N] [--workers N]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.stats import SAMPLES, figure

CONNECTIONS = 16
PLAN_ID = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"  # seed 001's apiTestKh, in the demo data
USER, PASSWORD = "u", "p"
DIGEST_USERS = [f"digest-{n}" for n in range(8)]
NONCE_USERS = [f"nonce-{n}" for n in range(8)]
WORKLOAD = f"emulator under wrk, SOAP plans.get, {CONNECTIONS} connections"

# Cycles through the bodies of the file named after "--", one per line; prints one JSON
# line of figures when done (wrk's own summary is for people).
LUA = r"""
local bodies, n = {}, 0
function init(args)
  for line in io.lines(args[1]) do n = n + 1; bodies[n] = line end
end
local i = 0
function request()
  i = i % n + 1
  return wrk.format("POST", nil, {["Content-Type"] = "text/xml; charset=utf-8",
                                  ["SOAPAction"] = '""'}, bodies[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(99)))
end
"""

SERVER = r"""
import json, logging, sys, threading
logging.getLogger("waitress.queue").setLevel(logging.ERROR)
options = json.loads(sys.argv[1])
if options.pop("floor", False):
    from benchmarks.bench_emulator import fixed_server
    url = fixed_server(options)
else:
    from boomisoap.sandbox import Sandbox
    sandbox = Sandbox.start(**options)
    url = f"{sandbox.base_url}/apim/api/soap/v1/{sandbox.account_id}"
print(url, flush=True)
sys.stdin.read()  # serve until the parent closes the pipe
import os, signal
os.kill(os.getpid(), signal.SIGTERM)  # the floor's handler also ends its forked workers
"""


def envelope(
    password: str, password_type: str, nonce: str = "", created: str = "", user: str = USER
) -> bytes:
    from boomisoap.namespaces import WSSE, WSU

    extra = f"<wsse:Nonce>{nonce}</wsse:Nonce><wsu:Created>{created}</wsu:Created>" if nonce else ""
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:soap="http://soap.apim.api.platform.boomi.com/" '
        'xmlns:apim="http://apim.api.platform.boomi.com/">'
        f'<soapenv:Header><wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}">'
        f"<wsse:UsernameToken><wsse:Username>{user}</wsse:Username>"
        f'<wsse:Password Type="{password_type}">{password}</wsse:Password>{extra}'
        "</wsse:UsernameToken></wsse:Security></soapenv:Header><soapenv:Body><soap:get>"
        f"<apim:objectType>Plan</apim:objectType><apim:objectId>{PLAN_ID}</apim:objectId>"
        "</soap:get></soapenv:Body></soapenv:Envelope>"
    ).encode()


def text_bodies() -> list[bytes]:
    from boomisoap.namespaces import PASSWORD_TEXT

    return [envelope(PASSWORD, PASSWORD_TEXT)]


def digest_bodies(count: int, user: str = USER, *, digest: bool = True) -> list[bytes]:
    """``count`` requests of ``user``, each with its own Nonce and so bytes of its own:
    PasswordDigest, or (``digest=False``) PasswordText as boomisoap's client sends it.

    The emulator remembers at most 100,000 live Nonces per user (the replay cache's share,
    then 503): each run signs in as a user of its own (``DIGEST_USERS``, ``NONCE_USERS``)."""
    from boomisoap.namespaces import PASSWORD_DIGEST, PASSWORD_TEXT
    from boomisoap.wsse.username import password_digest

    created = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    bodies = []
    for _ in range(count):
        raw = os.urandom(16)
        nonce = base64.b64encode(raw).decode()
        if digest:
            token = password_digest(PASSWORD, raw, created)
            bodies.append(envelope(token, PASSWORD_DIGEST, nonce, created, user))
        else:
            bodies.append(envelope(PASSWORD, PASSWORD_TEXT, nonce, created, user))
    return bodies


def fixed_server(options: dict[str, Any]) -> str:
    """The floor: the emulator's waitress settings, answering recorded bytes, in as many
    processes as the emulator's ``workers`` (forked here, sharing one listening socket)."""
    import signal
    import socket
    import threading

    from boomisoap.sandbox.server import create_server, serve

    body = base64.b64decode(options["body"])
    headers = [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))]

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        environ["wsgi.input"].read()
        start_response("200 OK", headers)
        return [body]

    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(1024)
    children = []
    for _ in range(options.get("workers", 1) - 1):
        pid = os.fork()  # before any thread is started
        if pid == 0:
            server = create_server(app, "", 0, options["threads"], 1024 * 1024, [listening])
            serve(server, threading.Event())
            os._exit(0)
        children.append(pid)

    def stop(*_: Any) -> None:
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    server = create_server(app, "", 0, options["threads"], 1024 * 1024, [listening])
    threading.Thread(target=serve, args=(server, threading.Event()), daemon=True).start()
    return f"http://127.0.0.1:{listening.getsockname()[1]}/apim/api/soap/v1/acct-1"


@contextlib.contextmanager
def server(options: dict[str, Any]) -> Iterator[str]:
    """A server in its own process; its URL."""
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, json.dumps(options)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the benchmark server did not start: {url!r}")
        yield url
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.terminate()
        process.wait(timeout=10)


def wrk(url: str, bodies: list[bytes], seconds: int, tmp: Path) -> dict[str, Any]:
    """One ``wrk`` run (one thread: the other core is the server's) and its figures."""
    script, data = tmp / "get.lua", tmp / "bodies.txt"
    script.write_text(LUA)
    data.write_bytes(b"\n".join(bodies) + b"\n")
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script)]
    done = subprocess.run(
        [*command, url, "--", str(data)], capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "rps": found["requests"] / (found["duration_us"] / 1e6),
        "p50_ms": found["p50_us"] / 1000,
        "p99_ms": found["p99_us"] / 1000,
        "errors": found["errors"] + found["status_errors"],
        "requests": found["requests"],
    }


def _answer(url: str) -> bytes:
    import urllib.request

    request = urllib.request.Request(
        url, data=text_bodies()[0], headers={"Content-Type": "text/xml; charset=utf-8"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
        return bytes(answer.read())


def skipped(reason: str) -> list[dict[str, Any]]:
    return [{"workload": WORKLOAD, "variant": f"skipped: {reason}"}]


def run(quick: bool = False, threads: int | None = None, workers: int = 1) -> list[dict[str, Any]]:
    if shutil.which("wrk") is None:
        if os.environ.get("CI") == "true":
            raise RuntimeError("wrk is not installed (Debian package wrk; scripts/test)")
        return skipped("wrk is not installed (Debian package wrk)")
    from boomisoap.sandbox.server import DEFAULT_THREADS

    seconds = 1 if quick else 6  # wrk takes whole seconds
    rounds = SAMPLES if quick else 5
    emulator = {
        "users": {name: PASSWORD for name in (USER, *DIGEST_USERS, *NONCE_USERS)},
        "seed_demo": True,
        "rate_limit": None,
        "workers": workers,
    }
    if threads is not None:
        emulator["threads"] = threads  # else each server's default (audited: AUDIT_THREADS)
    floor_threads = DEFAULT_THREADS if threads is None else threads
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        audited = {**emulator, "audit": f"sqlite:///{root}/server-audit.sqlite3"}
        with server(emulator) as plain_url, server(audited) as audit_url:
            recorded = _answer(plain_url)
            floor_options = {
                "floor": True,
                "threads": floor_threads,
                "workers": workers,
                "body": "",
            }
            floor_options["body"] = base64.b64encode(recorded).decode()
            with server(floor_options) as floor_url:
                # Each round's digest requests sign in as a user of their own: one user's
                # share of the replay cache (live for 360 s) would fill within a run.
                variants: dict[str, tuple[str, Callable[[int], list[bytes]]]] = {
                    "floor (same waitress, fixed answer)": (floor_url, lambda _: text_bodies()),
                    "emulator, PasswordText": (plain_url, lambda _: text_bodies()),
                    "emulator, PasswordText with Nonce, every body distinct": (
                        plain_url,
                        lambda n: digest_bodies(_budget(seconds), NONCE_USERS[n], digest=False),
                    ),
                    "emulator, PasswordDigest": (
                        plain_url,
                        lambda n: digest_bodies(_budget(seconds), DIGEST_USERS[n]),
                    ),
                    "emulator, PasswordText, audit trail on": (
                        audit_url,
                        lambda _: text_bodies(),
                    ),
                }
                for url, _ in variants.values() if not quick else ():
                    wrk(url, text_bodies(), 1, root)  # warm every server up
                found: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
                for n in range(rounds):
                    for name, (url, bodies) in variants.items():
                        found[name].append(wrk(url, bodies(n), seconds, root))
    floor = sorted(s["rps"] for s in found["floor (same waitress, fixed answer)"])
    floor_median = floor[len(floor) // 2]
    rows = []
    for name, samples in found.items():
        is_floor = name.startswith("floor")
        p99 = sorted(s["p99_ms"] for s in samples)
        rows.append(
            figure(
                WORKLOAD,
                name,
                "req/s",
                [s["rps"] for s in samples],
                baseline="" if is_floor else "floor",
                baseline_median=None if is_floor else floor_median,
                digits=0,
                threads=_threads_of(name, threads),
                workers=workers,
                p50_ms=round(sorted(s["p50_ms"] for s in samples)[len(samples) // 2], 2),
                p99_ms=round(p99[len(p99) // 2], 2),
                p99_max_ms=round(p99[-1], 2),
                errors=sum(s["errors"] for s in samples),
                target=(
                    "ratio >= 0.5; median >= 2500; p99_ms <= 20; errors <= 0"
                    if name == "emulator, PasswordText"
                    else ""
                ),
            )
        )
    return rows


def _threads_of(variant: str, threads: int | None) -> int:
    """The waitress threads a variant's server ran with (0: answered on the server loop)."""
    from boomisoap.sandbox.server import AUDIT_THREADS, DEFAULT_THREADS

    if threads is not None:
        return threads
    return AUDIT_THREADS if "audit" in variant else DEFAULT_THREADS


def _budget(seconds: int) -> int:
    """Distinct digest requests enough for one run (a repeated Nonce would be refused)."""
    return int(12_000 * seconds) + 1_000


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 s per run instead of 6")
    parser.add_argument(
        "--threads", type=int, default=None, help="waitress worker threads (0: inline)"
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes (the floor's too)")
    options = parser.parse_args()
    from benchmarks.__main__ import print_table

    print_table(run(quick=options.quick, threads=options.threads, workers=options.workers))


if __name__ == "__main__":
    main()
