"""Shared fuzzing settings: a few thousand cases by default, many more on request.

BOOMISOAP_FUZZ_EXAMPLES=100000 python -m pytest tests/hardening -k fuzz
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("BOOMISOAP_FUZZ_EXAMPLES", "2000"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutations(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few random byte-level edits: inserts, deletes, replacements, splices."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "splice"]))
        if action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            data[position : position + draw(st.integers(1, 16))] = b""
        elif action == "replace":
            chunk = draw(st.sampled_from([b"<", b">", b'"', b"&", b"/", b":", b"\xff", b"-1"]))
            data[position : position + len(chunk)] = chunk
        else:
            start = draw(st.integers(0, len(seed)))
            data[position:position] = seed[start : start + draw(st.integers(1, 64))]
    return bytes(data)
