"""What a SOAP call imports: only what it uses (zeep and OpenTelemetry are not used by it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from boomisoap.sandbox import Sandbox

# A call with validation on, against the emulator over loopback, in a fresh interpreter.
CALL = """
import json, sys
from boomisoap import ApimClient
from boomisoap.models import Plan
with ApimClient(account_id="acct-1", username="u", password="pass-1234", base_url=sys.argv[1],
                rate_limit=None) as apim:
    plan = apim.plans.create(Plan(name="Gold"))
    apim.plans.get(plan.plan_id)
    found = [name for name in ("zeep", "opentelemetry", "xmlschema") if name in sys.modules]
print(json.dumps(found))
"""


def _imported_by_a_call(base_url: str) -> list[str]:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("OTEL_PYTHON_TRACER_PROVIDER", None)
    done = subprocess.run(
        [sys.executable, "-c", CALL, base_url], env=env, capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(done.stdout)
    return found


def test_a_call_imports_neither_zeep_nor_opentelemetry_nor_xmlschema() -> None:
    # zeep is the envelope writer's reference, not its engine; OpenTelemetry is loaded only
    # once the application uses it; xmlschema only explains a validation failure.
    with Sandbox.start(users={"u": "pass-1234"}, rate_limit=None) as sandbox:
        assert _imported_by_a_call(sandbox.base_url) == []
