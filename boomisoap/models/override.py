"""Which Partner API calls take an account override (one rule for client and emulator).

Boomi's Partner API: "Most requests take an optional account override parameter"; the
Account CREATE and DELETE operations and the Account Provision operation do not.
"""

from __future__ import annotations

from ..errors import InvalidRequest

# REST query parameter and SOAP wrapper child that carry the override (Boomi's names).
REST_PARAMETER = "overrideAccount"
SOAP_PARAMETER = "accountId"

# (object type, operation) pairs that take no override. AccountProvision is polled with
# get: the poll belongs to the Account Provision operation.
NO_OVERRIDE = frozenset(
    {
        ("Account", "create"),
        ("Account", "delete"),
        ("AccountProvision", "execute"),
        ("AccountProvision", "get"),
        ("AccountProvisionResult", "get"),
    }
)


def takes_override(object_type: str | None, operation: str) -> bool:
    return (object_type or "", operation) not in NO_OVERRIDE


def refuse_override(object_type: str | None, operation: str, field: str) -> None:
    """InvalidRequest naming ``field`` when the call takes no override."""
    if not takes_override(object_type, operation):
        what = "Account Provision" if object_type != "Account" else f"Account {operation}"
        raise InvalidRequest(f"{what} takes no account override ({field})", field=field)
