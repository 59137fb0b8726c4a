"""``python -m boomisoap``: the same as the ``boomisoap`` script."""

from .cli import main

main()
