"""``boomisoap audit ...``: show, search, export, verify, replay, and the Merkle tree's
checkpoints, proofs and retention.

Exit codes: 0 success, 1 a broken chain / missing record / failed replay, 2 usage.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import requests

from ..audit.errors import AuditError, AuditURLError
from ..audit.log import AuditLog
from ..audit.proofs import check_consistency, check_proof
from ..audit.record import AuditRecord, record_to_dict
from ..audit.render import extension, full_text, pretty_text, summary_line
from ..audit.replay import ReplayError, replay
from ..audit.signing import PublicKey, SignedCheckpoint, load_public_key, write_key_pair
from ..options import TOKEN_USER_PREFIX
from .state import State


def _open(url: str, hmac_key: bytes | None = None) -> AuditLog:
    try:
        return AuditLog.open(url, read_only=True, hmac_key=hmac_key)
    except AuditURLError as exc:
        raise click.UsageError(str(exc)) from None
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None


def _env(name: str, what: str) -> str:
    value = os.environ.get(name)
    if value is None:
        raise click.UsageError(f"environment variable {name} (the {what}) is not set")
    return value


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 date/time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _pick(log: AuditLog, seq: int | None, stream: str | None) -> AuditRecord:
    if stream is None:
        streams = sorted(log.heads())
        if len(streams) > 1:
            raise click.UsageError(f"the store has several streams, pass --stream: {streams}")
        stream = streams[0] if streams else None
    if seq is None:
        heads = log.heads()
        if stream is None or stream not in heads or heads[stream].count == 0:
            raise click.ClickException("the store is empty")
        seq = heads[stream].count
    record = log.get(seq, stream)
    if record is None:
        raise click.ClickException(f"no record {seq}" + (f" in stream {stream}" if stream else ""))
    return record


@click.group("audit")
def audit() -> None:
    """Inspect, search, export, verify and replay audit stores (URL: sqlite:///./file in the
    working directory, sqlite:///abs/path, jsonl:///./file, postgresql://user@host:port/db;
    without a URL, show, search, export and verify read the global --audit store)."""


def _cli_settings() -> Any:
    """The root ``boomisoap`` command's settings (global options, BOOMI_*, profile), or None
    when this group runs on its own."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return None
    state = ctx.find_object(State)
    return state.settings if state is not None else None


def _store_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """The store URL argument, or the global ``--audit`` (``BOOMISOAP_AUDIT``) without one."""
    if value:
        return value
    settings = _cli_settings()
    if settings is not None and settings.audit:
        return str(settings.audit)
    raise click.UsageError("give the audit store URL, or the global --audit / BOOMISOAP_AUDIT")


_OUTPUT_HELP = "text or json (default: json after the global -o json, else text)."


def _output(given: str | None) -> str:
    """This command's --output, else the global one (``boomisoap -o json audit ...``)."""
    if given is not None:
        return given
    settings = _cli_settings()
    return "json" if settings is not None and settings.output == "json" else "text"


@audit.command("show")
@click.argument("url", required=False, callback=_store_url)
@click.option("--seq", type=int, help="Record number (default: the last one).")
@click.option("--stream", help="Stream, when the store has several.")
@click.option("--output", type=click.Choice(["text", "json"]), help=_OUTPUT_HELP)
def show(url: str, seq: int | None, stream: str | None, output: str | None) -> None:
    """Show one record in full: metadata, redacted headers and bodies."""
    output = _output(output)
    with _open(url) as log:
        record = _pick(log, seq, stream)
        if output == "json":
            click.echo(json.dumps(record_to_dict(record), ensure_ascii=False, indent=2))
        else:
            click.echo(full_text(record))


def _filters(func: Any) -> Any:
    options = [
        click.option("--service"),
        click.option("--operation"),
        click.option("--object-id"),
        click.option("--outcome", type=click.Choice(["ok", "fault", "transport_error"])),
        click.option("--correlation-id"),
        click.option("--since", help="ISO 8601, inclusive (UTC when no zone)."),
        click.option("--until", help="ISO 8601, exclusive (UTC when no zone)."),
        click.option("--stream"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _select(log: AuditLog, filters: dict[str, Any]) -> Iterator[AuditRecord]:
    return log.records(
        since=_when(filters.get("since")),
        until=_when(filters.get("until")),
        service=filters.get("service"),
        operation=filters.get("operation"),
        object_id=filters.get("object_id"),
        outcome=filters.get("outcome"),
        correlation_id=filters.get("correlation_id"),
        stream=filters.get("stream"),
    )


@audit.command("search")
@click.argument("url", required=False, callback=_store_url)
@_filters
@click.option("--limit", type=int, help="Stop after this many records.")
@click.option("--output", type=click.Choice(["text", "json"]), help=_OUTPUT_HELP)
def search(url: str, limit: int | None, output: str | None, **filters: Any) -> None:
    """List records matching every filter given."""
    output = _output(output)
    with _open(url) as log:
        found = _select(log, filters)
        if output == "json":
            click.echo("[", nl=False)
            for i, record in enumerate(found):
                if limit is not None and i >= limit:
                    break
                prefix = "," if i else ""
                click.echo(prefix + json.dumps(record_to_dict(record), ensure_ascii=False))
            click.echo("]")
            return
        for i, record in enumerate(found):
            if limit is not None and i >= limit:
                break
            click.echo(summary_line(record))


@audit.command("export")
@click.argument("url", required=False, callback=_store_url)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "files"]), required=True)
@click.option("--dest", type=click.Path(path_type=Path), required=True)
@_filters
def export(url: str, fmt: str, dest: Path, **filters: Any) -> None:
    """Export records: one JSON line each, or a directory per record with its bodies."""
    count = 0
    with _open(url) as log:
        if fmt == "jsonl":
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(dest, "w", encoding="utf-8") as out:
                for record in _select(log, filters):
                    out.write(json.dumps(record_to_dict(record), ensure_ascii=False) + "\n")
                    count += 1
        else:
            for record in _select(log, filters):
                _export_files(record, dest)
                count += 1
    click.echo(f"exported {count} record(s) to {dest}")


def _export_files(r: AuditRecord, dest: Path) -> None:
    safe_stream = "".join(c if c.isalnum() or c in "-_." else "_" for c in r.stream)
    folder = dest / safe_stream / f"{r.seq:08d}"
    folder.mkdir(parents=True, exist_ok=True)
    meta = record_to_dict(r)
    for key in ("request_body", "request_body_b64", "response_body", "response_body_b64"):
        meta.pop(key, None)
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    ext = extension(r.request_body, r.header("Content-Type"))
    (folder / f"request.{ext}").write_bytes(r.request_body)
    if r.response_body is not None:
        ext = extension(r.response_body, r.header("Content-Type", response=True))
        (folder / f"response.{ext}").write_bytes(r.response_body)


def _public_key(path: str) -> PublicKey:
    try:
        return load_public_key(path)
    except OSError as exc:
        raise click.UsageError(f"--public-key {path}: {exc.strerror}") from None
    except AuditError as exc:
        raise click.UsageError(f"--public-key {path}: {exc}") from None


def _read_json(path: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise click.UsageError(f"{what} {path}: {exc.strerror}") from None
    except ValueError:
        raise click.UsageError(f"{what} {path} is not JSON") from None
    if not isinstance(data, dict):
        raise click.UsageError(f"{what} {path} is not a JSON object")
    return data


def _write_json(data: dict[str, Any], output: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@audit.command("verify")
@click.argument("url", required=False, callback=_store_url)
@click.option("--hmac-key-env", help="Environment variable holding the HMAC key (UTF-8).")
@click.option("--public-key", help="PEM public key checking the checkpoint signatures.")
@click.option("--anchor", help="File of checkpoints kept outside the store, checked too.")
def verify(url: str, hmac_key_env: str | None, public_key: str | None, anchor: str | None) -> None:
    """Check the hash chain(s), head markers, Merkle trees and checkpoints; exit 1 when
    anything is broken."""
    key = _env(hmac_key_env, "HMAC key").encode("utf-8") if hmac_key_env else None
    public = _public_key(public_key) if public_key else None
    with _open(url, key) as log:
        try:
            report = log.verify(public_key=public, anchor=anchor)
        except (AuditError, OSError) as exc:
            raise click.ClickException(str(exc)) from None
    if report.ok:
        click.echo(f"checked {report.checked} records in {report.streams} stream(s): OK")
        click.echo(report.reason)
        return
    where = f" (stream {report.stream})" if report.stream else ""
    click.echo(
        f"checked {report.checked} records: BROKEN, first broken record "
        f"{report.first_broken if report.first_broken is not None else '-'}{where}: "
        f"{report.reason}"
    )
    sys.exit(1)


def _replay_target(
    base_url: str | None, username: str | None, password_env: str | None
) -> tuple[str, str, str, float | None]:
    """(base URL, user, password, timeout) from the global options, the BOOMI_* variables or
    the profile; the hidden per-command options of older releases still win when given."""
    settings = _cli_settings()
    if password_env is not None:
        password = _env(password_env, "password")
    elif settings is not None and settings.token:
        password = settings.token
    elif settings is not None and settings.password:
        password = settings.password
    else:
        raise click.UsageError(
            "no password or token: set BOOMI_PASSWORD or BOOMI_TOKEN (or the global "
            "--password / --token), or add one to the profile"
        )
    user = username or (settings.username if settings is not None else None)
    if not user:
        raise click.UsageError("no user name: set BOOMI_USERNAME or the global --username")
    if password_env is None and settings is not None and settings.token:
        user = TOKEN_USER_PREFIX + user  # how Boomi takes an API token (docs/client.md)
    target = base_url or (settings.base_url if settings is not None else None)
    if not target:
        raise click.UsageError("no endpoint: set BOOMI_BASE_URL or the global --base-url")
    return target, user, password, settings.timeout if settings is not None else None


def _confirm_write(recorded: AuditRecord, url: str, yes: bool) -> None:
    """A recorded create/update/delete changes the server again: ask first (or --yes)."""
    from ..transport import IDEMPOTENT

    if yes or recorded.operation in IDEMPOTENT:
        return
    what = f"record {recorded.seq} is a {recorded.operation}"
    question = f"{what}: re-sending it to {url} changes the server again. Send it?"
    try:
        go = click.confirm(question, default=False, err=True)
    except click.Abort:
        # No standard input to answer from (a pipe, cron, CI): refuse instead of guessing.
        raise click.UsageError(
            f"{what}, which re-sending would repeat; there is no input to confirm it from: "
            "pass --yes to send it"
        ) from None
    if not go:
        raise click.ClickException(f"not sent: {what}")


@audit.command("replay")
@click.argument("url")
@click.argument("record", type=int)
@click.option("--stream", help="Stream, when the store has several.")
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="Re-send a recorded write (create, update, delete ...) without asking.",
)
@click.option("--base-url", hidden=True, help="Deprecated: use the global --base-url.")
@click.option("--username", hidden=True, help="Deprecated: use the global --username.")
@click.option("--password-env", hidden=True, help="Deprecated: use BOOMI_PASSWORD.")
@click.option("--timeout", type=float, hidden=True, help="Deprecated: use the global --timeout.")
def replay_command(
    url: str,
    record: int,
    stream: str | None,
    yes: bool,
    base_url: str | None,
    username: str | None,
    password_env: str | None,
    timeout: float | None,
) -> None:
    """Re-send a recorded request with fresh credentials; show old vs new response.

    The endpoint and credentials are the global ones (--base-url, --username, --password
    or --token, the BOOMI_* variables, or the profile). A recorded write (create, update,
    delete ...) is only re-sent after a yes at the prompt, or with --yes. The diff compares
    the two answers indented (XML and JSON), so layout alone shows no difference.
    """
    old = {
        "--base-url": (base_url, "the global --base-url or BOOMI_BASE_URL"),
        "--username": (username, "the global --username or BOOMI_USERNAME"),
        "--password-env": (password_env, "BOOMI_PASSWORD or the global --password"),
        "--timeout": (timeout, "the global --timeout"),
    }
    for flag, (value, instead) in old.items():
        if value is not None:
            click.echo(f"note: audit replay {flag} is deprecated; use {instead}", err=True)
    target, user, password, default_timeout = _replay_target(base_url, username, password_env)
    with _open(url) as log:
        recorded = _pick(log, record, stream)
    _confirm_write(recorded, target, yes)
    try:
        result = replay(
            recorded, target, user, password, timeout=timeout or default_timeout or 30.0
        )
    except ReplayError as exc:
        raise click.ClickException(str(exc)) from None
    except requests.RequestException as exc:
        raise click.ClickException(f"replay failed: {type(exc).__name__}") from None
    if result.leftover_redactions:
        click.echo(
            f"warning: the request still holds {result.leftover_redactions} redacted "
            "value(s); the server receives the marker, not the original",
            err=True,
        )
    old_status = recorded.status if recorded.status is not None else "-"
    old_text = pretty_text(recorded.response_body)
    new_text = pretty_text(result.body)
    click.echo(f"replayed record {recorded.seq}: {result.method} {result.url}")
    click.echo(f"=== recorded response: {old_status}")
    click.echo(old_text)
    click.echo(f"=== new response: {result.status}")
    click.echo(new_text)
    diff = list(
        difflib.unified_diff(
            old_text.splitlines(), new_text.splitlines(), "recorded", "new", lineterm=""
        )
    )
    click.echo("=== diff" + ("" if diff else ": identical"))
    for line in diff:
        click.echo(line)


@audit.command("checkpoint")
@click.argument("url")
@click.option("--signing-key", required=True, help="PEM private key (mode 600).")
@click.option("--anchor", multiple=True, help="File (or 'syslog') to append it to as well.")
def checkpoint_command(url: str, signing_key: str, anchor: tuple[str, ...]) -> None:
    """Sign the current tree head of the store's stream now and store the checkpoint
    (PostgreSQL: name the stream with ?stream=NAME)."""
    try:
        with AuditLog.open(url, signing_key=signing_key, anchor=list(anchor)) as log:
            cp = log.checkpoint()
            if cp is None:
                cps = log.checkpoints(log.sink.stream)
                cp = cps[-1] if cps else None
    except AuditURLError as exc:
        raise click.UsageError(str(exc)) from None
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    if cp is None:
        raise click.ClickException("the stream is empty: nothing to sign")
    click.echo(cp.line())


@audit.command("prove")
@click.argument("url")
@click.argument("record", type=int)
@click.option("--stream", help="Stream, when the store has several.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="File (default: stdout).")
def prove_command(url: str, record: int, stream: str | None, output: Path | None) -> None:
    """Export RECORD with its inclusion proof against the latest signed checkpoint
    covering it: a self-contained JSON file that check-proof verifies offline."""
    with _open(url) as log:
        try:
            proof = log.prove(record, stream)
        except AuditError as exc:
            raise click.ClickException(str(exc)) from None
    _write_json(proof, output)


@audit.command("check-proof")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--public-key", required=True, help="PEM public key of the log's signer.")
def check_proof_command(file: str, public_key: str) -> None:
    """Verify a proof written by `prove`, with the public key alone (no store)."""
    public = _public_key(public_key)
    result = check_proof(_read_json(file, "proof"), public)
    click.echo(("OK: " if result.ok else "FAILED: ") + result.reason)
    if not result.ok:
        sys.exit(1)


@audit.command("prove-consistency")
@click.argument("url")
@click.option("--old-size", type=int, required=True, help="Size of the earlier checkpoint.")
@click.option("--new-size", type=int, help="Size of the later one (default: the latest).")
@click.option("--stream", help="Stream, when the store has several.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="File (default: stdout).")
def prove_consistency_command(
    url: str, old_size: int, new_size: int | None, stream: str | None, output: Path | None
) -> None:
    """Export a consistency proof between two stored checkpoints: the log only grew."""
    with _open(url) as log:
        try:
            proof = log.prove_consistency(old_size, new_size, stream)
        except AuditError as exc:
            raise click.ClickException(str(exc)) from None
    _write_json(proof, output)


@audit.command("check-consistency")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--public-key", required=True, help="PEM public key of the log's signer.")
@click.option("--trusted", help="A checkpoint kept earlier (JSON) the proof must start from.")
def check_consistency_command(file: str, public_key: str, trusted: str | None) -> None:
    """Verify a consistency proof offline, optionally from a checkpoint you kept."""
    public = _public_key(public_key)
    old = None
    if trusted is not None:
        try:
            old = SignedCheckpoint.from_json(_read_json(trusted, "checkpoint"))
        except AuditError as exc:
            raise click.UsageError(f"--trusted {trusted}: {exc}") from None
    result = check_consistency(_read_json(file, "proof"), public, old)
    click.echo(("OK: " if result.ok else "FAILED: ") + result.reason)
    if not result.ok:
        sys.exit(1)


@audit.command("prune")
@click.argument("url")
@click.option("--before", required=True, help="ISO 8601: records started earlier go.")
@click.option("--stream", help="Stream, when the store has several.")
@click.option("--signing-key", help="Sign a checkpoint first, so the whole prefix is covered.")
def prune_command(url: str, before: str, stream: str | None, signing_key: str | None) -> None:
    """Delete the oldest records (those started before --before, as far as a signed
    checkpoint covers them), keeping the tree and checkpoints: the store and every
    proof exported earlier still verify."""
    moment = _when(before) or datetime.now(UTC)  # --before is required
    try:
        with AuditLog.open(url, signing_key=signing_key) as log:
            if signing_key is not None:
                log.checkpoint()
            deleted = log.prune(moment, stream)
    except AuditURLError as exc:
        raise click.UsageError(str(exc)) from None
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"pruned {deleted} record(s)")


@audit.command("serve")
@click.argument("url")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=int, default=8750, show_default=True)
@click.option("--token-env", help="Environment variable holding the access token "
              "(required for a non-loopback --host).")  # fmt: skip
@click.option("--public-key", help="PEM public key checking the checkpoint signatures.")
@click.option("--hmac-key-env", help="Environment variable holding the HMAC key (UTF-8).")
def serve_command(
    url: str,
    host: str,
    port: int,
    token_env: str | None,
    public_key: str | None,
    hmac_key_env: str | None,
) -> None:
    """Serve a read-only web viewer of the store (needs boomisoap[viewer])."""
    try:
        from ..audit.viewer import check_bind, serve
    except ImportError:
        raise click.ClickException(
            "the viewer needs Flask: pip install 'boomisoap[viewer]'"
        ) from None
    token = _env(token_env, "access token") if token_env else None
    try:
        check_bind(host, token)
    except AuditError as exc:
        raise click.UsageError(str(exc)) from None
    public = _public_key(public_key) if public_key else None
    key = _env(hmac_key_env, "HMAC key").encode("utf-8") if hmac_key_env else None
    try:
        serve(
            url,
            host,
            port,
            token=token,
            public_key=public,
            hmac_key=key,
            ready=lambda base: click.echo(f"serving {base} (read-only)", err=True),
        )
    except AuditURLError as exc:
        raise click.UsageError(str(exc)) from None
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None


@audit.command("keygen")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True)
@click.option("--ecdsa", is_flag=True, help="ECDSA P-256 instead of Ed25519.")
def keygen_command(out: Path, ecdsa: bool) -> None:
    """Write a new signing key to OUT (mode 600) and its public key to OUT.pub."""
    try:
        private, public = write_key_pair(out, ecdsa=ecdsa)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"private key {private} (keep it with the writer), public key {public}")


__all__ = ["audit"]
