"""Clients built by from_env(): the CLI's BOOMI_* variables and profiles, same precedence."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from boomisoap import ApimClient, MftClient, Plan, PlatformClient
from boomisoap.config import ConfigError
from boomisoap.errors import InvalidRequest
from boomisoap.sandbox import Sandbox

from .conftest import PASSWORD

MFT_KEY = "env-mft-Key-0123456789"
FILE_PASSWORD = "file-pw-Zq8-secret"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(
        users={"u": PASSWORD, "fileuser": FILE_PASSWORD}, rate_limit=None, mft_api_key=MFT_KEY
    ) as running:
        yield running


def _env(sandbox: Sandbox, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "XDG_CONFIG_HOME": str(tmp_path),  # no config file of the machine's user
        "BOOMI_ACCOUNT_ID": sandbox.account_id,
        "BOOMI_USERNAME": "u",
        "BOOMI_PASSWORD": PASSWORD,
        "BOOMI_BASE_URL": sandbox.base_url,
        "BOOMISOAP_RATE_LIMIT": "0",
        **extra,
    }


def _config(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


def _profile(sandbox: Sandbox, name: str) -> str:
    return (
        f'[{name}]\naccount_id = "{sandbox.account_id}"\nusername = "fileuser"\n'
        f'password = "{FILE_PASSWORD}"\nbase_url = "{sandbox.base_url}"\nrate_limit = 0\n'
    )


def test_apim_from_the_environment(sandbox: Sandbox, tmp_path: Path) -> None:
    with ApimClient.from_env(environ=_env(sandbox, tmp_path)) as apim:
        assert apim.base_url == sandbox.base_url and apim.transport.bucket is None
        assert apim.plans.create(Plan(name="from env")).plan_id


def test_from_env_reads_os_environ_by_default(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in _env(sandbox, tmp_path).items():
        monkeypatch.setenv(name, value)
    with PlatformClient.from_env() as platform:
        assert platform.accounts.get(sandbox.account_id).account_id == sandbox.account_id


def test_mft_from_the_environment(sandbox: Sandbox, tmp_path: Path) -> None:
    environ = {**_env(sandbox, tmp_path), "BOOMI_MFT_API_KEY": MFT_KEY}
    with MftClient.from_env(environ=environ) as mft:
        assert isinstance(mft.accounting.transfer_quota(), int)


def test_a_profile_of_the_default_config_file(sandbox: Sandbox, tmp_path: Path) -> None:
    _config(tmp_path / "boomisoap" / "config.toml", _profile(sandbox, "staging"))
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    with ApimClient.from_env("staging", environ=environ) as apim:
        assert apim.username == "fileuser"
        assert apim.plans.create(Plan(name="from profile")).plan_id
    with ApimClient.from_env(environ={**environ, "BOOMISOAP_PROFILE": "staging"}) as apim:
        assert apim.username == "fileuser"


def test_precedence_keyword_then_environment_then_profile(sandbox: Sandbox, tmp_path: Path) -> None:
    path = _config(tmp_path / "cfg.toml", _profile(sandbox, "default"))
    environ = {"BOOMISOAP_CONFIG": str(path), "BOOMI_USERNAME": "u", "BOOMI_PASSWORD": PASSWORD}
    with ApimClient.from_env(environ=environ) as apim:  # environment over the profile
        assert apim.username == "u"
        apim.plans.create(Plan(name="env wins"))
    with ApimClient.from_env(
        environ=environ, username="fileuser", password=FILE_PASSWORD, history=2
    ) as apim:  # keywords over the environment; other options passed through
        assert apim.username == "fileuser"
        apim.plans.create(Plan(name="keyword wins"))
        assert apim.history is not None and len(apim.history) == 1


def test_a_config_file_readable_by_others_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    path = _config(tmp_path / "open.toml", _profile(sandbox, "default"), mode=0o644)
    with pytest.raises(ConfigError, match="chmod 600") as caught:
        ApimClient.from_env(config=str(path), environ={})
    assert isinstance(caught.value, InvalidRequest)
    assert FILE_PASSWORD not in str(caught.value)


def test_a_missing_profile_is_named(tmp_path: Path) -> None:
    _config(tmp_path / "boomisoap" / "config.toml", '[prod]\naccount_id = "a"\n')
    with pytest.raises(ConfigError, match="profile 'qa' not found"):
        ApimClient.from_env("qa", environ={"XDG_CONFIG_HOME": str(tmp_path)})


def test_missing_settings_name_their_variable(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path), "BOOMI_USERNAME": "u", "BOOMI_PASSWORD": "p"}
    with pytest.raises(ConfigError, match="BOOMI_ACCOUNT_ID") as caught:
        ApimClient.from_env(environ=environ)
    assert caught.value.field == "account_id"
    with pytest.raises(ConfigError, match="BOOMI_MFT_API_KEY"):
        MftClient.from_env(environ=environ)
    with pytest.raises(ConfigError, match="BOOMI_PASSWORD or BOOMI_TOKEN"):
        ApimClient.from_env(environ={"XDG_CONFIG_HOME": str(tmp_path), "BOOMI_ACCOUNT_ID": "a"})


def test_a_bad_rate_limit_variable_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    environ = {**_env(sandbox, tmp_path), "BOOMISOAP_RATE_LIMIT": "fast"}
    with pytest.raises(ConfigError, match="BOOMISOAP_RATE_LIMIT") as caught:
        ApimClient.from_env(environ=environ)
    assert "fast" in str(caught.value)


def test_a_token_from_the_environment(tmp_path: Path) -> None:
    environ = {
        "XDG_CONFIG_HOME": str(tmp_path),
        "BOOMI_ACCOUNT_ID": "acct-1",
        "BOOMI_USERNAME": "svc",
        "BOOMI_TOKEN": "tok-123456",
    }
    with ApimClient.from_env(environ=environ) as apim:
        assert apim.username == "BOOMI_TOKEN.svc"


def test_the_library_reads_config_without_click() -> None:
    code = (
        "import sys, boomisoap, boomisoap.config, boomisoap.clients, boomisoap.rest.mft; "
        "assert 'click' not in sys.modules, 'click imported'"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
