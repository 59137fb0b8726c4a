"""The XML splicer's two paths, side by side: the full token walk (the reference) and the
fast path, each turned into the redacted text, for tests that hold one to the other."""

from __future__ import annotations

from boomisoap.redact import xmlsplice
from boomisoap.redact.rules import CompiledRules
from boomisoap.redact.splice import splice


def walked(text: str, rules: CompiledRules) -> str:
    spans, _ = xmlsplice._scan(
        text, 0, rules, xmlsplice._Targets(), xmlsplice._decode_name(text), None, subtree=False
    )
    return splice(text, spans)


def fast(text: str, rules: CompiledRules) -> str:
    return splice(
        text,
        xmlsplice._secret_spans(text, rules, xmlsplice._Targets(), xmlsplice._decode_name(text)),
    )
