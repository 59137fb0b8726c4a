"""Round trips against the emulator on loopback: boomisoap vs bare zeep (the peer) vs the floor.

Workloads (docs/performance.md):
1. per call: ``plans.get`` over SOAP with UsernameToken, validation and a SQLite audit trail,
   vs a bare zeep client on the same WSDL with the same UsernameToken, vs a hand-built lxml
   envelope over one keep-alive ``http.client`` connection parsed with lxml (the floor);
2. cold start: a fresh ``python -c`` process to the first successful ``plans.get``;
   and the cost of auditing, audited and unaudited calls measured in pairs;
3. paging: 10,000 Plans through query/queryMore, objects/s and peak RSS;
6. REST vs SOAP: the per-call workload over ``wire="rest"``.

    python -m benchmarks.bench_roundtrip [--quick]
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import urlsplit

from lxml import etree

from boomisoap import ApimClient, Plan
from boomisoap.namespaces import APIM, APIM_SOAP, PASSWORD_TEXT, SOAP_ENV, WSSE, WSU
from boomisoap.resources import wsdl_path

USER, PASSWORD = "bench", "bench-password"
BINDING = "{http://soap.apim.api.platform.boomi.com/}BoomiApiVersion1PortBinding"


@dataclasses.dataclass(frozen=True)
class Server:
    base_url: str
    account_id: str


def _first_line(log: IO[str], process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        log.seek(0)
        line = log.readline()
        if line.endswith("\n"):
            return line
        time.sleep(0.02)
    return ""


@contextmanager
def sandbox() -> Iterator[Server]:
    """The emulator in its own process, so its work does not share the client's GIL."""
    command = [
        sys.executable,
        "-m",
        "boomisoap.sandbox",
        "serve",
        "--port",
        "0",
        "--user",
        f"{USER}:{PASSWORD}",
        "--rate-limit",
        "off",
    ]
    # The server's per-request log goes to a file: a pipe would need a thread in this
    # process to drain it, waking on every request just as the client reads its answer.
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.DEVNULL, text=True)
        try:
            first = _first_line(log, process)
            match = re.search(r"listening on (\S+) \(account ([^)]+)\)", first)
            if match is None:
                raise RuntimeError(f"the sandbox did not start: {first!r}")
            yield Server(match.group(1), match.group(2))
        finally:
            process.terminate()
            process.wait(timeout=10)


def client(sb: Any, **options: Any) -> ApimClient:
    return ApimClient(
        account_id=sb.account_id,
        username=USER,
        password=PASSWORD,
        base_url=sb.base_url,
        rate_limit=None,
        **options,
    )


def zeep_service(sb: Any) -> Any:
    import zeep
    from zeep.wsse.username import UsernameToken

    peer = zeep.Client(str(wsdl_path("apim")), wsse=UsernameToken(USER, PASSWORD))
    return peer.create_service(BINDING, f"{sb.base_url}/apim/api/soap/v1/{sb.account_id}")


class Floor:
    """The least work a SOAP get can be: lxml in, lxml out, one kept-alive connection."""

    def __init__(self, sb: Any) -> None:
        parts = urlsplit(sb.base_url)
        self.connection = http.client.HTTPConnection(parts.hostname or "", parts.port)
        self.path = f"/apim/api/soap/v1/{sb.account_id}"

    def envelope(self, plan_id: str) -> bytes:
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"S": SOAP_ENV})
        header = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
        security = etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
        token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken")
        etree.SubElement(token, f"{{{WSSE}}}Username").text = USER
        password = etree.SubElement(token, f"{{{WSSE}}}Password", Type=PASSWORD_TEXT)
        password.text = PASSWORD
        etree.SubElement(token, f"{{{WSSE}}}Nonce").text = base64.b64encode(os.urandom(16))
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        etree.SubElement(token, f"{{{WSU}}}Created").text = created
        body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
        get = etree.SubElement(body, f"{{{APIM_SOAP}}}get")
        etree.SubElement(get, f"{{{APIM}}}objectType").text = "Plan"
        etree.SubElement(get, f"{{{APIM}}}objectId").text = plan_id
        return bytes(etree.tostring(envelope))

    def get(self, plan_id: str) -> str:
        self.connection.request(
            "POST",
            self.path,
            self.envelope(plan_id),
            {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
        )
        answer = self.connection.getresponse()
        document = etree.fromstring(answer.read())
        result = document.find(f".//{{{APIM}}}result")
        assert answer.status == 200 and result is not None
        return str(result.get("name"))


def timed(call: Callable[[], Any], calls: int) -> list[float]:
    for _ in range(min(30, calls)):
        call()
    samples = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - start) / 1000.0)
    return samples


def row(
    workload: str,
    variant: str,
    samples: list[float],
    peer: float | None,
    floor: float | None = None,
) -> dict[str, Any]:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    return {
        "workload": workload,
        "variant": variant,
        "median_us": round(median, 1),
        "p99_us": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 1),
        "ratio": None if peer is None else round(median / peer, 2),
        "vs_floor": None if floor is None else round(median / floor, 2),
    }


def per_call(quick: bool) -> list[dict[str, Any]]:
    calls = 200 if quick else 2000
    with sandbox() as sb, tempfile.TemporaryDirectory() as tmp:
        audited = client(sb, audit=f"sqlite:///{tmp}/audit.sqlite3")
        plan_id = audited.plans.create(Plan(name="bench")).plan_id
        assert plan_id is not None
        plain = client(sb)
        from boomisoap.audit import AuditLog

        batched = client(sb, audit=AuditLog.open(f"sqlite:///{tmp}/batched.sqlite3", batch=True))
        rest = client(sb, wire="rest", audit=f"sqlite:///{tmp}/audit-rest.sqlite3")
        service = zeep_service(sb)
        floor = Floor(sb)
        # Interleave rounds so drift on a shared machine hits every variant alike.
        variants: dict[str, Callable[[], Any]] = {
            "floor": lambda: floor.get(plan_id),
            "bare zeep (peer)": lambda: service.get(objectType="Plan", objectId=plan_id),
            "boomisoap SOAP, audited": lambda: audited.plans.get(plan_id),
            "boomisoap SOAP, audit batched": lambda: batched.plans.get(plan_id),
            "boomisoap SOAP, no audit": lambda: plain.plans.get(plan_id),
            "boomisoap REST, audited": lambda: rest.plans.get(plan_id),
        }
        samples: dict[str, list[float]] = {name: [] for name in variants}
        rounds = 5
        for _ in range(rounds):
            for name, call in variants.items():
                samples[name].extend(timed(call, calls // rounds))
    peer = statistics.median(samples["bare zeep (peer)"])
    floor_median = statistics.median(samples["floor"])
    return [
        row("round trip plans.get", name, values, peer, floor_median)
        for name, values in samples.items()
    ]


class CommitOnly:
    """The floor under a synchronous SQLite audit: per call, the store's own INSERT and
    commit (same schema, triggers, WAL and checkpoints) of a row prepared beforehand,
    with no redaction, encoding or hashing around it."""

    def __init__(self, log: Any) -> None:
        from boomisoap.audit.sinks.rows import to_row
        from boomisoap.audit.sinks.sqlite import _insert_rows

        record = next(iter(log.records()))  # the one real record, to copy
        self._log = log
        self._record = (record,)
        self._row = list(to_row(record))
        self._sql = _insert_rows(1)
        self._seq, self._last = record.seq, record.hash

    def prepare_request(self, url: str, headers: Any, body: bytes) -> Any:
        return self._log.prepare_request(url, headers, body)

    def record(self, exchange: Any, *, request: Any = None) -> None:
        self._seq += 1
        row = self._row
        row[1], row[-2], row[-1] = self._seq, self._last, f"{self._seq:064x}"
        self._log.sink._conn.execute(self._sql, row)
        self._log.sink._wal_grew(self._record)  # so checkpoints run as they would
        self._last = row[-1]

    def close(self) -> None:
        self._log.close()


def audit_cost(quick: bool) -> list[dict[str, Any]]:
    """The issue's ratio, measured in pairs: an audited and an unaudited ``plans.get``
    back to back (alternating which goes first), so both see the same moment of a
    shared, noisy machine. Reports medians, the median of the pairwise difference and
    the ratio of the means."""
    pairs = 300 if quick else 3000
    rows = []
    with sandbox() as sb, tempfile.TemporaryDirectory() as tmp:
        plain = client(sb)
        plan_id = plain.plans.create(Plan(name="audit-cost")).plan_id
        assert plan_id is not None
        from boomisoap.audit import AuditLog

        floor_log = AuditLog.open(f"sqlite:///{tmp}/floor.sqlite3")
        with client(sb, audit=floor_log) as first:
            first.plans.get(plan_id)
        audits = {
            "SQLite, synchronous": f"sqlite:///{tmp}/sync.sqlite3",
            "SQLite, batched": AuditLog.open(f"sqlite:///{tmp}/batch.sqlite3", batch=True),
            "SQLite commit alone (floor)": CommitOnly(floor_log),
        }
        for name, audit in audits.items():
            audited = client(sb, audit=audit)
            for _ in range(100):
                audited.plans.get(plan_id)
                plain.plans.get(plan_id)
            with_audit: list[float] = []
            without: list[float] = []
            for i in range(pairs):
                order = [(audited, with_audit), (plain, without)]
                for c, samples in order if i % 2 else reversed(order):
                    start = time.perf_counter_ns()
                    c.plans.get(plan_id)
                    samples.append((time.perf_counter_ns() - start) / 1000.0)
            base = statistics.median(without)
            diff = statistics.median(a - b for a, b in zip(with_audit, without, strict=True))
            rows.append(
                {
                    "workload": "audit cost in a plans.get round trip (paired)",
                    "variant": name,
                    "audited_us": round(statistics.median(with_audit), 1),
                    "unaudited_us": round(base, 1),
                    "ratio": round(statistics.median(with_audit) / base, 3),
                    "added_us": round(diff, 1),
                    # The mean also carries the rare slow call (a WAL checkpoint, say).
                    "mean_ratio": round(statistics.mean(with_audit) / statistics.mean(without), 3),
                    "target": "<= 1.10" if name == "SQLite, synchronous" else "",
                }
            )
            audited.close()
            if not isinstance(audit, str):
                audit.close()
    return rows


COLD_OURS = """
import sys
from boomisoap import ApimClient
c = ApimClient(account_id=sys.argv[1], username=sys.argv[2], password=sys.argv[3],
               base_url=sys.argv[4], rate_limit=None)
assert c.plans.get(sys.argv[5]).name
"""
COLD_PEER = f"""
import sys, zeep
from zeep.wsse.username import UsernameToken
c = zeep.Client(sys.argv[6], wsse=UsernameToken(sys.argv[2], sys.argv[3]))
s = c.create_service("{BINDING}", sys.argv[4] + "/apim/api/soap/v1/" + sys.argv[1])
assert s.get(objectType="Plan", objectId=sys.argv[5]).name
"""


def cold_start(quick: bool) -> list[dict[str, Any]]:
    runs = 3 if quick else 9
    with sandbox() as sb:
        seeded = client(sb)
        plan_id = seeded.plans.create(Plan(name="cold")).plan_id
        args = [sb.account_id, USER, PASSWORD, sb.base_url, str(plan_id), str(wsdl_path("apim"))]
        times: dict[str, list[float]] = {"bare zeep (peer)": [], "boomisoap": []}
        for _ in range(runs):
            for name, code in (("bare zeep (peer)", COLD_PEER), ("boomisoap", COLD_OURS)):
                start = time.perf_counter_ns()
                subprocess.run([sys.executable, "-c", code, *args], check=True)
                times[name].append((time.perf_counter_ns() - start) / 1000.0)
    peer = statistics.median(times["bare zeep (peer)"])
    return [row("cold start to first get", name, values, peer) for name, values in times.items()]


PAGING = """
import resource, sys, time
from boomisoap import ApimClient, Q
c = ApimClient(account_id=sys.argv[1], username=sys.argv[2], password=sys.argv[3],
               base_url=sys.argv[4], rate_limit=None)
limit = int(sys.argv[5])
start = time.perf_counter()
count = 0
for plan in c.plans.query(Q.name.starts_with("page-")):
    count += 1
    if count == limit:
        break
elapsed = time.perf_counter() - start
print(count, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
PAGING_PEER = f"""
import resource, sys, time, zeep
from zeep.wsse.username import UsernameToken
c = zeep.Client(sys.argv[6], wsse=UsernameToken(sys.argv[2], sys.argv[3]))
s = c.create_service("{BINDING}", sys.argv[4] + "/apim/api/soap/v1/" + sys.argv[1])
limit = int(sys.argv[5])
expression = c.get_type("{{http://api.platform.boomi.com/}}SimpleExpression")(
    operator="STARTS_WITH", property="name", argument=["page-"])
start = time.perf_counter()
page = s.query(objectType="Plan", queryConfig={{"QueryFilter": {{"expression": expression}}}})
count = len(page.result)
while page.queryToken and count < limit:
    page = s.queryMore(queryToken=page.queryToken)
    count += len(page.result)
elapsed = time.perf_counter() - start
print(min(count, limit), elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def paging(quick: bool) -> list[dict[str, Any]]:
    total = 1000 if quick else 10_000
    with sandbox() as sb:
        seeded = client(sb)
        for index in range(total):
            seeded.plans.create(Plan(name=f"page-{index:05d}"))
        base = [sb.account_id, USER, PASSWORD, sb.base_url]
        rows = []
        measured: dict[tuple[str, int], tuple[float, int]] = {}
        for name, code in (("bare zeep (peer)", PAGING_PEER), ("boomisoap", PAGING)):
            for limit in sorted({min(1000, total), total}):
                done = subprocess.run(
                    [sys.executable, "-c", code, *base, str(limit), str(wsdl_path("apim"))],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                count, elapsed, rss_kb = done.stdout.split()
                measured[(name, limit)] = (int(count) / float(elapsed), int(rss_kb))
        for name in ("bare zeep (peer)", "boomisoap"):
            rate, rss = measured[(name, total)]
            small_rss = measured[(name, min(1000, total))][1]
            rows.append(
                {
                    "workload": f"paging {total} Plans",
                    "variant": name,
                    "objects_per_s": round(rate),
                    "peak_rss_mb": round(rss / 1024, 1),
                    "rss_growth_mb_vs_1000": round((rss - small_rss) / 1024, 1),
                    "ratio": round(measured[("bare zeep (peer)", total)][0] / rate, 2),
                }
            )
        return rows


def run(quick: bool = False) -> list[dict[str, Any]]:
    return per_call(quick) + audit_cost(quick) + cold_start(quick) + paging(quick)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from benchmarks.__main__ import print_table

    print_table(run(args.quick))


if __name__ == "__main__":
    main()
