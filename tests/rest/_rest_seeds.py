"""The JSON examples of seeds 001-003, corrected where they are not valid JSON.

Corrections (BOOMI-NOTES.md, "Known errors in the seed documents"):
- Contract GET: the missing quote before ``name`` and the comma after ``maxMessageSize``.
- Contract CREATE request and UPDATE request/response: missing commas.
- Contract CREATE response: the seed swaps the two units (``rateLimitUnit: "DAY"``) and
  answers ``rateLimit: 0`` for a request of 999999999999999999; ``CONTRACT_CREATE_RESPONSE``
  is the corrected answer, ``CONTRACT_CREATE_RESPONSE_AS_PUBLISHED`` keeps the swap.
- Contract UPDATE request: a negative maxMessageSize (kept in
  ``CONTRACT_UPDATE_REQUEST_AS_PUBLISHED``, which the client must refuse).
- Plan/Contract DELETE: ``{true}`` is kept verbatim as a raw body (the client accepts it).
- Account bulk response: the placeholders ``"expirationDate": "string"``, ``"id": "string"``,
  ``"statusCode": 0`` and ``"errorMessage": "string"`` become real values.
"""

from __future__ import annotations

import json
from typing import Any

PLAN_GET = """{
"@type": "Plan",
"planId": "4d50decd-f2b6-d59e-53f4-22ec4f188bb1",
"name": "apiTestKh",
"description": "",
"maxMessageSize": 1024,
"rateLimit": 0,
"quotaLimit": 0,
"rateLimitUnit": "SECOND",
"quotaLimitUnit": "DAY",
"status": "DISABLED"
}"""

PLAN_QUERY_REQUEST = """{
"QueryFilter" :
{
"expression":
{
"argument": ["ENABLED"],
"operator": "EQUALS",
"property": "status"
}
}
}"""


def _plan(plan_id: str, name: str, *, max_message_size: bool = True) -> dict[str, Any]:
    plan: dict[str, Any] = {"@type": "Plan", "planId": plan_id, "name": name, "description": ""}
    if max_message_size:
        plan["maxMessageSize"] = 0
    plan.update(
        rateLimit=0, quotaLimit=0, rateLimitUnit="SECOND", quotaLimitUnit="DAY", status="ENABLED"
    )
    return plan


PLAN_QUERY_RESPONSE = json.dumps(
    {
        "@type": "ApimQueryResult",
        "result": [
            _plan("99f8e822-8f2d-fdf6-4849-6f8d236dbe34", "v"),
            _plan("54e457e9-59ce-c25a-be59-70b04205c2c1", "w"),
            # The seed's third plan has no maxMessageSize: unlimited.
            _plan("f864a76f-87e6-be52-1fe9-649640c19259", "x", max_message_size=False),
            _plan("9733c1e2-c640-19a4-2d78-966aea9259ab", "y"),
            _plan("67ada6c5-4323-18a8-b1e0-2f688c38bda2", "z"),
        ],
        "numberOfResults": 5,
    }
)

PLAN_CREATE_REQUEST = """{
"name": "how",
"description": "",
"maxMessageSize": 0,
"rateLimit": 9999,
"quotaLimit": 9999,
"rateLimitUnit": "MINUTE",
"quotaLimitUnit": "MONTH"
}"""

PLAN_CREATE_RESPONSE = """{
"@type": "Plan",
"planId": "575b480a-ae86-4aba-905f-75263bf40276",
"name": "how",
"description": "",
"maxMessageSize": 0,
"rateLimit": 9999,
"quotaLimit": 9999,
"rateLimitUnit": "MINUTE",
"quotaLimitUnit": "MONTH",
"status": "ENABLED"
}"""

PLAN_UPDATE_REQUEST = """{
"planId":"575b480a-ae86-4aba-905f-75263bf40276",
"name": "how",
"description": "",
"maxMessageSize": 2048,
"rateLimit": 9999,
"rateLimitUnit": "MINUTE",
"quotaLimit": 9999,
"quotaLimitUnit": "MONTH"
}"""

PLAN_UPDATE_RESPONSE = """{
"@type": "Plan",
"planId": "575b480a-ae86-4aba-905f-75263bf40276",
"name": "how",
"description": "",
"maxMessageSize": 2048,
"rateLimit": 9999,
"rateLimitUnit": "MINUTE",
"quotaLimit": 9999,
"quotaLimitUnit": "MONTH",
"status": "ENABLED"
}"""

DELETE_AS_PUBLISHED = "{true}"
DELETE_JSON = "true"

CONTRACT_GET = """{
"@type": "Contract",
"contractId": "4d50decd-f2b6-d59e-53f4-22ec4f188bb1",
"name": "Less than 0",
"maxMessageSize": 1024, "rateLimit": 0, "quotaLimit": 0,
"rateLimitUnit": "SECOND",
"quotaLimitUnit": "DAY",
"deleted": true
}"""

CONTRACT_QUERY_REQUEST = (
    '{"QueryFilter": { "expression": { "operator": "and", "nestedExpression": [ '
    '{ "argument": [ "c0cd5950-5f79-42a7-9dff-678d87989207" ], "operator": "EQUALS", '
    '"property": "contractId" }, { "argument": [ "false" ], "operator": "EQUALS", '
    '"property": "deleted" } ] } } }'
)


def _contract(contract_id: str, name: str, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    contract: dict[str, Any] = {
        "@type": "Contract",
        "contractId": contract_id,
        "name": name,
        "maxMessageSize": 0,
        "rateLimit": 0,
        "quotaLimit": 0,
        "rateLimitUnit": "SECOND",
        "quotaLimitUnit": "DAY",
        "deleted": False,
    }
    for key in skip:
        del contract[key]
    return contract


CONTRACT_QUERY_RESPONSE = json.dumps(
    {
        "@type": "ApimQueryResult",
        "result": [
            _contract("99f8e822-8f2d-fdf6-4849-6f8d236dbe34", "v"),
            _contract("54e457e9-59ce-c25a-be59-70b04205c2c1", "w"),
            _contract("f864a76f-87e6-be52-1fe9-649640c19259", "x", skip=("maxMessageSize",)),
            _contract("9733c1e2-c640-19a4-2d78-966aea9259ab", "y"),
            _contract("67ada6c5-4323-18a8-b1e0-2f688c38bda2", "z"),
        ],
        "numberOfResults": 5,
    }
)

CONTRACT_CREATE_REQUEST = """{
"name" : "testQA",
"maxMessageSize": 0,
"rateLimit": 999999999999999999,
"rateLimitUnit": "MINUTE",
"quotaLimit": 999999999999999999,
"quotaLimitUnit": "MONTH"
}"""

CONTRACT_CREATE_RESPONSE = """{
"@type": "Contract",
"contractId": "575b480a-ae86-4aba-905f-75263bf40276",
"name": "testQA",
"maxMessageSize": 0,
"rateLimit": 999999999999999999,
"quotaLimit": 999999999999999999,
"rateLimitUnit": "MINUTE",
"quotaLimitUnit": "MONTH",
"deleted": false
}"""

CONTRACT_CREATE_RESPONSE_AS_PUBLISHED = """{
"@type": "Contract",
"contractId": "575b480a-ae86-4aba-905f-75263bf40276",
"name": "testQA",
"maxMessageSize": 0,
"rateLimit": 0,
"quotaLimit": 0,
"rateLimitUnit": "DAY",
"quotaLimitUnit": "SECOND",
"deleted": false
}"""

CONTRACT_UPDATE_REQUEST_AS_PUBLISHED = {
    "contractId": "c340ccd1-0dfd-4cff-8e40-ef4f3d6da5f9",
    "name": "how",
    "maxMessageSize": -9017668127734891520,
    "rateLimit": 999999999999999999,
    "rateLimitUnit": "MINUTE",
    "quotaLimit": 999999999999999999,
    "quotaLimitUnit": "MONTH",
}

CONTRACT_UPDATE_RESPONSE = """{
"@type": "Contract",
"contractId": "c340ccd1-0dfd-4cff-8e40-ef4f3d6da5f9",
"name": "how",
"rateLimit": 999999999999999999,
"rateLimitUnit": "MINUTE",
"quotaLimit": 999999999999999999,
"quotaLimitUnit": "MONTH",
"deleted": false
}"""

LICENSE_CLASSES = (
    "standard",
    "smallBusiness",
    "enterprise",
    "tradingPartner",
    "standardTest",
    "smallBusinessTest",
    "enterpriseTest",
    "tradingPartnerTest",
)


def licensing(counts: list[tuple[int, int]], *, typed: bool = True) -> dict[str, Any]:
    """A ``licensing`` object from eight (purchased, used) pairs, in the seed's order."""
    document: dict[str, Any] = {"@type": ""} if typed else {}
    for name, (purchased, used) in zip(LICENSE_CLASSES, counts, strict=True):
        document[name] = {"purchased": purchased, "used": used}
        if typed:
            document[name] = {"@type": "License", **document[name]}
    return document


ACCOUNT_GET = json.dumps(
    {
        "@type": "Account",
        "licensing": licensing(
            [(1000000, 60), (1000000, 0), (1000000, 0), (100000, 3)] + [(1000, 0)] * 4
        ),
        "molecule": {"@type": "Molecule", "purchased": 10, "used": 0},
        "accountId": "boomiqa-T7KIDU",
        "name": "BoomiQA",
        "status": "active",
        "dateCreated": "2022-09-02T20:16:28Z",
        "widgetAccount": False,
        "supportAccess": True,
        "supportLevel": "standard",
        "overDeployed": False,
        "expirationDate": "2016-02-13T05:00:00Z",
        "suggestionsEnabled": False,
    }
)

ACCOUNT_BULK_REQUEST = {"request": [{"id": "56789abc-def0-1234-5678-9abcdef01234"}], "type": "GET"}


def bulk_result(account_id: str) -> dict[str, Any]:
    """The seed's bulk ``Result`` (untyped, booleans as strings) for ``account_id``."""
    return {
        "accountId": account_id,
        "dateCreated": "2022-09-02T20:16:28Z",
        "expirationDate": "2026-02-13T05:00:00Z",
        "licensing": licensing([(2, 0)] * 8, typed=False),
        "molecule": {"purchased": 1, "used": 0},
        "name": "BoomiQA",
        "overDeployed": True,
        "status": "active",
        "suggestionsEnabled": True,
        "supportAccess": "true",
        "supportLevel": "standard",
        "widgetAccount": "false",
    }


ACCOUNT_QUERY_REQUEST = {
    "QueryFilter": {
        "expression": {
            "operator": "and",
            "nestedExpression": [
                {"argument": ["deleted"], "operator": "NOT_EQUALS", "property": "status"},
                {
                    "argument": ["2014-01-01T00:00:00Z", "2016-01-01T00:00:00Z"],
                    "operator": "BETWEEN",
                    "property": "dateCreated",
                },
            ],
        }
    }
}


def _query_account(
    account_id: str, name: str, created: str, counts: list[Any], molecule: tuple[int, int]
) -> dict[str, Any]:
    return {
        "@type": "Account",
        "licensing": licensing(counts),
        "molecule": {"@type": "Molecule", "purchased": molecule[0], "used": molecule[1]},
        "accountId": account_id,
        "name": name,
        "status": "active",
        "dateCreated": created,
        "supportAccess": True,
        "suggestionsEnabled": False,
        "supportLevel": "standard",
        "expirationDate": "2016-02-13T05:00:00Z",
        "overDeployed": False,
        "widgetAccount": False,
    }


ACCOUNT_QUERY_RESULTS = [
    _query_account(
        "abc-H566GG",
        "ABC Co",
        "2010-02-22T15:43:03Z",
        [(0, 0)] * 4 + [(1000, 0)] * 4,
        (40, 8),
    ),
    _query_account(
        "xyz-V3M1QL",
        "Boomi Inc",
        "2010-06-07T17:42:18Z",
        [(10, 2)] + [(10, 0)] * 3 + [(1000, 0)] * 4,
        (500, 1),
    ),
]
