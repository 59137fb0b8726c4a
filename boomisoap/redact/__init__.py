"""Every way boomisoap hides a secret, in one package: by value and by name.

By value (this module's exports, :mod:`.live`, :mod:`.logs`): every client holds a
:class:`SecretSet` while it is alive: its password or token, the HTTP Basic value, the
OTP, the MFT API key, every Nonce and PasswordDigest it wrote recently, and every ApiKey
``key`` it has sent or seen. :func:`scrub` replaces all of them (and their XML-, JSON-
and URL-escaped forms) in a text; it is applied

- by every :class:`boomisoap.errors.BoomiError` constructor, to its message and fields,
  so no exception text, repr or ``vars()`` can carry one;
- to every log record of every logger (boomisoap's and the third-party ones that log on
  our behalf: xmlschema, zeep, urllib3, requests), through the log-record factory that
  :func:`install_log_scrubbing` puts in place (``logs.py`` says why not a filter);
- to the excerpt of a body an error quotes (:func:`excerpt_of`).

That is how a secret a *server* echoes back is removed, wherever it puts it: a
faultstring quoting the password, an HTML page repeating the digest, a validation reason
quoting an invalid attribute value that is an API key, a ``NotFound`` naming the ApiKey
``key`` asked for.

By name (:mod:`.structural` and the splicers it drives, :mod:`.xmlsplice`,
:mod:`.jsonsplice`, :mod:`.splice`): secret attributes, elements, JSON keys, form fields,
query parameters and headers are found where they sit in a document and replaced in
place, every other byte kept; the audit trail, the recorded requests of
``boomisoap.testing`` and the network error messages use it. :mod:`.display` masks the
secret fields in what the CLI prints.

What is secret by name is listed once, in :mod:`.names`: the field maps' secrets
(``Field.secret``: an ApiKey's ``key``) plus the protocol's own (the UsernameToken
Password and Nonce, ``Authorization``, ``X-Boomi-OTP``, the API key headers ...). The
markers are in :mod:`.markers`: REDACTED everywhere a record is kept, MASK in the CLI's
output.

Layering: this module, :mod:`.live`, :mod:`.logs`, :mod:`.markers` and :mod:`.excerpt`
import nothing else of boomisoap, so the lowest layers (errors) can use them; the
by-name modules import :mod:`boomisoap.models` (the field maps), ``namespaces`` and
``xmlsafe``, and are imported from their own modules. Nothing here imports audit,
transport or the CLI. The log-record factory is put in place when this package is
imported; it does nothing but one check per record while no SecretSet is alive.
"""

from __future__ import annotations

from .excerpt import EXCERPT_LENGTH, cut, excerpt_of
from .live import (
    MIN_LENGTH,
    RECENT,
    SecretSet,
    live_secrets,
    redact_id,
    scrub,
    scrub_any,
    scrub_excerpt,
    variants,
)
from .logs import install_log_scrubbing
from .markers import MASK, REDACTED

__all__ = [
    "EXCERPT_LENGTH",
    "MASK",
    "MIN_LENGTH",
    "RECENT",
    "REDACTED",
    "SecretSet",
    "cut",
    "excerpt_of",
    "install_log_scrubbing",
    "live_secrets",
    "redact_id",
    "scrub",
    "scrub_any",
    "scrub_excerpt",
    "variants",
]

install_log_scrubbing()
