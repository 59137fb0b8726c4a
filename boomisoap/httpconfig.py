"""HTTP options every client takes, checked once at construction.

``session``, ``verify``, ``cert``, ``proxies``, ``timeout`` and ``deadline`` are checked
here, before anything is sent, and a bad value is an :class:`InvalidRequest` naming the
option. A PKCS#12 client certificate is opened here too, so a wrong password fails the
constructor rather than the first call.
"""

from __future__ import annotations

import dataclasses
import math
import os
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from .errors import InvalidRequest

Timeout = float | tuple[float, float]
PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")


@dataclasses.dataclass(frozen=True, slots=True)
class HttpOptions:
    """The checked HTTP options of one client."""

    session: requests.Session | None = None
    verify: bool | str | None = None
    # A PEM file or (certificate, key) pair, given to requests as it is.
    cert: str | tuple[str, str] | None = None
    # A PKCS#12 certificate, loaded into this TLS context (requests cannot read PKCS#12).
    ssl_context: ssl.SSLContext | None = dataclasses.field(default=None, repr=False)
    proxies: Mapping[str, str] | None = None
    timeout: Timeout = 30.0
    deadline: float | None = None


def http_options(
    *,
    session: Any = None,
    verify: Any = None,
    cert: Any = None,
    proxies: Any = None,
    timeout: Any = 30.0,
    deadline: Any = None,
) -> HttpOptions:
    """Check the HTTP options of a client; raise InvalidRequest naming the bad one."""
    if session is not None and not isinstance(session, requests.Session):
        raise InvalidRequest(
            f"session must be a requests.Session, got {type(session).__name__}", field="session"
        )
    pem, context = _cert(cert)
    if context is not None and session is not None:
        # Loading it would mean replacing the session's own https adapter.
        raise InvalidRequest(
            "cert: a PKCS#12 certificate cannot be combined with session=; mount an adapter "
            "that loads it on the session, or give PEM files",
            field="cert",
        )
    return HttpOptions(
        session=session,
        verify=_verify(verify),
        cert=pem,
        ssl_context=context,
        proxies=_proxies(proxies),
        timeout=check_timeout(timeout),
        deadline=None if deadline is None else _seconds("deadline", deadline),
    )


def _seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequest(
            f"{name} must be a number of seconds, got {type(value).__name__}", field=name
        )
    if not math.isfinite(value) or value <= 0:
        raise InvalidRequest(f"{name} must be a positive number of seconds", field=name)
    return float(value)


def check_timeout(value: Any) -> Timeout:
    """A positive number of seconds, or a (connect, read) pair of them."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise InvalidRequest(
                "timeout must be seconds or a (connect, read) pair", field="timeout"
            )
        return (_seconds("timeout", value[0]), _seconds("timeout", value[1]))
    return _seconds("timeout", value)


def _verify(value: Any) -> bool | str | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise InvalidRequest(
            f"verify must be True, False or a CA bundle path, got {type(value).__name__}",
            field="verify",
        )
    if not os.path.exists(value):
        raise InvalidRequest(f"verify: CA bundle {value} does not exist", field="verify")
    return value


def _path(value: Any, what: str) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        raise InvalidRequest(f"cert: {what} must be a file path", field="cert")
    if not os.path.isfile(value):
        raise InvalidRequest(f"cert: {what} {value} does not exist", field="cert")
    return value


def _is_pem(path: str) -> bool:
    with open(path, "rb") as handle:
        return b"-----BEGIN" in handle.read(64 * 1024)


def _cert(value: Any) -> tuple[str | tuple[str, str] | None, ssl.SSLContext | None]:
    """(PEM for requests, None) or (None, a context holding a PKCS#12 certificate).

    ``"both.pem"``, ``("cert.pem", "key.pem")``, ``"cert.p12"`` or ``("cert.p12", password)``:
    a file that is not PEM is read as PKCS#12.
    """
    if value is None:
        return None, None
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise InvalidRequest(
                "cert must be a path or a (path, key-or-password) pair", field="cert"
            )
        first = _path(value[0], "certificate")
        if _is_pem(first):
            return (first, _path(value[1], "key")), None
        password = value[1]
        if password is not None and not isinstance(password, str | bytes):
            raise InvalidRequest("cert: the PKCS#12 password must be a string", field="cert")
        return None, pkcs12_context(first, password)
    path = _path(value, "certificate")
    if _is_pem(path):
        return path, None
    return None, pkcs12_context(path, None)


def pkcs12_context(path: str, password: str | bytes | None) -> ssl.SSLContext:
    """A client TLS context holding the key and certificate chain of a PKCS#12 file.

    The ssl module loads keys from files only: the key is written, encrypted with a
    one-time random passphrase, to a private temporary file that is removed at once.
    """
    import secrets
    import tempfile

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from urllib3.util.ssl_ import create_urllib3_context

    secret = password.encode() if isinstance(password, str) else password
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(Path(path).read_bytes(), secret)
    except ValueError:
        # cryptography's message does not carry the password; ours says nothing of it.
        raise InvalidRequest(
            f"cert: cannot open PKCS#12 file {path}: wrong password or not PKCS#12",
            field="cert",
        ) from None
    if key is None or certificate is None:
        raise InvalidRequest(
            f"cert: PKCS#12 file {path} holds no key and certificate", field="cert"
        )
    passphrase = secrets.token_bytes(32)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    for member in (certificate, *(chain or ())):
        pem += member.public_bytes(serialization.Encoding.PEM)
    context = create_urllib3_context()
    with tempfile.TemporaryDirectory() as directory:
        bundle = Path(directory) / "client.pem"
        bundle.touch(mode=0o600)
        bundle.write_bytes(pem)
        context.load_cert_chain(str(bundle), password=passphrase)
    return context


def _proxies(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidRequest(
            f"proxies must be a mapping like {{'https': 'http://proxy:3128'}}, "
            f"got {type(value).__name__}",
            field="proxies",
        )
    from .redact.structural import redact_url

    checked: dict[str, str] = {}
    for key, url in value.items():
        if not isinstance(key, str) or not isinstance(url, str):
            raise InvalidRequest("proxies keys and values must be strings", field="proxies")
        if key == "no_proxy":
            checked[key] = url
            continue
        parts = urlsplit(url)
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
            raise InvalidRequest(
                f"proxies[{key!r}]: {redact_url(url)!r} is not a proxy URL "
                f"(scheme://host:port with scheme {', '.join(PROXY_SCHEMES)})",
                field="proxies",
            )
        checked[key] = url
    return checked
