// A Plan's create, get, query and delete with node's `soap` package, which knows only the
// WSDL the emulator serves (fetched behind HTTP Basic auth, as Boomi serves its own).
// Usage: node plan.js WSDL_URL USER PASSWORD text|digest   Prints one JSON summary line.
'use strict';
const soap = require('soap');

async function main() {
  const [url, user, password, mode] = process.argv.slice(2);
  const basic = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  const client = await soap.createClientAsync(url, {wsdl_headers: {Authorization: basic}});
  const digest = mode === 'digest';
  client.setSecurity(new soap.WSSecurity(user, password, {
    passwordType: digest ? 'PasswordDigest' : 'PasswordText',
    hasTimeStamp: digest,
    hasNonce: digest,
    mustUnderstand: true,
  }));
  const name = `node-${mode}-plan`;
  const [created] = await client.createAsync({object: {attributes: {
    'xsi:type': 'apim:Plan', name, rateLimit: 10, rateLimitUnit: 'MINUTE',
    quotaLimit: 5, quotaLimitUnit: 'MONTH'}}});
  const planId = created.result.attributes.planId;
  const [got] = await client.getAsync({objectType: 'Plan', objectId: planId});
  const [found] = await client.queryAsync({objectType: 'Plan', queryConfig: {QueryFilter: {
    expression: {attributes: {'xsi:type': 'api:SimpleExpression', operator: 'EQUALS',
      property: 'name'}, argument: [name]}}}});
  const results = [].concat(found.results.result || []);
  const [deleted] = await client.deleteAsync({objectType: 'Plan', objectId: planId});
  let afterDelete = null;
  try {
    await client.getAsync({objectType: 'Plan', objectId: planId});
  } catch (fault) {
    afterDelete = fault.root && fault.root.Envelope.Body.Fault.faultcode;
  }
  console.log(JSON.stringify({
    planId, name: got.result.attributes.name, status: got.result.attributes.status,
    found: results.map(r => r.attributes.planId), deleted: deleted.successful,
    afterDelete, request: client.lastRequest,
  }));
}

main().catch(error => {
  console.error('ERROR', error.message, error.body || '');
  process.exit(1);
});
