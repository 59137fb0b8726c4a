"""envelope (requests without sending), validate, and wsdl export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from boomisoap.namespaces import API, APIM, APIM_SOAP, SOAP_ENV, WSSE

from .conftest import PASSWORD, TOKEN, Cli

PLAN_V = "99f8e822-8f2d-fdf6-4849-6f8d236dbe34"


def envelope(run: Cli, *args: str) -> etree._Element:
    return etree.fromstring(run("envelope", *args).stdout_bytes)


def test_create_envelope_carries_the_fields_and_no_security(run: Cli) -> None:
    root = envelope(
        run,
        "plans",
        "create",
        "--name",
        "how",
        "--rate-limit",
        "9999",
        "--rate-limit-unit",
        "MINUTE",
    )
    assert root.find(f"{{{SOAP_ENV}}}Header") is None
    obj = root.find(f".//{{{APIM_SOAP}}}create/{{{APIM}}}object")
    assert obj is not None
    assert (obj.get("name"), obj.get("rateLimit"), obj.get("rateLimitUnit")) == (
        "how",
        "9999",
        "MINUTE",
    )


def test_with_security_keeps_the_header_but_never_the_password(run: Cli) -> None:
    for extra in ([], ["--password-digest"]):
        root = etree.fromstring(
            run(*extra, "envelope", "--with-security", "plans", "get", PLAN_V).stdout_bytes
        )
        password = root.find(f".//{{{WSSE}}}Password")
        assert password is not None and password.text == "REDACTED"
        assert root.findtext(f".//{{{WSSE}}}Username") == "cli-user"
    token_root = etree.fromstring(
        run(
            "envelope",
            "--with-security",
            "plans",
            "get",
            PLAN_V,
            env={"BOOMI_PASSWORD": None, "BOOMI_TOKEN": TOKEN},
        ).stdout_bytes
    )
    assert token_root.findtext(f".//{{{WSSE}}}Username") == "BOOMI_TOKEN.cli-user"
    assert token_root.findtext(f".//{{{WSSE}}}Password") == "REDACTED"


def test_envelope_needs_no_credentials(run: Cli) -> None:
    bare = {"BOOMI_ACCOUNT_ID": None, "BOOMI_USERNAME": None, "BOOMI_PASSWORD": None}
    root = etree.fromstring(run("envelope", "accounts", "get", "a-1", env=bare).stdout_bytes)
    assert root.findtext(f".//{{{API}}}objectId") == "a-1"


@pytest.mark.parametrize(
    "args",
    [
        ["plans", "get", PLAN_V],
        ["plans", "delete", PLAN_V],
        ["plans", "query"],
        ["plans", "query", "--where", "status = ENABLED and (name = v or name like 'a%')"],
        ["plans", "query-more", "token-1"],
        ["plans", "update", PLAN_V, "--name", "v", "--max-message-size", "10"],
        ["contracts", "create", "--name", "c", "--quota-limit-unit", "week"],
        ["api-keys", "create", "--api-id", "a", "--environment-id", "e", "--application-id", "p"],
        ["applications", "update", "app-1", "--application-name", "x", "--no-enabled"],
        ["accounts", "get-many", "a-1", "a-2"],
        ["accounts", "query", "--where", "dateCreated > 2020-01-01T00:00:00Z"],
    ],
)
def test_every_envelope_validates(run: Cli, tmp_path: Path, args: list[str]) -> None:
    target = tmp_path / "request.xml"
    target.write_bytes(run("envelope", "--with-security", *args).stdout_bytes)
    assert run("validate", str(target)).stdout.strip() == f"{target}: ok"


def test_query_envelope_expression(run: Cli) -> None:
    root = envelope(run, "plans", "query", "--where", "name like 'a%' or status = DISABLED")
    expression = root.find(f".//{{{API}}}expression")
    assert expression is not None and expression.get("operator") == "or"
    nested = expression.findall(f"{{{API}}}nestedExpression")
    assert [(n.get("operator"), n.findtext(f"{{{API}}}argument")) for n in nested] == [
        ("LIKE", "a%"),
        ("EQUALS", "DISABLED"),
    ]


def test_envelope_usage_errors(run: Cli) -> None:
    run("envelope", "plans", "query", "--where", "name ==", expect=2)
    run("envelope", "plans", "update", PLAN_V, expect=2)  # a Plan needs its name
    ids = [f"a-{n}" for n in range(101)]
    assert "at most 100" in run("envelope", "accounts", "get-many", *ids, expect=2).stderr


def test_validate_reports_file_path_and_reason(run: Cli, tmp_path: Path) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(run("envelope", "plans", "get", PLAN_V).stdout_bytes)
    bad = tmp_path / "bad.xml"
    bad.write_text(
        f'<S:Envelope xmlns:S="{SOAP_ENV}"><S:Body>'
        f'<ns:create xmlns:ns="{APIM_SOAP}"><ns:bogus/></ns:create></S:Body></S:Envelope>'
    )
    broken = tmp_path / "broken.xml"
    broken.write_text("<not-closed>")
    bare = tmp_path / "body.xml"
    bare.write_text(
        f'<ns:get xmlns:ns="{APIM_SOAP}" xmlns:a="{APIM}">'
        f"<a:objectType>Plan</a:objectType><a:objectId>x</a:objectId></ns:get>"
    )
    result = run("validate", str(good), str(bad), str(broken), str(bare), expect=1)
    lines = result.stdout.splitlines()
    assert lines[0] == f"{good}: ok"
    assert lines[1].startswith(f"{bad}: invalid at /") and "bogus" in lines[1]
    assert lines[2].startswith(f"{broken}: invalid at /: not well-formed")
    assert lines[3] == f"{bare}: ok"
    report = json.loads(run("validate", "-o", "json", str(bad), str(good), expect=1).stdout)
    assert [r["valid"] for r in report] == [False, True]
    assert report[0]["path"] and report[0]["reason"]


def test_validate_reads_stdin(run: Cli) -> None:
    body = run("envelope", "plans", "get", PLAN_V).stdout
    assert run("validate", "-", input=body).stdout.strip() == "-: ok"


def test_wsdl_export_keeps_the_layout(run: Cli, tmp_path: Path) -> None:
    out = tmp_path / "contract"
    written = run("wsdl", "export", str(out)).stdout.split()
    assert str(out / "wsdl" / "apim.wsdl") in written
    assert str(out / "xsd" / "apim.xsd") in written
    from zeep import Transport
    from zeep.wsdl import Document

    from boomisoap.soap.factory import settings

    # The exported WSDL resolves its ../xsd imports inside the copy.
    document = Document(str(out / "wsdl" / "apim.wsdl"), Transport(), settings=settings())
    assert document.services
    run("wsdl", "export", str(out))  # again: overwrites


def test_no_password_anywhere_in_envelope_output(run: Cli) -> None:
    text = run("envelope", "--with-security", "plans", "get", PLAN_V).stdout
    assert PASSWORD not in text
