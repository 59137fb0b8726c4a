"""The CLI's rough edges, smoothed: verbs, articles, module run, envelope layout, summaries,
relative audit stores, replay confirmation, plot file names."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from boomisoap.sandbox import Sandbox

from .conftest import PASSWORD, USER, Cli, script_command

SEEDED_ACCOUNT = "abc-H566GG"


def test_python_dash_m_boomisoap(run: Cli) -> None:
    merged = {**os.environ, **run.env}
    env = {k: v for k, v in merged.items() if v is not None}
    done = subprocess.run(
        [sys.executable, "-m", "boomisoap", "plans", "list", "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) >= 6


def test_list_and_query_on_every_object_group(run: Cli) -> None:
    for group in ("plans", "accounts", "applications", "api-keys"):
        listed = json.loads(run(group, "list", "-o", "json").stdout)
        queried = json.loads(run(group, "query", "-o", "json").stdout)
        assert listed == queried, group
    assert json.loads(run("accounts", "list", "-o", "json").stdout)
    # One documented name: the alias is hidden from the help and the reference.
    commands = run("accounts", "--help").stdout.split("Commands:")[1].splitlines()
    listed = [line.split()[0] for line in commands if line.strip()]
    # The Partner API's Account calls sit beside the Platform API's (docs/partner.md).
    partner_calls = ["create", "delete", "provision", "provision-status"]
    assert listed == sorted(["get", "get-many", "list", *partner_calls])


def test_articles_in_help(run: Cli) -> None:
    assert "Create an ApiKey from the given fields." in run("api-keys", "create", "--help").stdout
    assert "Create an Application" in run("applications", "create", "--help").stdout
    assert "Create a Plan" in run("plans", "create", "--help").stdout
    assert "Delete an ApiKey." in run("api-keys", "delete", "--help").stdout


def test_get_many_ends_with_a_summary_line(run: Cli) -> None:
    result = run("accounts", "get-many", SEEDED_ACCOUNT, "missing-1", "-o", "json", expect=1)
    assert result.stderr.splitlines()[-1] == "get-many: 1 found, 1 failed"
    assert len(json.loads(result.stdout)) == 1  # stdout stays one JSON document
    result = run("accounts", "get-many", SEEDED_ACCOUNT)
    assert result.stderr.splitlines()[-1] == "get-many: 1 found, 0 failed"


def _on_a_terminal(run: Cli, *args: str) -> str:
    """stdout of a real run whose stdout is a pseudo-terminal."""
    merged = {**os.environ, **run.env}
    env = {k: v for k, v in merged.items() if v is not None}
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [*script_command(), *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    ) as process:
        os.close(follower)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_envelope_is_indented_on_a_terminal_and_raw_when_piped(run: Cli) -> None:
    args = ("envelope", "plans", "get", "plan-1")
    shown = _on_a_terminal(run, *args)
    lines = shown.strip().splitlines()
    assert len(lines) > 5 and any(line.startswith("    <") for line in lines), shown
    piped = run.script(*args).stdout
    assert len(piped.strip().splitlines()) == 2  # the declaration, then the envelope
    # Same document either way, only the layout differs.
    assert "".join(line.strip() for line in lines) == "".join(
        line.strip() for line in piped.strip().splitlines()
    )
    assert run.script("envelope", "--pretty", *args[1:]).stdout.count("\n") > 5
    assert _on_a_terminal(run, "envelope", "--raw", *args[1:]).strip().count("\n") == 1


def test_audit_sqlite_dot_slash_writes_in_the_working_directory(
    run_fresh: Cli, tmp_path: Path
) -> None:
    run_fresh.script("--audit", "sqlite:///./audit.db", "plans", "list")
    assert (tmp_path / "audit.db").is_file()
    out = run_fresh.script("audit", "search", "sqlite:///./audit.db").stdout
    assert "apim.query" in out
    assert "sqlite:///./audit.db" in run_fresh.script("--help").stdout


def _record_a_create(run: Cli) -> tuple[str, str]:
    created = run.script("--audit", "sqlite:///./audit.db", "plans", "create", "--name", "r-1")
    assert "r-1" in created.stdout
    found = run.script("-o", "json", "audit", "search", "sqlite:///./audit.db").stdout
    records = [r for r in json.loads(found) if r["operation"] == "create"]
    assert len(records) == 1
    return "sqlite:///./audit.db", str(records[0]["seq"])


def test_replay_of_a_write_needs_a_yes(run_fresh: Cli, fresh: Sandbox) -> None:
    store, seq = _record_a_create(run_fresh)
    before = fresh.count("Plan")
    # No standard input to answer from: refused, nothing sent.
    done = run_fresh.script("audit", "replay", store, seq, expect=2)
    assert "record 1 is a create" in done.stderr and "pass --yes" in done.stderr
    assert "Traceback" not in done.stderr
    # Asked, and told no.
    done = run_fresh.script("audit", "replay", store, seq, input="n\n", expect=1)
    assert "Send it? [y/N]" in done.stderr and "not sent" in done.stderr
    assert fresh.count("Plan") == before
    # Asked, and told yes; then --yes without asking.
    done = run_fresh.script("audit", "replay", store, seq, input="y\n")
    assert fresh.count("Plan") == before + 1
    done = run_fresh.script("audit", "replay", store, seq, "--yes")
    assert "Send it?" not in done.stderr
    assert fresh.count("Plan") == before + 2
    # The answers are shown indented and diffed line by line: only what changed differs.
    shown = done.stdout.split("=== new response")[1]
    assert "\n    <" in shown
    diff = done.stdout.split("=== diff")[1].splitlines()
    changed = [line for line in diff if line[:1] in ("+", "-") and line[:3] not in ("+++", "---")]
    assert len(changed) == 2 and all("planId=" in line for line in changed), diff


def test_replay_of_a_read_is_not_asked_about(run_fresh: Cli) -> None:
    run_fresh.script("--audit", "sqlite:///./audit.db", "plans", "list")
    done = run_fresh.script("audit", "replay", "sqlite:///./audit.db", "1")
    assert "Send it?" not in done.stderr
    assert "=== diff: identical" in done.stdout


def test_replay_takes_the_global_credentials(run_fresh: Cli) -> None:
    run_fresh.script("--audit", "sqlite:///./audit.db", "plans", "list")
    done = run_fresh.script(
        "audit", "replay", "sqlite:///./audit.db", "1", env={"BOOMI_PASSWORD": "wrong"}
    )
    # The wrong password from BOOMI_PASSWORD was used: the service refused it.
    new = done.stdout.split("=== new response: ")[1]
    assert new.startswith(("403", "500")) and "Incorrect user name and password" in new
    help_text = run_fresh("audit", "replay", "--help").stdout
    assert "--password-env" not in help_text and "--yes" in help_text


def test_plot_without_an_extension_writes_a_png(run: Cli, tmp_path: Path) -> None:
    import matplotlib  # noqa: F401  (a dev extra: missing, the test fails rather than skips)

    run.script("mft", "daily", "--month", "10", "--year", "2026", "--plot", "daily")
    assert not (tmp_path / "daily").exists()
    assert (tmp_path / "daily.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_audit_commands_read_the_global_store(run_fresh: Cli) -> None:
    store = "sqlite:///./audit.db"
    run_fresh.script("--audit", store, "plans", "list")
    shown = run_fresh.script("--audit", store, "-o", "json", "audit", "show").stdout
    assert json.loads(shown)["operation"] == "query"
    env = {"BOOMISOAP_AUDIT": store}
    assert "apim.query" in run_fresh.script("audit", "search", env=env).stdout
    assert "OK" in run_fresh.script("audit", "verify", env=env).stdout
    done = run_fresh.script("audit", "show", expect=2)
    assert "give the audit store URL, or the global --audit" in done.stderr


def test_shell_completion_through_the_click_variable(run: Cli) -> None:
    env = {"_BOOMISOAP_COMPLETE": "bash_complete", "COMP_WORDS": "boomisoap accounts l"}
    done = run.script(env={**env, "COMP_CWORD": "2"})
    assert "plain,list" in done.stdout.splitlines()
    source = run.script(env={"_BOOMISOAP_COMPLETE": "bash_source"}).stdout
    assert "_boomisoap_completion()" in source and "complete -o nosort" in source


def test_replay_keeps_its_old_options_with_a_note(run_fresh: Cli, fresh: Sandbox) -> None:
    run_fresh.script("--audit", "sqlite:///./audit.db", "plans", "list")
    done = run_fresh.script(
        "audit", "replay", "sqlite:///./audit.db", "1",
        "--base-url", fresh.base_url, "--username", USER, "--password-env", "OLD_PW",
        env={"OLD_PW": PASSWORD, "BOOMI_PASSWORD": "wrong", "BOOMI_BASE_URL": "http://h:1"},
    )  # fmt: skip
    assert "=== diff: identical" in done.stdout
    assert "note: audit replay --password-env is deprecated" in done.stderr
