"""Progress bars on stderr, shown only when stderr is a terminal (never in pipes or cron)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import click

T = TypeVar("T")


def interactive() -> bool:
    stream = sys.stderr
    return bool(getattr(stream, "isatty", None) and stream.isatty())


def track(items: Iterable[T], *, label: str, length: int | None = None) -> Iterator[T]:
    """Yield ``items`` unchanged, drawing a bar on a terminal's stderr meanwhile."""
    if not interactive():
        yield from items
        return
    with click.progressbar(
        items, length=length, label=label, file=sys.stderr, show_pos=True
    ) as bar:
        yield from bar


class Steps:
    """A bar advanced by callbacks (``update(done, total)``), created on the first call."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar: Any = None
        self._done = 0

    def update(self, done: int, total: int) -> None:
        if not interactive() or total <= 0:
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=total, label=self.label, file=sys.stderr, show_pos=True
            )
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
