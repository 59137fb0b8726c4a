"""get / create / update: ``{operation}Response/result``, the one typed object."""

from __future__ import annotations

from typing import Any

from ..codec.xmlcodec import write_object
from ..errors import EnvelopeValidationError
from ..models.extras import Unknown
from ..models.fields import ObjectSpec
from . import wrapper


def write(service: str, operation: str, obj: Any, spec: ObjectSpec) -> Any:
    """The response envelope carrying ``obj`` as the one typed ``result``."""
    envelope, element = wrapper.write(service, operation)
    write_object(element, f"{{{wrapper.RESULT_NS[service]}}}result", obj, spec)
    return envelope


def read(body_child: Any, unknown: Unknown = "keep") -> Any:
    """The object of a ``getResponse``/``createResponse``/``updateResponse``."""
    children = wrapper.children(body_child, "result")
    if len(children) != 1:
        raise EnvelopeValidationError(
            wrapper.name_of(body_child), "expected one result", direction="response"
        )
    return wrapper.read_checked(children[0], unknown)
