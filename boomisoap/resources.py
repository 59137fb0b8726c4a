"""Where the hand-maintained WSDL and XSD files live.

A wheel carries them inside the package (``boomisoap/_resources``); a source checkout or an
editable install reads them from the repository's top-level ``wsdl/`` and ``xsd/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent

# The order gives each schema its number in the emulator's ``?xsd=N`` URLs.
SCHEMA_FILES = (
    "apim-operations.xsd",
    "platform-operations.xsd",
    "apim.xsd",
    "platform.xsd",
    "wsse.xsd",
    "wsu.xsd",
)
WSDL_FILES = {"apim": "apim.wsdl", "platform": "platform.wsdl", "partner": "partner.wsdl"}


@cache
def resource_root() -> Path:
    """The directory holding ``wsdl/`` and ``xsd/``."""
    for candidate in (_PACKAGE / "_resources", _PACKAGE.parent):
        if (candidate / "wsdl" / "apim.wsdl").is_file() and (candidate / "xsd").is_dir():
            return candidate
    raise FileNotFoundError("boomisoap's wsdl/ and xsd/ files are missing from the installation")


def wsdl_path(service: str) -> Path:
    return resource_root() / "wsdl" / WSDL_FILES[service]


def xsd_path(name: str) -> Path:
    return resource_root() / "xsd" / name
