"""XML namespace URIs used on the wire (docs/wire.md)."""

from __future__ import annotations

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"

API = "http://api.platform.boomi.com/"
APIM = "http://apim.api.platform.boomi.com/"
APIM_SOAP = "http://soap.apim.api.platform.boomi.com/"
# Platform operation wrappers live in API, as in Boomi's served WSDL; this older namespace of
# theirs is still read at both ends (boomisoap/soapbody/wrapper.py).
PLATFORM_SOAP_LEGACY = "http://soap.api.platform.boomi.com/"

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

_TOKEN_PROFILE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
)
PASSWORD_TEXT = _TOKEN_PROFILE + "#PasswordText"
PASSWORD_DIGEST = _TOKEN_PROFILE + "#PasswordDigest"
_SOAP_MESSAGE_SECURITY = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
)
BASE64_ENCODING = _SOAP_MESSAGE_SECURITY + "#Base64Binary"
X509_TOKEN_PROFILE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
)
X509V3 = X509_TOKEN_PROFILE + "#X509v3"

# Prefixes used when boomisoap writes XML itself (emulator responses: Boomi's Plan page).
PREFIXES = {
    "S": SOAP_ENV,
    "xsi": XSI,
    "api": API,
    "apim": APIM,
    "wsse": WSSE,
    "wsu": WSU,
    "ds": DS,
}
