"""Connection settings from arguments, environment variables and profiles in a TOML file.

Shared by the CLI and every client's ``from_env()``: an argument (a CLI flag, a keyword
of ``from_env``) beats its environment variable, which beats the profile, which beats the
built-in default. The file lives at ``$XDG_CONFIG_HOME/boomisoap/config.toml``
(``~/.config/boomisoap/config.toml`` without XDG), or wherever ``--config`` /
``BOOMISOAP_CONFIG`` say; each top-level table is a profile, ``[default]`` the one used
without ``--profile``. A file that holds a secret must be readable by its owner only.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import InvalidRequest
from .filemode import exposure, mode_text
from .models.mftpaths import MftPaths, mft_paths_from
from .options import DEFAULT_BASE_URL as DEFAULT_BASE_URL
from .options import rate_limit as rate_limit_option

DEFAULT_PROFILE = "default"
SECRET_KEYS = ("password", "token", "mft_api_key")
# What a profile may set, with the type its value must have.
PROFILE_KEYS: dict[str, type | tuple[type, ...]] = {
    "account_id": str,
    "username": str,
    "password": str,
    "token": str,
    "base_url": str,
    "mft_api_key": str,
    "audit": str,
    "wire": str,
    "output": str,
    "password_digest": bool,
    "validate": bool,
    "timeout": (int, float),
    "retries": int,
    "rate_limit": (int, float, str),  # requests/second, or a Redis URL (docs/fleet.md)
    "mft_paths": dict,  # a [NAME.mft_paths] table: key = segment (docs/mft.md)
}


# The environment variable of each setting (the CLI's global options read the same ones).
ENV_VARS: dict[str, str] = {
    "account_id": "BOOMI_ACCOUNT_ID",
    "username": "BOOMI_USERNAME",
    "password": "BOOMI_PASSWORD",
    "token": "BOOMI_TOKEN",
    "base_url": "BOOMI_BASE_URL",
    "mft_api_key": "BOOMI_MFT_API_KEY",
    "audit": "BOOMISOAP_AUDIT",
    "rate_limit": "BOOMISOAP_RATE_LIMIT",
}
CONFIG_ENV = "BOOMISOAP_CONFIG"
PROFILE_ENV = "BOOMISOAP_PROFILE"


class ConfigError(InvalidRequest):
    """A configuration problem: an unreadable, unsafe or invalid config file or variable."""

    def __init__(self, message: str, *, field: str | None = "config") -> None:
        super().__init__(message, field=field)


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "boomisoap" / "config.toml"


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """Everything needed to build a client. Secrets stay out of ``repr``."""

    account_id: str | None = None
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    token: str | None = dataclasses.field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    mft_api_key: str | None = dataclasses.field(default=None, repr=False)
    audit: str | None = None
    wire: str = "soap"
    output: str | None = None
    password_digest: bool = False
    validate: bool = True
    timeout: float = 30.0
    retries: int = 5
    # Requests/second, client side (Boomi's limit; 0 = off), or the Redis URL of a budget
    # shared by a fleet; the URL may hold a password, so it stays out of repr.
    rate_limit: float | str = dataclasses.field(default=10.0, repr=False)
    mft_paths: MftPaths | None = None  # None: MftClient's defaults
    source: str = "flags and environment"

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.password, self.token, self.mft_api_key) if s)


def read_profiles(path: Path) -> dict[str, dict[str, Any]]:
    """Every profile in ``path``; refuses a group- or world-readable file with secrets."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    profiles: dict[str, dict[str, Any]] = {}
    for name, table in document.items():
        if not isinstance(table, dict):
            raise ConfigError(f"config file {path}: top-level {name!r} must be a [profile] table")
        profiles[name] = _checked_profile(path, name, table)
    if any(key in table for table in profiles.values() for key in SECRET_KEYS):
        _check_private(path)
    return profiles


def _checked_profile(path: Path, name: str, table: dict[str, Any]) -> dict[str, Any]:
    for key, value in table.items():
        expected = PROFILE_KEYS.get(key)
        if expected is None:
            known = ", ".join(PROFILE_KEYS)
            raise ConfigError(f"config file {path}, [{name}]: unknown key {key!r} (known: {known})")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            # The value itself is not echoed: it may be a secret.
            raise ConfigError(f"config file {path}, [{name}]: {key} has the wrong type")
    return table


def _check_private(path: Path) -> None:
    who = exposure(path)
    if who is not None:
        raise ConfigError(
            f"config file {path} holds a password, token or API key but is accessible by "
            f"{who} (mode {mode_text(path)}); refusing to use it. "
            f"Run: chmod 600 {path}"
        )


def load_profile(
    config: str | None, profile: str | None, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], str]:
    """The chosen profile's values and a description of where they came from.

    A missing file is fine unless it was named explicitly, and so is a missing
    ``[default]``; a profile named with ``--profile`` must exist.
    """
    explicit = config is not None
    path = Path(config).expanduser() if config else default_config_path(environ)
    if not path.exists():
        if explicit:
            raise ConfigError(f"config file {path} does not exist")
        if profile is not None:
            raise ConfigError(f"profile {profile!r} not found: no config file at {path}")
        return {}, "flags and environment"
    profiles = read_profiles(path)
    name = profile or DEFAULT_PROFILE
    if name not in profiles:
        if profile is None:
            return {}, "flags and environment"
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"profile {name!r} not found in {path} (profiles: {known})")
    return profiles[name], f"profile [{name}] of {path}"


def resolve(given: Mapping[str, Any], profile: Mapping[str, Any], source: str) -> Settings:
    """Merge the flag/environment values (``None`` when absent) over a profile."""
    values: dict[str, Any] = {}
    for key in PROFILE_KEYS:
        value = given.get(key)
        if value is None:
            value = profile.get(key)
        if value is not None:
            values[key] = value
    if "wire" in values and values["wire"] not in ("soap", "rest"):
        raise ConfigError(f"wire must be soap or rest, not {values['wire']!r}")
    if "output" in values and values["output"] not in OUTPUTS:
        raise ConfigError(f"output must be one of {', '.join(OUTPUTS)}, not {values['output']!r}")
    if "timeout" in values:
        values["timeout"] = float(values["timeout"])
    if "rate_limit" in values:
        given_rate = values["rate_limit"]
        values["rate_limit"] = (
            rate_limit_setting(given_rate, "rate_limit")
            if isinstance(given_rate, str)
            else float(given_rate)
        )
    if "base_url" in values:
        check_base_url(values["base_url"])
    values.pop("mft_paths", None)
    paths = _mft_paths(given.get("mft_paths") or (), profile.get("mft_paths") or {})
    return Settings(**values, mft_paths=paths, source=source)


def _mft_paths(flags: Iterable[str], table: Mapping[str, Any]) -> MftPaths | None:
    """The profile's table, then each ``--mft-path KEY=SEGMENT`` over it."""
    flags = tuple(flags)
    if not flags and not table:
        return None
    try:
        return mft_paths_from(flags, mft_paths_from(table))
    except InvalidRequest as exc:
        raise ConfigError(f"MFT paths: {exc.message}") from None


def check_base_url(url: str) -> None:
    """An ``http(s)://host[:port][/prefix]`` URL, or a ConfigError saying what is wrong.

    Checked here so that a typo in ``--base-url`` / ``BOOMI_BASE_URL`` is a usage error
    naming the setting, not a transport error or a traceback from the URL parser.
    """
    # user:password@ in a URL is a credential: never repeated in a message.
    shown = repr(re.sub(r"//[^/?#]*@", "//***@", url))
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError as exc:
        raise ConfigError(f"base URL {shown} is not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"base URL {shown} must be http:// or https:// with a host (e.g. https://api.boomi.com)"
        )
    if port == 0:
        raise ConfigError(f"base URL {shown}: port 0 is not a port to connect to")
    if parts.query or parts.fragment:
        raise ConfigError(f"base URL {shown} must not have a query or fragment")


OUTPUTS = ("table", "json", "xml", "csv")


def may_be_url(text: str) -> bool:
    """Whether a setting's text may be a URL, and so hold a password: then it is not quoted."""
    return ":" in text or "@" in text


def rate_limit_setting(value: str, name: str) -> float | str:
    """A rate limit written as text: requests/second (>= 0; 0 = off) or a Redis URL.

    The URL is checked as the clients' ``rate_limit=`` checks it, and never quoted back:
    it may carry a password (other text is quoted, to show what was read).
    """
    try:
        rate = float(value)
    except ValueError:
        try:
            return str(rate_limit_option(value))
        except InvalidRequest:
            shown = "" if may_be_url(value) else f", not {value!r}"
            raise ConfigError(
                f"{name} must be a number >= 0 or a redis://, rediss:// or unix:// URL{shown}",
                field="rate_limit",
            ) from None
    if not rate >= 0:
        raise ConfigError(f"{name} must be a number >= 0, not {value!r}", field="rate_limit")
    return rate


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the ``BOOMI_*``/``BOOMISOAP_*`` variables give (empty ones ignored)."""
    values: dict[str, Any] = {}
    for key, name in ENV_VARS.items():
        raw = environ.get(name)
        if not raw:
            continue
        if key == "rate_limit":
            values[key] = rate_limit_setting(raw, name)
        else:
            values[key] = raw
    return values


def settings_from_env(
    profile: str | None = None,
    *,
    config: str | None = None,
    environ: Mapping[str, str] | None = None,
    given: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings as the CLI resolves them, with ``given`` in the place of its flags."""
    environ = os.environ if environ is None else environ
    values = from_environment(environ)
    values.update({k: v for k, v in (given or {}).items() if k in PROFILE_KEYS and v is not None})
    table, source = load_profile(
        config or environ.get(CONFIG_ENV) or None,
        profile or environ.get(PROFILE_ENV) or None,
        environ,
    )
    return resolve(values, table, source)


def _required(settings: Settings, key: str) -> str:
    value = getattr(settings, key)
    if not value:
        raise ConfigError(
            f"no {key.replace('_', ' ')}: pass {key}=, set {ENV_VARS[key]}, or add {key} to "
            f"the profile ({settings.source})",
            field=key,
        )
    return str(value)


def _common(settings: Settings) -> dict[str, Any]:
    return {
        "base_url": settings.base_url,
        "audit": settings.audit,
        "timeout": settings.timeout,
        "retries": settings.retries,
        "rate_limit": settings.rate_limit or None,
    }


def client_kwargs(settings: Settings, options: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of an ApimClient or PlatformClient: settings plus other options."""
    if settings.token:
        credentials = {"token": settings.token}
    elif settings.password:
        credentials = {"password": settings.password}
    else:
        raise ConfigError(
            "no password or token: pass password= or token=, set BOOMI_PASSWORD or "
            f"BOOMI_TOKEN, or add one to the profile ({settings.source})",
            field="password",
        )
    extra = {k: v for k, v in options.items() if k not in PROFILE_KEYS}
    return {
        "account_id": _required(settings, "account_id"),
        "username": _required(settings, "username"),
        **credentials,
        **_common(settings),
        "wire": settings.wire,
        "password_digest": settings.password_digest,
        "validate": settings.validate,
        **extra,
    }


def mft_kwargs(settings: Settings, options: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of an MftClient."""
    extra = {k: v for k, v in options.items() if k not in PROFILE_KEYS and k != "api_key"}
    key = options.get("api_key") or _required(settings, "mft_api_key")
    paths = {} if settings.mft_paths is None else {"paths": settings.mft_paths}
    return {"api_key": key, **_common(settings), **paths, **extra}
