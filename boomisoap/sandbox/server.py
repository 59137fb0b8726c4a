"""``Sandbox``: the emulator served by waitress on loopback, with admin helpers for tests.

``Sandbox.start(...)`` binds a port (a free one by default), serves from a background
thread and is a context manager that shuts the server down cleanly: the listening socket
and every open connection are closed from the server's own loop, then its worker threads
are stopped.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models.mftpaths import MftPaths
from ..models.registry import spec_for, spec_of
from . import seed
from .accounting import AccountingState
from .app import SandboxApp
from .lifecycle import Deprecated, Lifecycle, Retirement
from .mft import MftHandler, path_sets
from .objects import ObjectState
from .rest import RestHandler
from .security import Authenticator, Credentials, SecurityPolicy
from .soap import AUTH_FAULT_STATUS, SoapHandler, checked_auth_fault_status
from .storage import Store
from .tokens import DEFAULT_TTL, QueryTokens, SharedQueryTokens

if TYPE_CHECKING:
    from ..wsse.signature import X509Signer
    from .partner import PartnerEndpoint
    from .signing import MessageSignatures
    from .tls import SandboxTLS, TlsFront
    from .workers import WorkerPool

LOG = logging.getLogger("boomisoap.sandbox")
DEFAULT_USERS = {"u": "p"}
DEFAULT_MAX_BODY = 1024 * 1024
INLINE = 0  # threads=0: every request is answered on the server's own loop (InlineDispatcher)
# One interpreter runs one thread at a time: worker threads only add the hand-offs between
# them (see InlineDispatcher). Under wrk with 16 connections, inline answered 5,436 req/s
# (median of 7) where 8 threads answered 4,256, in one interleaved series.
DEFAULT_THREADS = INLINE
# With an audit trail each request waits for the store's write (a synchronous SQLite
# commit waits for the disk): worker threads answer other requests meanwhile. Inline, the
# audited emulator answered 554 req/s where 8 threads answered 1,242 (medians of 5).
AUDIT_THREADS = 8
# waitress's default (1) makes the worker thread send each answer itself, headers and body
# in two send() calls that release the GIL; the event loop then wakes, finds the channel
# writable but locked, and spins through select() until the worker gets the GIL back
# (~7 loops a request under 16 connections). Answers below this size are queued by the
# worker and sent by the loop in one call: 1.5x the requests/s, p99 62 -> 17 ms.
SEND_BYTES = 64 * 1024
LOOP_TIMEOUT = 0.5  # seconds; the longest a stop waits if the wake-up signal is lost


class Sandbox:
    """A running emulator. Create it with :meth:`start`; stop it with :meth:`stop`."""

    def __init__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        tokens: Mapping[str, str] | None = None,
        db: str | Path | None = None,
        seed_demo: bool = False,
        rate_limit: float | None = 10.0,
        account_id: str = "acct-1",
        host: str = "127.0.0.1",
        port: int = 0,
        mft_api_key: str | None = None,
        mft_paths: MftPaths | Iterable[MftPaths] | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        audit: Any = None,
        query_token_ttl: float = DEFAULT_TTL,
        security: SecurityPolicy | None = None,
        validate_responses: bool = True,
        threads: int | None = None,
        log_requests: bool = False,
        trusted_certs: Any = None,
        require_signature: bool = False,
        signer: X509Signer | None = None,
        auth_fault_status: int = AUTH_FAULT_STATUS,
        deprecated: Mapping[str, Deprecated | str | None] | None = None,
        retired: Mapping[str, Retirement | str | None] | None = None,
        tls: SandboxTLS | None = None,
        hierarchy: Mapping[str, str] | None = None,
        provision_delay: float = 1.0,
        workers: int = 1,
        _worker: int = 0,
    ) -> None:
        checked_auth_fault_status(auth_fault_status)  # before anything is opened
        # workers > 1: that many processes serve one socket over one database file; this
        # object starts and stops them (its admin helpers write the same file).
        self._workers = _checked_workers(workers, tls, audit)
        shared = self._workers > 1 or _worker > 0
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        if shared and db is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="boomisoap-sandbox-")
            db = Path(self._scratch.name) / "sandbox.sqlite3"
        # Checked first: a bad certificate fails the start before anything is opened.
        self._tls_context = None if tls is None else tls.context()
        self._tls_front: TlsFront | None = None
        self.users = dict(DEFAULT_USERS if users is None else users)
        self.account_id = account_id
        self.mft_api_key = mft_api_key or secrets.token_urlsafe(32)
        # Every set is served; the first is the one a client of this sandbox should use.
        self.mft_path_sets = path_sets(mft_paths)
        self.mft_paths = self.mft_path_sets[0]
        # Parsed now: a bad certificate or key fails the start, not the first request (and
        # before the database is opened, so nothing is left open).
        self.signatures = _message_signatures(trusted_certs, require_signature, signer)
        # Checked before the database is opened: an unknown type name fails the start.
        self.lifecycle = Lifecycle(deprecated, retired)
        self.store = Store(db, shared=shared)
        query_tokens = (
            SharedQueryTokens(self.store, query_token_ttl)
            if shared
            else QueryTokens(query_token_ttl)
        )
        self.state = ObjectState(self.store, query_tokens)
        self.accounting = AccountingState(self.store)
        self.auth = Authenticator(
            Credentials(self.users, tokens), security, shared=self.store if shared else None
        )
        if seed_demo:
            seed.load(self.state, self.accounting, account_id)
        self._ensure_own_account()
        # Partner API (docs/partner.md): sub-account -> parent, from the demo and ``hierarchy``.
        self.partner = _partner_endpoint(
            self,
            hierarchy,
            provision_delay,
            seed_demo,
            max_body,
            validate_responses,
            auth_fault_status,
        )
        # An audit log opened here from a URL is closed with the sandbox; a given one is not.
        # With workers, each worker process opens its own (the store URL is shared).
        self._audit = None if self._workers > 1 else _open_audit(audit)
        self._owns_audit = isinstance(audit, str)
        self.app = SandboxApp(
            soap=SoapHandler(
                self.state,
                self.auth,
                max_body=max_body,
                validate_responses=validate_responses,
                signatures=self.signatures,
                auth_fault_status=auth_fault_status,
                lifecycle=self.lifecycle,
            ),
            rest=RestHandler(self.state, self.auth, self.lifecycle),
            mft=MftHandler(self.accounting, self.mft_api_key, self.mft_path_sets),
            auth=self.auth,
            account_id=account_id,
            max_body=max_body,
            rate_limit=rate_limit,
            audit=self._audit,
            log_requests=log_requests,
            partner=self.partner,
            shared=self.store if shared else None,
            worker=_worker,
        )
        if threads is None:
            threads = DEFAULT_THREADS if audit is None else AUDIT_THREADS
        self._host, self._port, self._threads = host, port, threads
        self._max_body = max_body
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._accounts_added = 0
        self._pool: WorkerPool | None = None
        self._socket: Any = None  # a worker's listening socket, shared with the others
        if self._workers > 1:
            # What each worker process is built from: these options, on this database.
            self._worker_options: dict[str, Any] = {
                **_given(locals()),
                "db": str(self.store.path),
                "mft_api_key": self.mft_api_key,
                "users": self.users,
                "seed_demo": False,  # loaded here, once
            }

    @classmethod
    def start(cls, users: Mapping[str, str] | None = None, **options: Any) -> Sandbox:
        """Build a sandbox and serve it in a background thread; use it as a context manager."""
        sandbox = cls(users=users, **options)
        sandbox.serve_in_background()
        return sandbox

    # server lifecycle ------------------------------------------------------------------

    def serve_in_background(self) -> None:
        if self._server is not None or self._pool is not None:
            raise RuntimeError("the sandbox is already serving")
        if self._workers > 1:
            from .workers import WorkerPool

            self._pool = WorkerPool(self._worker_options, self._workers, self._host, self._port)
            return
        self._server = self._create_server()
        if self._tls_context is not None:
            from .tls import TlsFront

            try:
                self._tls_front = TlsFront(
                    self._tls_context,
                    self._host,
                    self._port,
                    ("127.0.0.1", int(self._server.effective_port)),
                )
            except OSError:
                from waitress import wasyncore

                wasyncore.close_all(self._server._map, ignore_all=True)
                self._server = None
                raise
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._loop, name=f"boomisoap-sandbox-{self.port}", daemon=True
        )
        self._thread.start()

    def _loop(self) -> None:
        serve(self._server, self._stopping)

    def _create_server(self) -> Any:
        # With TLS, waitress listens on a private loopback port behind the TLS front.
        tls = self._tls_context is not None
        host, port = ("127.0.0.1", 0) if tls else (self._host, self._port)
        sockets = [self._socket] if self._socket is not None else None
        return create_server(self.app, host, port, self._threads, self._max_body, sockets)

    @property
    def port(self) -> int:
        if self._pool is not None:
            return self._pool.port
        if self._server is None:
            raise RuntimeError("the sandbox is not serving")
        if self._tls_front is not None:
            return self._tls_front.port
        return int(self._server.effective_port)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (``https://`` with ``tls=``): a client's ``base_url``."""
        host = self._host if ":" not in self._host else f"[{self._host}]"
        scheme = "http" if self._tls_context is None else "https"
        return f"{scheme}://{host}:{self.port}"

    @property
    def tls_refused(self) -> list[str]:
        """OpenSSL's reason for each TLS handshake the sandbox refused (with ``tls=``)."""
        return [] if self._tls_front is None else self._tls_front.refusals()

    def stop(self) -> None:
        """Stop serving: end the loop, let the workers finish, close every socket."""
        if self._pool is not None:
            self._pool.stop()
            self._pool = None
            self._close_files()
            return
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        if self._tls_front is not None:
            self._tls_front.stop()
            self._tls_front = None
        self._stopping.set()
        with contextlib.suppress(OSError):
            server.pull_trigger()  # wake the loop now rather than at its next timeout
        if thread is not None:
            thread.join(timeout=10)
        server.task_dispatcher.shutdown(timeout=5)
        from waitress import wasyncore

        wasyncore.close_all(server._map, ignore_all=True)
        self._close_files()

    def _close_files(self) -> None:
        self.store.close()
        if self._owns_audit and self._audit is not None:
            self._audit.close()
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def serve_here(self, stopping: Any, ready: Callable[[], None]) -> None:
        """Serve on this thread until ``stopping`` is set (a worker process's main loop);
        ``ready`` is called once the server is listening."""
        self._server = self._create_server()
        ready()
        try:
            serve(self._server, stopping)
        finally:
            self._server.task_dispatcher.shutdown(timeout=5)
            from waitress import wasyncore

            wasyncore.close_all(self._server._map, ignore_all=True)
            self._server = None
            self._close_files()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        serving = self._server is not None or self._pool is not None
        where = self.base_url if serving else "stopped"
        return f"Sandbox({where}, account_id={self.account_id!r})"

    # admin helpers (tests and demos; not part of the emulated API) ----------------------

    def add(self, *objects: Any) -> None:
        """Store objects exactly as given (ids included), bypassing every rule."""
        for obj in objects:
            self.state.put(self.account_id, obj, spec_of(obj))

    def add_accounts(self, count: int) -> list[str]:
        """Add ``count`` generated child accounts; return their ids."""
        accounts = seed.generated_accounts(10_000 + self._accounts_added + 1, count)
        self._accounts_added += count
        self.add(*accounts)
        for account in accounts:
            # Sub-accounts of this partner, as the seeded children (docs/partner.md).
            self.partner.partner.add_sub_account(self.account_id, account, listed=True)
        return [a.account_id for a in accounts]

    def count(self, type_name: str, *, include_deleted: bool = False) -> int:
        """How many objects of a type the sandbox's account holds."""
        spec_for(type_name)
        return self.state.count(self.account_id, type_name, include_deleted=include_deleted)

    def subscribe(self, plan_id: str, subscription: str = "subscription-1") -> None:
        """Hold a plan by an active subscription: it can no longer be deleted."""
        self.state.link(self.account_id, "subscription", plan_id, subscription)

    def unsubscribe(self, plan_id: str, subscription: str = "subscription-1") -> bool:
        return self.state.unlink(self.account_id, "subscription", plan_id, subscription)

    def associate(self, plan_id: str, deployment_id: str) -> None:
        """What the REST ``planAssociation`` action does, without an HTTP call."""
        self.state.link(self.account_id, "deployment", plan_id, deployment_id)

    def _ensure_own_account(self) -> None:
        spec = spec_for("Account")
        with self.store.transaction() as tx:
            present = tx.get(self.account_id, spec.type_name, self.account_id) is not None
        if not present:
            self.state.put(self.account_id, seed.own_account(self.account_id), spec)


def waitress_options(threads: int, max_body: int) -> dict[str, Any]:
    """The waitress settings of the emulator (and of the benchmark's fixed-answer floor)."""
    return {
        "threads": threads,
        # waitress buffers the body before the application sees it: its own ceiling
        # sits above ours so that the application answers 413 in the wire's format.
        "max_request_body_size": max_body + 64 * 1024,
        "ident": "boomisoap-sandbox",
        "clear_untrusted_proxy_headers": True,
        "channel_timeout": 30,
        "send_bytes": SEND_BYTES,
    }


def create_server(
    app: Any, host: str, port: int, threads: int, max_body: int, sockets: list[Any] | None = None
) -> Any:
    """A waitress server for ``app`` with :func:`waitress_options`, not yet serving.

    ``threads=0`` (:data:`INLINE`) answers on the loop that :func:`serve` runs; ``sockets``
    are listening sockets to serve instead of binding ``host`` and ``port``."""
    import warnings

    from waitress.server import create_server as create

    if threads < 0:
        raise ValueError(f"threads must be 0 (answer on the server loop) or more, not {threads}")
    options = waitress_options(threads or 1, max_body)
    if sockets:
        options["sockets"] = sockets
    else:
        options.update(host=host, port=port)
    dispatcher = None
    if threads == INLINE:
        dispatcher = InlineDispatcher()
        # The channel waits for the loop to drain answers above this mark, which the loop,
        # busy answering, would never do: far above any answer the emulator writes.
        options["outbuf_high_watermark"] = 1 << 30
    with warnings.catch_warnings():
        # send_bytes is deprecated in waitress 3 but still honoured; see SEND_BYTES.
        warnings.simplefilter("ignore", DeprecationWarning)
        server = create(app, _dispatcher=dispatcher, **options)
    return server


class InlineDispatcher:
    """waitress's task dispatcher without worker threads: :func:`serve` runs each task on
    the server's loop between two polls.

    With worker threads every request crosses threads twice (the loop hands it over, the
    worker wakes the loop with the answer), and each crossing waits for the GIL, which
    the other thread holds while it parses, validates or sends; in one thread nothing
    waits. A request being answered holds the others back: nothing the emulator does
    blocks for long (SQLite in WAL mode commits without a sync)."""

    def __init__(self) -> None:
        self.tasks: collections.deque[Any] = collections.deque()

    def set_thread_count(self, count: int) -> None:
        """Nothing to start: the loop is the one thread."""

    def add_task(self, task: Any) -> None:
        # Called from the channel while it holds its request lock: run later, not here.
        self.tasks.append(task)

    def run_pending(self) -> None:
        while self.tasks:
            task = self.tasks.popleft()
            try:
                task.service()
            except Exception:
                LOG.exception("exception while serving %r", task)

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        while self.tasks:
            self.tasks.popleft().cancel()
        return True


def serve(server: Any, stopping: threading.Event) -> None:
    """Run ``server``'s loop until ``stopping`` is set (and, inline, answer its requests).

    waitress's own run() only ends once every socket is closed; polling with a stop flag
    lets a stop end the loop without closing sockets under a running loop."""
    from waitress import wasyncore

    inline = (
        server.task_dispatcher if isinstance(server.task_dispatcher, InlineDispatcher) else None
    )
    while not stopping.is_set():
        busy = inline is not None and bool(inline.tasks)
        wasyncore.loop(timeout=0 if busy else LOOP_TIMEOUT, map=server._map, count=1)
        if inline is not None:
            inline.run_pending()


def _checked_workers(workers: object, tls: object, audit: object) -> int:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, not {workers!r}")
    if workers > 1 and tls is not None:
        raise ValueError("tls= is served by one process: use workers=1")
    if workers > 1 and audit is not None and not isinstance(audit, str):
        raise ValueError("with workers, audit= must be a store URL each worker can open")
    return workers


def _given(scope: dict[str, Any]) -> dict[str, Any]:
    """The constructor's own arguments from its ``locals()``, for a worker to rebuild it."""
    import inspect

    names = [n for n in inspect.signature(Sandbox.__init__).parameters if n not in ("self",)]
    options = {name: scope[name] for name in names if name in scope}
    options["workers"] = 1
    return options


def _partner_endpoint(
    sandbox: Sandbox,
    hierarchy: Mapping[str, str] | None,
    provision_delay: float,
    seed_demo: bool,
    max_body: int,
    validate_responses: bool,
    auth_fault_status: int,
) -> PartnerEndpoint:
    from .partner import (
        Hierarchy,
        PartnerEndpoint,
        PartnerSoapHandler,
        PartnerState,
        seed_hierarchy,
    )

    state = PartnerState(sandbox.state, Hierarchy(), provision_delay=provision_delay)
    children = seed.partner_hierarchy(sandbox.account_id) if seed_demo else []
    for child, parent in (hierarchy or {}).items():
        children.append((child, f"Sub-account {child}", parent))
    seed_hierarchy(state, children)
    soap = PartnerSoapHandler(
        state,
        sandbox.state,
        sandbox.auth,
        max_body=max_body,
        validate_responses=validate_responses,
        signatures=sandbox.signatures,
        auth_fault_status=auth_fault_status,
        lifecycle=sandbox.lifecycle,
    )
    rest = RestHandler(sandbox.state, sandbox.auth, sandbox.lifecycle)
    return PartnerEndpoint(state, soap, rest, sandbox.auth)


def _message_signatures(
    trusted_certs: Any, require_signature: bool, signer: X509Signer | None
) -> MessageSignatures | None:
    if trusted_certs is None and not require_signature and signer is None:
        return None  # no signing: cryptography is not even imported
    from .signing import MessageSignatures

    return MessageSignatures(
        trusted_certs=trusted_certs, require_signature=require_signature, signer=signer
    )


def _open_audit(audit: Any) -> Any:
    if audit is None:
        return None
    from ..options import open_audit

    return open_audit(audit)
