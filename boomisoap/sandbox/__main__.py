"""``python -m boomisoap.sandbox serve ...``: the same as ``boomisoap sandbox serve``."""

from __future__ import annotations

from ..cli.sandbox import sandbox_group

if __name__ == "__main__":
    sandbox_group(prog_name="python -m boomisoap.sandbox")
