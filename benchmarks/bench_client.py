"""Client CPU per ``plans.get``, only the socket's far end mocked, against bare zeep.

Both sides build the request from the same WSDL with a UsernameToken, send it through their
whole HTTP stack (requests, with whatever it reads per call) over loopback to a server in
another process that answers the same recorded envelope, and parse it. What is counted is
the calling thread's CPU time (``time.thread_time_ns``): not the wait, not the server.
boomisoap also validates the request and the response against xsd/ and maps the result to
a dataclass.

    python -m benchmarks.bench_client [--quick]
"""

from __future__ import annotations

import argparse
import base64
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.stats import SAMPLES, figure
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


def boomisoap_call(url: str, **options: Any) -> Callable[[], Any]:
    base_url = url.split("/apim/", 1)[0]
    client = ApimClient(
        account_id="acct-1", username="u", password="p", base_url=base_url, rate_limit=None,
        **options,
    )  # fmt: skip
    return lambda: client.plans.get(PLAN_ID)


def zeep_call(url: str) -> Callable[[], Any]:
    import zeep
    from zeep.wsse.username import UsernameToken

    client = zeep.Client(str(wsdl_path("apim")), wsse=UsernameToken("u", "p"))
    service = client.create_service(
        "{http://soap.apim.api.platform.boomi.com/}BoomiApiVersion1PortBinding", url
    )
    return lambda: service.get(objectType="Plan", objectId=PLAN_ID)


def measure(call: Callable[[], Any], calls: int) -> float:
    """One sample: the median CPU time of ``calls`` calls, in microseconds."""
    samples = []
    for _ in range(calls):
        start = time.thread_time_ns()
        call()
        samples.append((time.thread_time_ns() - start) / 1000.0)
    return statistics.median(samples)


WORKLOAD = "client CPU per plans.get (fixed-answer server in another process)"


def run(quick: bool = False) -> list[dict[str, Any]]:
    from benchmarks.bench_emulator import server
    from benchmarks.keys import key_and_cert
    from boomisoap.wsse import X509Signer, sign_envelope

    client_key, client_cert = key_and_cert("client")
    server_key, server_cert = key_and_cert("server")
    signed = sign_envelope(RESPONSE, X509Signer(server_key, server_cert))
    with server(_answering(RESPONSE)) as url, server(_answering(signed)) as signed_url:
        signing = {"signer": X509Signer(client_key, client_cert), "verify_responses": server_cert}
        return _measured(
            {
                "bare zeep (peer)": zeep_call(url),
                "boomisoap (validation on)": boomisoap_call(url),
                "boomisoap, signed + verified": boomisoap_call(signed_url, **signing),
            },
            quick,
        )


def _answering(body: bytes) -> dict[str, Any]:
    return {"floor": True, "threads": 2, "body": base64.b64encode(body).decode()}


def _measured(variants: dict[str, Callable[[], Any]], quick: bool) -> list[dict[str, Any]]:
    rounds = SAMPLES if quick else 5
    calls = 100 if quick else 600
    for call in variants.values():
        for _ in range(50):
            call()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):  # interleaved: drift on a shared machine hits every variant
        for name, call in variants.items():
            samples[name].append(measure(call, calls if "signed" not in name else calls // 4))
    peer = statistics.median(samples["bare zeep (peer)"])
    return [
        figure(
            WORKLOAD,
            name,
            "µs",
            values,
            baseline="bare zeep" if name != "bare zeep (peer)" else "",
            baseline_median=peer if name != "bare zeep (peer)" else None,
            target="<= 0.6" if name == "boomisoap (validation on)" else "",
        )
        for name, values in samples.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from benchmarks.__main__ import print_table

    print_table(run(args.quick))


if __name__ == "__main__":
    main()
