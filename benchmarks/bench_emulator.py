"""Emulator throughput: SOAP ``get`` requests per second with 16 keep-alive clients.

The emulator (rate limit off) is measured next to the same waitress server answering a fixed
response: the floor that shows what the HTTP server alone costs on this machine. The clients
run in a separate process (16 threads, one keep-alive ``http.client`` connection each) with
their envelopes built in advance, each with its own nonce, so the measurement is the server's.

    python -m benchmarks.bench_emulator [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import logging
import multiprocessing
import threading
import time
from typing import Any
from urllib.parse import urlsplit

CLIENTS = 16
PLAN_ID = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"  # seed 001's apiTestKh, in the demo data


def _envelope(nonce: int) -> bytes:
    import base64
    from datetime import UTC, datetime

    from boomisoap.namespaces import PASSWORD_TEXT, WSSE, WSU

    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    encoded = base64.b64encode(nonce.to_bytes(16, "big")).decode()
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:soap="http://soap.apim.api.platform.boomi.com/" '
        'xmlns:apim="http://apim.api.platform.boomi.com/">'
        f'<soapenv:Header><wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}">'
        f'<wsse:UsernameToken><wsse:Username>u</wsse:Username><wsse:Password Type="'
        f'{PASSWORD_TEXT}">p</wsse:Password><wsse:Nonce>{encoded}</wsse:Nonce>'
        f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"
        "</soapenv:Header><soapenv:Body><soap:get><apim:objectType>Plan</apim:objectType>"
        f"<apim:objectId>{PLAN_ID}</apim:objectId></soap:get></soapenv:Body></soapenv:Envelope>"
    ).encode()


def _client_thread(url: str, bodies: list[bytes], deadline: float, out: list[Any]) -> None:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    latencies: list[float] = []
    errors = 0
    for body in bodies:
        if time.perf_counter() >= deadline:
            break
        started = time.perf_counter()
        try:
            connection.request("POST", parts.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
    connection.close()
    out.append((latencies, errors))


def _client_process(url: str, seconds: float, per_client: int, offset: int, queue: Any) -> None:
    bodies = [
        [_envelope(offset + c * per_client + i) for i in range(per_client)] for c in range(CLIENTS)
    ]
    results: list[Any] = []
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(target=_client_thread, args=(url, bodies[c], deadline, results))
        for c in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    queue.put(
        {
            "requests": len(latencies),
            "errors": sum(e for _, e in results),
            "seconds": elapsed,
            "latencies": latencies,
        }
    )


def _measure(name: str, url: str, seconds: float, per_client: int, offset: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(
        target=_client_process, args=(url, seconds, per_client, offset, queue)
    )
    process.start()
    found = queue.get(timeout=seconds + 300)
    process.join(timeout=30)
    latencies = found.pop("latencies")

    def percentile(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "workload": f"emulator throughput: SOAP get, {CLIENTS} keep-alive clients",
        "variant": name,
        "clients": CLIENTS,
        "requests": found["requests"],
        "errors": found["errors"],
        "seconds": round(found["seconds"], 3),
        "rps": round(found["requests"] / found["seconds"], 1),
        "p50_ms": round(percentile(0.50), 2),
        "p99_ms": round(percentile(0.99), 2),
    }


class _FixedServer:
    """The floor: waitress with the same settings, answering recorded bytes."""

    def __init__(self, body: bytes, threads: int) -> None:
        from waitress.server import create_server

        headers = [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))]

        def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            environ["wsgi.input"].read()
            start_response("200 OK", headers)
            return [body]

        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.effective_port}/apim/api/soap/v1/acct-1"

    def close(self) -> None:
        from waitress import wasyncore

        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(timeout=10)
        self.server.task_dispatcher.shutdown()


def run(quick: bool = False, threads: int | None = None) -> list[dict[str, Any]]:
    """Measure the floor and the emulator; one dict of figures each, then the ratio."""
    import requests

    from boomisoap.sandbox import Sandbox
    from boomisoap.sandbox.server import DEFAULT_THREADS

    threads = threads or DEFAULT_THREADS
    # waitress warns whenever its workers are all busy: the point of a benchmark.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    seconds = 2.0 if quick else 8.0
    per_client = 4000 if quick else 12000
    options = {"users": {"u": "p"}, "seed_demo": True, "rate_limit": None, "threads": threads}
    with Sandbox.start(**options) as sandbox:
        url = f"{sandbox.base_url}/apim/api/soap/v1/{sandbox.account_id}"
        sample = requests.post(
            url, data=_envelope(1), timeout=10, headers={"Content-Type": "text/xml"}
        )
        assert sample.status_code == 200, sample.text
        _measure("warm-up", url, 0.5, 200, 10**6)
        emulator = _measure("emulator", url, seconds, per_client, 10**7)
    floor_server = _FixedServer(sample.content, threads)
    try:
        floor = _measure("floor", floor_server.url, seconds, per_client, 10**8)
    finally:
        floor_server.close()
    ratio = emulator["rps"] / floor["rps"] if floor["rps"] else 0.0
    emulator["of_floor"] = round(ratio, 3)
    return [floor, emulator]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 s per measurement instead of 8")
    parser.add_argument("--threads", type=int, default=None, help="waitress worker threads")
    options = parser.parse_args()
    from benchmarks.__main__ import print_table

    print_table(run(quick=options.quick, threads=options.threads))


if __name__ == "__main__":
    main()
