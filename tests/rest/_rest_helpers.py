"""Constants and small helpers shared by the REST and MFT tests."""

from __future__ import annotations

import base64
import json
from typing import Any

BASE = "https://boomi.test"
ACCOUNT = "acct-1"
USER = "u"
PASSWORD = "pw-Zq8!s3cr3t"
CREDENTIALS = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
APIM_ROOT = f"{BASE}/apim/api/rest/v1/{ACCOUNT}"
PLATFORM_ROOT = f"{BASE}/api/rest/v1/{ACCOUNT}"
API_KEY = "mft-key-7Hq2xV9pLw3"
# The default paths: the /api/{section}/ family of the AFT Management API (docs/mft.md).
MFT_ROOT = f"{BASE}/api/Accounting"
SECRETS = (PASSWORD, CREDENTIALS, API_KEY)


def quiet(client: Any) -> Any:
    """Skip the transport's backoff sleeps, so retry tests run instantly."""
    client.transport._sleep = lambda _seconds: None
    return client


def sent_json(request: Any) -> Any:
    """The JSON body of a request seen by requests_mock."""
    body = request.body
    return json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)


def error_body(status: int, message: str, field: str | None = None) -> dict[str, Any]:
    """An error body as docs/wire.md specifies it."""
    document: dict[str, Any] = {"@type": "Error", "statusCode": status, "message": message}
    if field is not None:
        document["field"] = field
    return document


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a secret leaked into {text!r}"


class AuditRecorder:
    """Stands in for an AuditLog: keeps every Exchange the transport hands it."""

    def __init__(self) -> None:
        self.exchanges: list[Any] = []

    def prepare_request(self, url: str, headers: Any, body: bytes, **secrets: Any) -> None:
        return None

    def record(self, exchange: Any, *, request: Any = None) -> None:
        self.exchanges.append(exchange)
