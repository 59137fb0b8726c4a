"""``boomi_requests``: the requests a test made, parsed and redacted, to assert on.

Like pytest-httpx's ``get_requests()``: every client built while the fixture is active
(the plugin's client fixtures, and clients the code under test builds itself, from the
environment or otherwise) reports each exchange here. What is kept went through the audit
trail's redaction (``boomisoap.audit.capture.draft``), so a test that prints a request, or
an assertion message that shows one, never shows a password, token or API key.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from typing import Any

from ..policy import AnswerRecorder, Attempt
from ..transport import BaseTransport, HttpResponse


@dataclasses.dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as sent and its answer as received, both redacted."""

    service: str  # "apim", "platform", "mft"
    operation: str  # "get", "query", "create" ... as the client named the call
    wire: str  # "soap" or "rest"
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes
    object_type: str | None = None
    object_ids: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """A request header's (redacted) value, whatever the case of its name."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def xml(self) -> Any:
        """The request body as an lxml element (SOAP envelopes)."""
        from ..xmlsafe import parse

        return parse(self.body)

    def json(self) -> Any:
        """The request body as JSON (REST calls with a body)."""
        return json.loads(self.body)

    def response_xml(self) -> Any:
        from ..xmlsafe import parse

        return parse(self.response_body)

    def response_json(self) -> Any:
        return json.loads(self.response_body)


class BoomiRequests(AnswerRecorder):
    """The requests of one test, oldest first. Filters are ANDed; ``None`` matches all."""

    def __init__(self) -> None:
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()

    # recording ---------------------------------------------------------------------------

    def attach(self, client: Any) -> Any:
        """Record ``client``'s exchanges too (a client built before the fixture started)."""
        transport = client if isinstance(client, BaseTransport) else client.transport
        if self not in transport.recorders:
            transport.recorders.append(self)
        return client

    def answered(self, attempt: Attempt, response: HttpResponse) -> None:
        from ..audit.capture import draft
        from ..audit.recorder import exchange_of
        from ..redact.structural import Redactor

        # Redacted by name only, as the test sees it: the ids and credentials the call
        # knew are the test's own.
        exchange = dataclasses.replace(exchange_of(attempt), secret_ids=False, known_secrets=())
        record = draft(exchange, Redactor())
        recorded = RecordedRequest(
            service=record.service,
            operation=record.operation,
            wire=record.wire,
            method=record.method,
            url=record.url,
            headers=tuple(record.request_headers),
            body=record.request_body,
            status=response.status,
            response_headers=tuple(record.response_headers),
            response_body=record.response_body or b"",
            object_type=record.object_type,
            object_ids=record.object_ids,
        )
        with self._lock:
            self._requests.append(recorded)

    # asserting ---------------------------------------------------------------------------

    def get_requests(
        self,
        *,
        operation: str | None = None,
        object_type: str | None = None,
        service: str | None = None,
        wire: str | None = None,
        method: str | None = None,
    ) -> list[RecordedRequest]:
        """Every recorded request matching all the filters given, oldest first."""
        wanted = {
            "operation": operation,
            "object_type": object_type,
            "service": service,
            "wire": wire,
            "method": method,
        }
        with self._lock:
            found = list(self._requests)
        return [
            r
            for r in found
            if all(value is None or getattr(r, key) == value for key, value in wanted.items())
        ]

    def get_request(self, **filters: Any) -> RecordedRequest:
        """The one request matching ``filters``; AssertionError when there are none or more."""
        found = self.get_requests(**filters)
        if len(found) != 1:
            shown = ", ".join(f"{r.service}.{r.operation}" for r in self) or "none"
            raise AssertionError(
                f"expected one request matching {filters}, found {len(found)} (recorded: {shown})"
            )
        return found[0]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    def __iter__(self) -> Iterator[RecordedRequest]:
        with self._lock:
            return iter(list(self._requests))

    def __len__(self) -> int:
        with self._lock:
            return len(self._requests)

    def __repr__(self) -> str:
        return f"<BoomiRequests: {len(self)} recorded>"
