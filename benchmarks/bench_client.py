"""Client CPU cost per ``plans.get`` with the transport mocked, against bare zeep.

Both sides build the request from the same WSDL with a UsernameToken and parse the same
canned response; neither touches the network. boomisoap also validates the request and the
response against xsd/ and maps the result to a dataclass.

    python -m benchmarks.bench_client [--quick]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from typing import Any

import requests

from boomisoap import ApimClient
from boomisoap.resources import wsdl_path

RESPONSE = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
    b'<ns4:getResponse xmlns:apim="http://apim.api.platform.boomi.com/" '
    b'xmlns:bns="http://api.platform.boomi.com/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    b'xmlns:ns4="http://soap.apim.api.platform.boomi.com/">'
    b'<apim:result xsi:type="apim:Plan" status="DISABLED" quotaLimitUnit="DAY" '
    b'rateLimitUnit="SECOND" maxMessageSize="1024" name="apiTestKh" description="" '
    b'rateLimit="0" quotaLimit="0" planId="4d50decd-f2b6-d59e-53f4-22ec4f188bb1"/>'
    b"</ns4:getResponse></S:Body></S:Envelope>"
)
PLAN_ID = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"


class CannedSession(requests.Session):
    """A session that answers every request with the same envelope, in memory.

    The answer replaces ``Session.send``, where the network begins: both clients pay what
    they really do up to the socket (zeep: ``Session.request``, which prepares the request
    and re-reads the proxy variables and ~/.netrc; boomisoap: its own assembly).
    """

    def __init__(self, body: bytes = RESPONSE) -> None:
        super().__init__()
        self.body = body

    def send(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = requests.Response()
        response.status_code = 200
        response.raw = io.BytesIO(self.body)
        response.headers["Content-Type"] = "text/xml; charset=utf-8"
        return response


def boomisoap_call(signed: bool = False) -> Callable[[], Any]:
    options: dict[str, Any] = {}
    body = RESPONSE
    if signed:
        from benchmarks.keys import key_and_cert
        from boomisoap.wsse import X509Signer, sign_envelope

        client_key, client_cert = key_and_cert("client")
        server_key, server_cert = key_and_cert("server")
        options = {"signer": X509Signer(client_key, client_cert), "verify_responses": server_cert}
        body = sign_envelope(RESPONSE, X509Signer(server_key, server_cert))
    client = ApimClient(account_id="acct-1", username="u", password="p", rate_limit=None, **options)
    client.transport._session = CannedSession(body)
    return lambda: client.plans.get(PLAN_ID)


def zeep_call() -> Callable[[], Any]:
    import zeep
    from zeep.wsse.username import UsernameToken

    transport = zeep.Transport(session=CannedSession())
    client = zeep.Client(str(wsdl_path("apim")), wsse=UsernameToken("u", "p"), transport=transport)
    service = client.create_service(
        "{http://soap.apim.api.platform.boomi.com/}BoomiApiVersion1PortBinding",
        "https://api.boomi.com/apim/api/soap/v1/acct-1",
    )
    return lambda: service.get(objectType="Plan", objectId=PLAN_ID)


def measure(call: Callable[[], Any], calls: int) -> list[float]:
    for _ in range(min(50, calls)):
        call()
    samples = []
    for _ in range(calls):
        start = time.process_time_ns()
        call()
        samples.append((time.process_time_ns() - start) / 1000.0)
    return samples


def summary(name: str, samples: list[float], baseline: float | None) -> dict[str, Any]:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    return {
        "workload": "client CPU per plans.get (transport mocked)",
        "variant": name,
        "median_us": round(median, 1),
        "p99_us": round(ordered[int(len(ordered) * 0.99) - 1], 1),
        "ratio": None if baseline is None else round(median / baseline, 2),
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    calls = 200 if quick else 3000
    peer = measure(zeep_call(), calls)
    ours = measure(boomisoap_call(), calls)
    peer_median = statistics.median(peer)
    signed = measure(boomisoap_call(signed=True), calls // 4)
    return [
        summary("bare zeep (peer)", peer, None),
        summary("boomisoap", ours, peer_median),
        summary("boomisoap, signed + verified", signed, peer_median),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows = run(args.quick)
    for row in rows:
        ratio = "" if row["ratio"] is None else f"  x{row['ratio']:.2f} of peer"
        print(
            f"{row['variant']:<28} median {row['median_us']:8.1f} us  "
            f"p99 {row['p99_us']:8.1f} us{ratio}"
        )


if __name__ == "__main__":
    main()
