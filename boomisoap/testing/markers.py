"""The ``boomi_sandbox`` marker's arguments, checked against ``Sandbox`` before it starts."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

MARKER = "boomi_sandbox"
# The plugin's own defaults: one known user and no pacing, so tests run at full speed.
USERNAME = "u"
PASSWORD = "p"
DEFAULTS: dict[str, Any] = {"users": {USERNAME: PASSWORD}, "rate_limit": None}
# The kinds of the simple options, checked here so that a wrong one is named instead of
# failing deep inside the server ("'<=' not supported between 'str' and 'int'").
_NUMBER = (int, float)
KINDS: dict[str, tuple[tuple[type, ...], str]] = {
    "users": ((Mapping,), "a mapping of user name to password"),
    "tokens": ((Mapping,), "a mapping of user name to API token"),
    "db": ((str, PurePath), "a path"),
    "seed_demo": ((bool,), "True or False"),
    "rate_limit": (_NUMBER, "a number of requests per second, or None"),
    "account_id": ((str,), "a string"),
    "host": ((str,), "a string"),
    "port": ((int,), "an int"),
    "mft_api_key": ((str,), "a string"),
    "max_body": ((int,), "an int"),
    "query_token_ttl": (_NUMBER, "a number of seconds"),
    "validate_responses": ((bool,), "True or False"),
    "threads": ((int,), "an int"),
    "log_requests": ((bool,), "True or False"),
    "require_signature": ((bool,), "True or False"),
}


class MarkerError(ValueError):
    """A ``boomi_sandbox`` marker with arguments ``Sandbox.start()`` does not take."""


def sandbox_parameters() -> list[str]:
    """The keyword arguments ``Sandbox.start()`` accepts (those of ``Sandbox.__init__``)."""
    from ..sandbox import Sandbox

    signature = inspect.signature(Sandbox.__init__)
    return [name for name in signature.parameters if name != "self"]


def check_marker(args: tuple[Any, ...], kwargs: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The marker's options, or a MarkerError naming the bad one and the known ones."""
    if args:
        raise MarkerError(
            f"{where}: @pytest.mark.{MARKER} takes keyword arguments only "
            f"(e.g. seed_demo=True), not {len(args)} positional one(s)"
        )
    known = sandbox_parameters()
    for name in kwargs:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise MarkerError(
                f"{where}: @pytest.mark.{MARKER} has no option {name!r}{hint} "
                f"(options: {', '.join(known)})"
            )
    for name, value in kwargs.items():
        kinds, wanted = KINDS.get(name, ((object,), ""))
        nullable = name in ("rate_limit", "db", "mft_api_key", "users", "tokens")
        if value is None and nullable:
            continue
        wrong_bool = isinstance(value, bool) and bool not in kinds
        if not isinstance(value, kinds) or wrong_bool:
            # The value is not shown: users, tokens and mft_api_key hold secrets.
            raise MarkerError(
                f"{where}: @pytest.mark.{MARKER}({name}=...) must be {wanted}, "
                f"not {type(value).__name__}"
            )
    return {**DEFAULTS, **kwargs}


def options_for(node: Any) -> dict[str, Any]:
    """The Sandbox options of the closest ``boomi_sandbox`` marker of ``node`` (or defaults)."""
    marker = node.get_closest_marker(MARKER)
    if marker is None:
        return dict(DEFAULTS)
    return check_marker(tuple(marker.args), marker.kwargs, node.nodeid or node.name)
