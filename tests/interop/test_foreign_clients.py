"""Other SOAP stacks, knowing only the WSDL the emulator serves, round-trip a Plan.

Each stack fetches ``?wsdl`` (and the schemas it imports) behind HTTP Basic auth, as Boomi
serves its own, then creates, gets, queries and deletes a Plan with a WS-Security
UsernameToken: PasswordText everywhere, PasswordDigest and a Timestamp where the stack can
send them. The stacks run in their own processes, so nothing of boomisoap is in them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.wsse.username import UsernameToken

from boomisoap.sandbox import Sandbox

from .stacks import HERE, jaxws_client, missing, node_modules, run

USER, PASSWORD = "interop-user", "Interop-Pa55"
TEXT = "#PasswordText"
DIGEST = "#PasswordDigest"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # No rate limit: the stacks make several calls a second, as a test suite would.
    with Sandbox.start(users={USER: PASSWORD}, rate_limit=None) as sb:
        yield sb


def wsdl_url(sb: Sandbox) -> str:
    return f"{sb.base_url}/apim/api/soap/v1/{sb.account_id}?wsdl"


def check_round_trip(summary: dict[str, Any], password_type: str) -> None:
    assert summary["planId"], summary
    assert summary["name"].endswith("-plan") and summary["status"] == "ENABLED"
    assert summary["found"] == [summary["planId"]]
    assert str(summary["deleted"]).lower() == "true"
    assert str(summary["afterDelete"]).endswith("Client")
    assert password_type in summary["request"]


@pytest.mark.parametrize(("mode", "password_type"), [("text", TEXT), ("timestamp", TEXT)])
def test_suds_community(sandbox: Sandbox, mode: str, password_type: str) -> None:
    probe = subprocess.run([sys.executable, "-c", "import suds"], capture_output=True)
    if probe.returncode != 0:
        missing("suds-community", "pip install suds-community")
    out = run([sys.executable, str(HERE / "suds_plan.py"), wsdl_url(sandbox), USER, PASSWORD, mode])
    summary = json.loads(out.splitlines()[-1])
    check_round_trip(summary, password_type)
    if mode == "timestamp":
        assert "Timestamp" in summary["request"]


@pytest.mark.parametrize(("mode", "password_type"), [("text", TEXT), ("digest", DIGEST)])
def test_node_soap(sandbox: Sandbox, mode: str, password_type: str) -> None:
    modules = node_modules()
    env = {**os.environ, "NODE_PATH": str(modules)}
    done = subprocess.run(
        ["node", str(HERE / "node" / "plan.js"), wsdl_url(sandbox), USER, PASSWORD, mode],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    summary = json.loads(done.stdout.splitlines()[-1])
    check_round_trip(summary, password_type)
    if mode == "digest":
        assert "wsu:Timestamp" in summary["request"] and "wsse:Nonce" in summary["request"]


def zeep_timestamp() -> Any:
    wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = etree.Element(f"{{{wsu}}}Timestamp", nsmap={"wsu": wsu})
    for name, moment in (("Created", now), ("Expires", now + timedelta(minutes=5))):
        etree.SubElement(stamp, f"{{{wsu}}}{name}").text = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return stamp


@pytest.mark.parametrize("digest", [False, True], ids=["text", "digest-timestamp"])
def test_plain_zeep(sandbox: Sandbox, digest: bool) -> None:
    session = requests.Session()
    session.auth = (USER, PASSWORD)
    token = UsernameToken(
        USER, PASSWORD, use_digest=digest, timestamp_token=zeep_timestamp() if digest else None
    )
    history = zeep.plugins.HistoryPlugin()
    client = zeep.Client(
        wsdl_url(sandbox),
        transport=zeep.Transport(session=session),
        wsse=token,
        plugins=[history],
    )
    plan_type = client.get_type("{http://apim.api.platform.boomi.com/}Plan")
    name = f"zeep-{'digest' if digest else 'text'}-plan"
    created = client.service.create(
        object=plan_type(
            name=name, rateLimit=10, rateLimitUnit="MINUTE", quotaLimit=5, quotaLimitUnit="MONTH"
        )
    )
    fetched = client.service.get(objectType="Plan", objectId=created.planId)
    expression = client.get_type("{http://api.platform.boomi.com/}SimpleExpression")
    found = client.service.query(
        objectType="Plan",
        queryConfig={
            "QueryFilter": {
                "expression": expression(operator="EQUALS", property="name", argument=[name])
            }
        },
    )
    deleted = client.service.delete(objectType="Plan", objectId=created.planId)
    request = etree.tostring(history.last_sent["envelope"]).decode()
    try:
        client.service.get(objectType="Plan", objectId=created.planId)
        after_delete = None
    except zeep.exceptions.Fault as fault:
        after_delete = fault.code
    check_round_trip(
        {
            "planId": created.planId,
            "name": fetched.name,
            "status": fetched.status,
            "found": [r.planId for r in found.result or []],
            "deleted": deleted,
            "afterDelete": after_delete,
            "request": request,
        },
        DIGEST if digest else TEXT,
    )


@pytest.mark.parametrize(("mode", "password_type"), [("text", TEXT), ("digest", DIGEST)])
def test_jaxws_wsimport(sandbox: Sandbox, mode: str, password_type: str) -> None:
    classes, runtime = jaxws_client(wsdl_url(sandbox), USER, PASSWORD)
    out = run(
        [
            "java",
            "-cp",
            f"{classes}{os.pathsep}{runtime}",
            "PlanClient",
            wsdl_url(sandbox),
            USER,
            PASSWORD,
            mode,
        ]
    )
    summary = json.loads(out.splitlines()[-1])
    check_round_trip(summary, password_type)
    if mode == "digest":
        assert "Timestamp" in summary["request"] and "Nonce" in summary["request"]
