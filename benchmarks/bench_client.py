"""Client CPU per ``plans.get``, only the socket's far end mocked, against bare zeep.

Both sides build the request from the same WSDL with a UsernameToken, send it through their
whole HTTP stack (requests, with whatever it reads per call) over loopback to a server in
another process that answers the same recorded envelope, and parse it. What is counted is
the calling thread's CPU time (``time.thread_time_ns``): not the wait, not the server.
boomisoap also validates the request and the response against xsd/ and maps the result to
a dataclass.

A second workload isolates the request envelope (UsernameToken included, nothing sent):
boomisoap's lxml writer against zeep's ``create_message`` on the same WSDL, the reference it
is proven equal to (tests/core/test_fast_envelope.py), and boomisoap's builder with the zeep
engine. (A whole call with zeep envelopes is not a row of the first workload: every client
alive in a process adds its recent Nonces to what each response is scrubbed of, so an extra
client would slow the other rows.)

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


def boomisoap_client(url: str, **options: Any) -> ApimClient:
    base_url = url.split("/apim/", 1)[0]
    return ApimClient(
        account_id="acct-1", username="u", password="p", base_url=base_url, rate_limit=None,
        **options,
    )  # fmt: skip


def boomisoap_call(url: str, **options: Any) -> Callable[[], Any]:
    client = boomisoap_client(url, **options)
    return lambda: client.plans.get(PLAN_ID)


def envelope_builders() -> dict[str, Callable[[], Any]]:
    """Building the plans.get envelope with a UsernameToken: zeep vs boomisoap's writer."""
    import zeep
    from zeep.wsse.username import UsernameToken as ZeepToken

    from boomisoap.models import OBJECTS
    from boomisoap.soap.envelopes import EnvelopeBuilder
    from boomisoap.wsse import UsernameToken

    client = zeep.Client(str(wsdl_path("apim")), wsse=ZeepToken("u", "p"))
    spec = OBJECTS["Plan"]
    lxml_builder = EnvelopeBuilder("apim", [UsernameToken("u", "p")])
    zeep_builder = EnvelopeBuilder("apim", [UsernameToken("u", "p")], engine="zeep")
    return {
        "zeep create_message (peer)": lambda: client.create_message(
            client.service, "get", objectType="Plan", objectId=PLAN_ID
        ),
        "boomisoap lxml writer": lambda: lxml_builder.get(spec, PLAN_ID),
        "boomisoap, zeep engine (reference)": lambda: zeep_builder.get(spec, PLAN_ID),
    }


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
ENVELOPE = "request envelope of plans.get with UsernameToken (CPU, nothing sent)"


def run(quick: bool = False) -> list[dict[str, Any]]:
    from benchmarks.bench_emulator import server
    from benchmarks.keys import key_and_cert
    from boomisoap.wsse import X509Signer, sign_envelope

    client_key, client_cert = key_and_cert("client")
    server_key, server_cert = key_and_cert("server")
    signed = sign_envelope(RESPONSE, X509Signer(server_key, server_cert))
    with server(_answering(RESPONSE)) as url, server(_answering(signed)) as signed_url:
        signing = {"signer": X509Signer(client_key, client_cert), "verify_responses": server_cert}
        rows = _measured(
            {
                "bare zeep (peer)": zeep_call(url),
                "boomisoap (validation on)": boomisoap_call(url),
                "boomisoap, signed + verified": boomisoap_call(signed_url, **signing),
            },
            quick,
        )
    return rows + _measured(envelope_builders(), quick, workload=ENVELOPE)


def _answering(body: bytes) -> dict[str, Any]:
    return {"floor": True, "threads": 2, "body": base64.b64encode(body).decode()}


def _measured(
    variants: dict[str, Callable[[], Any]], quick: bool, workload: str = WORKLOAD
) -> list[dict[str, Any]]:
    rounds = SAMPLES if quick else 5
    calls = 100 if quick else 600
    for call in variants.values():
        for _ in range(50):
            call()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):  # interleaved: drift on a shared machine hits every variant
        for name, call in variants.items():
            samples[name].append(measure(call, calls if "signed" not in name else calls // 4))
    peer_name = next(name for name in variants if name.endswith("(peer)"))
    peer = statistics.median(samples[peer_name])
    return [
        figure(
            workload,
            name,
            "µs",
            values,
            baseline="bare zeep" if name != peer_name else "",
            baseline_median=peer if name != peer_name else None,
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
