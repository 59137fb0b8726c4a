"""Signing checkpoints of a writer's stream at an interval, and anchoring them outside.

A :class:`Checkpointing` is told of every append; once ``every`` records were appended
or ``seconds`` passed since the last checkpoint (checked at each append, so an idle
log signs nothing new), and at close, it signs the stream's committed tree head,
stores the checkpoint in the sink and hands it to each anchor: a file that gets one
JSON line per checkpoint (fsynced), or syslog. An anchor the store's writers cannot
rewrite is what makes a consistent rewrite of the whole store detectable.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from .errors import AuditError
from .signing import SignedCheckpoint, Signer
from .stores import Sink

SYSLOG = "syslog"


class Anchor:
    def publish(self, cp: SignedCheckpoint) -> None:
        raise NotImplementedError


class FileAnchor(Anchor):
    """Appends one JSON line per checkpoint to ``path`` and fsyncs it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def publish(self, cp: SignedCheckpoint) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, (cp.line() + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


class SyslogAnchor(Anchor):
    """Sends each checkpoint to the local syslog (facility USER, priority INFO)."""

    def publish(self, cp: SignedCheckpoint) -> None:
        import syslog

        syslog.syslog(syslog.LOG_INFO, "boomisoap-audit-checkpoint " + cp.line())


def anchors_of(spec: str | Sequence[str] | None) -> list[Anchor]:
    """``"syslog"`` or a file path, or several of them."""
    if spec is None:
        return []
    items = [spec] if isinstance(spec, str) else list(spec)
    return [SyslogAnchor() if item == SYSLOG else FileAnchor(item) for item in items]


def read_anchor(path: str | os.PathLike[str]) -> list[SignedCheckpoint]:
    """Every checkpoint of an anchor file (lines that are not checkpoints are errors)."""
    out = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            raise AuditError(f"{path} line {number} is not JSON") from None
        out.append(SignedCheckpoint.from_json(data))
    return out


class Checkpointing:
    def __init__(
        self,
        sink: Sink,
        signer: Signer,
        *,
        every: int | None = 1000,
        seconds: float | None = None,
        anchors: Sequence[Anchor] = (),
    ) -> None:
        if every is not None and every <= 0:
            raise AuditError(f"checkpoint_every must be positive, not {every}")
        if seconds is not None and seconds <= 0:
            raise AuditError(f"checkpoint_seconds must be positive, not {seconds}")
        self.sink = sink
        self.signer = signer
        self.every = every
        self.seconds = seconds
        self.anchors = list(anchors)
        self._lock = threading.Lock()
        self._since = 0
        self._last_time = time.monotonic()
        self._last_size = -1
        self.appended_any = False

    def appended(self, count: int) -> None:
        with self._lock:
            self.appended_any = True
            self._since += count
            due = (self.every is not None and self._since >= self.every) or (
                self.seconds is not None and time.monotonic() - self._last_time >= self.seconds
            )
        if due:
            self.now()

    def now(self) -> SignedCheckpoint | None:
        """Sign the committed tree head now (None when it was signed already)."""
        with self._lock:
            head = self.sink.tree_head(self.sink.stream)
            if self._last_size < 0:  # the first time: what an earlier writer signed
                signed = self.sink.checkpoints(self.sink.stream)
                self._last_size = signed[-1].size if signed else 0
            self._since = 0
            self._last_time = time.monotonic()
            if head.size == self._last_size or head.size == 0:
                return None
            cp = self.signer.sign(self.sink.stream, head.size, head.root())
            self.sink.add_checkpoint(cp)
            self._last_size = head.size
            for anchor in self.anchors:
                anchor.publish(cp)
            return cp
