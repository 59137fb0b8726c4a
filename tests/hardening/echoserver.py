"""A loopback HTTP server that echoes every secret a request carries back at the client.

It reads the credentials out of each request (the UsernameToken's Password and Nonce, the
HTTP Basic value and the password inside it, a Bearer key, the ids in the URL) and answers
in the mode the test sets: a SOAP Fault, an HTML error page, a JSON error, a response whose
invalid value is the secret, ... each quoting what it read. Every value it read is kept in
``seen``: the test's list of the session's secrets, gathered on the server side.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

_PASSWORD = re.compile(rb"<(?:\w+:)?Password\b[^>]*>([^<]*)</")
_NONCE = re.compile(rb"<(?:\w+:)?Nonce\b[^>]*>([^<]*)</")
_OBJECT_ID = re.compile(rb"<(?:\w+:)?objectId\b[^>]*>([^<]*)</")
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
API = "http://api.platform.boomi.com/"


def secrets_in(path: str, authorization: str, body: bytes) -> list[str]:
    """The secrets a request carries, read as a server (or an eavesdropper) would."""
    found: list[str] = []
    for pattern in (_PASSWORD, _NONCE):
        found += [m.decode() for m in pattern.findall(body)]
    if b"ApiKey" in body:  # an ApiKey's objectId (SOAP) is its key
        found += [m.decode() for m in _OBJECT_ID.findall(body)]
    if authorization:
        found.append(authorization)
        scheme, _, value = authorization.partition(" ")
        found.append(value)
        if scheme == "Basic":
            found.append(base64.b64decode(value).decode().partition(":")[2])
    segments = [unquote(s) for s in path.split("?")[0].split("/")]
    if "apiKey" in segments:
        after = segments[segments.index("apiKey") + 1 :]
        if after and after[0] not in ("", "query", "queryMore", "bulk"):
            found.append(after[0])
        if b'"request"' in body:
            found += [r["id"] for r in json.loads(body).get("request", [])]
    return [f for f in found if len(f) >= 4]


class EchoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "soap_fault"
        self.templates: dict[str, bytes] = {}  # valid answers, to spoil (see modes)
        self.seen: set[str] = set()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()


class _Handler(BaseHTTPRequestHandler):
    server: EchoServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the test captures the client's logs, not this helper's

    def _secrets_of(self, body: bytes) -> list[str]:
        found = secrets_in(self.path, self.headers.get("Authorization", ""), body)
        self.server.seen.update(found)
        return found

    def _answer(self, status: int, content_type: str, body: bytes, echo: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("X-Echo", echo.encode("ascii", "replace").decode())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._handle(b"")

    def do_DELETE(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        self._handle(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def _handle(self, body: bytes) -> None:
        secrets = self._secrets_of(body)
        echo = " / ".join(secrets) or "nothing"
        xml_echo = echo.replace("&", "&amp;").replace("<", "&lt;")
        mode = self.server.mode
        first = secrets[0] if secrets else "x"
        if mode == "soap_fault":
            fault = (
                f'<S:Envelope xmlns:S="{SOAP_ENV}"><S:Body><S:Fault>'
                f"<faultcode>S:Client</faultcode><faultstring>bad password {xml_echo}"
                f'</faultstring><detail><api:ServiceFault xmlns:api="{API}" statusCode="400">'
                f"<api:message>{xml_echo}</api:message><api:field>{xml_echo}</api:field>"
                "</api:ServiceFault></detail></S:Fault></S:Body></S:Envelope>"
            )
            self._answer(500, "text/xml; charset=utf-8", fault.encode(), echo)
        elif mode == "soap_fault_foreign":
            fault = (
                f'<S:Envelope xmlns:S="{SOAP_ENV}"><S:Body><S:Fault>'
                f"<faultcode>{xml_echo}</faultcode><faultstring>{xml_echo}</faultstring>"
                f"<detail><trace>{xml_echo}</trace></detail></S:Fault></S:Body></S:Envelope>"
            )
            self._answer(500, "text/xml; charset=utf-8", fault.encode(), echo)
        elif mode == "html":
            page = f"<!DOCTYPE html><html><body><h1>500</h1><p>{xml_echo}</p></body></html>"
            self._answer(500, "text/html", page.encode(), echo)
        elif mode == "html_cut":
            # The secret straddles the 200-byte excerpt the client keeps.
            page = "<html><body><p>" + "x" * 180 + first + "</p></body></html>"
            self._answer(502, "text/html", page.encode(), echo)
        elif mode == "not_xml":
            self._answer(200, "text/plain", f"not xml at all: {echo}".encode(), echo)
        elif mode == "broken_xml":
            self._answer(200, "text/xml", f"<a><b>{xml_echo}</a>".encode(), echo)
        elif mode in ("invalid_attribute", "invalid_json"):
            # A valid answer whose numeric value is replaced by the secret.
            template = self.server.templates[mode]
            spoiled = template.replace(b"__SECRET__", first.encode())
            kind = "text/xml; charset=utf-8" if mode == "invalid_attribute" else "application/json"
            self._answer(200, kind, spoiled, echo)
        elif mode == "api_key":
            template = self.server.templates["api_key"]
            self._answer(200, "text/xml; charset=utf-8", template, echo)
        elif mode == "json_error":
            document = {"message": f"denied: {echo}", "field": first, "statusCode": 400}
            self._answer(400, "application/json", json.dumps(document).encode(), echo)
        elif mode == "json_error_nested":
            document = {"error": {"message": f"Incorrect credentials {echo}"}}
            self._answer(403, "application/json", json.dumps(document).encode(), echo)
        elif mode == "text_error":
            self._answer(500, "text/plain", f"failure for {echo}".encode(), echo)
        elif mode == "not_found":
            document = {"message": f"ApiKey {first} does not exist"}
            self._answer(404, "application/json", json.dumps(document).encode(), echo)
        elif mode == "bulk":
            ids = [r["id"] for r in json.loads(body)["request"]]
            items = [
                {
                    "@type": "BulkResponse",
                    "index": i,
                    "id": object_id,
                    "statusCode": 404,
                    "errorMessage": f"{object_id} not found ({echo})",
                }
                for i, object_id in enumerate(ids)
            ]
            document = {"@type": "BulkResult", "response": items}
            self._answer(200, "application/json", json.dumps(document).encode(), echo)
        elif mode == "quota_invalid":
            self._answer(200, "application/json", json.dumps(first).encode(), echo)
        else:
            raise AssertionError(f"unknown mode {mode}")
