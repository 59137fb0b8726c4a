"""The one rule for a component a test needs but the machine lacks: skip locally, fail in CI.

Under ``CI=true`` (any case) a missing PostgreSQL, Redis, browser, xmlsec1 or foreign SOAP
stack is a failure, never a skip: ``.ci/run`` installs every one of them.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(what: str, install: str) -> NoReturn:
    """Skip the test (fail it under CI=true): ``what`` is not here; ``install`` says how to
    get it."""
    if in_ci():
        pytest.fail(f"{what} is required in CI ({install})")
    pytest.skip(f"{what} is not available ({install})")
