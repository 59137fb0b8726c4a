"""The SOAP wire on the Partner API endpoint (``/partner/api/soap/v1/{accountId}``).

The generic :class:`SoapWire` with two additions: every override-able operation carries
the effective override as an ``api:accountId`` SOAP header block (Boomi's SOAP name for
it), and the Partner-only ``execute`` of AccountProvision and its status poll.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

from ..calls import Operation
from ..codec.xmlcodec import read_object
from ..models.fields import ObjectSpec
from ..models.override import SOAP_PARAMETER, refuse_override
from ..models.partner import ACCOUNT_PROVISION, ACCOUNT_PROVISION_RESULT, AccountProvisionResult
from ..namespaces import API
from ..urlpath import segment
from .envelopes import Engine, EnvelopeBuilder
from .fastenvelope import Typed
from .wire import SoapWire

PARTNER_SOAP_PATH = "/partner/api/soap/v1/"
Override = Callable[[], str | None]


class PartnerEnvelopeBuilder(EnvelopeBuilder):
    """Adds the ``api:accountId`` header block while an override is in effect."""

    def __init__(
        self, service: str, plugins: list[Any], override: Override, *, engine: Engine = "lxml"
    ) -> None:
        super().__init__(service, plugins, engine=engine)
        self._override = override

    def _message(self, operation: str, header_blocks: Sequence[Any] = (), **parts: Any) -> Any:
        account = self._override()
        if account is not None:
            # A header block: Boomi's served wrappers (get, query, ...) have no place for
            # it, and a wrapper child would change every generated client's signatures.
            block = etree.Element(f"{{{API}}}{SOAP_PARAMETER}", nsmap={"api": API})
            block.text = account
            header_blocks = (*header_blocks, block)
        return super()._message(operation, header_blocks, **parts)

    def execute(self, spec: ObjectSpec, obj: Any) -> Any:
        # The product items are an anonymous type: written as plain mappings of wire text.
        values: dict[str, Any] = {}
        for fld in spec.fields:
            value = getattr(obj, fld.name)
            if value is None:
                continue
            if fld.nested is not None:
                values[fld.wire] = [
                    {f.wire: f.kind.to_text(getattr(item, f.name)) for f in fld.nested.fields}
                    for item in value
                ]
            else:
                values[fld.wire] = fld.kind.to_text(value)
        built = Typed(spec.namespace, spec.type_name, values)
        return self._message("execute", objectType=spec.type_name, object=built)

    def provision_status(self, provision_id: str) -> Any:
        return self._message("get", objectType=ACCOUNT_PROVISION.type_name, objectId=provision_id)


class PartnerSoapWire(SoapWire):
    """``family`` is the service whose WSDL describes the objects ("apim" or "partner")."""

    def __init__(
        self, *, family: str, override: Override, plugins: list[Any], **options: Any
    ) -> None:
        base = "apim" if family == "apim" else "platform"
        super().__init__(service=base, plugins=plugins, **options)
        self.service = "partner"
        self.override = override
        self.url = (
            options["base_url"].rstrip("/")
            + PARTNER_SOAP_PATH
            + segment(options["account_id"], "account_id")
        )
        self._builder = PartnerEnvelopeBuilder(
            "apim" if family == "apim" else "partner", plugins, override
        )

    def _operation(self, operation: str, spec: ObjectSpec | None, *args: Any) -> Operation[Any]:
        if self.override() is not None:
            # Checked before anything is built or sent.
            refuse_override(None if spec is None else spec.type_name, operation, "override_account")
        return super()._operation(operation, spec, *args)

    def execute(self, spec: ObjectSpec, obj: Any) -> Operation[AccountProvisionResult]:
        build = self._builder_of("execute", spec, obj)
        return self._operation("execute", spec, [], build, _provision_result("results"))

    def provision_status(self, provision_id: str) -> Operation[AccountProvisionResult]:
        build = self._builder_of("provision_status", provision_id)
        return self._operation(
            "get", ACCOUNT_PROVISION, [provision_id], build, _provision_result("result")
        )


def _provision_result(tag: str) -> Callable[[Any, Any], AccountProvisionResult]:
    def read(child: Any, unknown: Any) -> AccountProvisionResult:
        element = child.find(f"{{{API}}}{tag}")
        if element is None:
            from ..errors import EnvelopeValidationError

            raise EnvelopeValidationError(
                str(child.tag), f"expected one {tag}", direction="response"
            )
        result: AccountProvisionResult = read_object(
            element, ACCOUNT_PROVISION_RESULT, unknown=unknown
        )
        return result

    return read
