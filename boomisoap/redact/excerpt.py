"""The start of a body, for an error message: secrets removed before it is cut."""

from __future__ import annotations

from collections.abc import Iterable

from .live import scrub

EXCERPT_LENGTH = 200
"""Bytes of a body an error message quotes: enough to recognise a gateway's page or a
stack trace, short enough for a log line."""


def cut(body: bytes, length: int = EXCERPT_LENGTH) -> str:
    """The first ``length`` bytes of ``body`` as text (a split character is replaced)."""
    return body[:length].decode("utf-8", errors="replace")


def excerpt_of(
    body: bytes, secrets: Iterable[str | None] = (), length: int = EXCERPT_LENGTH
) -> str:
    """The start of ``body`` for a message, the live secrets and ``secrets`` removed first.

    Cutting first could leave the head of a secret at the end of the excerpt, where no
    replacement would find it (:class:`boomisoap.errors.TransportError` also drops such a
    head, with :func:`boomisoap.redact.scrub_excerpt`, for excerpts cut elsewhere).
    """
    return cut(scrub(body.decode("utf-8", errors="replace"), secrets).encode("utf-8"), length)
