// What every endpoint shares: the request limit, failures armed for a number of requests, and a
// fault of the stand-in itself shown as a 500 with its cause. Run: node --test tests/services/endpoint.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, REQUEST_LIMIT, startEndpoint } from './endpoint.mjs';

describe('a service endpoint', () => {
  let ep;
  before(async () => {
    const service = {
      failures: { unauthorized: () => json(401, { why: 'armed' }) },
      handle: ({ path, body }) => {
        if (path === '/fault') throw new Error('a bug in the stand-in');
        return json(200, { length: body.length });
      },
    };
    ep = await startEndpoint(service);
  });
  after(() => ep.close());

  it('refuses a request body over the limit with 413 before the service sees it', async () => {
    const ok = await fetch(`${ep.origin}/x`, { method: 'POST', body: 'a'.repeat(REQUEST_LIMIT) });
    assert.deepEqual(await ok.json(), { length: REQUEST_LIMIT });
    const big = await fetch(`${ep.origin}/x`, { method: 'POST', body: 'a'.repeat(REQUEST_LIMIT + 1) });
    assert.equal(big.status, 413);
    assert.match(ep.rejected().at(-1).problem, /request body too large/);
  });

  it('answers a fault of the service as 500 and records its cause', async () => {
    const res = await fetch(`${ep.origin}/fault`);
    assert.equal(res.status, 500);
    assert.match(ep.rejected().at(-1).problem, /the endpoint itself failed: Error: a bug in the stand-in/);
    assert.equal((await fetch(`${ep.origin}/x`)).status, 200, 'and goes on serving');
  });

  it('arms a failure for as many requests as asked, and knows only its modes', async () => {
    ep.fail('unauthorized', { times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${ep.origin}/x`)).status);
    assert.deepEqual(statuses, [401, 401, 200]);
    assert.throws(() => ep.fail('rate-limited'), /unknown failure mode rate-limited/);
    assert.throws(() => ep.fail('constructor'), /unknown failure mode/);
  });
});
