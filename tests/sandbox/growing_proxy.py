"""A loopback HTTP proxy in front of the emulator that makes its answers "grow".

It forwards every request to the emulator unchanged and passes each answer through a
``rewrite(body, content_type) -> body`` function, as a later Boomi that added attributes,
elements, keys or enumeration values would answer. Content-Length is recomputed.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Rewrite = Callable[[bytes, str], bytes]
_HOP_BY_HOP = ("content-length", "transfer-encoding", "connection")


class GrowingProxy:
    def __init__(self, upstream: str, rewrite: Rewrite) -> None:
        target = urlsplit(upstream)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream_conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                try:
                    upstream_conn.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream_conn.getresponse()
                    content = answer.read()
                    content_type = answer.getheader("Content-Type", "")
                    content = proxy.rewrite(content, content_type)
                    self.send_response(answer.status)
                    for name, value in answer.getheaders():
                        if name.lower() not in (
                            "content-length",
                            "transfer-encoding",
                            "connection",
                        ):
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                finally:
                    upstream_conn.close()

            do_GET = do_POST = do_DELETE = do_PUT = _forward

            def log_message(self, format: str, *args: object) -> None:
                return

        self.rewrite = rewrite
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> GrowingProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
