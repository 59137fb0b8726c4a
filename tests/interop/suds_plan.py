"""A Plan's create, get, query and delete with suds-community, fed only the served WSDL.

Run as a separate process (``python suds_plan.py WSDL USER PASSWORD``) so that nothing of
boomisoap is imported beside suds; prints one JSON summary line.
"""

from __future__ import annotations

import json
import sys

from suds import WebFault
from suds.client import Client
from suds.transport.https import HttpAuthenticated
from suds.wsse import Security, Timestamp, UsernameToken


def main(url: str, user: str, password: str, mode: str) -> None:
    client = Client(url, transport=HttpAuthenticated(username=user, password=password), cache=None)
    security = Security()
    if mode == "timestamp":
        security.tokens.append(Timestamp(validity=300))
    security.tokens.append(UsernameToken(user, password))
    client.set_options(wsse=security)
    plan = client.factory.create("{http://apim.api.platform.boomi.com/}Plan")
    name = f"suds-{mode}-plan"
    plan._name, plan._rateLimit, plan._rateLimitUnit = name, 10, "MINUTE"
    plan._quotaLimit, plan._quotaLimitUnit = 5, "MONTH"
    created = client.service.create(plan)
    plan_id = created._planId
    got = client.service.get("Plan", plan_id)
    expression = client.factory.create("{http://api.platform.boomi.com/}SimpleExpression")
    expression._operator, expression._property, expression.argument = "EQUALS", "name", [name]
    query_filter = client.factory.create("{http://api.platform.boomi.com/}QueryFilter")
    query_filter.expression = expression
    found = client.service.query("Plan", {"QueryFilter": query_filter})
    deleted = client.service.delete("Plan", plan_id)
    try:
        client.service.get("Plan", plan_id)
        after_delete = None
    except WebFault as fault:
        after_delete = str(fault.fault.faultcode)
    print(
        json.dumps(
            {
                "planId": plan_id,
                "name": got._name,
                "status": got._status,
                "found": [r._planId for r in getattr(found, "result", [])],
                "deleted": bool(deleted),
                "afterDelete": after_delete,
                "request": str(client.last_sent()),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
