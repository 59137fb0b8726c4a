"""Rendering results as a table (people), or JSON, CSV or the raw XML (scripts and ESBs).

- ``table``: a list is one row per object with a column per non-empty field; one object is
  shown as field / value lines.
- ``json``: the objects as the JSON codec writes them (``@type`` first, Boomi's keys); a
  list is a JSON array, streamed.
- ``csv``: a header of wire names from the field map (nested objects flattened as
  ``licensing.standard.purchased``), then one row per object, streamed.
- ``xml``: the response bodies exactly as they arrived. Commands whose answer can span
  several calls (list, query, get-many) always wrap the envelopes in one
  ``<cli:responses xmlns:cli="urn:boomisoap:cli">`` element so the output stays one document.

Values of secret fields (an API key's ``key``) are masked unless ``--show-secrets``; the
credentials in use are scrubbed from everything printed, whatever the format.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import click

from ..codec.jsoncodec import to_json
from ..models.fields import ObjectSpec
from ..policy import AnswerRecorder, Attempt
from ..redact import MASK, scrub
from ..redact.display import mask_document
from ..redact.display import mask_xml as _mask_xml
from ..transport import HttpResponse, HttpTransport

CLI_NS = "urn:boomisoap:cli"
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>\s*")


class ResponseRecorder(AnswerRecorder):
    """Keeps the bodies of successful HTTP responses, for ``--output xml``.

    One of the recorders of each client's transport, so it sees exactly the bytes that
    arrived, page by page, in order.
    """

    def __init__(self) -> None:
        self._bodies: list[bytes] = []

    def attach(self, transport: HttpTransport) -> None:
        transport.recorders.append(self)

    def answered(self, attempt: Attempt, response: HttpResponse) -> None:
        if 200 <= response.status < 300:
            self._bodies.append(response.body)

    def clear(self) -> None:
        self._bodies.clear()

    def drain(self) -> list[bytes]:
        bodies, self._bodies = self._bodies, []
        return bodies


def flatten(obj: Any, spec: ObjectSpec, *, show_secrets: bool, prefix: str = "") -> dict[str, str]:
    """``{wire name: text}`` of an object; nested objects flattened with dotted names."""
    values: dict[str, str] = {}
    for fld in spec.fields:
        value = getattr(obj, fld.name)
        name = prefix + fld.wire
        if value is None:
            values[name] = ""
        elif fld.nested is not None and fld.many:
            items = [to_json(item, fld.nested, typed=False) for item in value]
            values[name] = json.dumps(items, separators=(",", ":"))
        elif fld.nested is not None:
            values.update(flatten(value, fld.nested, show_secrets=show_secrets, prefix=name + "."))
        elif fld.secret and not show_secrets:
            values[name] = MASK
        else:
            values[name] = fld.kind.to_text(value)
    return values


def columns(spec: ObjectSpec, prefix: str = "", *, nested: bool = True) -> list[str]:
    """The flattened column names of ``spec`` in field-map order (``nested=False``: only
    the object's own simple fields, for tables that must fit a terminal)."""
    names: list[str] = []
    for fld in spec.fields:
        if fld.nested is None:
            names.append(prefix + fld.wire)
        elif nested and not fld.many:
            names.extend(columns(fld.nested, prefix + fld.wire + "."))
        elif nested:
            names.append(prefix + fld.wire)
    return names


def masked_json(obj: Any, spec: ObjectSpec, *, show_secrets: bool) -> dict[str, Any]:
    document = to_json(obj, spec)
    if not show_secrets:
        mask_document(document, spec)
    return document


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def mask_xml(body: bytes, show_secrets: bool) -> bytes:
    """The body unchanged, unless it carries a secret field to mask
    (:func:`boomisoap.redact.display.mask_xml`)."""
    return body if show_secrets else _mask_xml(body)


class Output:
    """Writes results to stdout in one of the four formats."""

    def __init__(
        self,
        fmt: str,
        *,
        recorder: ResponseRecorder | None = None,
        show_secrets: bool = False,
        secrets: Sequence[str] = (),
    ) -> None:
        self.format = fmt
        self.recorder = recorder or ResponseRecorder()
        self.show_secrets = show_secrets
        self.secrets = tuple(secrets)

    # Writing ---------------------------------------------------------------------------

    def echo(self, text: str) -> None:
        # Credentials never show; ApiKey keys (live secrets) only under --show-secrets.
        click.echo(scrub(text, self.secrets, live=not self.show_secrets))

    def _echo_bytes(self, data: bytes) -> None:
        text = data.decode("utf-8", "surrogateescape")
        clean = scrub(text, self.secrets, live=not self.show_secrets)
        click.echo(data if clean == text else clean.encode("utf-8", "surrogateescape"), nl=False)

    def shown_id(self, spec: ObjectSpec, object_id: str) -> str:
        """An id as output shows it: an ApiKey's key is masked unless --show-secrets."""
        return MASK if spec.secret_id and not self.show_secrets else object_id

    def _xml_bodies(self) -> None:
        for body in self.recorder.drain():
            self._echo_bytes(_DECLARATION.sub(b"", mask_xml(body, self.show_secrets)) + b"\n")

    def raw_xml(self) -> None:
        """The last call's response body as it arrived (single-call commands)."""
        bodies = self.recorder.drain()
        if bodies:
            body = mask_xml(bodies[-1], self.show_secrets)
            self._echo_bytes(body if body.endswith(b"\n") else body + b"\n")

    # Objects ---------------------------------------------------------------------------

    def one(self, spec: ObjectSpec, obj: Any) -> None:
        """A single object (get, create, update)."""
        if self.format == "xml":
            self.raw_xml()
        elif self.format == "json":
            self.echo(json.dumps(masked_json(obj, spec, show_secrets=self.show_secrets), indent=2))
        elif self.format == "csv":
            self._csv(columns(spec), [flatten(obj, spec, show_secrets=self.show_secrets)])
        else:
            values = flatten(obj, spec, show_secrets=self.show_secrets)
            shown = [(k, v) for k, v in values.items() if v != ""]
            width = max((len(k) for k, _ in shown), default=0)
            self.echo("\n".join(f"{k.ljust(width)}  {v}" for k, v in shown))

    def many(self, spec: ObjectSpec, objects: Iterable[Any]) -> int:
        """A stream of objects (list, query, get-many); returns how many were written."""
        count = 0
        if self.format == "xml":
            self._echo_bytes(
                b"<?xml version='1.0' encoding='utf-8'?>\n"
                + f'<cli:responses xmlns:cli="{CLI_NS}">\n'.encode()
            )
            for _ in objects:
                count += 1
                self._xml_bodies()
            self._xml_bodies()
            self._echo_bytes(b"</cli:responses>\n")
        elif self.format == "json":
            count = self._json_array(
                masked_json(o, spec, show_secrets=self.show_secrets) for o in objects
            )
        elif self.format == "csv":
            rows = (flatten(o, spec, show_secrets=self.show_secrets) for o in objects)
            count = self._csv(columns(spec), rows)
        else:
            flat = [flatten(o, spec, show_secrets=self.show_secrets) for o in objects]
            count = len(flat)
            self.records(flat, columns(spec, nested=False), drop_empty=True)
        return count

    def deleted(self, spec: ObjectSpec, object_id: str) -> None:
        if self.format == "xml":
            self.raw_xml()
        elif self.format == "json":
            shown = self.shown_id(spec, object_id)
            self.echo(json.dumps({"@type": spec.type_name, "id": shown, "deleted": True}))
        elif self.format == "csv":
            self._csv(
                ["type", "id", "deleted"],
                [{"type": spec.type_name, "id": self.shown_id(spec, object_id), "deleted": "true"}],
            )
        else:
            self.echo(f"deleted {spec.type_name} {self.shown_id(spec, object_id)}")

    # Plain records (reports, MFT values) -------------------------------------------------

    def records(
        self, rows: Iterable[dict[str, Any]], header: Sequence[str], *, drop_empty: bool = False
    ) -> int:
        """Rows of plain values, for results that are not objects of the field map."""
        if self.format == "json":
            return self._json_array(iter(rows))
        text_rows = [{k: _text(v) for k, v in row.items()} for row in rows]
        if self.format == "csv":
            return self._csv(header, text_rows)
        if self.format == "xml":
            raise click.UsageError("this command has no XML response to show; use json or csv")
        shown = [h for h in header if not drop_empty or any(r.get(h) for r in text_rows)]
        if text_rows:
            self.echo(format_table(shown, [[r.get(h, "") for h in shown] for r in text_rows]))
        else:
            self.echo("(no results)")
        return len(text_rows)

    def _json_array(self, documents: Iterator[dict[str, Any]]) -> int:
        count = 0
        for document in documents:
            prefix = "[\n" if count == 0 else ",\n"
            text = json.dumps(document, indent=2)
            self._write(prefix + "\n".join("  " + line for line in text.splitlines()))
            count += 1
        self._write("[]\n" if count == 0 else "\n]\n")
        return count

    def _csv(self, names: Sequence[str], rows: Iterable[dict[str, str]]) -> int:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        self._write(buffer.getvalue())
        count = 0
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([row.get(name, "") for name in names])
            self._write(buffer.getvalue())
            count += 1
        return count

    def _write(self, text: str) -> None:
        click.echo(scrub(text, self.secrets, live=not self.show_secrets), nl=False)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
