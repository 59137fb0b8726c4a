"""``Sandbox``: the emulator served by waitress on loopback, with admin helpers for tests.

``Sandbox.start(...)`` binds a port (a free one by default), serves from a background
thread and is a context manager that shuts the server down cleanly: the listening socket
and every open connection are closed from the server's own loop, then its worker threads
are stopped.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterable, Mapping
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
from .tokens import DEFAULT_TTL, QueryTokens

if TYPE_CHECKING:
    from ..wsse.signature import X509Signer
    from .partner import PartnerEndpoint
    from .signing import MessageSignatures
    from .tls import SandboxTLS, TlsFront

DEFAULT_USERS = {"u": "p"}
DEFAULT_MAX_BODY = 1024 * 1024
DEFAULT_THREADS = 8
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
        threads: int = DEFAULT_THREADS,
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
    ) -> None:
        checked_auth_fault_status(auth_fault_status)  # before anything is opened
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
        self.store = Store(db)
        self.state = ObjectState(self.store, QueryTokens(query_token_ttl))
        self.accounting = AccountingState(self.store)
        self.auth = Authenticator(Credentials(self.users, tokens), security)
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
        self._audit = _open_audit(audit)
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
        )
        self._host, self._port, self._threads = host, port, threads
        self._max_body = max_body
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._accounts_added = 0

    @classmethod
    def start(cls, users: Mapping[str, str] | None = None, **options: Any) -> Sandbox:
        """Build a sandbox and serve it in a background thread; use it as a context manager."""
        sandbox = cls(users=users, **options)
        sandbox.serve_in_background()
        return sandbox

    # server lifecycle ------------------------------------------------------------------

    def serve_in_background(self) -> None:
        if self._server is not None:
            raise RuntimeError("the sandbox is already serving")
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
        from waitress import wasyncore

        server = self._server
        # waitress's own run() only ends once every socket is closed; polling with a stop
        # flag lets stop() end the loop without closing sockets under a running loop.
        while not self._stopping.is_set():
            wasyncore.loop(timeout=LOOP_TIMEOUT, map=server._map, count=1)

    def _create_server(self) -> Any:
        # With TLS, waitress listens on a private loopback port behind the TLS front.
        tls = self._tls_context is not None
        host, port = ("127.0.0.1", 0) if tls else (self._host, self._port)
        return create_server(self.app, host, port, self._threads, self._max_body)

    @property
    def port(self) -> int:
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
        self.store.close()
        if self._owns_audit and self._audit is not None:
            self._audit.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._server is not None else "stopped"
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


def create_server(app: Any, host: str, port: int, threads: int, max_body: int) -> Any:
    """A waitress server for ``app`` with :func:`waitress_options`, not yet serving."""
    import warnings

    from waitress.server import create_server as create

    with warnings.catch_warnings():
        # send_bytes is deprecated in waitress 3 but still honoured; see SEND_BYTES.
        warnings.simplefilter("ignore", DeprecationWarning)
        return create(app, host=host, port=port, **waitress_options(threads, max_body))


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
