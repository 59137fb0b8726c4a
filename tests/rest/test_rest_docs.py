"""The ```python examples of docs/rest.md and docs/mft.md run as written, each on its own."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples() -> list[tuple[str, str]]:
    found = []
    for name in ("rest.md", "mft.md"):
        for number, match in enumerate(BLOCK.finditer((DOCS / name).read_text()), start=1):
            found.append((f"{name}#{number}", match.group(1)))
    return found


def test_every_page_has_examples() -> None:
    pages = {label.partition("#")[0] for label, _ in examples()}
    assert pages == {"rest.md", "mft.md"}


@pytest.mark.parametrize(("label", "source"), examples(), ids=[label for label, _ in examples()])
def test_example_runs(label: str, source: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        exec(compile(source, label, "exec"), {"__name__": f"docs_{label}"})
