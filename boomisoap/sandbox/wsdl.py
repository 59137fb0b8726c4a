"""``?wsdl`` and ``?xsd=N``: the hand-maintained files, pointing at the emulator itself.

``soap:address`` becomes the SOAP URL the client used, and every ``schemaLocation``
(``../xsd/x.xsd`` in the WSDLs, ``x.xsd`` between schemas) becomes ``{soap url}?xsd=N``,
N being the file's position in ``resources.SCHEMA_FILES`` plus one.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from xml.sax.saxutils import quoteattr

from ..errors import NotFound
from ..resources import SCHEMA_FILES, wsdl_path, xsd_path

_ADDRESS = re.compile(r'(<soap:address\s+location=)"[^"]*"')
_SCHEMA_LOCATION = re.compile(r'schemaLocation="(?:\.\./xsd/)?([A-Za-z0-9_.-]+\.xsd)"')


@cache
def _wsdl_text(service: str) -> str:
    return wsdl_path(service).read_text(encoding="utf-8")


@cache
def _xsd_text(name: str) -> str:
    return xsd_path(name).read_text(encoding="utf-8")


def _locations(text: str, soap_url: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in SCHEMA_FILES:
            return match.group(0)
        return "schemaLocation=" + quoteattr(f"{soap_url}?xsd={SCHEMA_FILES.index(name) + 1}")

    return _SCHEMA_LOCATION.sub(replace, text)


@lru_cache(maxsize=64)
def wsdl_document(service: str, soap_url: str) -> bytes:
    text = _ADDRESS.sub(lambda m: m.group(1) + quoteattr(soap_url), _wsdl_text(service))
    return _locations(text, soap_url).encode("utf-8")


@lru_cache(maxsize=256)
def xsd_document(number: str, soap_url: str) -> bytes:
    """Schema ``number`` (1-based, as text from the query string); NotFound otherwise."""
    if not number.isdigit() or not 1 <= int(number) <= len(SCHEMA_FILES):
        raise NotFound(f"xsd={number} does not exist", field="xsd")
    return _locations(_xsd_text(SCHEMA_FILES[int(number) - 1]), soap_url).encode("utf-8")
