"""The Partner API's SOAP requests, written by the lxml writer, are zeep's own.

The same proof as tests/core/test_fast_envelope.py, for what the partner WSDL adds: Account
create and delete, Account Provision's execute and its status get, and the ``api:accountId``
header block an override puts beside the WS-Security header.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from core.test_fast_envelope import canonical
from hypothesis import given, settings
from hypothesis import strategies as st

from boomisoap.models.partner import (
    ACCOUNT_PROVISION,
    PARTNER_ACCOUNT,
    Account,
    AccountProvision,
    ProvisionProduct,
)
from boomisoap.soap.envelopes import Engine
from boomisoap.soap.partner import PartnerEnvelopeBuilder
from boomisoap.validation import validate_envelope
from boomisoap.wsse.username import UsernameToken

ACCOUNT_IDS = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)


def _builder(engine: Engine, override: str | None) -> PartnerEnvelopeBuilder:
    token = UsernameToken(
        "partner", "secret", nonce_source=lambda size: bytes(range(size)), clock=lambda: FIXED
    )
    return PartnerEnvelopeBuilder("partner", [token], lambda: override, engine=engine)


FIXED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

CALLS: dict[str, Any] = {
    "get": lambda b: b.get(PARTNER_ACCOUNT, "sub-1"),
    "query": lambda b: b.query(PARTNER_ACCOUNT, None),
    "create": lambda b: b.create(
        PARTNER_ACCOUNT, Account(account_id="", name="New", expiration_date=FIXED)
    ),
    "delete": lambda b: b.delete(PARTNER_ACCOUNT, "sub-1"),
    "execute": lambda b: b.execute(
        ACCOUNT_PROVISION,
        AccountProvision(
            id="sub-1",
            products=(
                ProvisionProduct(product_code="integration", quantity=2),
                ProvisionProduct(product_code="apim", quantity=1),
            ),
        ),
    ),
    "provision_status": lambda b: b.provision_status("prov-1"),
}


@pytest.mark.parametrize("operation", sorted(CALLS))
@settings(max_examples=10, deadline=None)
@given(override=st.none() | ACCOUNT_IDS)
def test_the_partner_envelope_is_zeeps(operation: str, override: str | None) -> None:
    call = CALLS[operation]
    fast = call(_builder("lxml", override))
    reference = call(_builder("zeep", override))
    assert canonical(fast) == canonical(reference)
    validate_envelope(fast, direction="request")
    blocks = fast.findall(".//{http://api.platform.boomi.com/}accountId")
    assert [b.text for b in blocks] == ([] if override is None else [override])
