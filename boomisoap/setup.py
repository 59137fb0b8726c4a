"""What every client builds the same way, sync or async, APIM, Platform or MFT: the
check of the common options, the pacer, the transport with its recorders (the audit log
among them), and the deprecation notices.

``boomisoap.clients``, ``boomisoap.rest.mft`` and ``boomisoap.aio`` build on this; each
adds only what its API has of its own (credentials, wire, paths).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import urlsplit

from . import options
from .deprecation import DeprecationNotice, DeprecationNotices
from .errors import InvalidRequest
from .httpconfig import HttpOptions, http_options
from .options import open_audit
from .pacing import RateLimit, pacer_for
from .transport import BaseTransport, HttpTransport

if TYPE_CHECKING:
    from .audit import AuditLog
    from .history import History
    from .policy import Recorder


def check_history(history: Any) -> int:
    """``history=N``: how many exchanges a client keeps in memory (0: none)."""
    if isinstance(history, bool) or not isinstance(history, int) or history < 0:
        raise InvalidRequest("history must be a whole number of exchanges >= 0", field="history")
    return history


@dataclasses.dataclass(frozen=True, slots=True)
class Common:
    """The options every client has, checked."""

    http: HttpOptions
    history: int
    retries: int
    rate_limit: RateLimit
    correlation_id: str | None


def check_http(
    *,
    transport_class: type[BaseTransport],
    session: Any,
    verify: Any,
    cert: Any,
    proxies: Any,
    timeout: Any,
    deadline: Any,
    history: Any,
) -> tuple[HttpOptions, int]:
    """The HTTP options (docs/client.md, HTTP configuration), checked before anything else."""
    if session is not None and not issubclass(transport_class, HttpTransport):
        raise InvalidRequest(
            "session: the async clients send with httpx, not a requests.Session",
            field="session",
        )
    http = http_options(
        session=session,
        verify=verify,
        cert=cert,
        proxies=proxies,
        timeout=timeout,
        deadline=deadline,
    )
    return http, check_history(history)


def check_common(
    http: HttpOptions, history: int, *, retries: Any, rate_limit: Any, correlation_id: Any
) -> Common:
    """The pacing and retry options (boomisoap.options), checked before anything is built."""
    return Common(
        http=http,
        history=history,
        retries=options.count("retries", retries),
        rate_limit=options.rate_limit(rate_limit),
        correlation_id=options.optional_text("correlation_id", correlation_id, header=True),
    )


def build_transport(
    common: Common,
    *,
    audit: AuditLog | str | None,
    host: str,
    account: str,
    secrets: tuple[str, ...],
    transport_class: type[BaseTransport] = HttpTransport,
) -> tuple[BaseTransport, AuditLog | None, DeprecationNotices]:
    """The transport of a client of ``account`` on ``host``, its audit log (opened here
    when given as a URL, and then closed with the client) and its deprecation notices."""
    log = open_audit(audit)
    # A number: one bucket per account in this process; a Redis URL or a limiter: one
    # for the whole fleet (docs/fleet.md).
    bucket = pacer_for(common.rate_limit, host, account)
    # Deprecation headers on any answer, either wire, any API: warned once per type.
    deprecations = DeprecationNotices()
    recorders: list[Recorder] = []
    if log is not None:
        # Imported here: a client without an audit trail never loads the audit package.
        from .audit.recorder import AuditRecorder

        # A recorder of its own (before_send/after) is used as it is; a log is adapted.
        own: Any = log if hasattr(log, "after") else None
        recorders.append(own or AuditRecorder(log, owned=isinstance(audit, str)))
    settings: dict[str, Any] = {
        "timeout": common.http.timeout,
        "retries": common.retries,
        "bucket": bucket,
        "recorders": recorders,
        "correlation_id": common.correlation_id,
        "secrets": secrets,
        "http": common.http,
        "history": common.history,
        "redactor": getattr(log, "redactor", None),
    }
    transport = transport_class(**settings)
    # After the audit trail and the history, as every recorder attached later.
    transport.recorders.append(deprecations)
    return transport, log, deprecations


class ClientBase:
    """What every client offers about its transport, sync or async."""

    # What the client sends with; the async clients (boomisoap.aio) use httpx's.
    transport_class: ClassVar[type[BaseTransport]] = HttpTransport
    transport: Any
    audit: AuditLog | None
    _deprecations: DeprecationNotices

    def _connect(
        self,
        common: Common,
        *,
        audit: AuditLog | str | None,
        base_url: str,
        account: str,
        secrets: tuple[str, ...],
    ) -> None:
        """Build the transport, the audit log and the deprecation notices (build_transport)."""
        self.transport, self.audit, self._deprecations = build_transport(
            common,
            audit=audit,
            host=urlsplit(base_url).netloc,
            account=account,
            secrets=secrets,
            transport_class=self.transport_class,
        )

    @property
    def deprecations(self) -> Mapping[str, DeprecationNotice]:
        """Object type (or call) -> the deprecation the service last signalled for it
        (docs/client.md).

        Filled from the ``Deprecation``/``Sunset``/``Warning``/``Link`` headers of every
        answer this client received; empty while the service signalled none.
        """
        return self._deprecations.by_type

    @property
    def history(self) -> History | None:
        """The last ``history=N`` exchanges, redacted (None when history is off)."""
        history: History | None = self.transport.history
        return history

    def reload_environment(self) -> None:
        """Read the proxy and CA bundle environment variables again (they are read once,
        at the first call to each host)."""
        self.transport.reload_environment()


class Closing:
    """``close()`` and ``with`` for a client with a sync transport."""

    transport: Any

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClosing:
    """``await aclose()`` and ``async with`` for a client with an async transport."""

    transport: Any

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
