"""One worker process of ``Sandbox(workers=N)`` (see :mod:`boomisoap.sandbox.workers`).

Run as ``python -m boomisoap.sandbox.worker FD`` by the pool: it reads its options (pickled,
from the parent over a pipe) from stdin, serves the listening socket ``FD`` and stops when
stdin closes.
"""

from __future__ import annotations

import logging
import pickle
import signal
import socket
import sys
import threading
from typing import Any

from .server import Sandbox
from .workers import READY


def main(argv: list[str]) -> int:
    """A worker process: the sandbox of the options on stdin, served on socket ``argv[0]``."""
    # Ctrl-C reaches the whole process group: the parent stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin = sys.stdin.buffer
    levels, options = _read(stdin), _read(stdin)  # from the parent process, over a pipe
    logging.basicConfig(level=levels[""], format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("waitress.queue").setLevel(levels["waitress.queue"])
    listening = socket.socket(fileno=int(argv[0]))
    stopping = threading.Event()

    def wait_for_eof() -> None:
        stdin.read()
        stopping.set()

    try:
        sandbox = Sandbox(**options)
        sandbox._socket = listening
        threading.Thread(target=wait_for_eof, daemon=True).start()
        sandbox.serve_here(stopping, lambda: print(READY, flush=True))
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}", flush=True)
        return 1
    return 0


def _read(stream: Any) -> Any:
    size = int.from_bytes(stream.read(8), "big")
    return pickle.loads(stream.read(size))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
