"""What a SOAP get's bytes were found to ask, kept so that the same bytes are read once.

Everything the handler learns from a request's bytes alone (well-formed, no DTD or
processing instruction, the Envelope's shape, the Security header as read, the Body valid
against the schema, the operation, no account override, the object type and id) is the
same every time the same bytes arrive: a client that sends Boomi's PasswordText example
again and again asks the same question each time. A get whose bytes passed every one of
those checks is remembered by them, and the next copy skips the reading only: the
judgements that depend on anything else (the password, the Created time and Timestamp
against the clock, a retired type, the stored object) are made again for every request.

Only what cannot change the answer of a later request is remembered: no request with a
Nonce (the replay cache must see each one, and a repeated Nonce is refused anyway), none
of a sandbox that checks signatures (each signed message is judged and remembered by the
signature check), and nothing that was refused.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models.fields import ObjectSpec
    from ..wsse.header import SecurityHeader

# A get's envelope is well under 2 KB; a larger body is read every time.
MAX_BODY = 8 * 1024
# Distinct bodies remembered per handler: one per (user, object) a client keeps asking for.
MAX_ENTRIES = 1024


@dataclasses.dataclass(frozen=True, slots=True)
class PreparedGet:
    """A get request as read from its bytes: the Security header's values, the object."""

    # Its ``element`` dropped (the parsed tree is not kept); out of the repr, since the
    # token's values include the password.
    header: SecurityHeader = dataclasses.field(repr=False)
    spec: ObjectSpec
    object_id: str
    secret_ids: tuple[str, ...]


class PreparedGets:
    """The gets already read, by endpoint (``apim``, ``platform``) and body bytes."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max_entries = max_entries
        self._found: dict[tuple[str, bytes], PreparedGet] = {}

    def get(self, service: str, body: bytes) -> PreparedGet | None:
        if len(body) > MAX_BODY:
            return None
        return self._found.get((service, body))

    def remember(self, service: str, body: bytes, prepared: PreparedGet) -> None:
        if len(body) > MAX_BODY or prepared.header.token is None:
            return
        if prepared.header.token.nonce is not None:
            return
        if len(self._found) >= self._max_entries:
            self._found.clear()  # a new working set starts afresh (cheaper than an LRU)
        self._found[(service, body)] = dataclasses.replace(
            prepared, header=dataclasses.replace(prepared.header, element=None)
        )

    def __len__(self) -> int:
        return len(self._found)
