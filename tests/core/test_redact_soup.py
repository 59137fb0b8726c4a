"""The XML splicer's fast path (guarded skip patterns, name searches bounded by the last
name found) gives exactly what the full token walk gives, on well-formed and on broken
markup alike: token soup of names, quotes, comments, CDATA and stray brackets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from boomisoap.redact import xmlsplice
from boomisoap.redact.rules import DEFAULT_RULES, CompiledRules, RedactionRules
from boomisoap.redact.structural import redact_body
from core.splicepaths import fast as _fast
from core.splicepaths import walked as _walked

RULES = [
    DEFAULT_RULES,
    CompiledRules.build(RedactionRules(elements=["name", "Username"], attributes=["id"])),
    CompiledRules.build(RedactionRules(elements=["-x", "]y"], attributes=["^z", "[w"])),
]

PIECES = st.sampled_from(
    [
        "<", ">", "/", "/>", "</", "=", '"', "'", " ", "\n", ":", "a", "x:", "wsse:",
        "Password", "PASSWORD", "password", "Nonce", "nonce", "key", "KEY", "Key",
        "property", "argument", "secret", "api_key", "otp", "Username", "name", "id",
        "-x", "]y", "^z", "[w", "xmlns", "xmlns:", "XMLNS:", "<!--", "-->", "<![CDATA[",
        "<![cdata[", "]]>", "<?", "?>",
        "&amp;", "&#107;", "&lt;", "<!DOCTYPE", "<!doctype", "é", "v", "1",
    ]
)  # fmt: skip


def _agree(text: str) -> None:
    for rules in RULES:
        try:
            walked = _walked(text, rules)
        except xmlsplice.DoctypeFound:
            try:
                _fast(text, rules)
            except xmlsplice.DoctypeFound:
                continue
            raise AssertionError("the fast path missed a DOCTYPE") from None
        assert _fast(text, rules) == walked, (text, rules)


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_token_soup_fast_path_equals_the_full_walk(text: str) -> None:
    _agree(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join), st.lists(PIECES, max_size=12).map("".join))
def test_soup_around_real_secrets(before: str, after: str) -> None:
    _agree(f'{before}<w:Password Type="t">p</w:Password><a key="k"/>{after}')


def test_a_name_inside_a_comment_or_cdata_hides_no_later_secret() -> None:
    doc = (
        b"<r><!-- <wsse:Password>not a value</wsse:Password> key='c' -->"
        b'<![CDATA[<wsse:Nonce>nor this</wsse:Nonce> key="d"]]>'
        b'<?pi <Password>p</Password>?><note>key="e" Password</note>'
        b'<wsse:Password Type="T">hunter2</wsse:Password><a key="k-1" id="x"/></r>'
    )
    out = redact_body(doc, "text/xml")
    assert out == doc.replace(b"hunter2", b"***REDACTED***").replace(
        b'key="k-1"', b'key="***REDACTED***"'
    )


def test_a_lower_case_cdata_opener_is_not_a_cdata_section() -> None:
    # "<![cdata[" opens no CDATA section: the Password after it is an element.
    doc = b"<r><![cdata[ <Password>s3cret</Password> ]]></r>"
    assert redact_body(doc, "text/xml") == doc.replace(b"s3cret", b"***REDACTED***")


QNAMES = st.sampled_from(
    ["Password", "w:Password", "PASSWORD", "w:pAsSwOrD", "Nonce", "nonce", "key", "x:key",
     "a:b:Nonce", ":Password", "Passwordx", "name", "-x", "keys", ""]
)  # fmt: skip
ATTRS = st.lists(
    st.sampled_from(
        [' Type="t"', " a='1'", ' key="k"', ' xmlns:w="urn:w"', ' xmlns="u"', " id='i'",
         ' property="key"', " b=c", ' c="x>y"', " d", ' e = "f"', "\n", "/"]
    ),
    max_size=3,
).map("".join)  # fmt: skip
CONTENT = st.lists(
    st.sampled_from(
        ["v", "", " ", "&amp;", "<![CDATA[c]]>", "<!-- c -->", "<i>x</i>", "<", ">", "é"]
    ),
    max_size=3,
).map("".join)
END_SPACE = st.sampled_from(["", " ", "\n", " x"])


@settings(max_examples=400, deadline=None)
@given(QNAMES, ATTRS, st.sampled_from([">", " >", "/>"]), CONTENT, QNAMES, END_SPACE)
def test_secret_elements_with_character_data(
    qname: str, attrs: str, close: str, content: str, end: str, space: str
) -> None:
    _agree(f"<r><a>x</a><{qname}{attrs}{close}{content}</{end}{space}><b key='z'/></r>")
    _agree(f"<{qname}{attrs}{close}{content}</{qname}{space}>")


def test_names_the_fast_path_used_to_read_otherwise_than_the_walk() -> None:
    # The local name follows the last colon; a "</" running into a tag ends nothing.
    for doc in (
        b"<r><a:b:Nonce>v</a:b:Nonce></r>",
        b'<r></<w:Password Type="t">v</w:Password></r>',
    ):
        assert redact_body(doc, "text/xml") == doc.replace(b">v<", b">***REDACTED***<")
        _agree(doc.decode())


ATTR_PIECES = st.sampled_from(
    [" ", "\n", "=", '"', "'", "/", ":", "x:", "a:b:", "key", "KEY", "Key", "apikey",
     "api_key", "password", "Password", "property", "secret", "otp", "id", "xmlns",
     "xmlns:", "name", "v", " key=", "='", '="', "k", "é", "&amp;", "<", ">"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(ATTR_PIECES, max_size=16).map("".join))
def test_attribute_soup_in_a_start_tag(attrs: str) -> None:
    # The fast path reads a tag's attributes by candidate, the walk one by one.
    _agree(f"<r><a:e {attrs}/><b{attrs}>v</b><w:Password {attrs}>p</w:Password></r>")
    _agree(f'<?pi?><!-- c --><e id="1" {attrs} key="k">x</e>')
