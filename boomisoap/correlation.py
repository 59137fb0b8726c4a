"""Correlation ids carried through a call, its retries and its audit records."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# A ContextVar (not a thread-local) so asyncio tasks and threads started with
# contextvars.copy_context() each see the id of the call that spawned them.
_CURRENT: ContextVar[str | None] = ContextVar("boomisoap_correlation_id", default=None)


@contextmanager
def correlation(cid: str | None = None) -> Iterator[str]:
    """Set the correlation id for the block; a fresh uuid4 string when ``cid`` is None."""
    value = cid if cid is not None else str(uuid.uuid4())
    token = _CURRENT.set(value)
    try:
        yield value
    finally:
        _CURRENT.reset(token)


def current_correlation_id() -> str | None:
    """The id set by the innermost enclosing :func:`correlation` block, if any."""
    return _CURRENT.get()
