"""SOAP 1.1 Body shapes: each one's writer and reader side by side (docs/wire.md).

One module per shape, each with ``write`` (what the emulator answers) and ``read`` (what the
client makes of it), so the two ends cannot drift apart unseen:

- :mod:`.result`: get / create / update, the one typed ``result``;
- :mod:`.page`: query / queryMore, ``results[@numberOfResults]`` with the token first;
- :mod:`.successful`: delete, ``successful`` = true;
- :mod:`.bulk`: getBulk, ``results`` (BulkResult) of ``response`` items;
- :mod:`.fault`: the SOAP 1.1 Fault and its ``api:ServiceFault`` detail;
- :mod:`.wrapper`: the operation wrapper (namespaces and prefixes per service, the older
  ``soap.api`` namespace read as the current one) and what every reader shares;
- :mod:`.envelope`: the Envelope and Body around them, and their bytes.

This is a low layer: it imports the models, the XML codec, the namespaces and the errors,
never the transport, the SOAP client, the emulator or the clients. Request bodies are
written by zeep from the WSDL (:mod:`boomisoap.soap.envelopes`) and read by the emulator
(:mod:`boomisoap.sandbox.soap`); their children live in :data:`wrapper.RESULT_NS`.
"""

from __future__ import annotations

from . import bulk, envelope, fault, page, result, successful, wrapper

__all__ = ["bulk", "envelope", "fault", "page", "result", "successful", "wrapper"]
