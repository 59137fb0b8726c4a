"""The pytest plugin's ``partner_client`` fixture, as a user suite would use it."""

from __future__ import annotations

import pytest
from sandbox.test_pytest_plugin import run

pytest_plugins = ["pytester"]


def test_the_partner_client_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from boomisoap import Plan

        @pytest.mark.boomi_sandbox(hierarchy={"cust-1": "acct-1"})
        def test_sub_account(partner_client, boomi_sandbox):
            assert partner_client.transport.bucket is None
            with partner_client.override("cust-1"):
                partner_client.plans.create(Plan(name="theirs"))
            assert boomi_sandbox.state.count("cust-1", "Plan") == 1
            assert list(partner_client.plans.query()) == []
        """
    )
    run(pytester).assert_outcomes(passed=1)
