"""Offline tools: ``wsdl export`` and ``validate``."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import EnvelopeValidationError
from ..namespaces import SOAP_ENV
from ..resources import resource_root
from ..validation import validate_element, validate_envelope
from ..xmlsafe import UnsafeXMLError, parse
from .state import get_state, output_option


@click.group("wsdl")
def wsdl_group() -> None:
    """The hand-maintained WSDL and XSD files."""


@wsdl_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(directory: Path) -> None:
    """Copy the WSDL and XSD files into DIRECTORY/wsdl and DIRECTORY/xsd.

    The relative layout is kept, so the WSDLs' imports of ../xsd/ resolve in the copy.
    Existing files of the same names are overwritten.
    """
    root = resource_root()
    for folder in ("wsdl", "xsd"):
        target = directory / folder
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted((root / folder).iterdir()):
            if source.is_file():
                shutil.copyfile(source, target / source.name)
                click.echo(str(target / source.name))


def check_document(data: bytes) -> tuple[str, str] | None:
    """``None`` when valid, else ``(element path, reason)``.

    A SOAP Envelope is checked as the client checks one (Body child, Security header); any
    other root is checked as a bare Body document (an operation wrapper such as
    ``soap:createResponse``).
    """
    try:
        root = parse(data)
    except UnsafeXMLError as exc:
        return "/", exc.reason
    try:
        if root.tag == f"{{{SOAP_ENV}}}Envelope":
            validate_envelope(root, direction="document")
        else:
            validate_element(root, direction="document")
    except EnvelopeValidationError as exc:
        return exc.path, exc.reason
    return None


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@output_option
def validate_command(files: tuple[str, ...]) -> None:
    """Validate SOAP envelopes or bare Body documents against xsd/.

    Prints one line per FILE ('-' reads stdin): "FILE: ok" or "FILE: invalid at PATH:
    REASON". Exit status 1 when any file is invalid.
    """
    fmt = get_state().given.get("output") or "table"
    results: list[dict[str, Any]] = []
    for name in files:
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            raise click.BadParameter(f"cannot read {name}: {exc.strerror}") from None
        problem = check_document(data)
        results.append(
            {
                "file": name,
                "valid": problem is None,
                "path": None if problem is None else problem[0],
                "reason": None if problem is None else problem[1],
            }
        )
    if fmt == "json":
        click.echo(json.dumps(results, indent=2))
    else:
        for result in results:
            if result["valid"]:
                click.echo(f"{result['file']}: ok")
            else:
                click.echo(f"{result['file']}: invalid at {result['path']}: {result['reason']}")
    if not all(r["valid"] for r in results):
        raise click.exceptions.Exit(1)
