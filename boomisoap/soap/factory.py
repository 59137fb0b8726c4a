"""zeep clients over the hand-maintained WSDLs, parsed once per process."""

from __future__ import annotations

import threading
from typing import Any

from ..resources import wsdl_path

_DOCUMENTS: dict[str, Any] = {}
_LOCK = threading.Lock()


def settings() -> Any:
    from zeep import Settings

    # The WSDL is ours and local, but the same hardening applies to anything zeep parses.
    return Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def wsdl_document(service: str) -> Any:
    """The parsed zeep WSDL Document of ``service`` ("apim" or "platform"), cached."""
    document = _DOCUMENTS.get(service)
    if document is None:
        with _LOCK:
            document = _DOCUMENTS.get(service)
            if document is None:
                from zeep import Transport
                from zeep.wsdl import Document

                path = str(wsdl_path(service))
                document = Document(path, Transport(), settings=settings())
                _DOCUMENTS[service] = document
    return document


def zeep_client(service: str, plugins: list[Any]) -> Any:
    """A zeep Client sharing the cached Document, with the given wsse plugins composed."""
    from zeep import Client
    from zeep.wsse import Compose

    return Client(
        wsdl_document(service), wsse=Compose(plugins) if plugins else None, settings=settings()
    )
