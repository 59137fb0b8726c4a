"""A read-only web viewer of an audit store: ``boomisoap audit serve URL``.

Built on Flask (``pip install boomisoap[viewer]``) and served by waitress. It opens the
store read-only and has only GET routes: it cannot write. What it shows is what the
store holds, and the store holds bodies, headers and URLs already redacted, so no
secret can reach a page; the redaction markers are highlighted where they replaced
one. Bound to loopback by default; any other address needs an access token (given to
the browser once as ``?token=...``, then kept in an HttpOnly cookie, or sent as
``Authorization: Bearer ...``), and every request without it is refused with 401.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ..redact.markers import REDACTED
from .errors import AuditError
from .log import AuditLog
from .record import AuditRecord, format_time
from .signing import PublicKey
from .verify import VerifyReport
from .viewer_pages import LIST_PAGE, RECORD_PAGE, STYLE

if TYPE_CHECKING:
    from flask import Flask, Response

COOKIE = "boomisoap_viewer"
PAGE_SIZE = 200
STATUS_TTL = 30.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve on a non-loopback address without an access token."""
    if not is_loopback(host) and not token:
        raise AuditError(
            f"refusing to serve on {host}, which is not a loopback address, without an "
            "access token (--token-env VAR)"
        )


@dataclass
class _Status:
    report: VerifyReport
    at: float


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def highlighted(text: str) -> Markup:
    """``text`` escaped for HTML, each redaction marker wrapped in <mark>."""
    marker = str(escape(REDACTED))
    return Markup(str(escape(text)).replace(marker, f'<mark class="redacted">{marker}</mark>'))


def pretty(body: bytes | None, content_type: str | None) -> str:
    """A body as readable text: XML and JSON indented (for display only: the stored
    bytes are what proofs cover), anything else as it is."""
    if body is None:
        return "(no response)"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return f"({len(body)} bytes, not UTF-8)"
    stripped = text.lstrip()
    if stripped.startswith("<"):
        from lxml import etree

        try:
            parser = etree.XMLParser(
                resolve_entities=False, no_network=True, remove_blank_text=True
            )
            root = etree.fromstring(body, parser)
            return str(etree.tostring(root, pretty_print=True, encoding="unicode"))
        except etree.XMLSyntaxError:
            return text
    if stripped.startswith(("{", "[")) or "json" in (content_type or ""):
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            return text
    return text


def create_app(
    url: str,
    *,
    token: str | None = None,
    public_key: PublicKey | None = None,
    hmac_key: bytes | None = None,
) -> Flask:
    from flask import Flask, Response, abort, redirect, render_template_string, request

    log = AuditLog.open(url, read_only=True, hmac_key=hmac_key, public_key=public_key)
    app = Flask("boomisoap.audit.viewer")
    lock = threading.Lock()
    status: dict[str, _Status] = {}

    def verified() -> VerifyReport:
        with lock:
            cached = status.get("all")
            if cached is None or time.monotonic() - cached.at > STATUS_TTL:
                cached = _Status(log.verify(), time.monotonic())
                status["all"] = cached
            return cached.report

    @app.before_request
    def authenticate() -> Any:
        if request.method not in ("GET", "HEAD"):
            abort(405)
        if token is None:
            return None
        given = request.args.get("token")
        if given is not None and hmac.compare_digest(given.encode(), token.encode()):
            # Once: keep it in a cookie and take it out of the address bar and history.
            args = {k: v for k, v in request.args.items() if k != "token"}
            query = "&".join(f"{k}={v}" for k, v in args.items())
            response = redirect(request.path + (f"?{query}" if query else ""))
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict")
            return response
        header = request.headers.get("Authorization", "")
        presented = request.cookies.get(COOKIE) or (
            header[7:] if header.startswith("Bearer ") else ""
        )
        if not hmac.compare_digest(presented.encode(), token.encode()):
            return Response("access token required\n", 401, {"WWW-Authenticate": "Bearer"})
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/style.css")
    def style() -> Response:
        return Response(STYLE, mimetype="text/css")

    @app.get("/")
    def index() -> str:
        fields = ("since", "until", "service", "operation", "object_id", "outcome",
                  "correlation_id", "stream")  # fmt: skip
        form = {name: request.args.get(name, "").strip() for name in fields}
        error = ""
        found: list[AuditRecord] = []
        try:
            records = log.records(
                since=_moment(form["since"]),
                until=_moment(form["until"]),
                service=form["service"] or None,
                operation=form["operation"] or None,
                object_id=form["object_id"] or None,
                outcome=form["outcome"] or None,
                correlation_id=form["correlation_id"] or None,
                stream=form["stream"] or None,
            )
            for record in records:
                found.append(record)
                if len(found) >= PAGE_SIZE:
                    break
        except ValueError:
            error = "since/until must be ISO 8601 date-times"
        return render_template_string(
            LIST_PAGE,
            form=form,
            records=found,
            more=len(found) >= PAGE_SIZE,
            error=error,
            report=verified(),
            checkpoints=_latest_checkpoints(log),
            time=format_time,
        )

    @app.get("/record/<path:stream>/<int:seq>")
    def record_page(stream: str, seq: int) -> str:
        record = log.get(seq, stream)
        if record is None:
            abort(404)
        latest = _latest_checkpoints(log).get(stream)
        return render_template_string(
            RECORD_PAGE,
            r=record,
            request_text=highlighted(pretty(record.request_body, record.header("Content-Type"))),
            response_text=highlighted(
                pretty(record.response_body, record.header("Content-Type", response=True))
            ),
            mark=highlighted,
            report=verified(),
            checkpoint=latest,
            provable=latest is not None and latest.size >= seq,
            time=format_time,
        )

    @app.get("/record/<path:stream>/<int:seq>/proof.json")
    def proof(stream: str, seq: int) -> Response:
        try:
            data = log.prove(seq, stream)
        except AuditError as exc:
            return Response(f"{exc}\n", 404, mimetype="text/plain")
        name = "".join(c if c.isalnum() else "_" for c in stream)
        return Response(
            json.dumps(data, ensure_ascii=False, indent=2) + "\n",
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="proof-{name}-{seq}.json"'},
        )

    app.extensions["boomisoap_audit_log"] = log
    return app


def _latest_checkpoints(log: AuditLog) -> dict[str, Any]:
    latest: dict[str, Any] = {}
    for cp in log.checkpoints():
        if cp.stream not in latest or cp.size >= latest[cp.stream].size:
            latest[cp.stream] = cp
    return latest


def serve(
    url: str,
    host: str,
    port: int,
    *,
    token: str | None = None,
    public_key: PublicKey | None = None,
    hmac_key: bytes | None = None,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the viewer until interrupted (``ready`` gets the base URL once bound)."""
    check_bind(host, token)
    import waitress

    app = create_app(url, token=token, public_key=public_key, hmac_key=hmac_key)
    server = waitress.create_server(app, host=host, port=port, threads=4)
    bound = getattr(server, "effective_port", port)
    shown = f"[{host}]" if ":" in host else host
    if ready is not None:
        ready(f"http://{shown}:{bound}/")
    try:
        server.run()
    finally:
        app.extensions["boomisoap_audit_log"].close()
