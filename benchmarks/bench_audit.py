"""Audit trail throughput: appends per sink (sync and batched) and verify speed.

Run: ``python -m benchmarks.bench_audit [--quick] [--only-append]``.  Prints a table;
``run(quick)`` returns the rows for the suite runner.  PostgreSQL rows appear when a throwaway
cluster can be started (tests/pgcluster.py).
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.stats import SAMPLES, figure
from boomisoap.audit import AuditLog, Exchange

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
TOKEN = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"


def envelope(i: int) -> bytes:
    notes = "".join(f"<apim:tag>t{i}-{n}</apim:tag>" for n in range(20))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="{SOAP}" xmlns:apim="http://apim.api.platform.boomi.com/">
  <soapenv:Header>
    <wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}" soapenv:mustUnderstand="1">
      <wsse:UsernameToken wsu:Id="UsernameToken-{i}">
        <wsse:Username>BOOMI_TOKEN.bench@example.com</wsse:Username>
        <wsse:Password Type="{TOKEN}#PasswordText">bench-password-{i}</wsse:Password>
        <wsse:Nonce>bm9uY2Ut{i:08d}</wsse:Nonce>
        <wsu:Created>2026-03-01T12:00:00.000Z</wsu:Created>
      </wsse:UsernameToken>
    </wsse:Security>
  </soapenv:Header>
  <soapenv:Body><apim:update><apim:object name="plan {i}" rateLimit="100">{notes}
  </apim:object></apim:update></soapenv:Body>
</soapenv:Envelope>
""".encode()


def response(i: int) -> bytes:
    return (
        f'<S:Envelope xmlns:S="{SOAP}"><S:Body><r:updateResponse '
        'xmlns:r="http://soap.apim.api.platform.boomi.com/" '
        'xmlns:a="http://apim.api.platform.boomi.com/"><a:result applicationId="app-1" '
        f'key="k-{i:012d}" enabled="true" generatedBy="bench" contractId="c-{i}" '
        f'environmentId="env-1" apiId="api-1"/></r:updateResponse></S:Body></S:Envelope>'
    ).encode()


def exchanges(count: int) -> list[Exchange]:
    """``count`` distinct ~2 KB exchanges (request + response + headers)."""
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    return [
        Exchange(
            service="apim",
            operation="update",
            wire="soap",
            method="POST",
            url="https://api.boomi.com/apim/api/soap/v1/acct-1",
            request_headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
            request_body=envelope(i),
            started_at=t0 + timedelta(milliseconds=i),
            duration=0.031,
            outcome="ok",
            correlation_id=f"bench-{i}",
            status=200,
            response_headers={"Content-Type": "text/xml"},
            response_body=response(i),
            object_type="ApiKey",
            object_ids=(f"k-{i}",),
            account_id="acct-1",
        )
        for i in range(count)
    ]


def append_rate(url: str, items: list[Exchange], batch: bool) -> float:
    start = time.perf_counter()
    with AuditLog.open(url, batch=batch) as log:
        for ex in items:
            log.record(ex)
    return time.perf_counter() - start


def fill(url: str, count: int, sample: list[Exchange]) -> None:
    """Write ``count`` records fast: redact a sample once, append sealed batches."""
    # Imported here: bench_audit_tree's baseline child imports exchanges() from this
    # module into an older library, whose private modules had other names.
    from boomisoap.audit.capture import draft
    from boomisoap.audit.chain import Chain
    from boomisoap.audit.stores import open_sink
    from boomisoap.redact.structural import Redactor

    redactor = Redactor()
    drafts = [draft(ex, redactor) for ex in sample]
    sink = open_sink(url)
    chain = Chain()
    try:
        for start in range(0, count, 1000):
            n = min(1000, count - start)
            sink.append([drafts[(start + k) % len(drafts)] for k in range(n)], chain)
    finally:
        sink.close()


def verify_time(url: str) -> tuple[int, float]:
    with AuditLog.open(url, read_only=True) as log:
        start = time.perf_counter()
        report = log.verify()
        elapsed = time.perf_counter() - start
    if not report.ok:
        raise RuntimeError(f"benchmark store does not verify: {report}")
    return report.checked, elapsed


@contextlib.contextmanager
def postgres() -> Iterator[str | None]:
    try:
        from tests.pgcluster import PostgresUnavailable, postgres_cluster
    except ImportError:
        yield None
        return
    try:
        with postgres_cluster("bench") as pg:
            yield pg.url
    except PostgresUnavailable:
        yield None


def run(quick: bool = False, only_append: bool = False) -> list[dict[str, Any]]:
    """The rows of the suite; ``only_append`` leaves out the verify rows (to iterate on
    the append rates alone)."""
    n = 300 if quick else 10_000
    n_sync = 60 if quick else 500
    n_verify = 3_000 if quick else 100_000
    items = exchanges(n)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, postgres() as pg_url:
        root = Path(tmp)
        sinks = [("sqlite", f"sqlite://{root}/a"), ("jsonl", f"jsonl://{root}/a")]
        if pg_url:
            sinks.append(("postgresql", pg_url))
        rates: dict[str, list[float]] = {}
        for sample in range(SAMPLES):  # every sample a fresh store; the sinks take turns
            for name, url in sinks:
                for batch, count in ((True, n), (False, n_sync)):
                    variant = f"{name} {'batched' if batch else 'synchronous'}"
                    target = _store(name, url, f"{sample}-{int(batch)}")
                    seconds = append_rate(target, items[:count], batch)
                    rates.setdefault(variant, []).append(count / seconds)
        for variant, samples in rates.items():
            rows.append(
                figure(
                    "audit append, ~2 KB exchanges",
                    variant,
                    "records/s",
                    samples,
                    digits=0,
                    target=">= 8000" if variant == "sqlite batched" else "",
                    judge="median",
                )
            )
        for name, url in [] if only_append else sinks:
            verify_url = _store(name, url, "verify")
            fill(verify_url, n_verify, items[:200])
            times = []
            for _ in range(SAMPLES):
                checked, seconds = verify_time(verify_url)
                assert checked == n_verify, (name, checked)
                times.append(seconds)
            rows.append(
                figure(
                    f"audit verify, {n_verify:,} records",
                    name,
                    "s",
                    times,
                    digits=2,
                    target="<= 1.5" if name == "sqlite" else "",
                    judge="median",
                )
            )
    return rows


def _store(name: str, url: str, tag: str) -> str:
    """A fresh store of sink ``name`` for one measurement."""
    if name == "postgresql":
        return _fresh_db(url, f"bench_{tag.replace('-', '_')}")
    suffix = ".db" if name == "sqlite" else ".jsonl"
    return f"{url}-{tag}{suffix}"


def _fresh_db(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_audit")
    parser.add_argument("--quick", action="store_true", help="small counts: proves it runs")
    parser.add_argument(
        "--only-append", action="store_true", help="the append rows only, no verify rows"
    )
    args = parser.parse_args()
    from benchmarks.__main__ import print_table

    print_table(run(args.quick, only_append=args.only_append))


if __name__ == "__main__":
    main()
