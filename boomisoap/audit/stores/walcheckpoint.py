"""Copying a SQLite WAL back into its database on a thread of its own.

Left to itself, SQLite checkpoints inside whichever commit takes the WAL past 1,000
pages: with audit records of a few KB, one append in a few hundred then also copies
~4 MB into the database and fsyncs it while its caller waits, which made the average
insert cost two to three times its median. The store's writer connection turns automatic
checkpoints off and a :class:`Checkpointer` does them instead, on its own connection,
first as a ``PASSIVE`` checkpoint, which blocks no writer or reader. Appends made
meanwhile keep that one from covering the whole WAL, and SQLite only starts a WAL over
once all of it is in the database, so a short ``RESTART`` checkpoint follows: it copies
those last frames and lets the next commit write from the top of the file again. It
holds new writers back while it runs, so it waits at most RESTART_WAIT_MS for readers
and is otherwise simply tried again at the next checkpoint.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import weakref

_log = logging.getLogger("boomisoap.audit")

# About what SQLite's own wal_autocheckpoint (1,000 pages of 4 KiB) lets through.
CHECKPOINT_BYTES = 4 << 20
RESTART_WAIT_MS = 10


class Checkpointer:
    """Checkpoints one database file whenever about CHECKPOINT_BYTES were appended.

    The writer reports what it appends with :meth:`appended`; the thread starts at the
    first checkpoint due, so a store that stays small never has one.
    """

    def __init__(self, path: str, threshold: int | None = None) -> None:
        self._path = path
        self._threshold = CHECKPOINT_BYTES if threshold is None else threshold
        self._pending = 0
        self._due = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_pid = 0
        self._lock = threading.Lock()
        # A store dropped without close() still ends its thread.
        weakref.finalize(self, _stop_thread, self._stop, self._due)

    def appended(self, size: int) -> None:
        """``size`` more bytes are in the WAL (an estimate is fine)."""
        self._pending += size
        if self._pending >= self._threshold:
            self._pending = 0
            self._start()
            self._due.set()

    def _start(self) -> None:
        with self._lock:
            # A forked child has the parent's Thread object but not the thread.
            running = self._thread is not None and self._thread_pid == os.getpid()
            if running or self._stop.is_set():
                return
            self._thread_pid = os.getpid()
            self._thread = threading.Thread(
                target=_run,
                args=(self._path, self._due, self._stop),
                name="boomisoap-audit-checkpoint",
                daemon=True,
            )
            self._thread.start()

    def close(self) -> None:
        """Stop the thread after the checkpoint it may be running."""
        with self._lock:
            thread = self._thread
            _stop_thread(self._stop, self._due)
        if thread is not None:
            thread.join()


def _stop_thread(stop: threading.Event, due: threading.Event) -> None:
    stop.set()
    due.set()


def _run(path: str, due: threading.Event, stop: threading.Event) -> None:
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=RESTART_WAIT_MS / 1000)
    except sqlite3.Error as exc:
        _log.warning("audit store %s: no WAL checkpoints (%s)", path, exc)
        return
    try:
        while True:
            due.wait()
            if stop.is_set():
                return
            due.clear()
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
            except sqlite3.Error as exc:
                # Nothing is lost: the frames stay in the WAL for the next checkpoint
                # (or for SQLite's own when the last connection closes).
                _log.warning("audit store %s: WAL checkpoint failed: %s", path, exc)
    finally:
        conn.close()
