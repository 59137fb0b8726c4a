"""Replace character spans of a text, leaving every other character untouched."""

from __future__ import annotations

from collections.abc import Callable, Iterable

Span = tuple[int, int, str]
"""(start, end, replacement): text[start:end] is replaced by replacement."""


def splice(text: str, spans: Iterable[Span], collect: Callable[[str], None] | None = None) -> str:
    """Apply non-overlapping spans; empty spans are skipped (nothing to hide).

    ``collect`` receives the original text of every replaced span.
    """
    ordered = sorted(s for s in spans if s[1] > s[0])
    if not ordered:
        return text
    parts: list[str] = []
    pos = 0
    for start, end, replacement in ordered:
        if start < pos:
            # Overlap means two rules hit nested ranges; the outer one already hid it.
            continue
        parts.append(text[pos:start])
        parts.append(replacement)
        if collect is not None:
            collect(text[start:end])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
