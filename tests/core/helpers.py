"""Constants and builders shared by the core tests."""

from __future__ import annotations

BASE = "https://api.boomi.test"
APIM_URL = f"{BASE}/apim/api/soap/v1/acct-1"
PLATFORM_URL = f"{BASE}/api/soap/v1/acct-1"
PASSWORD = "s3cret-Passw0rd"


class Sleeps(list[float]):
    """Stands in for time.sleep: records each backoff instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def xml_response(body: bytes, status: int = 200) -> dict[str, object]:
    return {"content": body, "status_code": status, "headers": {"Content-Type": "text/xml"}}


def fault(status_code: int, message: str = "boom", code: str = "Client") -> bytes:
    return (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
        f"<faultcode>S:{code}</faultcode><faultstring>{message}</faultstring><detail>"
        f'<api:ServiceFault xmlns:api="http://api.platform.boomi.com/" statusCode="{status_code}">'
        f"<api:message>{message}</api:message></api:ServiceFault></detail>"
        "</S:Fault></S:Body></S:Envelope>"
    ).encode()
