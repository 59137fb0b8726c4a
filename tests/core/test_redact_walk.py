"""The fast path of the XML splicer (skip markup without secret names, stop after the
last one) gives exactly what the full token walk gives, over every XML and JSON file
of the test corpus and the docs, and over variants of them that move secrets around."""

from __future__ import annotations

from pathlib import Path

import pytest

from boomisoap.redact import xmlsplice
from boomisoap.redact.rules import DEFAULT_RULES, CompiledRules, RedactionRules
from core.splicepaths import fast as _fast
from core.splicepaths import walked as _walked

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(
    p
    for folder in ("tests", "docs")
    for p in (ROOT / folder).rglob("*")
    if p.is_file() and p.suffix in {".xml", ".json", ".md", ".wsdl", ".xsd"}
)
RULES = [
    DEFAULT_RULES,
    CompiledRules.build(RedactionRules(elements=["name", "Username"], attributes=["id"])),
]


def _variants(text: str) -> list[str]:
    """The text, and it with secrets added at its end, its start and inside markup."""
    tail = '<x:item key="k-1" Password="p"><Password>s</Password><Nonce>n</Nonce></x:item>'
    return [
        text,
        text + tail,
        tail + text,
        text.replace("<", "<!-- Password -->\n<", 3),
        text + "<!-- <Password>not a value</Password> -->",
        text + '<![CDATA[<a key="k">]]><b key="after">v</b>',
        text + "<?pi Password?><q>  </q>" + "<Password>last</Password>",
    ]


def test_the_corpus_is_not_empty() -> None:
    assert len(CORPUS) > 50


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_fast_path_equals_the_full_walk(path: Path) -> None:
    data = path.read_bytes()
    for rules in RULES:
        for text in _variants(data.decode("latin-1")):
            try:
                walked = _walked(text, rules)
            except xmlsplice.DoctypeFound:
                with pytest.raises(xmlsplice.DoctypeFound):
                    _fast(text, rules)
                continue
            assert _fast(text, rules) == walked


def test_the_variants_hold_secrets_after_the_last_tag_of_the_text() -> None:
    text = _variants("<a>x</a>")[1]
    assert _fast(text, DEFAULT_RULES) == (
        '<a>x</a><x:item key="***REDACTED***" Password="***REDACTED***">'
        "<Password>***REDACTED***</Password><Nonce>***REDACTED***</Nonce></x:item>"
    )
