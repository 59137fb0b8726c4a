"""Whether the shared bucket's Redis is answering, and the one warning when it stops.

While Redis is down every member paces locally at its share of the budget; one caller at
a time probes Redis again, at most once per ``probe_interval``, so an outage costs the
others no connection timeouts. The warning is given once per outage, as a
:class:`RateLimitFallbackWarning` and on the ``boomisoap`` logger; the recovery is logged.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Callable

LOG = logging.getLogger("boomisoap")


class RateLimitFallbackWarning(UserWarning):
    """The shared rate limit's Redis is unreachable: pacing locally at a share of the budget."""


class Health:
    def __init__(
        self,
        describe: Callable[[], str],
        probe_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._describe = describe
        self._interval = probe_interval
        self._clock = clock
        self._down = False
        self._next_probe = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self._down

    def may_try(self) -> bool:
        """True when the caller should ask Redis (always, unless in an outage)."""
        if not self._down:
            return True
        with self._lock:
            now = self._clock()
            if now < self._next_probe:
                return False
            # This caller probes; the others keep to the local share meanwhile.
            self._next_probe = now + self._interval
            return True

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._next_probe = self._clock() + self._interval
            if self._down:
                return
            self._down = True
        # The error's class only: its text may quote the address with a password.
        message = (
            f"shared rate limit: Redis unreachable ({type(error).__name__}); "
            f"{self._describe()} until it answers again"
        )
        LOG.warning(message)
        warnings.warn(message, RateLimitFallbackWarning, stacklevel=2)

    def succeeded(self) -> None:
        if not self._down:
            return
        with self._lock:
            if not self._down:
                return
            self._down = False
        LOG.info("shared rate limit: Redis answers again; back to the shared bucket")
