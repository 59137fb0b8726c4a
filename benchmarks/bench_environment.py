"""What reading the proxy variables and ~/.netrc on every call costs, and what is saved.

requests' ``Session.request`` re-reads ``*_proxy``/``no_proxy`` and ``~/.netrc`` on every
call; the transport resolves them once per host (docs/client.md, Proxies). Both paths
here send the same request to an adapter that answers from memory, first with a clean
environment, then with proxy variables, a ``NO_PROXY`` list and a 20-entry ``~/.netrc``.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter

from boomisoap.transport import HttpRequest, HttpTransport

URL = "https://api.boomi.com/apim/api/soap/v1/acct-1"
HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
BODY = b"<x/>" * 200
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


class Canned(BaseAdapter):
    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = requests.Response()
        response.status_code = 200
        response.raw = io.BytesIO(b"<ok/>")
        response.request = request
        return response

    def close(self) -> None:
        pass


def _session() -> requests.Session:
    session = requests.Session()
    session.mount("https://", Canned())
    return session


@contextmanager
def _environment(loaded: bool) -> Iterator[None]:
    saved = dict(os.environ)
    try:
        for name in list(os.environ):
            if name.lower() in PROXY_VARIABLES or name == "NETRC":
                del os.environ[name]
        home = tempfile.mkdtemp()
        os.environ["HOME"] = home
        if loaded:
            os.environ["HTTPS_PROXY"] = "http://proxy.corp:3128"
            os.environ["NO_PROXY"] = "localhost,127.0.0.1,.corp,.internal,10.0.0.0/8"
            netrc = Path(home, ".netrc")
            netrc.write_text(
                "".join(f"machine host{i}.corp login u{i} password p{i}\n" for i in range(20))
            )
            netrc.chmod(0o600)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _median_us(call: Callable[[], Any], calls: int) -> float:
    for _ in range(min(100, calls)):
        call()
    samples = []
    for _ in range(calls):
        start = time.process_time_ns()
        call()
        samples.append((time.process_time_ns() - start) / 1000.0)
    return statistics.median(samples)


def run(quick: bool = False) -> list[dict[str, Any]]:
    calls = 200 if quick else 4000
    rows: list[dict[str, Any]] = []
    for loaded in (False, True):
        with _environment(loaded):
            session = _session()

            def per_call(session: requests.Session = session) -> None:
                answer = session.request(
                    "POST", URL, data=BODY, headers=dict(HEADERS), timeout=30.0, stream=True
                )
                answer.close()

            transport = HttpTransport(session=_session())
            request = HttpRequest("POST", URL, HEADERS, BODY)

            def resolved_once(
                transport: HttpTransport = transport, request: HttpRequest = request
            ) -> None:
                transport._send(request)

            before = _median_us(per_call, calls)
            after = _median_us(resolved_once, calls)
        where = "proxy variables + netrc" if loaded else "clean environment"
        for variant, value in (("requests per call", before), ("resolved once", after)):
            rows.append(
                {
                    "workload": "environment reading per request (adapter answers from memory)",
                    "variant": f"{variant}, {where}",
                    "median_us": round(value, 1),
                    "ratio": round(value / before, 2),
                }
            )
    return rows
