"""The emulator: a faithful local Boomi API server (APIM and Platform SOAP/REST, MFT).

``Sandbox.start(...)`` serves it over real HTTP on loopback; ``serve(argv)`` is the
``boomisoap sandbox serve`` command. See docs/emulator.md.
"""

from __future__ import annotations

from typing import Any

from .lifecycle import Deprecated, Retirement
from .security import SecurityPolicy
from .server import Sandbox
from .tls import SandboxTLS

__all__ = ["Deprecated", "Retirement", "Sandbox", "SandboxTLS", "SecurityPolicy", "serve"]


def serve(argv: list[str] | None = None) -> int:
    """Run ``boomisoap sandbox serve`` with command-line style options; blocks until stopped."""
    from .commands import serve_command

    result: Any = serve_command.main(
        args=argv, prog_name="boomisoap sandbox serve", standalone_mode=False
    )
    return int(result or 0)
