"""The pytest plugin, tested as a user suite would use it (pytest's own ``pytester``)."""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

# Installed, the pytest11 entry point loads the plugin in the inner run; from a checkout
# without the entry point, -p does (both at once would register it twice).
INSTALLED = any(e.value == "boomisoap.testing" for e in entry_points(group="pytest11"))
PLUGIN = [] if INSTALLED else ["-p", "boomisoap.testing"]
SECRET = "pw-Qz7-plugin-secret-9931"


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        *PLUGIN, "-p", "no:randomly", "-p", "no:cacheprovider", *args
    )


def test_no_client_fixture_paces(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_unpaced(apim_client, platform_client, apim_rest_client,
                         platform_rest_client, mft_client):
            for client in (apim_client, platform_client, apim_rest_client,
                           platform_rest_client, mft_client):
                assert client.transport.bucket is None, client
            assert apim_rest_client.wire_name == "rest"
            assert platform_rest_client.wire_name == "rest"
            assert apim_client.wire_name == "soap"
            assert mft_client.accounting.transfer_quota() >= 0
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_the_recorder_holds_parsed_redacted_requests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import pytest
        from boomisoap import Plan
        from boomisoap.namespaces import WSSE

        SECRET = {SECRET!r}

        @pytest.mark.boomi_sandbox(users={{"alice": SECRET}})
        def test_soap(apim_client, boomi_requests):
            plan = apim_client.plans.create(Plan(name="gold"))
            apim_client.plans.get(plan.plan_id)
            create = boomi_requests.get_request(operation="create")
            assert create.service == "apim" and create.wire == "soap"
            assert create.object_type == "Plan" and create.status == 200
            envelope = create.xml()
            assert envelope.find(".//{{*}}Plan") is not None or b"gold" in create.body
            password = envelope.find(f".//{{{{{{WSSE}}}}}}Password")
            assert password is not None and password.text != SECRET
            assert SECRET not in repr(list(boomi_requests))
            get = boomi_requests.get_request(operation="get")
            assert get.object_ids == (plan.plan_id,)
            assert plan.plan_id.encode() in get.response_body
            assert [r.operation for r in boomi_requests] == ["create", "get"]
            with pytest.raises(AssertionError, match="found 0"):
                boomi_requests.get_request(operation="delete")

        @pytest.mark.boomi_sandbox(users={{"alice": SECRET}})
        def test_rest(apim_rest_client, boomi_requests):
            apim_rest_client.plans.create(Plan(name="silver"))
            create = boomi_requests.get_request(operation="create", wire="rest")
            assert create.json()["name"] == "silver"
            assert create.method == "POST" and create.url.endswith("/plan/")
            assert SECRET not in (create.header("Authorization") or "")
            assert create.response_json()["name"] == "silver"
            boomi_requests.clear()
            assert len(boomi_requests) == 0
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=2)
    assert SECRET not in result.stdout.str()


def test_the_environment_fixture_serves_code_that_builds_its_own_clients(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOOMI_ACCOUNT_ID", "outer-account")
    monkeypatch.setenv("BOOMI_TOKEN", "outer-token")
    pytester.makepyfile(
        """
        import json
        import os

        import pytest
        from click.testing import CliRunner

        from boomisoap.cli import cli
        from boomisoap.cli.config import load_profile, resolve

        def list_plans_like_a_script():
            # Code under test: builds its client from BOOMI_* itself (here: the CLI).
            result = CliRunner().invoke(cli, ["plans", "list", "-o", "json"])
            assert result.exit_code == 0, result.output
            return json.loads(result.stdout)

        @pytest.mark.boomi_sandbox(seed_demo=True)
        def test_env(boomi_env, boomi_requests, boomi_sandbox):
            assert os.environ["BOOMI_BASE_URL"] == boomi_sandbox.base_url
            assert boomi_env["BOOMI_ACCOUNT_ID"] == boomi_sandbox.account_id
            assert "BOOMI_TOKEN" not in os.environ
            assert len(list_plans_like_a_script()) >= 6
            # The code's own client was recorded too.
            assert boomi_requests.get_requests(operation="query", object_type="Plan")

        def test_cli_settings_resolve(boomi_env):
            profile, source = load_profile(None, None)
            given = {"account_id": os.environ["BOOMI_ACCOUNT_ID"]}
            assert resolve(given, profile, source).account_id == boomi_env.sandbox.account_id

        def test_restored_after_the_test():
            assert os.environ["BOOMI_ACCOUNT_ID"] == "outer-account"
            assert os.environ["BOOMI_TOKEN"] == "outer-token"
        """
    )
    run(pytester).assert_outcomes(passed=3)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("seed_dmo=True", "has no option 'seed_dmo'; did you mean 'seed_demo'?"),
        ("'demo'", "takes keyword arguments only"),
        ('rate_limit="fast"', "(rate_limit=...) must be a number of requests per second"),
        ('users="u:p"', "(users=...) must be a mapping of user name to password, not str"),
        ("seed_demo=1", "(seed_demo=...) must be True or False, not int"),
        ("port=-1", "@pytest.mark.boomi_sandbox(rate_limit=..., port=...): Invalid host/port"),
    ],
)
def test_marker_arguments_are_checked(pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.boomi_sandbox({marker})
        def test_it(apim_client):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    text = result.stdout.str()
    assert message in text
    assert "TypeError" not in text and "Traceback" not in text
    assert "During handling" not in text


def test_a_module_scoped_sandbox_is_shared_and_takes_the_module_marker(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest
        from boomisoap import Plan

        pytestmark = pytest.mark.boomi_sandbox(seed_demo=True)
        SEEN = []

        @pytest.fixture
        def boomi_sandbox(boomi_sandbox_module):
            return boomi_sandbox_module

        def test_first(apim_client, boomi_sandbox):
            SEEN.append(boomi_sandbox.base_url)
            apim_client.plans.create(Plan(name="kept"))

        def test_second(apim_client, boomi_sandbox):
            assert SEEN == [boomi_sandbox.base_url]
            names = [p.name for p in apim_client.plans.query()]
            assert "kept" in names and len(names) > 6  # seeded, and test_first's plan
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_a_session_scoped_sandbox_spans_modules(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        URLS = []

        @pytest.fixture
        def boomi_sandbox(boomi_sandbox_session):
            URLS.append(boomi_sandbox_session.base_url)
            return boomi_sandbox_session
        """
    )
    test = """
        from conftest import URLS

        def test_it(platform_client, boomi_sandbox):
            assert platform_client.accounts.get(boomi_sandbox.account_id)
            assert len(set(URLS)) == 1
        """
    pytester.makepyfile(test_one=test, test_two=test)
    run(pytester).assert_outcomes(passed=2)


def test_a_fresh_sandbox_per_test_by_default(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from boomisoap import Plan

        def test_one(apim_client, boomi_sandbox):
            apim_client.plans.create(Plan(name="only-here"))
            assert boomi_sandbox.count("Plan") == 1

        def test_two(boomi_sandbox):
            assert boomi_sandbox.count("Plan") == 0
        """
    )
    run(pytester).assert_outcomes(passed=2)


def _doc_test_blocks() -> list[str]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "emulator.md").read_text()
    section = text.split("## pytest fixtures", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return [block for block in blocks if "def test_" in block]


def test_the_documented_examples_pass(pytester: pytest.Pytester) -> None:
    blocks = _doc_test_blocks()
    assert len(blocks) >= 3
    pytester.makepyfile(**{f"test_doc_{i}": block for i, block in enumerate(blocks)})
    result = run(pytester)
    tests = sum(block.count("def test_") for block in blocks)
    result.assert_outcomes(passed=tests)
