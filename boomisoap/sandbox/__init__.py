"""The emulator: a faithful local Boomi API server (APIM and Platform SOAP/REST, MFT).

``Sandbox.start(...)`` serves it over real HTTP on loopback; ``serve(argv)`` is the
``boomisoap sandbox serve`` command (it lives with the other commands in
:mod:`boomisoap.cli.sandbox`). See docs/emulator.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .lifecycle import Deprecated, Retirement
from .security import SecurityPolicy
from .server import Sandbox
from .tls import SandboxTLS

if TYPE_CHECKING:
    from ..cli.sandbox import serve

__all__ = ["Deprecated", "Retirement", "Sandbox", "SandboxTLS", "SecurityPolicy", "serve"]


def __getattr__(name: str) -> Any:
    # serve(argv) parses command-line options, which is the CLI's business: it is found
    # here, where it has always been, but only loaded (with click) when asked for.
    if name == "serve":
        from ..cli.sandbox import serve

        return serve
    raise AttributeError(f"module 'boomisoap.sandbox' has no attribute {name!r}")
