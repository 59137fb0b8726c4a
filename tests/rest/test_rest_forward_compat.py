"""Forward-compatible reading on the REST JSON wire (issue 13, point 3).

Unknown keys (also inside nested objects and MFT rows) and unknown enumeration values are
kept in ``extras`` / as plain strings with the SOAP wire's warning; ``validate="strict"``
refuses them; a wrongly typed known value is refused in every mode.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import _mft_rows as rows
import _rest_seeds as seeds
import pytest
from _rest_helpers import ACCOUNT, APIM_ROOT, BASE, MFT_ROOT, PASSWORD, PLATFORM_ROOT, USER
from requests_mock import Mocker

from boomisoap import (
    ApimClient,
    EnvelopeValidationError,
    MftClient,
    PlanStatus,
    PlatformClient,
    UnknownFieldWarning,
)
from boomisoap.models.extras import forget_reported

PLAN_ID = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"


def grown_plan() -> dict[str, Any]:
    plan = json.loads(seeds.PLAN_GET)
    plan.update(status="ARCHIVED", createdBy="ann", sla={"level": 3, "tiers": ["gold"]})
    return plan


def rest(cls: type, validate: bool | str = True) -> Any:
    return cls(
        account_id=ACCOUNT,
        username=USER,
        password=PASSWORD,
        base_url=BASE,
        wire="rest",
        rate_limit=None,
        validate=validate,
    )


@pytest.fixture(autouse=True)
def fresh_reports() -> Iterator[None]:
    forget_reported()
    yield
    forget_reported()


def reported(caught: list[warnings.WarningMessage]) -> list[str]:
    return sorted(str(w.message) for w in caught if issubclass(w.category, UnknownFieldWarning))


def test_unknown_key_and_enum_value_are_kept_and_reported_once(requests_mock: Mocker) -> None:
    requests_mock.get(f"{APIM_ROOT}/plan/{PLAN_ID}", json=grown_plan())
    apim = rest(ApimClient)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = apim.plans.get(PLAN_ID)
        second = apim.plans.get(PLAN_ID)
    for plan in (first, second):
        assert plan.status == "ARCHIVED" and type(plan.status) is str
        assert plan.extras == {"createdBy": "ann", "sla": {"level": 3, "tiers": ["gold"]}}
        assert plan.max_message_size == 1024
    assert "ann" not in repr(first) and "Extras('createdBy', 'sla')" in repr(first)
    assert reported(caught) == [
        "Plan in a response has an unknown key 'createdBy' (kept in extras)",
        "Plan in a response has an unknown key 'sla' (kept in extras)",
        "Plan in a response has an unknown value 'status' (kept as a plain string)",
    ]


def test_strict_mode_refuses_unknown_keys_and_values(requests_mock: Mocker) -> None:
    strict = rest(ApimClient, "strict")
    known = json.loads(seeds.PLAN_GET)
    requests_mock.get(f"{APIM_ROOT}/plan/{PLAN_ID}", json=known)
    assert strict.plans.get(PLAN_ID).status is PlanStatus.DISABLED
    for grown, path in (({"createdBy": "ann"}, "/createdBy"), ({"status": "ARCHIVED"}, "/status")):
        requests_mock.get(f"{APIM_ROOT}/plan/{PLAN_ID}", json={**known, **grown})
        with pytest.raises(EnvelopeValidationError) as caught:
            strict.plans.get(PLAN_ID)
        assert (caught.value.path, caught.value.direction) == (path, "response")


@pytest.mark.parametrize("validate", [True, False, "strict"])
def test_wrongly_typed_known_key_is_refused_in_every_mode(
    requests_mock: Mocker, validate: bool | str
) -> None:
    requests_mock.get(f"{APIM_ROOT}/plan/{PLAN_ID}", json={**grown_plan(), "rateLimit": "lots"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownFieldWarning)
        with pytest.raises(EnvelopeValidationError) as caught:
            rest(ApimClient, validate).plans.get(PLAN_ID)
    assert caught.value.path == "/rateLimit"


def test_query_pages_and_nested_objects_keep_their_unknown_keys(requests_mock: Mocker) -> None:
    account = json.loads(seeds.ACCOUNT_GET)
    account["createdBy"] = "ops"
    account["licensing"]["premium"] = {"purchased": 9, "used": 1}
    account["molecule"]["reserved"] = 2
    account["supportLevel"] = "platinum"
    page = {"@type": "QueryResult", "numberOfResults": 1, "result": [account]}
    requests_mock.post(f"{PLATFORM_ROOT}/Account/query", json=page)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (found,) = list(rest(PlatformClient).accounts.query())
    assert found.extras == {"createdBy": "ops"}
    assert found.licensing.extras == {"premium": {"purchased": 9, "used": 1}}
    assert found.molecule.extras == {"reserved": 2}
    assert found.support_level == "platinum"
    assert len(reported(caught)) == 4


def test_mft_rows_keep_unknown_keys(requests_mock: Mocker) -> None:
    row = {**rows.TRANSFER_USAGE_JSON, "region": "eu-1"}
    requests_mock.get(f"{MFT_ROOT}/transferUsage", json=[row])
    mft = MftClient(base_url=BASE, api_key="k-123456", rate_limit=None)
    with mft, pytest.warns(UnknownFieldWarning, match="TransferUsage"):
        (usage,) = mft.accounting.transfer_usage()
    assert usage.extras == {"region": "eu-1"}
