"""``boomisoap demo``: the tour of :mod:`boomisoap.demo` from a shell."""

from __future__ import annotations

import sys

import click


@click.command("demo")
def demo_command() -> None:
    """Start the emulator and run a tour of every service against it."""
    from ..demo import run_demo

    sys.exit(run_demo())


__all__ = ["demo_command"]
