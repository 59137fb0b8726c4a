"""The live secrets of this process, and their removal from every text boomisoap builds.

Structural redaction (secret attributes, elements, JSON keys, headers) lives in
``boomisoap.audit``: it knows where a secret sits in a document. What it cannot know is
where a *server* puts a secret it echoes back: a faultstring quoting the password, an
HTML page repeating the digest, a validation reason quoting an invalid attribute value
that is an API key, a ``NotFound`` naming the ApiKey ``key`` asked for. Those are removed
here by value.

Every client holds a :class:`SecretSet` while it is alive: its password or token, the
HTTP Basic value, the OTP, the MFT API key, every Nonce and PasswordDigest it wrote
recently, and every ApiKey ``key`` it has sent or seen. :func:`scrub` replaces all of
them (and their XML-, JSON- and URL-escaped forms) in a text; it is applied

- by every :class:`boomisoap.errors.BoomiError` constructor, to its message and fields,
  so no exception text, repr or ``vars()`` can carry one;
- to every log record of every logger (boomisoap's and the third-party ones that log on
  our behalf: xmlschema, zeep, urllib3, requests), through the log-record factory that
  :func:`install_log_scrubbing` puts in place (``logs.py`` says why not a filter).

This package imports nothing else of boomisoap, so the lowest layers (errors) can use
it. The log-record factory is put in place when it is imported; it does nothing but one
check per record while no SecretSet is alive.
"""

from __future__ import annotations

from .live import (
    MIN_LENGTH,
    RECENT,
    REDACTED,
    SecretSet,
    live_secrets,
    redact_id,
    scrub,
    scrub_any,
    scrub_excerpt,
    variants,
)
from .logs import install_log_scrubbing

__all__ = [
    "MIN_LENGTH",
    "RECENT",
    "REDACTED",
    "SecretSet",
    "install_log_scrubbing",
    "live_secrets",
    "redact_id",
    "scrub",
    "scrub_any",
    "scrub_excerpt",
    "variants",
]

install_log_scrubbing()
