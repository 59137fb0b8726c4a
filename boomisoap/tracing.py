"""OpenTelemetry spans, one per client call (retries included), when OpenTelemetry is
installed (``pip install boomisoap[otel]``) and in use; otherwise nothing is imported or done.

In use means the application has imported ``opentelemetry.trace`` (which configuring a
tracer provider does, as does ``opentelemetry-instrument``) or names a provider in
``OTEL_PYTHON_TRACER_PROVIDER``, which OpenTelemetry loads on first use. Until then a call
costs one dictionary lookup: importing the API alone takes milliseconds of a cold start,
for spans nothing would record.

The span is a CLIENT span named ``<service> <ObjectType>.<operation>`` (e.g.
``apim Plan.create``) with the attributes ``boomisoap.service``, ``boomisoap.operation``,
``boomisoap.object_type``, ``boomisoap.wire``, ``boomisoap.correlation_id``,
``boomisoap.attempts``, ``http.request.method``, ``url.full`` (redacted) and
``http.response.status_code``; a failed call ends with status ERROR and ``error.type``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

_MISSING = object()
_API: Any = None
_TRACER: tuple[Any, Any] | None = None


class _NoSpan:
    def set_attribute(self, key: str, value: Any) -> None:
        pass


# One shared context for every call while nothing records: no generator per call.
_NO_SPAN: AbstractContextManager[Any] = nullcontext(_NoSpan())


def _otel() -> Any:
    """The opentelemetry.trace module, or _MISSING; looked up once it is in use."""
    global _API
    if _API is None:
        if "opentelemetry.trace" not in sys.modules and not os.environ.get(
            "OTEL_PYTHON_TRACER_PROVIDER"
        ):
            return _MISSING  # not in use (yet): asked again on the next call
        try:
            from opentelemetry import trace
        except ImportError:
            _API = _MISSING
        else:
            _API = trace
    return _API


def _idle_providers(trace: Any) -> tuple[type, ...]:
    return (trace.ProxyTracerProvider, trace.NoOpTracerProvider)


def _tracer(trace: Any, provider: Any) -> Any:
    """The tracer of ``provider``, fetched once per provider (tests may replace it)."""
    global _TRACER
    if _TRACER is None or _TRACER[0] is not provider:
        from .version import __version__

        _TRACER = (provider, provider.get_tracer("boomisoap", __version__))
    return _TRACER[1]


def call_span(
    service: str,
    operation: str,
    object_type: str | None,
    wire: str,
    method: str,
    safe_url: Callable[[], str],
    correlation_id: str,
) -> AbstractContextManager[Any]:
    """A span around one call; ``safe_url`` gives its URL without secrets."""
    trace = _otel()
    provider = None if trace is _MISSING else trace.get_tracer_provider()
    if provider is None or isinstance(provider, _idle_providers(trace)):
        # No SDK configured: every span would be a non-recording one; skip the work.
        return _NO_SPAN
    return _span(trace, provider, service, operation, object_type, wire, method, safe_url,
                 correlation_id)  # fmt: skip


@contextmanager
def _span(
    trace: Any,
    provider: Any,
    service: str,
    operation: str,
    object_type: str | None,
    wire: str,
    method: str,
    safe_url: Callable[[], str],
    correlation_id: str,
) -> Iterator[Any]:
    tracer = _tracer(trace, provider)
    name = f"{service} {object_type + '.' if object_type else ''}{operation}"
    attributes = {
        "boomisoap.service": service,
        "boomisoap.operation": operation,
        "boomisoap.wire": wire,
        "boomisoap.correlation_id": correlation_id,
        "http.request.method": method,
        "url.full": safe_url(),
    }
    if object_type:
        attributes["boomisoap.object_type"] = object_type
    with tracer.start_as_current_span(
        name,
        kind=trace.SpanKind.CLIENT,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as exc:
            span.set_attribute("error.type", type(exc).__name__)
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(exc).__name__))
            raise
