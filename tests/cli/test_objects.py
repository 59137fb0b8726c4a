"""The object commands against the emulator: every operation, every output format, exit codes."""

from __future__ import annotations

import csv
import io
import json
import socket
from pathlib import Path

import pytest
from lxml import etree

import boomisoap.cli.progress as progress
from boomisoap.models import OBJECTS
from boomisoap.namespaces import APIM, SOAP_ENV

from .conftest import PASSWORD, TOKEN, Cli, Secrets

PLAN_V = "99f8e822-8f2d-fdf6-4849-6f8d236dbe34"
CLI_NS = "urn:boomisoap:cli"


def test_table_is_the_default(run: Cli) -> None:
    out = run("plans", "list").stdout
    header, rule, *rows = out.splitlines()
    assert header.split()[:2] == ["planId", "name"]
    assert set(rule) <= {"-", " "}
    assert any(PLAN_V in row and " v " in row for row in rows)
    assert len(rows) == 6


def test_json_output_parses_back_to_the_objects(run: Cli) -> None:
    plans = json.loads(run("plans", "list", "-o", "json").stdout)
    assert [p["@type"] for p in plans] == ["Plan"] * 6
    assert {p["name"] for p in plans} == {"v", "w", "x", "y", "z", "apiTestKh"}
    one = json.loads(run("--output", "json", "plans", "get", PLAN_V).stdout)
    assert one == next(p for p in plans if p["planId"] == PLAN_V)


def test_json_of_an_empty_list_is_an_empty_array(run: Cli) -> None:
    assert json.loads(run("plans", "list", "-o", "json", "--where", "name = none").stdout) == []


def test_csv_output_has_the_field_map_columns(run: Cli) -> None:
    out = run("plans", "list", "-o", "csv", "--where", "status = DISABLED").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [f.wire for f in OBJECTS["Plan"].fields]
    assert rows == [
        {
            "planId": "4d50decd-f2b6-d59e-53f4-22ec4f188bb1",
            "name": "apiTestKh",
            "description": "",
            "maxMessageSize": "1024",
            "rateLimit": "0",
            "quotaLimit": "0",
            "rateLimitUnit": "SECOND",
            "quotaLimitUnit": "DAY",
            "status": "DISABLED",
        }
    ]


def test_csv_flattens_nested_objects(run: Cli) -> None:
    out = run("accounts", "get", "boomiqa-T7KIDU", "-o", "csv").stdout
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["licensing.standard.purchased"] == "1000000"
    assert row["molecule.purchased"] == "10"


def test_xml_output_is_the_raw_response(run: Cli) -> None:
    body = run("-o", "xml", "plans", "get", PLAN_V).stdout_bytes
    root = etree.fromstring(body)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    result = root.find(f".//{{{APIM}}}result")
    assert result is not None and result.get("planId") == PLAN_V


def test_xml_output_of_a_paged_query_wraps_every_page(run: Cli) -> None:
    body = run("-o", "xml", "accounts", "query").stdout_bytes
    root = etree.fromstring(body)
    assert root.tag == f"{{{CLI_NS}}}responses"
    envelopes = list(root)
    assert len(envelopes) >= 2  # more than 100 accounts: query + queryMore
    assert all(e.tag == f"{{{SOAP_ENV}}}Envelope" for e in envelopes)
    results = root.findall(".//{http://api.platform.boomi.com/}result")
    ids = json.loads(run("accounts", "query", "-o", "json").stdout)
    assert len(results) == len(ids) > 100


def test_xml_output_needs_the_soap_wire(run: Cli) -> None:
    result = run("--wire", "rest", "-o", "xml", "plans", "list", expect=2)
    assert "--wire soap" in result.stderr


def test_rest_wire_gives_the_same_objects(run: Cli) -> None:
    soap = json.loads(run("plans", "list", "-o", "json").stdout)
    rest = json.loads(run("--wire", "rest", "plans", "list", "-o", "json").stdout)
    assert rest == soap


def test_where_filters_on_the_server(run: Cli) -> None:
    out = run("plans", "list", "-o", "json", "--where", "name like 'a%' or name = v").stdout
    assert sorted(p["name"] for p in json.loads(out)) == ["apiTestKh", "v"]


def test_bad_where_is_a_usage_error_with_a_caret(run: Cli) -> None:
    result = run("plans", "list", "--where", "status = ENABLED and nme = 3", expect=2)
    assert "nme does not exist for Plan" in result.stderr
    lines = result.stderr.splitlines()
    expression = next(i for i, line in enumerate(lines) if "status = ENABLED and nme" in line)
    assert lines[expression + 1].index("^") == lines[expression].index("nme")


def test_limit_stops_early(run: Cli) -> None:
    assert len(json.loads(run("accounts", "query", "--limit", "3", "-o", "json").stdout)) == 3


def test_not_found_exits_1(run: Cli) -> None:
    result = run("plans", "get", "no-such-plan", expect=1)
    assert result.stderr.startswith("error: NotFound (404)")
    assert result.stdout == ""


def test_plan_lifecycle(run_fresh: Cli) -> None:
    created = json.loads(
        run_fresh(
            "plans",
            "create",
            "--name",
            "how",
            "--rate-limit",
            "9999",
            "--rate-limit-unit",
            "minute",
            "--quota-limit",
            "9999",
            "--quota-limit-unit",
            "MONTH",
            "--max-message-size",
            "1024",
            "-o",
            "json",
        ).stdout
    )
    plan_id = created["planId"]
    assert created["rateLimitUnit"] == "MINUTE" and created["status"] == "ENABLED"
    updated = json.loads(
        run_fresh(
            "plans",
            "update",
            plan_id,
            "--description",
            "bigger",
            "--status",
            "disabled",
            "--unset",
            "max-message-size",
            "-o",
            "json",
        ).stdout
    )
    assert updated["description"] == "bigger" and updated["status"] == "DISABLED"
    assert "maxMessageSize" not in updated
    assert updated["rateLimit"] == 9999  # untouched fields are kept
    assert run_fresh("plans", "delete", plan_id).stdout.strip() == f"deleted Plan {plan_id}"
    run_fresh("plans", "get", plan_id, expect=1)


def test_update_xml_shows_the_update_answer(run_fresh: Cli) -> None:
    body = run_fresh("-o", "xml", "plans", "update", PLAN_V, "--description", "d").stdout_bytes
    root = etree.fromstring(body)
    assert root.find(".//{http://soap.apim.api.platform.boomi.com/}updateResponse") is not None


def test_delete_outputs(run_fresh: Cli) -> None:
    plan_id = json.loads(run_fresh("plans", "create", "--name", "d", "-o", "json").stdout)["planId"]
    assert json.loads(run_fresh("plans", "delete", plan_id, "-o", "json").stdout) == {
        "@type": "Plan",
        "id": plan_id,
        "deleted": True,
    }
    plan_id = json.loads(run_fresh("plans", "create", "--name", "e", "-o", "json").stdout)["planId"]
    root = etree.fromstring(run_fresh("plans", "delete", plan_id, "-o", "xml").stdout_bytes)
    assert "".join(root.itertext()).strip() == "true"
    plan_id = json.loads(run_fresh("plans", "create", "--name", "f", "-o", "json").stdout)["planId"]
    rows = list(
        csv.DictReader(io.StringIO(run_fresh("plans", "delete", plan_id, "-o", "csv").stdout))
    )
    assert rows == [{"type": "Plan", "id": plan_id, "deleted": "true"}]


def test_create_usage_errors(run: Cli) -> None:
    assert "Missing option '--name'" in run("plans", "create", expect=2).stderr
    result = run("plans", "create", "--name", "n", "--rate-limit-unit", "DAILY", expect=2)
    assert "SECOND" in result.stderr
    run("plans", "create", "--name", "n", "--rate-limit", "-1", expect=2)
    assert "nothing to update" in run("plans", "update", PLAN_V, expect=2).stderr


def test_a_value_the_service_refuses_exits_1(run_fresh: Cli) -> None:
    # The emulator checks references: an ApiKey naming no Application is refused.
    result = run_fresh(
        "api-keys",
        "create",
        "--api-id",
        "a",
        "--environment-id",
        "e",
        "--application-id",
        "missing",
        expect=1,
    )
    assert result.stderr.startswith("error: ")


def test_applications_and_api_keys(run_fresh: Cli, secrets: Secrets) -> None:
    app = json.loads(
        run_fresh(
            "applications",
            "create",
            "--application-name",
            "shop",
            "--contact-email",
            "a@example.com",
            "--no-enabled",
            "-o",
            "json",
        ).stdout
    )
    assert app["enabled"] is False
    app_id = app["applicationId"]
    key = json.loads(
        run_fresh(
            "api-keys",
            "create",
            "--api-id",
            "api-1",
            "--environment-id",
            "env-1",
            "--application-id",
            app_id,
            "-o",
            "json",
        ).stdout
    )
    assert key["key"] == "***" and "apiKeyId" not in key
    # The key is the ApiKey's identifier (Boomi has no apiKeyId): only --show-secrets shows it.
    listed = run_fresh("--show-secrets", "api-keys", "list", "-o", "json").stdout
    real = next(k["key"] for k in json.loads(listed) if k["applicationId"] == app_id)
    assert real not in ("***", "")
    shown = json.loads(run_fresh("--show-secrets", "api-keys", "get", real, "-o", "json").stdout)
    assert shown["key"] == real
    key_id = real
    secrets.add(real)  # from here on, it must not appear in output without --show-secrets
    assert real not in run_fresh("api-keys", "list").stdout
    assert real not in run_fresh("api-keys", "list", "-o", "csv").stdout
    assert real not in run_fresh("api-keys", "get", key_id, "-o", "xml").stdout
    secrets.discard(real)
    rows = list(csv.DictReader(io.StringIO(run_fresh("api-keys", "list", "-o", "csv").stdout)))
    assert rows[0]["key"] == "***"
    updated = json.loads(
        run_fresh("api-keys", "update", key_id, "--no-enabled", "-o", "json").stdout
    )
    assert updated["enabled"] is False
    deleted = run_fresh("api-keys", "delete", key_id).stdout
    assert real not in deleted and "deleted ApiKey ***" in deleted  # the id is the secret
    run_fresh("applications", "update", app_id, "--enabled", "--notes", "n")


def test_contracts_carry_a_deprecation_note(run: Cli) -> None:
    result = run("contracts", "list", "-o", "json")
    assert "Contract is deprecated by Boomi; use Plan" in result.stderr
    assert all(c["@type"] == "Contract" for c in json.loads(result.stdout))


def test_token_authentication(run: Cli) -> None:
    run("plans", "get", PLAN_V, env={"BOOMI_PASSWORD": None, "BOOMI_TOKEN": TOKEN})
    run("--token", TOKEN, "plans", "get", PLAN_V, env={"BOOMI_PASSWORD": None})


def test_wrong_password_exits_1(run: Cli, secrets: Secrets) -> None:
    secrets.add("wrong-pw-XYZ-123")
    result = run("plans", "list", env={"BOOMI_PASSWORD": "wrong-pw-XYZ-123"}, expect=1)
    assert result.stderr.startswith("error: AuthenticationError")


def test_password_flag_is_never_echoed(run: Cli) -> None:
    run("--password", PASSWORD, "plans", "get", PLAN_V, env={"BOOMI_PASSWORD": None})
    run("--password", PASSWORD, "--password-digest", "plans", "get", "nope", expect=1)


def test_missing_credentials_are_a_usage_error(run: Cli) -> None:
    result = run("plans", "list", env={"BOOMI_PASSWORD": None}, expect=2)
    assert "BOOMI_PASSWORD" in result.stderr
    result = run("plans", "list", env={"BOOMI_ACCOUNT_ID": None}, expect=2)
    assert "BOOMI_ACCOUNT_ID" in result.stderr


def closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return int(listener.getsockname()[1])


def test_unreachable_service_exits_3(run: Cli) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = run("--retries", "0", "plans", "list", env={"BOOMI_BASE_URL": url}, expect=3)
    assert result.stderr.startswith("error: cannot reach the service")
    run("--retries", "0", "mft", "quota", env={"BOOMI_BASE_URL": url}, expect=3)


def test_no_validate_and_password_digest_flags(run: Cli) -> None:
    run("--no-validate", "--password-digest", "plans", "get", PLAN_V)


def test_progress_is_drawn_on_a_terminal_only(run: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "Account results" not in run("accounts", "query", "-o", "csv").stderr
    monkeypatch.setattr(progress, "interactive", lambda: True)
    assert "Account results" in run("accounts", "query", "-o", "csv").stderr
    assert "bulk Account" in run("accounts", "get-many", "abc-H566GG").stderr


def test_audit_option_records_and_the_audit_group_reads(run: Cli, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'audit.db'}"
    run("--audit", store, "plans", "get", PLAN_V)
    run("plans", "get", "nope", env={"BOOMISOAP_AUDIT": store}, expect=1)
    run("audit", "verify", store)
    listing = run("audit", "search", store).stdout
    assert PASSWORD not in listing and listing.strip()


def test_version_and_help(run: Cli) -> None:
    assert run("--version").stdout.startswith("boomisoap, version ")
    help_text = run("--help").stdout
    for name in (
        "plans",
        "contracts",
        "api-keys",
        "applications",
        "accounts",
        "mft",
        "audit",
        "sandbox",
        "demo",
        "wsdl",
        "envelope",
        "validate",
    ):
        assert f"  {name} " in help_text


def test_help_shows_no_secret_values(run: Cli) -> None:
    text = " ".join(run("--help", env={"BOOMI_PASSWORD": PASSWORD}).stdout.split())
    assert "[env var: BOOMI_PASSWORD]" in text
    assert "default" not in text.split("--password TEXT")[1].split("--token")[0]


def test_sandbox_group_is_attached(run: Cli) -> None:
    assert "serve" in run("sandbox", "--help").stdout
