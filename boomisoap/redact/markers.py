"""The markers that stand where a secret was: one for records, one for the CLI's display."""

from __future__ import annotations

REDACTED = "***REDACTED***"
"""The marker that replaces every redacted value (audit records, logs, exception messages,
error excerpts, recorded requests); plain ASCII, legal in XML text, XML attribute values,
JSON strings, header values and URLs, so splicing it in never changes the structure of a
document."""

MASK = "***"
"""What the CLI prints in place of a secret field's value (table, JSON, CSV and XML output)
without ``--show-secrets``. A shorter sign than REDACTED because it fills a column of a
table read by people and scripts (``key`` is ``***`` in the CLI's documented output); it is
kept apart from REDACTED so that a CLI listing can never be mistaken for a redacted
record, and the audit viewer, which highlights REDACTED, never highlights it."""
