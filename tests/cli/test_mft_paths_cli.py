"""``--mft-path`` / ``[profile.mft_paths]`` on the client CLI and on ``sandbox serve``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from boomisoap import MftPaths
from boomisoap.sandbox import Sandbox, seed

from .conftest import PASSWORD, TOKEN, USER, Cli, Secrets, base_env

ROOT = Path(__file__).resolve().parents[2]
CUSTOM = MftPaths(base="/gateway", accounting="acct", transfer_quota="getTransferQuota")


@pytest.fixture
def custom(secrets: Secrets) -> Iterator[Sandbox]:
    with Sandbox.start(
        users={USER: PASSWORD},
        tokens={USER: TOKEN},
        seed_demo=True,
        rate_limit=None,
        mft_paths=CUSTOM,
    ) as sandbox:
        secrets.add(sandbox.mft_api_key)
        yield sandbox


def test_flags_and_environment_set_the_segments(custom: Sandbox, tmp_path: Path) -> None:
    run = Cli(base_env(custom, tmp_path), tmp_path)
    # The defaults are not served by this emulator: 404, exit status 1.
    assert "does not exist" in run("mft", "quota", expect=1).stderr
    flags = ("--mft-path", "base=/gateway", "--mft-path", "accounting=acct")
    flags += ("--mft-path", "transfer_quota=getTransferQuota")
    quota = json.loads(run(*flags, "mft", "quota", "-o", "json").stdout)
    assert quota == {"transferQuota": seed.TRANSFER_QUOTA}
    env = {"BOOMI_MFT_PATHS": "base=/gateway accounting=acct"}
    rows = json.loads(run("mft", "usage", "-o", "json", env=env).stdout)
    assert rows and rows[0]["@type"] == "TransferUsage"


def test_a_profile_table_sets_them_and_a_flag_overrides_one(
    custom: Sandbox, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[default.mft_paths]\nbase = "/gateway"\naccounting = "acct"\ntransfer_quota = "wrong"\n'
    )
    run = Cli(base_env(custom, tmp_path), tmp_path)
    run("--config", str(config), "mft", "quota", expect=1)
    fixed = run(
        "--config",
        str(config),
        "--mft-path",
        "transfer_quota=getTransferQuota",
        "mft",
        "quota",
        "-o",
        "json",
    )
    assert json.loads(fixed.stdout) == {"transferQuota": seed.TRANSFER_QUOTA}


@pytest.mark.parametrize(
    ("flag", "words"),
    [
        ("colour=blue", "'colour' is not an MFT path key"),
        ("daily", "'daily' is not KEY=SEGMENT"),
        ("daily=a b", "paths.daily"),
    ],
)
def test_a_bad_path_option_is_a_usage_error(run: Cli, flag: str, words: str) -> None:
    result = run("--mft-path", flag, "mft", "quota", expect=2)
    assert words in result.stderr


def test_sandbox_serve_takes_the_same_keys(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-m", "boomisoap.sandbox", "serve", "--port", "0"]
    command += ["--seed-demo", "--rate-limit", "off", "--mft-api-key", "k-serve-paths"]
    command += ["--mft-path", "base=/gateway", "--mft-path", "daily=stats/daily"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on" in line, line
        base_url = line.split("listening on ")[1].split()[0]
        headers = {"Authorization": "Bearer k-serve-paths"}
        params = {"orgid": 1001, "monthnum": 11, "year": 2026}
        moved = requests.get(
            f"{base_url}/gateway/Accounting/stats/daily", params=params, headers=headers, timeout=10
        )
        assert moved.status_code == 200 and len(moved.json()) == 30
        default = requests.get(
            f"{base_url}/api/Accounting/daily", params=params, headers=headers, timeout=10
        )
        assert default.status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=30)
    bad = subprocess.run(
        [sys.executable, "-m", "boomisoap.sandbox", "serve", "--mft-path", "nope=x"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "'nope' is not an MFT path key" in bad.stderr
