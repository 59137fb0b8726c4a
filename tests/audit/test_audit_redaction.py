"""Redaction by splicing: only the secret values change, the rest is byte-identical."""

from __future__ import annotations

import json

import pytest
from audit_helpers import (
    API_KEY,
    APIM,
    BEARER,
    COOKIE,
    DIGEST,
    NONCE,
    OTP,
    PASSWORD,
    SOAP,
    apikey_json,
    apikey_response,
    default_namespace_envelope,
    password_digest_envelope,
    password_text_envelope,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from boomisoap.audit import (
    REDACTED,
    RedactionRules,
    redact_body,
    redact_headers,
    redact_text,
    redact_url,
)
from boomisoap.namespaces import WSSE

MARK = REDACTED.encode()


def spliced(data: bytes, *values: str) -> bytes:
    """What redaction must produce: each value replaced, nothing else touched."""
    for value in values:
        assert value.encode() in data
        data = data.replace(value.encode(), MARK)
    return data


def assert_clean(out: bytes, *secrets: str) -> None:
    for secret in secrets:
        assert secret.encode() not in out


@pytest.mark.parametrize(
    ("envelope", "secrets"),
    [
        (password_text_envelope(), (PASSWORD, NONCE)),
        (password_digest_envelope(), (DIGEST, NONCE)),
        (default_namespace_envelope(), (PASSWORD, NONCE)),
        (apikey_response(), (API_KEY,)),
    ],
    ids=["password-text", "password-digest-odd-prefixes", "default-namespace", "apikey-attr"],
)
def test_envelopes_change_only_inside_values(envelope, secrets):
    out = redact_body(envelope, "text/xml; charset=utf-8")
    assert out == spliced(envelope, *secrets)
    etree.fromstring(out)
    assert_clean(out, *secrets)


def test_password_element_keeps_its_type_attribute_and_username():
    out = redact_body(password_text_envelope())
    tree = etree.fromstring(out)
    ns = {"wsse": WSSE}
    assert tree.findtext(".//wsse:Password", namespaces=ns) == REDACTED
    assert tree.find(".//wsse:Password", namespaces=ns).get("Type").endswith("#PasswordText")
    assert tree.findtext(".//wsse:Username", namespaces=ns) == "BOOMI_TOKEN.alice@example.com"


def test_entity_references_and_cdata_inside_a_value():
    raw = "p&amp;ss&lt;w&#x3E;rd<![CDATA[<tail>]]>"
    env = password_text_envelope(password=raw)
    out = redact_body(env)
    assert out == spliced(env.replace(raw.encode(), MARK), NONCE)
    assert b"p&amp;ss" not in out and b"<tail>" not in out
    etree.fromstring(out)


def test_prefix_declared_on_an_inner_element_and_rebound():
    doc = (
        b'<r xmlns:p="urn:other"><p:secret>keep-1</p:secret>'
        b'<inner xmlns:p="urn:secret"><p:secret a="x">hide-1</p:secret>'
        b"<deep><p:secret>hide-2</p:secret></deep></inner>"
        b'<p:secret>keep-2</p:secret><q:secret xmlns:q="urn:secret">hide-3</q:secret></r>'
    )
    out = redact_body(doc, rules=RedactionRules(elements=["{urn:secret}secret"]))
    assert out == spliced(doc, "hide-1", "hide-2", "hide-3")


def test_attribute_rules_quotes_and_password_any_case():
    doc = (
        b"<a xmlns:c='urn:cred'><cred userName=\"u\" PassWord='pw-1' c:token=\"t-1\"/>"
        b'<other c:token="t-2" token="plain"/></a>'
    )
    out = redact_body(doc, rules=RedactionRules(attributes=["{urn:cred}token"]))
    assert out == spliced(doc, "pw-1", "t-1", "t-2")


def test_key_element_and_query_filter_on_the_key():
    doc = (
        f'<S:Envelope xmlns:S="{SOAP}"><S:Body><a:ApiKey xmlns:a="{APIM}">'
        f"<a:key>{API_KEY}</a:key></a:ApiKey>"
        '<api:QueryFilter xmlns:api="http://api.platform.boomi.com/">'
        '<api:expression operator="EQUALS" property="key">'
        "<api:argument>ak-filter-value</api:argument></api:expression></api:QueryFilter>"
        "</S:Body></S:Envelope>"
    ).encode()
    out = redact_body(doc)
    assert out == spliced(doc, API_KEY, "ak-filter-value")


@pytest.mark.parametrize("rules", [None, RedactionRules(elements=["{urn:none}x"])])
def test_element_with_children_keeps_layout_whitespace(rules):
    doc = b"<r>\n  <Password>\n    <v>one</v>\n    two\n  </Password>\n</r>"
    out = redact_body(doc, rules=rules)
    assert out == b"<r>\n  <Password>\n    <v>" + MARK + b"</v>" + MARK + b"</Password>\n</r>"


def test_xpath_rules():
    doc = apikey_response()
    rules = RedactionRules(
        xpaths=["//apim:result/@applicationId", "//S:Body/*[local-name()='getResponse']/@x"]
    )
    out = redact_body(doc, rules=rules)
    assert out == spliced(doc, API_KEY, "app-1")


def test_xpath_selecting_text_and_elements():
    doc = b'<r xmlns:n="urn:n"><n:notes>private</n:notes><n:other k="v">visible</n:other></r>'
    rules = RedactionRules(xpaths=["//n:notes/text()"], namespaces={"n": "urn:n"})
    assert redact_body(doc, rules=rules) == spliced(doc, "private")
    rules = RedactionRules(xpaths=["//*[local-name()='other']"])
    assert redact_body(doc, rules=rules) == spliced(doc, "visible")


def test_utf8_and_utf16_documents():
    env = password_text_envelope().replace(b"Plan", "Plän".encode())
    assert redact_body(env) == spliced(env, PASSWORD, NONCE)
    text = '<?xml version="1.0" encoding="UTF-16"?><r><Password>pässwörd</Password><n>ü</n></r>'
    expected = text.replace("pässwörd", REDACTED)
    for codec in ("utf-16", "utf-16-le", "utf-16-be"):
        assert redact_body(text.encode(codec)) == expected.encode(codec)
    bom_be = b"\xfe\xff" + text.encode("utf-16-be")
    assert redact_body(bom_be) == b"\xfe\xff" + expected.encode("utf-16-be")


def test_doctype_body_is_withheld_entirely():
    doc = b'<!DOCTYPE r [<!ENTITY pw "hunter22">]><r><Password>&pw;</Password></r>'
    assert redact_body(doc) == MARK


def test_malformed_xml_still_hides_known_values():
    doc = b"<r><wsse:Password>abc-secret</wsse:Password><broken attr=</r>"
    out = redact_body(doc)
    assert b"abc-secret" not in out
    assert out.startswith(b"<r><wsse:Password>" + MARK + b"</wsse:Password>")


def test_json_bodies():
    assert redact_body(apikey_json(), "application/json") == spliced(apikey_json(), API_KEY)
    body = (
        b'{"QueryFilter": {"expression": {"operator": "EQUALS", "property": "key",'
        b' "argument": ["ak-q-1"]}}, "credentials": {"userName": "u", "Password": 1234,'
        b' "pw": null}, "list": [{"key": "k-9"}, {"key": {"nested": "k-10"}}]}'
    )
    out = redact_body(body)
    parsed = json.loads(out)
    assert parsed["QueryFilter"]["expression"]["argument"] == [REDACTED]
    assert parsed["credentials"]["Password"] == REDACTED
    assert parsed["list"] == [{"key": REDACTED}, {"key": REDACTED}]
    assert out == (
        b'{"QueryFilter": {"expression": {"operator": "EQUALS", "property": "key",'
        b' "argument": ["***REDACTED***"]}}, "credentials": {"userName": "u", "Password":'
        b' "***REDACTED***", "pw": null}, "list": [{"key": "***REDACTED***"}, {"key":'
        b' "***REDACTED***"}]}'
    )


def test_json_custom_keys_and_escapes():
    body = b'{"secretNote": "a\\"b", "k\\u0065y": "escaped-key", "ok": "x"}'
    out = redact_body(body, rules=RedactionRules(json_keys=["secretNote"]))
    assert json.loads(out) == {"secretNote": REDACTED, "key": REDACTED, "ok": "x"}


def test_broken_json_and_form_and_text():
    broken = b'{"key": "ak-broken-1", "password": "pw-broken"'
    out = redact_body(broken, "application/json")
    assert b"ak-broken-1" not in out and b"pw-broken" not in out
    form = b"grant_type=password&username=u&password=pw%21x&api_key=k1"
    assert redact_body(form, "application/x-www-form-urlencoded") == spliced(form, "pw%21x", "k1")


def test_headers():
    headers = {
        "Authorization": f"Bearer {BEARER}",
        "Proxy-Authorization": "Basic dXNlcjpwYXNz",
        "Cookie": COOKIE,
        "set-cookie": COOKIE,
        "X-Boomi-OTP": OTP,
        "X-Custom-Secret": "c-1",
        "Content-Type": "text/xml",
    }
    out = dict(redact_headers(headers, RedactionRules(headers=["X-Custom-Secret"])))
    assert out == {
        "Authorization": f"Bearer {REDACTED}",
        "Proxy-Authorization": f"Basic {REDACTED}",
        "Cookie": REDACTED,
        "set-cookie": REDACTED,
        "X-Boomi-OTP": REDACTED,
        "X-Custom-Secret": REDACTED,
        "Content-Type": "text/xml",
    }


def test_url():
    url = "https://user:pw-1@api.boomi.com/mft/v1/x?api_key=k-1&month=11&password=p#frag"
    assert redact_url(url) == (
        f"https://user:{REDACTED}@api.boomi.com/mft/v1/x?api_key={REDACTED}&month=11"
        f"&password={REDACTED}#frag"
    )


def test_free_text():
    excerpt = (
        f'Authorization: Bearer {BEARER}; sent <wsse:Password Type="x">{PASSWORD}</wsse:Pass'
        f" and password={PASSWORD} for user with key {API_KEY}"
    )
    out = redact_text(excerpt, [API_KEY])
    assert_clean(out.encode(), BEARER, PASSWORD, API_KEY)
    assert out.startswith(f"Authorization: Bearer {REDACTED}")
    assert redact_text("a&b secret is a&amp;b", ["a&b"]) == f"{REDACTED} secret is {REDACTED}"


xml_text_chars = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)


def xml_escape(value: str, quote: str) -> str:
    out = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace(quote, "&quot;" if quote == '"' else "&apos;")


@settings(max_examples=150, deadline=None)
@given(
    password=xml_text_chars,
    key=xml_text_chars,
    prefix=st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True),
    quote=st.sampled_from(['"', "'"]),
    cdata=st.booleans(),
)
def test_property_any_secret_any_prefix(password, key, prefix, quote, cdata):
    if cdata:
        pw_raw = f"<![CDATA[{password.replace(']]>', '')}]]>"
        if pw_raw == "<![CDATA[]]>":
            return
    else:
        pw_raw = xml_escape(password, quote)
    key_raw = xml_escape(key, quote)
    head = (
        f"<{prefix}:Envelope xmlns:{prefix}={quote}{SOAP}{quote}>"
        f"<{prefix}:Header><w:Security xmlns:w={quote}{WSSE}{quote}><w:UsernameToken>"
        f"<w:Username>u</w:Username><w:Password>"
    )
    middle = (
        f"</w:Password></w:UsernameToken></w:Security></{prefix}:Header><{prefix}:Body>"
        f"<a:result xmlns:a={quote}{APIM}{quote} key={quote}"
    )
    tail = f"{quote} id={quote}1{quote}/></{prefix}:Body></{prefix}:Envelope>"
    doc = (head + pw_raw + middle + key_raw + tail).encode()
    out = redact_body(doc)
    assert out == (head + REDACTED + middle + REDACTED + tail).encode()
    etree.fromstring(out)
    # A namespaced rule switches to the full walk (no fast path): same answer.
    assert redact_body(doc, rules=RedactionRules(elements=["{urn:none}x"])) == out


names = st.sampled_from(["a", "p:Password", "Nonce", "key", "p:argument", "b:item", "PASSWORD"])
attr_names = st.sampled_from(["id", "key", "p:key", "password", "property", "Type", "secret"])
attr_values = st.sampled_from(["v", "key", "x&amp;y", "password", "", "a'b"])
texts = st.sampled_from(["", "t", " ", "\n  ", "s&lt;1", "<![CDATA[c<d]]>", "<!-- c -->", "é"])


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(names)
    attrs = draw(st.dictionaries(attr_names, attr_values, max_size=3))
    rendered = "".join(f' {k}="{v}"' if "'" in v else f" {k}='{v}'" for k, v in attrs.items())
    if depth >= 3 or draw(st.booleans()):
        children = draw(texts)
    else:
        parts = draw(st.lists(st.one_of(texts, elements(depth + 1)), max_size=3))
        children = "".join(parts)
    if not children and draw(st.booleans()):
        return f"<{name}{rendered}/>"
    return f"<{name}{rendered}>{children}</{name}>"


@settings(max_examples=200, deadline=None)
@given(body=elements())
def test_fast_and_full_walks_agree(body):
    doc = f'<r xmlns:p="urn:p" xmlns:b="urn:b">{body}</r>'.encode()
    fast = redact_body(doc)
    full = redact_body(doc, rules=RedactionRules(elements=["{urn:none}x"]))
    assert fast == full
    etree.fromstring(fast)
