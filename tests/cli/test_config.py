"""Settings from profiles in a TOML file, environment variables and flags."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from boomisoap.sandbox import Sandbox

from .conftest import PASSWORD, TOKEN, USER, Cli, Secrets

PLAN_V = "99f8e822-8f2d-fdf6-4849-6f8d236dbe34"
FILE_SECRET = "pw-in-file-Kq7-secret"


def write_config(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


def profile_text(sandbox: Sandbox, name: str = "default", **extra: str) -> str:
    lines = [
        f"[{name}]",
        f'account_id = "{sandbox.account_id}"',
        f'username = "{USER}"',
        f'password = "{PASSWORD}"',
        f'base_url = "{sandbox.base_url}"',
        "rate_limit = 0",
        *(f'{k} = "{v}"' for k, v in extra.items()),
    ]
    return "\n".join(lines) + "\n"


NO_ENV = {
    "BOOMI_ACCOUNT_ID": None,
    "BOOMI_USERNAME": None,
    "BOOMI_PASSWORD": None,
    "BOOMI_BASE_URL": None,
    "BOOMISOAP_RATE_LIMIT": None,
}


def test_default_profile_in_the_xdg_config_dir(run: Cli, demo: Sandbox, tmp_path: Path) -> None:
    write_config(tmp_path / "boomisoap" / "config.toml", profile_text(demo, output="json"))
    plan = json.loads(run("plans", "get", PLAN_V, env=NO_ENV).stdout)  # output from the profile
    assert plan["planId"] == PLAN_V


def test_named_profile_and_config_option(run: Cli, demo: Sandbox, tmp_path: Path) -> None:
    path = write_config(tmp_path / "elsewhere.toml", profile_text(demo, "prod"))
    run("--config", str(path), "--profile", "prod", "plans", "get", PLAN_V, env=NO_ENV)
    env = {**NO_ENV, "BOOMISOAP_CONFIG": str(path), "BOOMISOAP_PROFILE": "prod"}
    run("plans", "get", PLAN_V, env=env)


def test_environment_beats_the_profile_and_flags_beat_both(
    run: Cli, demo: Sandbox, tmp_path: Path
) -> None:
    text = profile_text(demo).replace(demo.base_url, "http://127.0.0.1:9")
    path = write_config(tmp_path / "c.toml", text)
    env = {**NO_ENV, "BOOMISOAP_CONFIG": str(path), "BOOMISOAP_RATE_LIMIT": "0"}
    run("--retries", "0", "plans", "get", PLAN_V, env=env, expect=3)  # the profile's bad URL
    run("plans", "get", PLAN_V, env={**env, "BOOMI_BASE_URL": demo.base_url})
    run("--base-url", demo.base_url, "plans", "get", PLAN_V, env=env)


def test_world_or_group_readable_file_with_a_secret_is_refused(
    run: Cli, demo: Sandbox, tmp_path: Path, secrets: Secrets
) -> None:
    secrets.add(FILE_SECRET)
    text = profile_text(demo).replace(PASSWORD, FILE_SECRET)
    for mode in (0o644, 0o640, 0o604):
        path = write_config(tmp_path / f"c{mode:o}.toml", text, mode)
        result = run("--config", str(path), "plans", "list", env=NO_ENV, expect=2)
        assert "refusing to use it" in result.stderr and "chmod 600" in result.stderr


def test_readable_file_without_secrets_is_fine(run: Cli, demo: Sandbox, tmp_path: Path) -> None:
    text = f'[default]\naccount_id = "{demo.account_id}"\nbase_url = "{demo.base_url}"\n'
    path = write_config(tmp_path / "c.toml", text, 0o644)
    run("--config", str(path), "plans", "get", PLAN_V, env={"BOOMI_ACCOUNT_ID": None})


@pytest.mark.parametrize(
    ("text", "args", "words"),
    [
        ("[default]\nbogus = 1\n", [], "unknown key 'bogus'"),
        ("[default]\nretries = 'x'\n", [], "retries has the wrong type"),
        ("[default\n", [], "not valid TOML"),
        ('[default]\nwire = "ftp"\n', [], "wire must be soap or rest"),
        ("[default]\n", ["--profile", "nope"], "profile 'nope' not found"),
        ("top = 1\n", [], "must be a [profile] table"),
    ],
)
def test_config_mistakes_are_usage_errors(
    run: Cli, tmp_path: Path, text: str, args: list[str], words: str
) -> None:
    path = write_config(tmp_path / "c.toml", text)
    result = run("--config", str(path), *args, "plans", "list", expect=2)
    assert words in result.stderr


def test_wrong_type_message_does_not_echo_the_value(run: Cli, tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", "[default]\npassword = 12345678\n")
    result = run("--config", str(path), "plans", "list", expect=2)
    assert "password has the wrong type" in result.stderr and "12345678" not in result.stderr


def test_missing_explicit_config_file(run: Cli, tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "absent.toml"), "plans", "list", expect=2)
    assert "does not exist" in result.stderr


def test_token_and_mft_key_from_a_profile(run: Cli, demo: Sandbox, tmp_path: Path) -> None:
    text = (
        f'[default]\naccount_id = "{demo.account_id}"\nusername = "{USER}"\n'
        f'token = "{TOKEN}"\nbase_url = "{demo.base_url}"\nmft_api_key = "{demo.mft_api_key}"\n'
    )
    path = write_config(tmp_path / "c.toml", text)
    env = {**NO_ENV, "BOOMISOAP_CONFIG": str(path), "BOOMI_MFT_API_KEY": None}
    run("plans", "get", PLAN_V, env=env)
    assert json.loads(run("mft", "quota", "-o", "json", env=env).stdout)["transferQuota"] > 0


def test_help_and_offline_commands_ignore_a_broken_config(run: Cli, tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", "[default\n")
    env = {"BOOMISOAP_CONFIG": str(path)}
    run("plans", "--help", env=env)
    run("wsdl", "export", str(tmp_path / "out"), env=env)
