"""``boomisoap sandbox serve``: the emulator (:class:`boomisoap.sandbox.Sandbox`) from a shell.

The root group loads :data:`sandbox_group` when the command is used (``LAZY_COMMANDS``);
``python -m boomisoap.sandbox`` and :func:`serve` run it on their own.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

import click

from ..errors import InvalidRequest, SignatureError
from ..models.mftpaths import MftPaths, mft_paths_from


def _pair(value: str, option: str) -> tuple[str, str]:
    name, sep, secret = value.partition(":")
    if not sep or not name:
        raise click.BadParameter(f"expected NAME:SECRET, got {name or '?'}:...", param_hint=option)
    return name, secret


def _sub_account(value: str) -> tuple[str, str]:
    from ..options import account_id

    child, sep, parent = value.partition("=")
    try:
        if not sep:
            raise InvalidRequest("expected CHILD=PARENT")
        pair = account_id(child.strip(), "CHILD"), account_id(parent.strip(), "PARENT")
    except InvalidRequest as exc:
        raise click.BadParameter(f"{value!r}: {exc.message}", param_hint="--sub-account") from None
    if pair[0] == pair[1]:
        raise click.BadParameter(
            f"{value!r}: an account is not its own sub-account", param_hint="--sub-account"
        )
    return pair


def _mft_paths(values: tuple[str, ...]) -> MftPaths | None:
    if not values:
        return None  # the defaults: the client's paths and the earlier layout
    try:
        return mft_paths_from(values)
    except InvalidRequest as exc:
        raise click.BadParameter(exc.message, param_hint="--mft-path") from None


def _rate_limit(ctx: click.Context, param: click.Parameter, value: str) -> float | None:
    """``--rate-limit``: a positive number of requests per second, or ``off``/``0``."""
    if value.strip().lower() in ("off", "none", "0", "0.0"):
        return None
    try:
        limit = float(value)
    except ValueError:
        limit = -1.0
    if not limit > 0 or limit == float("inf"):
        raise click.BadParameter(
            f"expected a positive number of requests per second or 'off', got {value!r}",
            ctx=ctx,
            param=param,
        )
    return limit


def _db_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--db``: the file may be new, but its directory must exist (checked before serving)."""
    if value is None:
        return None
    folder = Path(value).expanduser().resolve().parent
    if not folder.is_dir():
        raise click.BadParameter(f"directory {folder} does not exist", ctx=ctx, param=param)
    return value


@click.group("sandbox")
def sandbox_group() -> None:
    """The local Boomi API emulator."""


@sandbox_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free).",
)
@click.option(
    "--db",
    "db",
    default=None,
    type=click.Path(dir_okay=False),
    callback=_db_path,
    help="SQLite file kept across restarts (default: in memory); its directory must exist.",
)
@click.option(
    "--user", "users", multiple=True, metavar="NAME:PASS", help="A user (repeatable; default u:p)."
)
@click.option(
    "--token",
    "tokens",
    multiple=True,
    metavar="NAME:TOKEN",
    help="An API token, used as user BOOMI_TOKEN.NAME (repeatable).",
)
@click.option(
    "--account", "account_id", default="acct-1", show_default=True, help="The account id served."
)
@click.option(
    "--rate-limit",
    default="10",
    show_default=True,
    callback=_rate_limit,
    help="Requests per second per account (a positive number), or 'off'.",
)
@click.option(
    "--seed-demo",
    is_flag=True,
    help="Load the demo data (the examples of Boomi's reference pages).",
)
@click.option("--mft-api-key", default=None, help="MFT bearer key (default: generated, shown).")
@click.option(
    "--mft-path",
    "mft_paths",
    multiple=True,
    metavar="KEY=SEGMENT",
    help="Serve MFT Accounting at these segments instead of the defaults (repeatable; "
    "keys as MftPaths, docs/mft.md).",
)
@click.option("--audit", default=None, metavar="URL", help="Audit store URL for every exchange.")
@click.option(
    "--sub-account",
    "sub_accounts",
    multiple=True,
    metavar="CHILD=PARENT",
    help="Partner API: make CHILD a sub-account of PARENT (repeatable; docs/partner.md).",
)
@click.option(
    "--provision-delay",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Partner API: seconds until an Account Provision is COMPLETED.",
)
@click.option(
    "--max-body",
    default=1024 * 1024,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest request body in bytes (larger: 413).",
)
@click.option(
    "--trust-cert",
    "trust_certs",
    multiple=True,
    metavar="PEM",
    type=click.Path(exists=True, dir_okay=False),
    help="Trust this certificate or PEM bundle for signed SOAP requests (repeatable).",
)
@click.option(
    "--require-signature",
    is_flag=True,
    help="Refuse unsigned SOAP requests (403); needs --trust-cert.",
)
@click.option(
    "--sign-key",
    metavar="PEM",
    type=click.Path(exists=True, dir_okay=False),
    help="Sign every SOAP answer with this unencrypted private key (with --sign-cert).",
)
@click.option(
    "--sign-cert",
    metavar="PEM",
    type=click.Path(exists=True, dir_okay=False),
    help="The certificate of --sign-key, sent in each signed answer.",
)
@click.option(
    "--auth-fault-status",
    type=click.Choice(["401", "403", "500"]),
    default="403",
    show_default=True,
    help="HTTP status of SOAP authentication faults (500: WS-I Basic Profile R1126).",
)
@click.option(
    "--tls-cert",
    metavar="PEM",
    type=click.Path(exists=True, dir_okay=False),
    help="Serve HTTPS with this certificate chain (with --tls-key).",
)
@click.option(
    "--tls-key",
    metavar="PEM",
    type=click.Path(exists=True, dir_okay=False),
    help="The unencrypted private key of --tls-cert.",
)
@click.option(
    "--tls-client-ca",
    metavar="PEM",
    type=click.Path(exists=True, dir_okay=False),
    help="Require client certificates signed by this CA (mutual TLS; needs --tls-cert).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Processes serving the port over one database file (a temporary one without --db).",
)
def serve_command(
    host: str,
    port: int,
    db: str | None,
    users: tuple[str, ...],
    tokens: tuple[str, ...],
    account_id: str,
    rate_limit: float | None,
    seed_demo: bool,
    mft_api_key: str | None,
    mft_paths: tuple[str, ...],
    audit: str | None,
    sub_accounts: tuple[str, ...],
    provision_delay: float,
    max_body: int,
    trust_certs: tuple[str, ...],
    require_signature: bool,
    sign_key: str | None,
    sign_cert: str | None,
    auth_fault_status: str,
    tls_cert: str | None,
    tls_key: str | None,
    tls_client_ca: str | None,
    workers: int,
) -> int:
    """Serve the emulator until interrupted, logging one line per request."""
    from ..sandbox.server import Sandbox

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    options: dict[str, Any] = {
        "users": dict(_pair(u, "--user") for u in users) if users else None,
        "tokens": dict(_pair(t, "--token") for t in tokens),
        "db": db,
        "seed_demo": seed_demo,
        "rate_limit": rate_limit,
        "account_id": account_id,
        "host": host,
        "port": port,
        "mft_api_key": mft_api_key,
        "mft_paths": _mft_paths(mft_paths),
        "audit": audit,
        "hierarchy": dict(_sub_account(a) for a in sub_accounts),
        "provision_delay": provision_delay,
        "max_body": max_body,
        "log_requests": True,
        "auth_fault_status": int(auth_fault_status),
        **_signature_options(trust_certs, require_signature, sign_key, sign_cert),
        **_tls_options(tls_cert, tls_key, tls_client_ca),
        "workers": workers,
    }
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with _started(Sandbox, options) as sandbox:
        click.echo(
            f"boomisoap sandbox listening on {sandbox.base_url} (account {sandbox.account_id})"
        )
        if mft_api_key is None:
            # A generated key is otherwise unknowable; it is only valid for this process.
            click.echo(f"MFT API key: {sandbox.mft_api_key}")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    click.echo("boomisoap sandbox stopped")
    return 0


def _started(cls: Any, options: dict[str, Any]) -> Any:
    """``Sandbox.start(**options)``, its failures as one-line errors instead of tracebacks."""
    where = f"{options['host']}:{options['port']}"
    try:
        return cls.start(**options)
    except sqlite3.Error as exc:
        raise click.ClickException(f"cannot open the --db file {options['db']}: {exc}") from None
    except OSError as exc:
        # EADDRINUSE, EACCES (a port below 1024), EADDRNOTAVAIL (a foreign address) ...
        reason = exc.strerror or str(exc)
        raise click.ClickException(f"cannot listen on {where}: {reason}") from None
    except ValueError as exc:
        # waitress: a --host that does not resolve ("Invalid host/port specified.")
        raise click.UsageError(f"cannot listen on {where}: {exc}") from None


def _tls_options(cert: str | None, key: str | None, client_ca: str | None) -> dict[str, Any]:
    """The Sandbox.start ``tls=`` of the --tls-* flags, its files checked here."""
    if cert is None and key is None and client_ca is None:
        return {}
    if cert is None or key is None:
        raise click.UsageError("--tls-cert and --tls-key go together")
    from ..sandbox.tls import SandboxTLS

    tls = SandboxTLS(cert, key, client_ca=client_ca)
    try:
        tls.context()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--tls-cert") from None
    return {"tls": tls}


def _signature_options(
    trust_certs: tuple[str, ...],
    require_signature: bool,
    sign_key: str | None,
    sign_cert: str | None,
) -> dict[str, Any]:
    """The Sandbox.start options of the signing flags; keys and certificates parsed here."""
    if require_signature and not trust_certs:
        raise click.UsageError("--require-signature needs --trust-cert")
    if (sign_key is None) != (sign_cert is None):
        raise click.UsageError("--sign-key and --sign-cert go together")
    if not trust_certs and sign_key is None:
        return {}
    from ..wsse.signature import TrustedCerts, X509Signer

    options: dict[str, Any] = {"require_signature": require_signature}
    try:
        if trust_certs:
            options["trusted_certs"] = TrustedCerts.load(list(trust_certs))
        if sign_key is not None and sign_cert is not None:
            options["signer"] = X509Signer(sign_key, sign_cert)
    except SignatureError as exc:
        raise click.UsageError(str(exc)) from None
    return options


def serve(argv: list[str] | None = None) -> int:
    """Run ``boomisoap sandbox serve`` with command-line style options; blocks until stopped."""
    result: Any = serve_command.main(
        args=argv, prog_name="boomisoap sandbox serve", standalone_mode=False
    )
    return int(result or 0)


__all__ = ["sandbox_group", "serve", "serve_command"]
