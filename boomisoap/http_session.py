"""The requests session clients use, with a hook that runs while the server works.

Between writing a request and reading its answer the client has nothing to do but
wait. :func:`while_waiting` names a job for that moment (the audit trail redacts the
request there), and the session's connections (and the client's own, connections.py) run
it right after the request is sent, before blocking on the response. A session that is
not made here (a user's own, a mock) never runs the job; whoever set it then does the
work itself afterwards.
"""

from __future__ import annotations

import contextvars
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_JOB: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "boomisoap_while_waiting", default=None
)


@contextmanager
def while_waiting(job: Callable[[], None] | None) -> Iterator[None]:
    """Within the block, requests sent by :func:`new_session` sessions run ``job`` once
    the request is on the wire. ``job`` must not raise, and may run more than once
    (a request re-sent on a fresh connection) or not at all."""
    token = _JOB.set(job)
    try:
        yield
    finally:
        _JOB.reset(token)


def run_waiting_job() -> None:
    """Run the job of the enclosing :func:`while_waiting` block, if any."""
    job = _JOB.get()
    if job is not None:
        job()


class _HTTPConnection(HTTPConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        run_waiting_job()
        return super().getresponse(*args, **kwargs)


class _HTTPSConnection(HTTPSConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        run_waiting_job()
        return super().getresponse(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _Adapter(HTTPAdapter):
    def __init__(self, *args: Any, ssl_context: ssl.SSLContext | None = None, **kwargs: Any):
        # Set before the base class builds its pool manager with it.
        self._ssl_context = ssl_context
        super().__init__(*args, **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        if self._ssl_context is not None:
            kwargs["ssl_context"] = self._ssl_context
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        if self._ssl_context is not None:
            proxy_kwargs["ssl_context"] = self._ssl_context
        return super().proxy_manager_for(proxy, **proxy_kwargs)


def new_session(ssl_context: ssl.SSLContext | None = None) -> requests.Session:
    """A session with keep-alive pools sized for threaded clients and no retries of its
    own (the transport decides what may be sent again). ``ssl_context`` holds a client
    certificate requests cannot load itself (PKCS#12)."""
    session = requests.Session()
    adapter = _Adapter(pool_connections=4, pool_maxsize=64, max_retries=0, ssl_context=ssl_context)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
