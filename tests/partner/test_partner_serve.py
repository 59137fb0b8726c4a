"""``boomisoap sandbox serve --sub-account CHILD=PARENT --provision-delay S``: a configured
hierarchy, served by the real command in its own process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import boomisoap
from boomisoap import AuthenticationError, PartnerClient, Plan
from boomisoap.cli.sandbox import sandbox_group


@pytest.mark.parametrize("bad", ["child", "=parent", "a=a", "a b=c"])
def test_a_bad_sub_account_is_a_usage_error(bad: str) -> None:
    result = CliRunner().invoke(sandbox_group, ["serve", "--sub-account", bad])
    assert result.exit_code == 2 and "--sub-account" in result.output


def test_serve_with_a_configured_hierarchy() -> None:
    command = [sys.executable, "-m", "boomisoap.sandbox", "serve", "--port", "0"]
    command += ["--rate-limit", "off", "--user", "u:p", "--provision-delay", "0"]
    command += ["--sub-account", "cust-a=acct-1", "--sub-account", "cust-a1=cust-a"]
    source = str(Path(boomisoap.__file__).resolve().parent.parent)
    path = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    ) as process:
        try:
            assert process.stdout is not None
            match = re.search(r"listening on (\S+) \(account (\S+)\)", process.stdout.readline())
            assert match
            base_url, account = match.groups()
            with PartnerClient(
                account_id=account, username="u", password="p", base_url=base_url
            ) as partner:
                # A grandchild is in the partner's hierarchy too.
                for sub in ("cust-a", "cust-a1"):
                    with partner.override(sub):
                        partner.plans.create(Plan(name=sub))
                        assert [p.name for p in partner.plans.query()] == [sub]
                # Without --seed-demo there is no other hierarchy: child-00001 is unknown.
                with pytest.raises(AuthenticationError), partner.override("child-00001"):
                    list(partner.plans.query())
        finally:
            process.terminate()
            process.wait(timeout=20)
