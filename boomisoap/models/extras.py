"""What a response carries beyond the field maps: the ``extras`` of every object.

Boomi adds optional fields to its objects without notice (its OpenAPI says so;
docs/choices.md, "Forward-compatible reading"), so responses are read in an open-content
mode (docs/client.md, "Validation modes"): an unknown attribute, element or JSON key is kept
in the object's ``extras`` and reported once per object type and name, with an
:class:`UnknownFieldWarning` and an INFO record on the ``boomisoap`` logger. The report
names the item, never its value (a server may echo anything there); the mapping's repr shows
the names only, for the same reason.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, Literal

LOG = logging.getLogger("boomisoap")

# How a reader treats what the field map does not know:
# "keep": unknown items go to ``extras``, unknown enumeration values stay plain strings,
#   each reported once (responses, by default);
# "screened": the strict schema found nothing unknown, so no item is looked for; an
#   enumeration value the field map lacks (the schema may type it as a plain string) is
#   still kept and reported (SOAP responses that pass the strict screen: the fast path);
# "refuse": any unknown item is an error naming it (REST responses, validate="strict");
# "ignore": unknown items are dropped silently and enumerations stay closed (the
#   emulator's reading of requests, which the schema has already checked).
Unknown = Literal["keep", "screened", "refuse", "ignore"]
SCANNED = frozenset({"keep", "refuse"})  # the modes that look for unknown items
OPEN_VALUES = frozenset({"keep", "screened"})  # the modes that keep unknown enum values


class UnknownFieldWarning(UserWarning):
    """A response carried an attribute, element, key or enumeration value we do not know."""


class Extras(Mapping[str, Any]):
    """A read-only mapping of wire names to the values a response sent for them.

    XML attributes map to their text, unknown child elements to their XML text (a tuple
    when repeated), JSON keys to the parsed JSON value. Names are the wire's local names;
    a name in another namespace is written ``{namespace}name``.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        self._items: dict[str, Any] = dict(items or {})

    def __getitem__(self, name: str) -> Any:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        # Names only: a value may be anything the server chose to send, secrets included.
        return f"Extras({', '.join(repr(name) for name in self._items)})"

    def __hash__(self) -> int:
        # By names, which equal mappings share; values may be unhashable JSON. Being
        # hashable also lets the shared empty mapping be a plain dataclass default.
        return hash(frozenset(self._items))


# The default of every ``extras`` field: one shared, empty, immutable mapping.
NO_EXTRAS = Extras()


_REPORTED: set[tuple[str, str, str]] = set()
_LOCK = threading.Lock()


def report_unknown(type_name: str, name: str, what: str, *, kept: str = "kept in extras") -> None:
    """Warn once per process about an unknown ``what`` (attribute, element, key, value).

    ``type_name`` is the object type (or schema type) that carried it, ``name`` its wire
    name (for a value: the field's name). Thread-safe; later sightings are silent.
    """
    key = (type_name, name, what)
    with _LOCK:
        if key in _REPORTED:
            return
        _REPORTED.add(key)
    message = f"{type_name} in a response has an unknown {what} {name!r} ({kept})"
    # INFO, not WARNING: the warning is the loud channel, and for an application without
    # logging configured, Python's last-resort handler would print a WARNING record again.
    LOG.info("%s", message, extra={"object_type": type_name, "unknown": name})
    warnings.warn(message, UnknownFieldWarning, stacklevel=2)


def forget_reported() -> None:
    """Forget what was reported, so that the next sighting warns again (for tests)."""
    with _LOCK:
        _REPORTED.clear()


class Collector:
    """Gathers one object's unknown items while it is read, then builds its Extras."""

    __slots__ = ("_items", "type_name")

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self._items: dict[str, Any] = {}

    def add(self, name: str, value: Any, what: str, *, repeatable: bool = False) -> None:
        report_unknown(self.type_name, name, what)
        if name in self._items and repeatable:
            previous = self._items[name]
            self._items[name] = (
                (*previous, value)
                if isinstance(previous, tuple)
                else (
                    previous,
                    value,
                )
            )
        else:
            self._items[name] = value

    def extras(self) -> Extras:
        return Extras(self._items) if self._items else NO_EXTRAS
