"""Where the correlation context used to live; kept for the imports that name it here.

The context itself is :mod:`boomisoap.correlation`, in the foundation layer, so that the
transport and the logs use it without reaching into the audit package.
"""

from __future__ import annotations

from ..correlation import correlation, current_correlation_id

__all__ = ["correlation", "current_correlation_id"]
