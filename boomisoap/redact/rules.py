"""What is secret: the built-in names (:mod:`.names`) and the user's additions, compiled
for lookups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..namespaces import PREFIXES
from .names import SECRET_ELEMENTS_CI, SECRET_ELEMENTS_EXACT, is_secret_header, is_secret_name


def split_clark(name: str) -> tuple[str | None, str]:
    """``{uri}local`` -> (uri, local); a plain ``local`` -> (None, local)."""
    if name.startswith("{"):
        uri, _, local = name[1:].partition("}")
        return uri, local
    return None, name


@dataclass(frozen=True)
class RedactionRules:
    """Extra values to redact, on top of the built-in rules (which cannot be turned off).

    ``elements`` and ``attributes`` take local names (matched in any namespace) or
    Clark names ``{uri}local``; ``json_keys`` are matched exactly; ``headers`` case-
    insensitively; ``xpaths`` are XPath 1.0 expressions selecting elements (their
    character data is redacted), attributes, or text nodes, evaluated with
    ``namespaces`` (default: the prefixes boomisoap writes, ``S``, ``wsse``, ``apim`` ...).
    """

    elements: Iterable[str] = ()
    attributes: Iterable[str] = ()
    json_keys: Iterable[str] = ()
    xpaths: Iterable[str] = ()
    headers: Iterable[str] = ()
    namespaces: Mapping[str, str] = field(default_factory=lambda: dict(PREFIXES))


@dataclass(frozen=True)
class CompiledRules:
    """RedactionRules as sets ready for per-name lookups."""

    element_locals: frozenset[str]
    element_clark: frozenset[tuple[str, str]]
    attribute_locals: frozenset[str]
    attribute_clark: frozenset[tuple[str, str]]
    json_keys: frozenset[str]
    headers: frozenset[str]
    xpaths: tuple[str, ...]
    namespaces: Mapping[str, str]
    ascii_names: bool = True

    @classmethod
    def build(cls, rules: RedactionRules | None) -> CompiledRules:
        rules = rules or RedactionRules()
        el_local, el_clark = _split_names(rules.elements)
        at_local, at_clark = _split_names(rules.attributes)
        return cls(
            element_locals=el_local,
            element_clark=el_clark,
            attribute_locals=at_local,
            attribute_clark=at_clark,
            json_keys=frozenset(rules.json_keys),
            headers=frozenset(h.lower() for h in rules.headers),
            xpaths=tuple(rules.xpaths),
            namespaces=dict(rules.namespaces),
            # Non-ASCII rule names need names re-decoded from the byte-as-latin-1 text.
            ascii_names=all(
                n.isascii()
                for n in (*el_local, *at_local, *(loc for _, loc in el_clark | at_clark))
            ),
        )

    def element_is_secret(self, local: str, uri: str | None) -> bool:
        return (
            local in SECRET_ELEMENTS_EXACT
            or local.lower() in SECRET_ELEMENTS_CI
            or local in self.element_locals
            or (uri is not None and (uri, local) in self.element_clark)
        )

    def attribute_is_secret(self, local: str, uri: str | None) -> bool:
        return (
            is_secret_name(local)
            or local in self.attribute_locals
            or (uri is not None and (uri, local) in self.attribute_clark)
        )

    def json_key_is_secret(self, key: str) -> bool:
        return is_secret_name(key) or key in self.json_keys

    def header_is_secret(self, name: str) -> bool:
        return is_secret_header(name) or (bool(self.headers) and name.lower() in self.headers)


def _split_names(names: Iterable[str]) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    local: set[str] = set()
    clark: set[tuple[str, str]] = set()
    for name in names:
        uri, loc = split_clark(name)
        if uri is None:
            local.add(loc)
        else:
            clark.add((uri, loc))
    return frozenset(local), frozenset(clark)


DEFAULT_RULES = CompiledRules.build(None)
