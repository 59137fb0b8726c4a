"""``python -m boomisoap.cli``: the same as the ``boomisoap`` script."""

from . import main

main()
