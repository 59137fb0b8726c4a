"""boomisoap.redact: live secrets scrubbed from errors, reprs and every logger's records."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from requests_mock import Mocker

from boomisoap import (
    ApiKey,
    ApimClient,
    BoomiFault,
    EnvelopeValidationError,
    InvalidRequest,
    NotFound,
    TransportError,
)
from boomisoap.audit import AuditLog
from boomisoap.models.results import BulkItem
from boomisoap.redact import REDACTED, SecretSet, scrub
from boomisoap.transport import Call
from boomisoap.xmlsafe import UnsafeXMLError

SECRET = "s3cr&t<pass>word"
KEY = "Zk3y-very-secret_value/with+signs"
REST_ROOT = "https://boomi.test/apim/api/rest/v1/acct-1"


@pytest.fixture
def live() -> Iterator[SecretSet]:
    held = SecretSet([SECRET, KEY])
    yield held
    held.close()


def test_scrub_removes_every_escaped_form(live: SecretSet) -> None:
    xml = SECRET.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = f"raw {SECRET} xml {xml} url {quote(KEY, safe='')} json {KEY!r}"
    clean = scrub(text)
    assert SECRET not in clean and xml not in clean and quote(KEY, safe="") not in clean
    assert KEY not in clean and clean.count(REDACTED) == 4


def test_short_values_and_closed_sets_are_not_scrubbed() -> None:
    held = SecretSet(["pw", "long-enough"])
    assert scrub("pw long-enough") == f"pw {REDACTED}"
    held.close()
    assert scrub("long-enough") == "long-enough"
    dropped = SecretSet(["dropped-client-secret"])
    assert scrub("dropped-client-secret") == REDACTED
    del dropped
    gc.collect()
    assert scrub("dropped-client-secret") == "dropped-client-secret"


def test_recent_values_are_kept_to_a_bound(live: SecretSet) -> None:
    live.add_recent("nonce-0000")
    assert scrub("echo nonce-0000") == f"echo {REDACTED}"
    live.add_recent(*(f"nonce-{i:06d}" for i in range(1, 5000)))
    assert scrub("echo nonce-0000") == "echo nonce-0000"
    assert scrub("echo nonce-004999") == f"echo {REDACTED}"


def test_every_error_constructor_scrubs_its_texts(live: SecretSet) -> None:
    errors = [
        BoomiFault(f"bad {SECRET}", field=KEY, fault_code=f"S:{SECRET}"),
        NotFound(f"ApiKey {KEY} does not exist", status_code=404, field="key"),
        InvalidRequest(f"{KEY} is wrong", field="key"),
        EnvelopeValidationError(f"/ApiKey[@key='{KEY}']", f"'{SECRET}' is not an xs:long"),
        TransportError(f"failed {SECRET}", http_status=500, excerpt=f"<p>{SECRET}</p>"),
        UnsafeXMLError(f"line 1: {SECRET}"),
    ]
    for error in errors:
        for text in (str(error), repr(error), repr(vars(error)), repr(error.args)):
            assert SECRET not in text and KEY not in text, text


def test_a_cut_excerpt_loses_the_head_of_a_secret(live: SecretSet) -> None:
    error = TransportError("html", http_status=502, excerpt="x" * 190 + KEY[:10])
    assert KEY[:5] not in error.excerpt and error.excerpt.startswith("x" * 190)
    assert TransportError("html", excerpt="plain text ending in wo").excerpt.endswith("wo")


def test_records_of_child_loggers_are_scrubbed(
    live: SecretSet, caplog: pytest.LogCaptureFixture
) -> None:
    # A filter on the "urllib3" logger would miss these: records of children pass a
    # parent's handlers but not its filters.
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="urllib3"),
        caplog.at_level(logging.DEBUG, logger="xmlschema"),
        caplog.at_level(logging.DEBUG, logger="zeep"),
    ):
        logging.getLogger("urllib3.connectionpool").debug('"GET /apiKey/%s HTTP/1.1" 200', KEY)
        logging.getLogger("xmlschema.validators").debug("invalid value %r", SECRET)
        try:
            raise ValueError(f"reason quoting {SECRET}")
        except ValueError:
            logging.getLogger("zeep.transports").exception("failed")
    assert len(caplog.records) == 3
    for record in caplog.records:
        shown = caplog.handler.format(record)
        assert SECRET not in shown and KEY not in shown and REDACTED in shown
    assert caplog.records[2].exc_info is None  # the raw exception object is not kept


def test_reprs_of_calls_and_bulk_items_hide_secret_ids() -> None:
    call = Call("apim", "get", "rest", "ApiKey", (KEY,), "acct-1", secret_ids=True)
    assert KEY not in repr(call) and call.object_ids == (KEY,)
    item = BulkItem(0, KEY, 404, None, None, secret_id=True)
    assert KEY not in repr(item) and item.id == KEY
    with pytest.raises(NotFound) as caught:
        item.unwrap()
    assert KEY not in str(caught.value)
    plain = BulkItem(0, "plan-1", 200, None)
    assert "plan-1" in repr(plain)


def test_api_key_by_key_over_rest_leaves_no_key_in_errors_or_audit(
    requests_mock: Mocker, tmp_path: object
) -> None:
    audit = AuditLog.open("sqlite:///:memory:")
    client = ApimClient(
        account_id="acct-1",
        username="u",
        password="a-password",
        base_url="https://boomi.test",
        wire="rest",
        audit=audit,
        rate_limit=None,
        retries=0,
    )
    document = {"@type": "ApiKey", "key": KEY, "apiId": "a", "enabled": True}
    requests_mock.get(f"{REST_ROOT}/apiKey/{quote(KEY, safe='')}", json=document)
    found = client.api_keys.get(KEY)
    assert found == ApiKey(key=KEY, api_id="a", enabled=True)
    missing = "missing-" + KEY
    requests_mock.delete(
        f"{REST_ROOT}/apiKey/{quote(missing, safe='')}",
        status_code=404,
        json={"message": f"ApiKey {missing} does not exist"},
    )
    with pytest.raises(NotFound) as caught:
        client.api_keys.delete(missing)
    assert missing not in str(caught.value) and missing not in repr(vars(caught.value))
    records = list(audit.records())
    assert [r.object_ids for r in records] == [(REDACTED,), (REDACTED,)]
    for record in records:
        stored = repr(record).encode() + record.request_body + (record.response_body or b"")
        assert KEY.encode() not in stored and quote(KEY, safe="").encode() not in stored
        assert REDACTED in record.url
    client.close()
    audit.close()


def test_many_values_of_one_length_are_all_found() -> None:
    # Past a few values per length, windows of the text are looked up (a client that
    # listed thousands of ApiKeys): every one of them must still be found.
    keys = [f"key-{i:039d}" for i in range(3000)]
    held = SecretSet(keys)
    held.add_recent(*(f"nonce-{i:018d}" for i in range(3000)))
    text = f"a {keys[7]}b{keys[2999]} c nonce-{2999:018d} d nonce-{0:018d}"
    assert scrub(text) == f"a {REDACTED}b{REDACTED} c {REDACTED} d nonce-{0:018d}"
    held.close()
