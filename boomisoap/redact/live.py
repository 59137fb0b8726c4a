"""Live secrets: the values each client holds, and their removal from a text by value."""

from __future__ import annotations

import collections
import functools
import json
import re
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus

from .markers import REDACTED

MIN_LENGTH = 4
"""Shorter values are not scrubbed: too likely to hit unrelated text (a password "pw"
would eat every "pw" of every message)."""

RECENT = 2048
"""Per-message secrets (Nonce, PasswordDigest) each SecretSet keeps: an echo comes back
in the answer to the message that carried them, so the most recent ones suffice; 2,048
covers 1,024 requests in flight on one client."""


@functools.lru_cache(maxsize=8192)
def _variants(value: str) -> frozenset[str]:
    return frozenset(_escaped(value))


def variants(value: str) -> frozenset[str]:
    """``value`` as it may appear in a text: raw, XML-, JSON- and URL-escaped."""
    return _variants(value)


# Values of these characters only (base64 Nonces and digests, generated keys) look the
# same escaped for XML or JSON; only their URL form differs.
_PLAIN = re.compile(r"[A-Za-z0-9+/=_.~-]*")


def _escaped(value: str) -> set[str]:
    if _PLAIN.fullmatch(value):
        return {value, quote(value, safe="")}
    xml = (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )
    return {
        value,
        xml,
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        quote(value, safe=""),
        quote_plus(value, safe=""),
    }


class _Index:
    """Values grouped by length, so a text is searched in time linear in its length
    however many values there are (a client that listed thousands of ApiKeys)."""

    # Up to this many values of one length are searched one by one; past it, every
    # window of that length of the text is looked up instead.
    FEW = 16

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.by_length: dict[int, dict[str, int]] = {}
        # Every character of every value ever added (never shrunk: a superset is still
        # right). A value occurs only inside a run of these characters at least as long
        # as it, so the windows are taken there only: the Nonces' base64 alphabet leaves
        # out the markup, quotes, spaces and dashes that cut an XML answer into short runs.
        self._alphabet: set[str] = set()
        self._runs: dict[int, re.Pattern[str]] = {}
        self.add(values)

    def add(self, values: Iterable[str]) -> None:
        for value in values:
            group = self.by_length.setdefault(len(value), {})
            group[value] = group.get(value, 0) + 1
            if not self._alphabet.issuperset(value):
                self._alphabet.update(value)
                self._runs = {}

    def remove(self, values: Iterable[str]) -> None:
        for value in values:
            group = self.by_length.get(len(value), {})
            left = group.get(value, 0) - 1
            if left > 0:
                group[value] = left
            else:
                group.pop(value, None)
                if not group:
                    self.by_length.pop(len(value), None)

    def _runs_of(self, shortest: int) -> re.Pattern[str]:
        runs = self._runs.get(shortest)
        if runs is None:
            chars = "".join(re.escape(c) for c in sorted(self._alphabet))
            runs = self._runs[shortest] = re.compile(f"[{chars}]{{{shortest},}}")
        return runs

    def found_in(self, text: str, hits: set[str]) -> None:
        size = len(text)
        many: list[tuple[int, dict[str, int]]] = []
        for length, group in self.by_length.items():
            if length > size:
                continue
            if len(group) <= self.FEW:
                hits.update(v for v in group if v in text)
            else:
                many.append((length, group))
        if not many:
            return
        for run in self._runs_of(min(length for length, _ in many)).finditer(text):
            start, end = run.span()
            for length, group in many:
                if end - start >= length:
                    hits.update(
                        w
                        for w in (text[i : i + length] for i in range(start, end - length + 1))
                        if w in group
                    )

    def values(self) -> list[str]:
        return [v for group in self.by_length.values() for v in group]


class SecretSet:
    """The secrets of one client, scrubbed from every text while the set is alive.

    Alive means: not closed and still referenced (the registry holds it weakly, so a
    client that is dropped without ``close()`` takes its secrets out with it).
    """

    def __init__(self, values: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._credentials: tuple[str, ...] = ()
        self._named: dict[str, str] = {}
        self._recent: collections.deque[frozenset[str]] = collections.deque()
        self._recent_index = _Index()
        self.add_credentials(*values)
        with _REGISTRY_LOCK:
            _REGISTRY.add(self)
        _changed()
        # A set dropped unclosed leaves the (weak) registry: its values leave the cache.
        weakref.finalize(self, _changed)

    def __repr__(self) -> str:
        return f"<SecretSet of {len(self._values)} values>"

    def add(self, *values: str | None) -> None:
        """Values kept while the set lives (credentials, ApiKey keys)."""
        fresh = {v for v in values if isinstance(v, str) and len(v) >= MIN_LENGTH}
        with self._lock:
            fresh -= self._values
            if not fresh:
                return
            self._values |= fresh
        _changed()

    def add_credentials(self, *values: str | None) -> None:
        """Credentials (password, token, Basic value, API key): kept, and also named by
        :meth:`credentials` for the audit, which removes them from every record."""
        usable = [v for v in values if isinstance(v, str) and len(v) >= MIN_LENGTH]
        with self._lock:
            self._credentials = tuple(sorted({*self._credentials, *usable}))
        self.add(*usable)

    def holder(self, name: str, value: str) -> Callable[[], str]:
        """Keep ``value`` as the credential ``name`` and give the reader of it to whatever
        must send it (the UsernameToken): the set is then the only holder of the value."""
        self.add_credentials(value)
        with self._lock:
            self._named[name] = value
        return functools.partial(self._read_named, name)

    def _read_named(self, name: str) -> str:
        with self._lock:
            return self._named[name]

    def credentials(self) -> tuple[str, ...]:
        """The credentials, sorted (the same tuple until one is added)."""
        with self._lock:
            return self._credentials

    def add_recent(self, *values: str | None) -> None:
        """Per-message values (a Nonce, a digest), of which the newest :data:`RECENT` stay."""
        with self._lock:
            for value in values:
                if not isinstance(value, str) or len(value) < MIN_LENGTH:
                    continue
                if len(self._recent) >= RECENT:
                    self._recent_index.remove(self._recent.popleft())
                # A fresh Nonce is never in the variants cache: computed directly.
                forms = _usable(_escaped(value))
                self._recent.append(forms)
                self._recent_index.add(forms)

    def recent_in(self, text: str, hits: set[str]) -> None:
        with self._lock:
            self._recent_index.found_in(text, hits)

    def recent(self) -> list[str]:
        with self._lock:
            return self._recent_index.values()

    def values(self) -> frozenset[str]:
        """The long-lived values."""
        with self._lock:
            return frozenset(self._values)

    def close(self) -> None:
        with _REGISTRY_LOCK:
            _REGISTRY.discard(self)
        _changed()


def _usable(forms: Iterable[str]) -> frozenset[str]:
    return frozenset(v for v in forms if len(v) >= MIN_LENGTH)


_REGISTRY: weakref.WeakSet[SecretSet] = weakref.WeakSet()
_REGISTRY_LOCK = threading.Lock()
_version_lock = threading.Lock()
_version = 0
_stable_cache: tuple[int, _Index] = (-1, _Index())


def _changed() -> None:
    # Under a lock: a lost increment could leave a cache without a new secret for good.
    global _version
    with _version_lock:
        _version += 1


def _live_sets() -> list[SecretSet]:
    with _REGISTRY_LOCK:
        return list(_REGISTRY)


def _stable() -> _Index:
    # The long-lived values change rarely: their index is built once per change. The
    # version is read before the sets: a set added meanwhile bumps it again.
    global _stable_cache
    version, cached = _stable_cache
    with _version_lock:
        seen = _version
    if version == seen:
        return cached
    found: set[str] = set()
    for secrets in _live_sets():
        for value in secrets.values():
            found |= variants(value)
    index = _Index(_usable(found))
    _stable_cache = (seen, index)
    return index


def live_secrets(extra: Iterable[str | None] = ()) -> list[str]:
    """Every value :func:`scrub` removes now, longest first (so no secret is half-hidden
    by a shorter one it contains)."""
    values: set[str] = set(_stable().values())
    for secrets in _live_sets():
        values.update(secrets.recent())
    values.update(_only(extra))
    return sorted(values, key=len, reverse=True)


def scrub(text: str, extra: Iterable[str | None] = (), *, live: bool = True) -> str:
    """``text`` with every live secret, and every value of ``extra``, replaced by REDACTED.

    ``live=False`` removes ``extra`` only (the CLI under ``--show-secrets``, which shows
    ApiKey keys on purpose but never credentials).
    """
    if not text or (not (live and _REGISTRY) and not extra):
        return text
    hits = {v for v in _only(extra) if v in text}
    if live:
        _stable().found_in(text, hits)
        for secrets in _live_sets():
            secrets.recent_in(text, hits)
    for value in sorted(hits, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


def _only(extra: Iterable[str | None]) -> list[str]:
    found: set[str] = set()
    for value in extra:
        if isinstance(value, str) and len(value) >= MIN_LENGTH:
            found |= variants(value)
    return sorted(found, key=len, reverse=True)


def scrub_excerpt(text: str) -> str:
    """``scrub`` for the cut start of a body: also drops a tail that begins a secret.

    A body cut at a fixed length may end inside a secret, where no whole-value
    replacement finds it; the cut head of it goes too (from its third character on,
    shorter heads tell nothing).
    """
    text = scrub(text)
    if not _REGISTRY or len(text) < MIN_LENGTH - 1:
        return text
    cut = len(text)
    for value in live_secrets():
        for size in range(min(len(value) - 1, len(text)), MIN_LENGTH - 2, -1):
            if len(text) - size < cut and text.endswith(value[:size]):
                cut = len(text) - size
                break
    return text[:cut]


def any_live() -> bool:
    """Whether some SecretSet is alive (the cheap check before any scrubbing)."""
    return bool(_REGISTRY)


def scrub_any(value: Any, extra: Iterable[str | None] = ()) -> Any:
    """``scrub`` for strings (also inside tuples and lists); other values unchanged."""
    if isinstance(value, str):
        return scrub(value, extra)
    if isinstance(value, tuple | list):
        return type(value)(scrub_any(v, extra) for v in value)
    return value


def redact_id(object_id: str, secret: bool) -> str:
    """An identifier as it may be shown: REDACTED when the id field is secret."""
    return REDACTED if secret and object_id else object_id
