"""The SOAP examples of seeds 001, 002 and 003, corrected into well-formed XML.

Corrections: the SOAP 1.1 envelope namespace (the seeds write http://xmlsoap.org/...),
unclosed start tags closed, the Contract examples' ``rateLimit: "0"`` fragments written as
attributes, duplicated attributes of the Contract update response removed, and seed 003's
JSON Account examples written in this library's SOAP layout (docs/wire.md).
"""

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = (
    'xmlns:apim="http://apim.api.platform.boomi.com/" '
    'xmlns:bns="http://api.platform.boomi.com/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:ns4="http://soap.apim.api.platform.boomi.com/"'
)


def response(body: str) -> bytes:
    return f'<S:Envelope xmlns:S="{ENV}"><S:Body>{body}</S:Body></S:Envelope>'.encode()


def request(body: str) -> bytes:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{ENV}" '
        'xmlns:soap="http://soap.apim.api.platform.boomi.com/" '
        'xmlns:apim="http://apim.api.platform.boomi.com/" '
        'xmlns:api="http://api.platform.boomi.com/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Header/><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


# Seed 001: Plan ---------------------------------------------------------------------

PLAN_GET_REQUEST = request(
    "<soap:get><apim:objectType>Plan</apim:objectType>"
    "<apim:objectId>4d50decd-f2b6-d59e-53f4-22ec4f188bb1</apim:objectId></soap:get>"
)
PLAN_GET_RESPONSE = response(
    f"<ns4:getResponse {NS}>"
    '<apim:result xsi:type="apim:Plan" status="DISABLED" quotaLimitUnit="DAY" '
    'rateLimitUnit="SECOND" maxMessageSize="1024" name="apiTestKh" description="" '
    'rateLimit="0" quotaLimit="0" planId="4d50decd-f2b6-d59e-53f4-22ec4f188bb1"/>'
    "</ns4:getResponse>"
)

PLAN_QUERY_REQUEST = request(
    "<soap:query><apim:objectType>Plan</apim:objectType><api:queryConfig><api:QueryFilter>"
    '<api:expression operator="EQUALS" property="status" xsi:type="api:SimpleExpression">'
    "<api:argument>ENABLED</api:argument></api:expression>"
    "</api:QueryFilter></api:queryConfig></soap:query>"
)
SEED_PLANS = [
    ("v", "99f8e822-8f2d-fdf6-4849-6f8d236dbe34"),
    ("w", "54e457e9-59ce-c25a-be59-70b04205c2c1"),
    ("x", "f864a76f-87e6-be52-1fe9-649640c19259"),
    ("y", "9733c1e2-c640-19a4-2d78-966aea9259ab"),
    ("z", "67ada6c5-4323-18a8-b1e0-2f688c38bda2"),
]
PLAN_QUERY_RESPONSE = response(
    f'<ns4:queryResponse {NS}><apim:results numberOfResults="5">'
    + "".join(
        f'<bns:result xsi:type="apim:Plan" status="ENABLED" quotaLimitUnit="DAY" '
        f'rateLimitUnit="SECOND" maxMessageSize="0" name="{name}" description="" '
        f'rateLimit="0" quotaLimit="0" planId="{plan_id}"/>'
        for name, plan_id in SEED_PLANS
    )
    + "</apim:results></ns4:queryResponse>"
)

PLAN_CREATE_REQUEST = request(
    '<soap:create><apim:object xsi:type="apim:Plan" maxMessageSize="0" name="how" '
    'description="" quotaLimitUnit="MONTH" rateLimitUnit="MINUTE" rateLimit="9999" '
    'quotaLimit="9999"></apim:object></soap:create>'
)
PLAN_CREATE_RESPONSE = response(
    f"<ns4:createResponse {NS}>"
    '<apim:result xsi:type="apim:Plan" status="ENABLED" quotaLimitUnit="MONTH" '
    'rateLimitUnit="MINUTE" maxMessageSize="0" name="how" description="" rateLimit="9999" '
    'quotaLimit="9999" planId="575b480a-ae86-4aba-905f-75263bf40276"/>'
    "</ns4:createResponse>"
)

PLAN_UPDATE_REQUEST = request(
    '<soap:update><apim:object xsi:type="apim:Plan" status="ENABLED" quotaLimitUnit="MONTH" '
    'rateLimitUnit="MINUTE" maxMessageSize="2048" name="how" description="" rateLimit="9999" '
    'quotaLimit="9999" planId="575b480a-ae86-4aba-905f-75263bf40276"></apim:object>'
    "</soap:update>"
)
PLAN_UPDATE_RESPONSE = response(
    f"<ns4:updateResponse {NS}>"
    '<apim:result xsi:type="apim:Plan" status="ENABLED" quotaLimitUnit="MONTH" '
    'rateLimitUnit="MINUTE" maxMessageSize="2048" name="how" description="" rateLimit="9999" '
    'quotaLimit="9999" planId="575b480a-ae86-4aba-905f-75263bf40276"/>'
    "</ns4:updateResponse>"
)

PLAN_DELETE_REQUEST = request(
    "<soap:delete><apim:objectType>Plan</apim:objectType>"
    "<apim:objectId>575b480a-ae86-4aba-905f-75263bf40276</apim:objectId></soap:delete>"
)
DELETE_RESPONSE = response(
    f"<ns4:deleteResponse {NS}><apim:successful>true</apim:successful></ns4:deleteResponse>"
)

# Seed 002: Contract -------------------------------------------------------------------

CONTRACT_GET_RESPONSE = response(
    f"<ns4:getResponse {NS}>"
    '<apim:result xsi:type="apim:Contract" deleted="true" quotaLimitUnit="UNLIMITED" '
    'rateLimitUnit="UNLIMITED" name="apiTestKh" rateLimit="0" quotaLimit="0" '
    'contractId="517bfe7a-5db6-4729-93fb-e907908374d8"/>'
    "</ns4:getResponse>"
)
SEED_CONTRACTS = [
    ("aaa", "3a8e02c0-976b-4571-94f1-186619906198", "DAY", "UNLIMITED", None, 0),
    ("1stContracts", "3664c0d8-d193-74b2-d2c2-bfb54356fed5", "DAY", "SECOND", 1024, 0),
    ("2ndContact", "46429c65-202d-ce1a-a5fc-d3a025174e80", "DAY", "SECOND", 5120, 0),
    ("fgfg", "ba14c9fe-82b6-5f53-547c-8873d8b621cf", "DAY", "HOUR", None, 5),
]
CONTRACT_QUERY_RESPONSE = response(
    f'<ns4:queryResponse {NS}><apim:results numberOfResults="4">'
    + "".join(
        f'<bns:result xsi:type="apim:Contract" deleted="false" quotaLimitUnit="{quota}" '
        f'rateLimitUnit="{rate}" '
        + (f'maxMessageSize="{size}" ' if size is not None else "")
        + f'name="{name}" rateLimit="{limit}" quotaLimit="0" contractId="{cid}"/>'
        for name, cid, quota, rate, size, limit in SEED_CONTRACTS
    )
    + "</apim:results></ns4:queryResponse>"
)
CONTRACT_CREATE_REQUEST = request(
    '<soap:create><apim:object xsi:type="apim:Contract" name="apiTestKh" quotaLimitUnit="DAY" '
    'rateLimitUnit="UNLIMITED" rateLimit="0" quotaLimit="0"></apim:object></soap:create>'
)
CONTRACT_CREATE_RESPONSE = response(
    f"<ns4:createResponse {NS}>"
    '<apim:result xsi:type="apim:Contract" deleted="false" quotaLimitUnit="UNLIMITED" '
    'rateLimitUnit="UNLIMITED" name="apiTestKh" rateLimit="0" quotaLimit="0" '
    'contractId="517bfe7a-5db6-4729-93fb-e907908374d8"/>'
    "</ns4:createResponse>"
)
CONTRACT_UPDATE_REQUEST = request(
    '<soap:update><apim:object xsi:type="apim:Contract" quotaLimitUnit="WEEK" '
    'rateLimitUnit="HOUR" name="apiTestKh" contractId="3da1c4dc-2d74-2a5f-4b82-fa6d7113e9b5" '
    'rateLimit="0" quotaLimit="0"></apim:object></soap:update>'
)
CONTRACT_UPDATE_RESPONSE = response(
    f"<ns4:updateResponse {NS}>"
    '<apim:result xsi:type="apim:Contract" deleted="false" quotaLimitUnit="WEEK" '
    'rateLimitUnit="HOUR" rateLimit="0" quotaLimit="0" name="apiTestKh" '
    'contractId="3da1c4dc-2d74-2a5f-4b82-fa6d7113e9b5"/>'
    "</ns4:updateResponse>"
)
CONTRACT_DELETE_REQUEST = request(
    "<soap:delete><apim:objectType>Contract</apim:objectType>"
    "<apim:objectId>517bfe7a-5db6-4729-93fb-e907908374d8</apim:objectId></soap:delete>"
)

# Seed 003: Account (its JSON examples in the SOAP layout) -------------------------------

PLATFORM_NS = (
    'xmlns:api="http://api.platform.boomi.com/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    # Boomi's served WSDL: the Platform wrappers are in the object namespace.
    'xmlns:ns2="http://api.platform.boomi.com/"'
)
LICENSES = [
    ("standard", 1000000, 60),
    ("smallBusiness", 1000000, 0),
    ("enterprise", 1000000, 0),
    ("tradingPartner", 100000, 3),
    ("standardTest", 1000, 0),
    ("smallBusinessTest", 1000, 0),
    ("enterpriseTest", 1000, 0),
    ("tradingPartnerTest", 1000, 0),
]


def account_xml(
    tag: str,
    account_id: str,
    name: str,
    created: str,
    licenses=LICENSES,
    molecule=(10, 0),
    extra: str = "",
) -> str:
    children = "".join(f'<api:{cls} purchased="{p}" used="{u}"/>' for cls, p, u in licenses)
    return (
        f'<{tag} xsi:type="api:Account" accountId="{account_id}" name="{name}" status="active" '
        f'dateCreated="{created}" widgetAccount="false" supportAccess="true" '
        f'supportLevel="standard" overDeployed="false" expirationDate="2016-02-13T05:00:00Z" '
        f'suggestionsEnabled="false"{extra}>'
        f"<api:licensing>{children}</api:licensing>"
        f'<api:molecule purchased="{molecule[0]}" used="{molecule[1]}"/></{tag}>'
    )


ACCOUNT_GET_RESPONSE = response(
    f"<ns2:getResponse {PLATFORM_NS}>"
    + account_xml("api:result", "boomiqa-T7KIDU", "BoomiQA", "2022-09-02T20:16:28Z")
    + "</ns2:getResponse>"
)
ACCOUNT_QUERY_RESPONSE = response(
    f'<ns2:queryResponse {PLATFORM_NS}><api:results numberOfResults="2">'
    + account_xml("api:result", "abc-H566GG", "ABC Co", "2010-02-22T15:43:03Z", molecule=(40, 8))
    + account_xml(
        "api:result", "xyz-V3M1QL", "Boomi Inc", "2010-06-07T17:42:18Z", molecule=(500, 1)
    )
    + "</api:results></ns2:queryResponse>"
)

# Boomi's "Bulk GET operations" shape: a success has statusCode and Result only, a failure
# errorMessage, statusCode and id; no index.
ACCOUNT_BULK_RESPONSE = response(
    f"<ns2:getBulkResponse {PLATFORM_NS}><api:results>"
    '<api:response statusCode="200">'
    + account_xml("api:Result", "boomiqa-T7KIDU", "BoomiQA", "2022-09-02T20:16:28Z")
    + "</api:response>"
    '<api:response errorMessage="missing does not exist" statusCode="404" id="missing"/>'
    "</api:results></ns2:getBulkResponse>"
)
