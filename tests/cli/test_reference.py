"""docs/cli.md is generated from the click commands and must be current."""

from __future__ import annotations

from pathlib import Path

from boomisoap.cli.reference import render_reference

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    current = REFERENCE.read_text(encoding="utf-8")
    assert current == render_reference(), "docs/cli.md is stale: run scripts/gen_cli_docs.py"


def test_reference_lists_every_command() -> None:
    text = render_reference()
    for path in (
        "plans create",
        "contracts migrate",
        "mft daily",
        "envelope plans query",
        "wsdl export",
        "validate",
        "accounts get-many",
        "audit",
        "sandbox serve",
        "demo",
    ):
        assert f"\n## boomisoap {path}\n" in text


DOCS = REFERENCE.parent


def test_choices_lists_the_query_properties_of_every_object() -> None:
    from boomisoap.models import OBJECTS

    text = (DOCS / "choices.md").read_text(encoding="utf-8")
    for spec in OBJECTS.values():
        names = ", ".join(f"`{f.wire}`" for f in spec.fields if f.queryable)
        assert f"| `{spec.type_name}` | {names} |" in text, spec.type_name


def test_service_pages_describe_every_field() -> None:
    from boomisoap.models import OBJECTS

    pages = {"apim": "apim.md", "platform": "platform.md"}
    for spec in OBJECTS.values():
        text = (DOCS / pages[spec.service]).read_text(encoding="utf-8")
        for fld in spec.fields:
            assert f"`{fld.wire}`" in text, f"{spec.type_name}.{fld.wire}"
