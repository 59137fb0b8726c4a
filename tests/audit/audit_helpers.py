"""Envelopes, exchanges and raw-store tampering shared by the audit tests."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from boomisoap.audit import AuditRecord, Exchange
from boomisoap.audit.stores.jsonl import _line
from boomisoap.audit.stores.sqlrows import COLUMNS, to_row
from boomisoap.namespaces import PASSWORD_DIGEST, PASSWORD_TEXT, WSSE, WSU

PASSWORD = "S3cr3t-Pa55w0rd!"
DIGEST = "tuOSpGlFlIXsozq4HFNeeGeFLEI="
NONCE = "LKqI6G/AikKCQrN0zqZFlg=="
API_KEY = "ak-7f3e9c2b1d4a58e6"
BEARER = "mft-bearer-0c4f1e9d8b7a"
OTP = "492817"
COOKIE = "JSESSIONID=c00k1e5ecr3tvalue"
SECRETS = (PASSWORD, DIGEST, NONCE, API_KEY, BEARER, OTP, COOKIE)

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
APIM = "http://apim.api.platform.boomi.com/"
APIM_SOAP = "http://soap.apim.api.platform.boomi.com/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def password_text_envelope(password: str = PASSWORD, body: str = "") -> bytes:
    """A WSS4J-style PasswordText request, as the client sends it."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="{SOAP}" xmlns:soap="{APIM_SOAP}" xmlns:apim="{APIM}">
  <soapenv:Header>
    <wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}" soapenv:mustUnderstand="1">
      <wsse:UsernameToken wsu:Id="UsernameToken-1f0e">
        <wsse:Username>BOOMI_TOKEN.alice@example.com</wsse:Username>
        <wsse:Password Type="{PASSWORD_TEXT}">{password}</wsse:Password>
        <wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">{NONCE}</wsse:Nonce>
        <wsu:Created>2026-03-01T12:00:00.000Z</wsu:Created>
      </wsse:UsernameToken>
    </wsse:Security>
  </soapenv:Header>
  <soapenv:Body>
    <soap:get><apim:objectType>Plan</apim:objectType><apim:objectId>plan-1</apim:objectId></soap:get>{body}
  </soapenv:Body>
</soapenv:Envelope>
""".encode()


def password_digest_envelope() -> bytes:
    """PasswordDigest with odd prefixes declared on the Envelope, single quotes."""
    return (
        f"<S:Envelope xmlns:S='{SOAP}' xmlns:o='{WSSE}' xmlns:u='{WSU}'><S:Header>"
        "<o:Security S:mustUnderstand='1'><o:UsernameToken u:Id='uuid-7'>"
        f"<o:Username>alice</o:Username><o:Password Type='{PASSWORD_DIGEST}'>{DIGEST}"
        f"</o:Password><o:Nonce>{NONCE}</o:Nonce><u:Created>2026-03-01T12:00:00Z</u:Created>"
        "</o:UsernameToken></o:Security></S:Header>"
        f"<S:Body><ns2:delete xmlns:ns2='{APIM_SOAP}'/></S:Body></S:Envelope>"
    ).encode()


def default_namespace_envelope() -> bytes:
    """WS-Security in a default namespace: no prefix on the secret elements at all."""
    return (
        f'<Envelope xmlns="{SOAP}"><Header><Security xmlns="{WSSE}"><UsernameToken>'
        f"<Username>bob</Username><Password>{PASSWORD}</Password><Nonce>{NONCE}</Nonce>"
        "</UsernameToken></Security></Header><Body/></Envelope>"
    ).encode()


def apikey_response(key: str = API_KEY) -> bytes:
    return (
        f'<S:Envelope xmlns:S="{SOAP}"><S:Body><ns2:getResponse xmlns:ns2="{APIM_SOAP}" '
        f'xmlns:apim="{APIM}" xmlns:xsi="{XSI}"><apim:result xsi:type="apim:ApiKey" '
        f'applicationId="app-1" key=\'{key}\' environmentId="env-1" enabled="true"/>'
        "</ns2:getResponse></S:Body></S:Envelope>"
    ).encode()


def apikey_json(key: str = API_KEY) -> bytes:
    return json.dumps(
        {"@type": "ApiKey", "applicationId": "app-1", "key": key, "enabled": True}
    ).encode()


def exchange(i: int = 0, **overrides: Any) -> Exchange:
    """A ~2 KB SOAP exchange full of secrets; ``i`` varies ids and times."""
    fields: dict[str, Any] = {
        "service": "apim",
        "operation": "get",
        "wire": "soap",
        "method": "POST",
        "url": "https://api.boomi.com/apim/api/soap/v1/acct-1",
        "request_headers": {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": '""',
            "Authorization": f"Bearer {BEARER}",
            "Cookie": COOKIE,
            "X-Boomi-OTP": OTP,
        },
        "request_body": password_text_envelope(),
        "started_at": T0 + timedelta(seconds=i),
        "duration": 0.0421,
        "outcome": "ok",
        "correlation_id": f"cid-{i}",
        "status": 200,
        "response_headers": {"Content-Type": "text/xml", "Set-Cookie": COOKIE},
        "response_body": apikey_response(),
        "object_type": "ApiKey",
        "object_ids": (f"key-{i}",),
        "account_id": "acct-1",
    }
    fields.update(overrides)
    return Exchange(**fields)


def flip(data: bytes, marker: bytes = b"objectId") -> bytes:
    """One byte of ``data`` changed (inside ``marker``)."""
    at = data.index(marker)
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


# -- tampering with each store, below the library ------------------------------


class SqliteTamper:
    def __init__(self, path: str) -> None:
        self.path = path

    def _run(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute("BEGIN")
            for sql, params in statements:
                conn.execute(sql, params)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def body(self, seq: int) -> bytes:
        conn = sqlite3.connect(self.path)
        try:
            row = conn.execute("SELECT request_body FROM audit_record WHERE seq=?", (seq,))
            return bytes(row.fetchone()[0])
        finally:
            conn.close()

    def edit_body(self, seq: int) -> None:
        body = flip(self.body(seq))
        self._run(("UPDATE audit_record SET request_body=? WHERE seq=?", (body, seq)))

    def delete(self, seq: int) -> None:
        self._run(("DELETE FROM audit_record WHERE seq=?", (seq,)))

    def swap(self, a: int, b: int) -> None:
        # Exchange everything but the seq: record b now sits at position a.
        self._run(
            ("UPDATE audit_record SET seq=-1 WHERE seq=?", (a,)),
            ("UPDATE audit_record SET seq=? WHERE seq=?", (a, b)),
            ("UPDATE audit_record SET seq=? WHERE seq=-1", (b,)),
        )

    def truncate(self, keep: int) -> None:
        self._run(("DELETE FROM audit_record WHERE seq>?", (keep,)))

    def insert(self, record: AuditRecord) -> None:
        """Shift records at >= record.seq up by one and put ``record`` in the gap."""
        marks = ", ".join("?" for _ in COLUMNS)
        self._run(
            # Someone with write access drops the store's own guards first.
            ("DROP TRIGGER IF EXISTS audit_record_continues_head", ()),
            ("DROP TRIGGER IF EXISTS audit_record_moves_head", ()),
            ("UPDATE audit_record SET seq=-seq WHERE seq>=?", (record.seq,)),
            ("UPDATE audit_record SET seq=1-seq WHERE seq<0", ()),
            (f"INSERT INTO audit_record ({', '.join(COLUMNS)}) VALUES ({marks})", to_row(record)),
        )


class JsonlTamper:
    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def _lines(self) -> list[bytes]:
        return self.path.read_bytes().splitlines(keepends=True)

    def _write(self, lines: list[bytes]) -> None:
        self.path.write_bytes(b"".join(lines))

    def edit_body(self, seq: int) -> None:
        lines = self._lines()
        lines[seq - 1] = flip(lines[seq - 1])
        self._write(lines)

    def delete(self, seq: int) -> None:
        lines = self._lines()
        del lines[seq - 1]
        self._write(lines)

    def swap(self, a: int, b: int) -> None:
        lines = self._lines()
        lines[a - 1], lines[b - 1] = lines[b - 1], lines[a - 1]
        self._write(lines)

    def truncate(self, keep: int) -> None:
        self._write(self._lines()[:keep])

    def insert(self, record: AuditRecord) -> None:
        lines = self._lines()
        lines.insert(record.seq - 1, _line(record))
        self._write(lines)


class PostgresTamper:
    def __init__(self, url: str) -> None:
        self.url = url

    def _run(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        import psycopg

        with psycopg.connect(self.url) as conn:
            for sql, params in statements:
                conn.execute(sql, params)

    def stream(self) -> str:
        import psycopg

        with psycopg.connect(self.url) as conn:
            row = conn.execute("SELECT min(stream) FROM boomisoap_audit_head").fetchone()
            return str(row[0])

    def edit_body(self, seq: int) -> None:
        import psycopg

        with psycopg.connect(self.url) as conn:
            body = conn.execute(
                "SELECT request_body FROM boomisoap_audit_record WHERE seq=%s", (seq,)
            ).fetchone()[0]
            conn.execute(
                "UPDATE boomisoap_audit_record SET request_body=%s WHERE seq=%s",
                (flip(bytes(body)), seq),
            )

    def delete(self, seq: int) -> None:
        self._run(("DELETE FROM boomisoap_audit_record WHERE seq=%s", (seq,)))

    def swap(self, a: int, b: int) -> None:
        self._run(
            ("UPDATE boomisoap_audit_record SET seq=-1 WHERE seq=%s", (a,)),
            ("UPDATE boomisoap_audit_record SET seq=%s WHERE seq=%s", (a, b)),
            ("UPDATE boomisoap_audit_record SET seq=%s WHERE seq=-1", (b,)),
        )

    def truncate(self, keep: int) -> None:
        self._run(("DELETE FROM boomisoap_audit_record WHERE seq>%s", (keep,)))

    def insert(self, record: AuditRecord) -> None:
        marks = ", ".join("%s" for _ in COLUMNS)
        self._run(
            ("UPDATE boomisoap_audit_record SET seq=-seq WHERE seq>=%s", (record.seq,)),
            ("UPDATE boomisoap_audit_record SET seq=1-seq WHERE seq<0", ()),
            (
                f"INSERT INTO boomisoap_audit_record ({', '.join(COLUMNS)}) VALUES ({marks})",
                to_row(record, time_as_text=False),
            ),
        )


def store_bytes(kind: str, location: str) -> bytes:
    """Everything a store holds, as raw bytes, for scanning."""
    if kind in ("sqlite", "jsonl"):
        base = Path(location)
        chunks = [p.read_bytes() for p in sorted(base.parent.glob(base.name + "*")) if p.is_file()]
        return b"\n".join(chunks)
    import psycopg

    out: list[bytes] = []
    with psycopg.connect(location) as conn:
        for table in ("boomisoap_audit_record", "boomisoap_audit_head"):
            for row in conn.execute(f"SELECT * FROM {table}"):
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        out.append(bytes(value))
                    elif value is not None:
                        out.append(str(value).encode())
    return b"\n".join(out)
