"""Plain dataclasses for every Boomi object, and the field maps the codecs read."""

from .apim import (
    ApiKey,
    Application,
    Contract,
    Plan,
    PlanAssociation,
    PlanStatus,
    QuotaLimitUnit,
    RateLimitUnit,
)
from .fields import Field, ObjectSpec, check_id, check_object
from .platform import Account, AccountStatus, License, Licensing, Molecule, SupportLevel
from .registry import OBJECTS, spec_for, spec_of, specs_for_service
from .results import BulkAnswer, BulkItem, QueryPage

__all__ = [
    "OBJECTS",
    "Account",
    "AccountStatus",
    "ApiKey",
    "Application",
    "BulkAnswer",
    "BulkItem",
    "Contract",
    "Field",
    "License",
    "Licensing",
    "Molecule",
    "ObjectSpec",
    "Plan",
    "PlanAssociation",
    "PlanStatus",
    "QueryPage",
    "QuotaLimitUnit",
    "RateLimitUnit",
    "SupportLevel",
    "check_id",
    "check_object",
    "spec_for",
    "spec_of",
    "specs_for_service",
]
