"""The public surface, pinned: the names each public package exports (its ``__all__``).

Adding or removing a public name is a decision, so it changes this file too. Every other
module may change without notice (the package docstring says so).
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import boomisoap

PUBLIC: dict[str, list[str]] = {
    "boomisoap": [
        "Account",
        "AccountProvision",
        "AccountProvisionResult",
        "AccountStatus",
        "ApiKey",
        "ApimClient",
        "Application",
        "AsyncApimClient",
        "AsyncMftClient",
        "AsyncPlatformClient",
        "AuthenticationError",
        "BillingDaily",
        "BillingDailyActionItem",
        "BoomiError",
        "BoomiFault",
        "BulkItem",
        "ConfigError",
        "Conflict",
        "Contract",
        "DailyTransfer",
        "DeadlineExceeded",
        "DeprecationNotice",
        "EnvelopeValidationError",
        "Extras",
        "History",
        "InvalidRequest",
        "License",
        "Licensing",
        "MftClient",
        "MftPaths",
        "Molecule",
        "MonthToDateTransfer",
        "NotFound",
        "PartnerClient",
        "Plan",
        "PlanAssociation",
        "PlanStatus",
        "PlatformClient",
        "ProvisionProduct",
        "ProvisionStatus",
        "Q",
        "QueryPage",
        "QuotaLimitUnit",
        "RateLimitFallbackWarning",
        "RateLimitUnit",
        "RateLimited",
        "RedisRateLimit",
        "Retired",
        "SecurityError",
        "ServiceUnavailable",
        "SignatureError",
        "SupportLevel",
        "TransferUsage",
        "TransportError",
        "UnknownFieldWarning",
    ],
    "boomisoap.sandbox": [
        "Deprecated",
        "Retirement",
        "Sandbox",
        "SandboxTLS",
        "SecurityPolicy",
        "serve",
    ],
    "boomisoap.audit": [
        "AuditError",
        "AuditLog",
        "AuditRecord",
        "AuditURLError",
        "Exchange",
        "Head",
        "ProofCheck",
        "REDACTED",
        "RedactionRules",
        "SignedCheckpoint",
        "Signer",
        "VerifyReport",
        "check_consistency",
        "check_proof",
        "correlation",
        "current_correlation_id",
        "load_private_key",
        "load_public_key",
        "redact_body",
        "redact_headers",
        "redact_text",
        "redact_url",
        "write_key_pair",
    ],
    "boomisoap.wsse": [
        "ResponseVerifier",
        "Timestamp",
        "TrustedCerts",
        "UnsignedMessageError",
        "UsernameToken",
        "VerifiedEnvelope",
        "X509Signer",
        "password_digest",
        "sign_envelope",
        "verify_envelope",
        "verify_request",
    ],
    "boomisoap.testing": [
        "BoomiEnv",
        "BoomiRequests",
        "PASSWORD",
        "RecordedRequest",
        "USERNAME",
        "check_marker",
    ],
}

# Names every module gets from ``from __future__ import annotations`` and the typing imports
# made for the type checker; they are not part of any surface.
_PLUMBING = {"annotations", "TYPE_CHECKING", "Any"}


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def test_the_pinned_lists_are_sorted() -> None:
    for name, names in PUBLIC.items():
        assert names == sorted(names), name


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_exports_exactly_the_pinned_names(name: str) -> None:
    exported = _module(name).__all__
    assert len(exported) == len(set(exported)), f"{name}.__all__ names something twice"
    assert sorted(exported) == PUBLIC[name]


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_exported_name_resolves(name: str) -> None:
    module = _module(name)
    # Some are loaded on first use (MftClient, sandbox.serve, the signing names).
    missing = [n for n in module.__all__ if getattr(module, n, None) is None]
    assert not missing, f"{name}.__all__ names what it does not have: {missing}"
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert set(module.__all__) <= set(namespace)


# boomisoap.testing is left out: its fixtures and pytest hooks are public through the
# plugin entry point, not through imports.
@pytest.mark.parametrize("name", sorted(set(PUBLIC) - {"boomisoap.testing"}))
def test_no_public_member_is_left_out_of_all(name: str) -> None:
    module = _module(name)
    members = {
        key
        for key, value in vars(module).items()
        if not key.startswith("_") and not isinstance(value, ModuleType) and key not in _PLUMBING
    }
    assert members <= set(module.__all__), f"public in {name} but not in __all__"


def test_the_version_is_the_one_released() -> None:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    with pyproject.open("rb") as handle:
        assert boomisoap.__version__ == tomllib.load(handle)["project"]["version"]


def test_every_entry_point_names_a_real_object() -> None:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    with pyproject.open("rb") as handle:
        project = tomllib.load(handle)["project"]
    targets = dict(project["scripts"])
    for group in project.get("entry-points", {}).values():
        targets.update(group)
    assert targets
    for name, target in targets.items():
        module_name, _, attribute = target.partition(":")
        module = importlib.import_module(module_name)
        assert attribute == "" or callable(getattr(module, attribute, None)), name
