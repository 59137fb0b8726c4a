"""Buffering for batch mode: drafts collected in memory, appended by a flusher thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .record import AuditRecord

_log = logging.getLogger("boomisoap.audit")


class Batcher:
    """Collects drafts and hands them to ``flush`` in order, in batches.

    A daemon thread flushes when ``size`` drafts are waiting or ``interval`` seconds
    have passed; ``flush()`` and ``close()`` flush at once from the caller's thread.
    When ``max_pending`` drafts are waiting (the store is slower than the callers,
    or failing), ``add`` flushes in the caller's thread, which bounds memory and
    surfaces store errors to the caller. ``take(waiting)`` says how many of the drafts
    waiting the thread hands over at once (all of them without it; see
    :meth:`boomisoap.audit.stores.base.Sink.flush_count`).
    """

    def __init__(
        self,
        flush: Callable[[list[AuditRecord]], None],
        *,
        size: int = 500,
        interval: float = 0.25,
        max_pending: int | None = None,
        take: Callable[[int], int] | None = None,
    ) -> None:
        self._sink_flush = flush
        self._take = take
        self.size = size
        self.interval = interval
        self.max_pending = 2 * size if max_pending is None else max(max_pending, size)
        self._items: list[AuditRecord] = []
        self._cond = threading.Condition()
        # Held for a whole flush so batches reach the store in the order taken.
        self._flush_lock = threading.Lock()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="boomisoap-audit-flush", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._items)

    def add(self, item: AuditRecord) -> None:
        with self._cond:
            self._items.append(item)
            waiting = len(self._items)
            if waiting >= self.size:
                self._cond.notify()
        if waiting >= self.max_pending:
            self.flush()

    def flush(self) -> None:
        self._flush(None)

    def _flush(self, take: Callable[[int], int] | None) -> None:
        with self._flush_lock:
            with self._cond:
                if take is None or not self._items:
                    batch, self._items = self._items, []
                else:
                    count = take(len(self._items))
                    batch, self._items = self._items[:count], self._items[count:]
            if not batch:
                return
            try:
                self._sink_flush(batch)
            except BaseException:
                with self._cond:
                    # Put them back in front: nothing is dropped, order is kept.
                    self._items[:0] = batch
                raise

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._stop and len(self._items) < self.size:
                    self._cond.wait(self.interval)
                if self._stop:
                    return
            try:
                self._flush(self._take)
            except Exception as exc:
                _log.error("audit flush failed, will retry: %s", exc)
                with self._cond:
                    self._cond.wait(self.interval)

    def close(self) -> None:
        """Stop the thread and flush what is left (raising if the store fails)."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join()
        self.flush()
