"""CLI test fixtures: a seeded emulator, a runner that records every output, a secret scan.

Every test's stdout and stderr (CliRunner results, subprocess output and anything written
to the process's own descriptors) is scanned after the test for the credentials in use;
finding one fails the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from boomisoap.cli import cli
from boomisoap.sandbox import Sandbox

USER = "cli-user"
PASSWORD = "pw-Zq8-cli-secret-4711"
TOKEN = "tok-Yx3-cli-secret-0815"

# Outputs of the current test, scanned by the autouse fixture below.
CAPTURED: list[str] = []


class Secrets(set[str]):
    """The values that must never appear in any output of the current test."""


def base_env(sandbox: Sandbox, home: Path) -> dict[str, str | None]:
    return {
        "BOOMI_ACCOUNT_ID": sandbox.account_id,
        "BOOMI_USERNAME": USER,
        "BOOMI_PASSWORD": PASSWORD,
        "BOOMI_TOKEN": None,
        "BOOMI_BASE_URL": sandbox.base_url,
        "BOOMI_MFT_API_KEY": sandbox.mft_api_key,
        "BOOMISOAP_AUDIT": None,
        "BOOMISOAP_CONFIG": None,
        "BOOMISOAP_PROFILE": None,
        "BOOMISOAP_RATE_LIMIT": "0",
        # Never read the developer's own config file.
        "XDG_CONFIG_HOME": str(home),
    }


class Cli:
    """Runs ``boomisoap`` in-process (CliRunner) or as the installed script."""

    def __init__(self, env: dict[str, str | None], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd

    def __call__(
        self,
        *args: str,
        expect: int = 0,
        input: str | bytes | None = None,
        env: Mapping[str, str | None] | None = None,
    ) -> Result:
        result = CliRunner().invoke(cli, list(args), input=input, env={**self.env, **(env or {})})
        CAPTURED.extend([result.stdout, result.stderr])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == expect, (
            f"boomisoap {' '.join(args)}: exit {result.exit_code}, expected {expect}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}"
        )
        return result

    def script(
        self,
        *args: str,
        expect: int = 0,
        env: Mapping[str, str | None] | None = None,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """A real run of the installed console script (``python -m boomisoap.cli`` if absent).

        Standard input is ``input``, or empty: a run never reads the developer's terminal.
        """
        merged = {**os.environ, **self.env, **(env or {})}
        full_env = {k: v for k, v in merged.items() if v is not None}
        command = script_command()
        done = subprocess.run(
            [*command, *args],
            env=full_env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            input=input if input is not None else "",
            timeout=60,
            check=False,
        )
        CAPTURED.extend([done.stdout, done.stderr])
        assert done.returncode == expect, (
            f"boomisoap {' '.join(args)}: exit {done.returncode}, expected {expect}\n"
            f"stdout: {done.stdout}\nstderr: {done.stderr}"
        )
        return done


def script_command() -> list[str]:
    found = shutil.which("boomisoap")
    return [found] if found else [sys.executable, "-m", "boomisoap.cli"]


@pytest.fixture(scope="session")
def demo() -> Iterator[Sandbox]:
    """The seeded emulator shared by read-only tests."""
    with Sandbox.start(
        users={USER: PASSWORD}, tokens={USER: TOKEN}, seed_demo=True, rate_limit=None
    ) as sandbox:
        yield sandbox


@pytest.fixture
def fresh() -> Iterator[Sandbox]:
    """A seeded emulator of the test's own, for tests that change state."""
    with Sandbox.start(
        users={USER: PASSWORD}, tokens={USER: TOKEN}, seed_demo=True, rate_limit=None
    ) as sandbox:
        yield sandbox


@pytest.fixture
def secrets(demo: Sandbox) -> Secrets:
    return Secrets({PASSWORD, TOKEN, demo.mft_api_key})


@pytest.fixture
def run(demo: Sandbox, tmp_path: Path, secrets: Secrets) -> Cli:
    return Cli(base_env(demo, tmp_path), tmp_path)


@pytest.fixture
def run_fresh(fresh: Sandbox, tmp_path: Path, secrets: Secrets) -> Cli:
    secrets.add(fresh.mft_api_key)
    return Cli(base_env(fresh, tmp_path), tmp_path)


@pytest.fixture(autouse=True)
def no_secret_in_output(secrets: Secrets, capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    CAPTURED.clear()
    yield
    out, err = capfd.readouterr()
    found = secrets
    everything = "\n".join([*CAPTURED, out, err])
    leaked = sorted(s for s in found if s and s in everything)
    CAPTURED.clear()
    assert not leaked, f"{len(leaked)} secret value(s) appeared in the output"
