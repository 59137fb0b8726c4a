"""The WS-Security header policy of docs/security.md, one test per row of its table.

Each row is a request built by hand with lxml (our client would not send most of these
headers), posted over loopback HTTP to a running emulator: accepted rows must be answered
200, refused rows a 403 Client fault naming the reason. The headers of the accepted rows
are the shapes other SOAP stacks send (suds, node ``soap``, WCF, WSS4J); the refused rows
are the ambiguities and stale or malformed values that a WS-Security server refuses.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from boomisoap.namespaces import (
    BASE64_ENCODING,
    PASSWORD_DIGEST,
    PASSWORD_TEXT,
    SOAP_ENV,
    WSSE,
    WSU,
)
from boomisoap.sandbox import Sandbox
from boomisoap.wsse.username import password_digest

from .helpers import APIM_NS, GET_PLAN, fault, post

USER, PASSWORD = "u", "p-7Qx"
FOREIGN = "urn:example:foreign"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def stamp(offset: float = 0.0, *, fraction: str = "", zone: str = "Z") -> str:
    """An xs:dateTime ``offset`` seconds from now, spelled with ``fraction`` and ``zone``."""
    moment = datetime.now(UTC) + timedelta(seconds=offset)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        moment += sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}{fraction}{zone}"


def q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


class Request:
    """A GET Plan request whose header parts can be edited before it is serialised."""

    def __init__(self) -> None:
        namespaces = dict(re.findall(r'xmlns:(\w+)="([^"]+)"', APIM_NS))
        self.envelope = etree.Element(
            q(SOAP_ENV, "Envelope"), nsmap={"soapenv": SOAP_ENV, **namespaces}
        )
        self.header = etree.SubElement(self.envelope, q(SOAP_ENV, "Header"))
        self.security = etree.SubElement(
            self.header, q(WSSE, "Security"), nsmap={"wsse": WSSE, "wsu": WSU}
        )
        self.security.set(q(SOAP_ENV, "mustUnderstand"), "1")
        self.token = etree.SubElement(self.security, q(WSSE, "UsernameToken"))
        self.username = etree.SubElement(self.token, q(WSSE, "Username"))
        self.username.text = USER
        self.password = etree.SubElement(self.token, q(WSSE, "Password"), Type=PASSWORD_TEXT)
        self.password.text = PASSWORD
        self.nonce = etree.SubElement(self.token, q(WSSE, "Nonce"), EncodingType=BASE64_ENCODING)
        self.raw_nonce = os.urandom(16)
        self.nonce.text = base64.b64encode(self.raw_nonce).decode()
        self.created = etree.SubElement(self.token, q(WSU, "Created"))
        self.created.text = stamp()
        body = etree.SubElement(self.envelope, q(SOAP_ENV, "Body"))
        wrapper = f'<soapenv:Body xmlns:soapenv="{SOAP_ENV}" {APIM_NS}>{GET_PLAN}</soapenv:Body>'
        body.append(etree.fromstring(wrapper)[0])

    def digest(self) -> None:
        """Turn the password into a PasswordDigest over the current Nonce and Created."""
        self.password.set("Type", PASSWORD_DIGEST)
        self.password.text = password_digest(PASSWORD, self.raw_nonce, self.created.text or "")

    def timestamp(self, created: str | None, expires: str | None = None) -> Any:
        element = etree.Element(q(WSU, "Timestamp"))
        for name, value in (("Created", created), ("Expires", expires)):
            if value is not None:
                etree.SubElement(element, q(WSU, name)).text = value
        self.security.insert(0, element)
        return element

    def bytes(self) -> bytes:
        return bytes(etree.tostring(self.envelope))


@dataclass(frozen=True)
class Row:
    name: str
    edit: Callable[[Request], Any]
    refused: str | None = None  # None: accepted; else words the 403 fault must contain


def _must_understand(form: str, value: str) -> Callable[[Request], None]:
    def edit(r: Request) -> None:
        del r.security.attrib[q(SOAP_ENV, "mustUnderstand")]
        r.security.set(q(SOAP_ENV, "mustUnderstand") if form == "soap" else "mustUnderstand", value)

    return edit


def _node_soap_id(r: Request) -> None:
    # node soap 1.13 writes the Created time into the token's Id: not an NCName.
    r.token.set(q(WSU, "Id"), "SecurityToken-2026-12-01T21:37:06Z")
    r.timestamp(stamp(), stamp(300)).set(q(WSU, "Id"), "Timestamp-2026-12-01T21:37:06Z")


def _foreign_attributes(r: Request) -> None:
    for element in (r.security, r.token, r.username, r.password, r.nonce, r.created):
        element.set(q(FOREIGN, "trace"), "1")
    r.security.set("actorHint", "plain unqualified attribute")
    r.token.set("Id", "plain-Id")


def _foreign_elements(r: Request) -> None:
    etree.SubElement(r.security, q(FOREIGN, "Extension")).text = "x"
    r.security.insert(0, etree.Element(q(FOREIGN, "First")))
    etree.SubElement(r.token, q(FOREIGN, "Hint")).text = "y"
    etree.SubElement(r.timestamp(stamp(), stamp(300)), q(FOREIGN, "Note"))
    etree.SubElement(r.header, q(FOREIGN, "OtherHeaderBlock")).text = "z"


def _any_order(r: Request) -> None:
    for part in (r.created, r.nonce, r.password):
        r.token.remove(part)
        r.token.insert(0, part)


def _created(text: str, *, digest: bool = False) -> Callable[[Request], None]:
    def edit(r: Request) -> None:
        r.created.text = text
        if digest:
            r.digest()

    return edit


def _nonce_without_encoding(digest: bool) -> Callable[[Request], None]:
    def edit(r: Request) -> None:
        del r.nonce.attrib["EncodingType"]
        if digest:
            r.digest()

    return edit


def _no_type(r: Request) -> None:
    del r.password.attrib["Type"]


def _prefixes(r: Request) -> None:
    """WCF spells the namespaces with prefixes o: and u: and puts u:Id everywhere."""
    text = r.bytes().decode()
    text = text.replace("wsse:", "o:").replace("xmlns:wsse=", "xmlns:o=")
    text = text.replace("wsu:", "u:").replace("xmlns:wsu=", "xmlns:u=")
    rebuilt = etree.fromstring(text.encode())
    r.envelope = rebuilt
    r.envelope.find(
        f"{q(SOAP_ENV, 'Header')}/{q(WSSE, 'Security')}/{q(WSSE, 'UsernameToken')}"
    ).set(q(WSU, "Id"), "uuid-7f1e-1")


def _timestamp(created: str | None, expires: str | None) -> Callable[[Request], None]:
    return lambda r: r.timestamp(created, expires)


def _expires_first(r: Request) -> None:
    element = r.timestamp(stamp(), stamp(300))
    element.insert(0, element[1])


def _nested(tag: str) -> Callable[[Request], None]:
    """A second ``tag`` element inside a foreign element beside the real one."""

    def edit(r: Request) -> None:
        wrapper = etree.SubElement(r.security, q(FOREIGN, "Wrapper"))
        if tag == "token":
            copy = etree.fromstring(etree.tostring(r.token))
            copy.find(q(WSSE, "Username")).text = "someone-else"
            wrapper.append(copy)
        elif tag == "timestamp":
            r.timestamp(stamp(), stamp(300))
            etree.SubElement(wrapper, q(WSU, "Timestamp")).append(
                etree.fromstring(f'<wsu:Created xmlns:wsu="{WSU}">{stamp(-3600)}</wsu:Created>')
            )
        else:
            etree.SubElement(wrapper, q(WSSE, "Security"))

    return edit


def _token_in_other_header_block(r: Request) -> None:
    block = etree.SubElement(r.header, q(FOREIGN, "Routing"))
    copy = etree.fromstring(etree.tostring(r.token))
    block.append(copy)


def _only_token_nested(r: Request) -> None:
    wrapper = etree.SubElement(r.security, q(FOREIGN, "Wrapper"))
    wrapper.append(r.token)


def _duplicate(part: str) -> Callable[[Request], None]:
    def edit(r: Request) -> None:
        element = getattr(r, part)
        r.token.append(etree.fromstring(etree.tostring(element)))

    return edit


def _hidden_password(r: Request) -> None:
    extension = etree.SubElement(r.token, q(FOREIGN, "Extension"))
    extension.append(etree.fromstring(etree.tostring(r.password)))


def _child_in_value(r: Request) -> None:
    r.username.text = USER
    etree.SubElement(r.username, q(FOREIGN, "b")).tail = "x"


def _qualified_type(r: Request) -> None:
    del r.password.attrib["Type"]
    r.password.set(q(WSSE, "Type"), PASSWORD_TEXT)


def _hex_nonce(r: Request) -> None:
    r.nonce.set("EncodingType", BASE64_ENCODING.replace("Base64Binary", "HexBinary"))
    r.nonce.text = r.raw_nonce.hex()


def _password_type(value: str) -> Callable[[Request], None]:
    return lambda r: r.password.set("Type", value)


def _two_timestamps(r: Request) -> None:
    r.timestamp(stamp(), stamp(300))
    r.timestamp(stamp(), stamp(300))


NOW = "now"
ROWS: list[Row] = [
    # --- accepted: what other stacks send -----------------------------------------------
    Row("must-understand-soap-1", _must_understand("soap", "1")),
    Row("must-understand-soap-0", _must_understand("soap", "0")),
    Row("must-understand-soap-true", _must_understand("soap", "true")),
    Row("must-understand-soap-false", _must_understand("soap", "false")),
    Row("must-understand-unqualified-true", _must_understand("plain", "true")),
    Row("must-understand-unqualified-1", _must_understand("plain", " 1 ")),
    Row("must-understand-unqualified-false", _must_understand("plain", "false")),
    Row("wsu-id-not-an-ncname", _node_soap_id),
    Row("foreign-attributes", _foreign_attributes),
    Row("foreign-elements", _foreign_elements),
    Row("token-children-in-any-order", _any_order),
    Row("other-prefixes", _prefixes),
    Row("created-with-millis", lambda r: _created(stamp(fraction=".123"))(r)),
    Row("created-with-nanos", lambda r: _created(stamp(fraction=".123456789"))(r)),
    Row("created-with-offset", lambda r: _created(stamp(zone="+05:30"))(r)),
    Row("created-with-negative-offset", lambda r: _created(stamp(fraction=".5", zone="-08:00"))(r)),
    Row("created-with-offset-digest", lambda r: _created(stamp(zone="+01:00"), digest=True)(r)),
    Row("nonce-without-encoding-type", _nonce_without_encoding(False)),
    Row("nonce-without-encoding-type-digest", _nonce_without_encoding(True)),
    Row("password-type-text", lambda r: None),
    Row("password-type-digest", Request.digest),
    Row("password-type-missing", _no_type),
    Row("timestamp-fresh", lambda r: _timestamp(stamp(), stamp(300))(r)),
    Row("timestamp-without-expires", lambda r: _timestamp(stamp(-5), None)(r)),
    Row(
        "timestamp-with-offset-and-fraction",
        lambda r: _timestamp(stamp(fraction=".1", zone="+02:00"), stamp(60, zone="-03:00"))(r),
    ),
    # --- refused: malformed mustUnderstand -------------------------------------------------
    Row("must-understand-not-a-boolean", _must_understand("soap", "yes"), "mustUnderstand"),
    # --- refused: one token, one Timestamp, one of each value, wherever they hide --------
    Row("second-token-in-a-foreign-element", _nested("token"), "more than one UsernameToken"),
    Row(
        "second-token-in-another-header-block",
        _token_in_other_header_block,
        "more than one UsernameToken",
    ),
    Row("token-only-inside-a-foreign-element", _only_token_nested, "must be a child"),
    Row("security-nested-in-security", _nested("security"), "more than one WS-Security header"),
    Row("two-timestamps", _two_timestamps, "more than one wsu:Timestamp"),
    Row(
        "second-timestamp-in-a-foreign-element", _nested("timestamp"), "more than one wsu:Timestamp"
    ),
    Row("two-usernames", _duplicate("username"), "more than one Username"),
    Row("two-passwords", _duplicate("password"), "more than one Password"),
    Row("two-nonces", _duplicate("nonce"), "more than one Nonce"),
    Row("two-created", _duplicate("created"), "more than one Created"),
    Row("password-hidden-in-an-extension", _hidden_password, "more than one Password"),
    Row("element-inside-a-value", _child_in_value, "text only"),
    # --- refused: password and nonce forms -----------------------------------------------
    Row("password-type-namespace-qualified", _qualified_type, "namespace qualified"),
    Row("password-type-empty", _password_type(""), "password type"),
    Row("password-type-unknown", _password_type(PASSWORD_TEXT + "Plain"), "password type"),
    Row("nonce-hex-encoding-type", _hex_nonce, "EncodingType"),
    # --- refused: Created that is not an xs:dateTime -------------------------------------
    Row("created-space-separator", lambda r: _created(stamp().replace("T", " "))(r), "xs:dateTime"),
    Row(
        "created-basic-format",
        lambda r: _created(stamp().replace("-", "").replace(":", ""))(r),
        "xs:dateTime",
    ),
    Row(
        "created-week-date",
        lambda r: _created(datetime.now(UTC).strftime("%G-W%V-%uT%H:%M:%SZ"))(r),
        "xs:dateTime",
    ),
    Row(
        "created-ordinal-date",
        lambda r: _created(datetime.now(UTC).strftime("%Y-%jT%H:%M:%SZ"))(r),
        "xs:dateTime",
    ),
    Row("created-without-seconds", lambda r: _created(stamp()[:16] + "Z")(r), "xs:dateTime"),
    Row("created-without-zone", lambda r: _created(stamp()[:-1])(r), "time zone"),
    Row(
        "created-offset-without-colon", lambda r: _created(stamp()[:-1] + "+0000")(r), "xs:dateTime"
    ),
    Row(
        "created-space-separator-digest",
        lambda r: _created(stamp().replace("T", " "), digest=True)(r),
        "xs:dateTime",
    ),
    # --- refused: Timestamps, signed or not ------------------------------------------------
    Row(
        "timestamp-expired-in-1990",
        lambda r: _timestamp("1990-01-01T00:00:00Z", "1990-01-01T00:05:00Z")(r),
        "expired",
    ),
    Row(
        "timestamp-expires-before-created",
        lambda r: _timestamp(stamp(), stamp(-10))(r),
        "expires before it was created",
    ),
    Row(
        "timestamp-created-tomorrow",
        lambda r: _timestamp(stamp(86_400), stamp(86_700))(r),
        "created in the future",
    ),
    Row(
        "timestamp-stale-without-expires",
        lambda r: _timestamp(stamp(-600), None)(r),
        "too old",
    ),
    Row(
        "timestamp-stale-with-open-expires",
        lambda r: _timestamp(stamp(-600), stamp(3600))(r),
        "too old",
    ),
    Row("timestamp-without-created", lambda r: _timestamp(None, stamp(300))(r), "no wsu:Created"),
    Row("timestamp-expires-first", _expires_first, "before wsu:Expires"),
    Row(
        "timestamp-created-not-a-datetime",
        lambda r: _timestamp(stamp().replace("T", " "), stamp(300))(r),
        "xs:dateTime",
    ),
    Row(
        "timestamp-expires-not-a-datetime",
        lambda r: _timestamp(stamp(), "tomorrow")(r),
        "xs:dateTime",
    ),
]


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox.start(users={USER: PASSWORD}, seed_demo=True, rate_limit=None) as sandbox:
        yield sandbox


def test_rows_are_distinct_and_both_kinds_are_there() -> None:
    assert len({row.name for row in ROWS}) == len(ROWS)
    assert sum(row.refused is None for row in ROWS) >= 20
    assert sum(row.refused is not None for row in ROWS) >= 30


def test_every_row_is_in_the_docs_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [row.name for row in ROWS if f"`{row.name}`" not in text]
    assert missing == []


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_policy_row(sb: Sandbox, row: Row) -> None:
    request = Request()
    row.edit(request)
    response = post(sb, request.bytes())
    if row.refused is None:
        assert response.status_code == 200, response.text[:400]
        assert b"getResponse" in response.content
        return
    assert response.status_code == 403, response.text[:400]
    code, status, message = fault(response)
    assert (code, status) == ("S:Client", 403)
    assert row.refused in message, message
    assert PASSWORD not in response.text
