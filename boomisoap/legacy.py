"""Platform operation wrappers of the older namespace, read as the current ones.

Boomi's served WSDL (``BoomiApiVersion1Service``) puts the Platform wrappers (``get``,
``queryResponse`` ...) in the object namespace ``http://api.platform.boomi.com/``; its current
documentation pages, and clients built on an older WSDL, write them in
``http://soap.api.platform.boomi.com/`` with the same children. Both ends accept either: the
emulator for requests, the client for responses, through this one rule.
"""

from __future__ import annotations

from typing import Any

from .namespaces import API, PLATFORM_SOAP_LEGACY

_LEGACY = f"{{{PLATFORM_SOAP_LEGACY}}}"


def normalise_wrapper(element: Any) -> bool:
    """Move ``element`` (a Body child) from the older namespace into API; True if moved."""
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith(_LEGACY):
        return False
    element.tag = f"{{{API}}}{tag[len(_LEGACY) :]}"
    return True
