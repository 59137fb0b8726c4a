"""The operation wrapper (``getResponse``, ``queryResponse`` ...) and what readers share.

``<S:Envelope><S:Body><ns4:getResponse xmlns:apim=... xmlns:bns=... xmlns:xsi=...
xmlns:ns4=...><apim:result xsi:type="apim:Plan" .../>``: the wrapper declares every prefix
its content uses, objects are written by the shared XML codec.

Boomi's served WSDL (``BoomiApiVersion1Service``) puts the Platform wrappers (``get``,
``queryResponse`` ...) in the object namespace ``http://api.platform.boomi.com/``; its current
documentation pages, and clients built on an older WSDL, write them in
``http://soap.api.platform.boomi.com/`` with the same children. Both ends accept either: the
emulator for requests, the client for responses, through :func:`normalise`.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..codec.xmlcodec import read_object
from ..errors import EnvelopeValidationError, InvalidRequest
from ..models.extras import Unknown
from ..namespaces import API, APIM, APIM_SOAP, PLATFORM_SOAP_LEGACY, XSI
from . import envelope

# Platform wrappers are in the object namespace, as in Boomi's served WSDL.
WRAPPER_NS = {"apim": APIM_SOAP, "platform": API}
# Where the wrappers' own children live, per service (docs/wire.md): get/create/update
# results, query results and successful in responses; objectType, objectId, object and
# queryMore's queryToken in requests.
RESULT_NS = {"apim": APIM, "platform": API}
_NSMAPS = {
    "apim": {"apim": APIM, "bns": API, "xsi": XSI, "ns4": APIM_SOAP},
    "platform": {"bns": API, "xsi": XSI},
}
_LEGACY = f"{{{PLATFORM_SOAP_LEGACY}}}"


def write(service: str, operation: str) -> tuple[Any, Any]:
    """A new envelope and its ``{operation}Response`` wrapper, every prefix declared."""
    env, body = envelope.write()
    wrapper = etree.SubElement(
        body, f"{{{WRAPPER_NS[service]}}}{operation}Response", nsmap=_NSMAPS[service]
    )
    return env, wrapper


def normalise(element: Any) -> bool:
    """Move ``element`` (a Body child) from the older namespace into API; True if moved."""
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith(_LEGACY):
        return False
    element.tag = f"{{{API}}}{tag[len(_LEGACY) :]}"
    return True


def children(body_child: Any, local_name: str) -> list[Any]:
    """The wrapper's children; when there are several, those named ``local_name`` (the
    open reading lets unknown siblings through the schema, and they are not the answer)."""
    found = [c for c in body_child if isinstance(c.tag, str)]
    if len(found) > 1:
        found = [c for c in found if etree.QName(c).localname == local_name]
    return found


def read_checked(element: Any, unknown: Unknown) -> Any:
    """The object ``element`` describes, a value that does not fit its field reported as
    the service's error. What the field map does not know is kept: the schema, in the
    client's policy, has already said whether it may be there."""
    try:
        return read_object(element, unknown=unknown)
    except InvalidRequest as exc:
        raise EnvelopeValidationError(exc.field or "?", exc.message, direction="response") from None


def optional_int(element: Any, name: str) -> int | None:
    return None if element.get(name) is None else int_attribute(element, name, 0)


def int_attribute(element: Any, name: str, default: int) -> int:
    text = element.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise EnvelopeValidationError(
            f"{name_of(element)}/@{name}", f"{text!r} is not an integer", direction="response"
        ) from None


def name_of(element: Any) -> str:
    """``/localName``: how a reader's error names the element it refused."""
    return "/" + str(element.tag).rpartition("}")[2]
