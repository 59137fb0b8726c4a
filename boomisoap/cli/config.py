"""The CLI's side of the connection settings: the reading is :mod:`boomisoap.config`
(shared with every client's ``from_env()``); here its errors become usage errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from .. import config as _config
from .. import options
from ..config import (
    DEFAULT_BASE_URL,
    DEFAULT_PROFILE,
    OUTPUTS,
    PROFILE_KEYS,
    SECRET_KEYS,
    Settings,
    default_config_path,
)
from ..errors import InvalidRequest

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_PROFILE",
    "OUTPUTS",
    "PROFILE_KEYS",
    "SECRET_KEYS",
    "ConfigError",
    "RateLimitType",
    "Settings",
    "default_config_path",
    "load_profile",
    "read_profiles",
    "resolve",
]


class RateLimitType(click.FloatRange):
    """``--rate-limit``: requests/second (>= 0; 0: off), or a Redis URL, as ``rate_limit=``
    takes it (docs/fleet.md); the URL is never quoted back, it may carry a password."""

    def __init__(self) -> None:
        super().__init__(min=0)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and _config.may_be_url(value):
            try:
                return options.rate_limit(value)
            except InvalidRequest as exc:
                self.fail(exc.message, param, ctx)
        return super().convert(value, param, ctx)


class ConfigError(click.ClickException):
    """A configuration problem: a usage error (exit status 2)."""

    exit_code = 2


@contextlib.contextmanager
def _usage_errors() -> Iterator[None]:
    try:
        yield
    except _config.ConfigError as exc:
        raise ConfigError(exc.message) from None


def read_profiles(path: Path) -> dict[str, dict[str, Any]]:
    with _usage_errors():
        return _config.read_profiles(path)


def load_profile(
    config: str | None, profile: str | None, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], str]:
    with _usage_errors():
        return _config.load_profile(config, profile, environ)


def resolve(given: Mapping[str, Any], profile: Mapping[str, Any], source: str) -> Settings:
    with _usage_errors():
        return _config.resolve(given, profile, source)
