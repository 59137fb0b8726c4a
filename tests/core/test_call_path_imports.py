"""What a SOAP call imports: only what it uses (zeep and OpenTelemetry are not used by it,
nor the parts of boomisoap a client of one API without an audit trail never reaches)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from boomisoap.sandbox import Sandbox

THIRD_PARTY = ("zeep", "opentelemetry", "xmlschema")
# Loaded on first use: the audit trail, the MFT and partner object maps, the partner
# client and the config file reader.
OWN = (
    "boomisoap.audit",
    "boomisoap.models.mft",
    "boomisoap.models.partner",
    "boomisoap.partner",
    "boomisoap.config",
    "tomllib",
)

# A call with validation on, against the emulator over loopback, in a fresh interpreter.
CALL = """
import json, sys
from boomisoap import ApimClient
from boomisoap.models import Plan
with ApimClient(account_id="acct-1", username="u", password="pass-1234", base_url=sys.argv[1],
                rate_limit=None) as apim:
    plan = apim.plans.create(Plan(name="Gold"))
    apim.plans.get(plan.plan_id)
    found = [name for name in sys.argv[2:] if name in sys.modules]
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def imported_by_a_call() -> Iterator[list[str]]:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("OTEL_PYTHON_TRACER_PROVIDER", None)
    with Sandbox.start(users={"u": "pass-1234"}, rate_limit=None) as sandbox:
        done = subprocess.run(
            [sys.executable, "-c", CALL, sandbox.base_url, *THIRD_PARTY, *OWN],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    found: list[str] = json.loads(done.stdout)
    yield found


def test_a_call_imports_neither_zeep_nor_opentelemetry_nor_xmlschema(
    imported_by_a_call: list[str],
) -> None:
    # zeep is the envelope writer's reference, not its engine; OpenTelemetry is loaded only
    # once the application uses it; xmlschema only explains a validation failure.
    assert [name for name in imported_by_a_call if name in THIRD_PARTY] == []


def test_a_call_leaves_the_audit_mft_partner_and_config_modules_unloaded(
    imported_by_a_call: list[str],
) -> None:
    assert [name for name in imported_by_a_call if name in OWN] == []


def test_the_names_loaded_on_first_use_are_the_public_ones() -> None:
    import boomisoap
    from boomisoap.config import ConfigError
    from boomisoap.models.mft import BillingDaily
    from boomisoap.models.partner import AccountProvision
    from boomisoap.partner import PartnerClient

    assert boomisoap.ConfigError is ConfigError
    assert boomisoap.BillingDaily is BillingDaily
    assert boomisoap.AccountProvision is AccountProvision
    assert boomisoap.PartnerClient is PartnerClient
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        boomisoap.Nothing  # noqa: B018
