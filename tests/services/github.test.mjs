// The local GitHub endpoint accepts what GitHub's GraphQL schema and REST docs allow, answers in
// their shape, and refuses the rest. Run: node --test tests/services/github.test.mjs
import assert from 'node:assert/strict';
import { get } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { MESSAGE_LIMIT, startGitHub } from './github.mjs';

const TOKENS = {
  ghp_alice: { login: 'octo-alice', scopes: ['repo', 'user'] },
  ghp_norights: { login: 'octo-bob', scopes: ['repo'] },
  ghp_noscope: { login: 'octo-carol', scopes: [] },
  github_pat_fine: { login: 'octo-dan', fineGrained: true },
};
const PR = { __typename: 'PullRequest', url: 'https://github.com/acme/api/pull/12', number: 12, title: 'Fix <b>it</b>', state: 'OPEN' };
const SET = `mutation Set($input: ChangeUserStatusInput!) {
  changeUserStatus(input: $input) { clientMutationId status { message emoji expiresAt indicatesLimitedAvailability } }
}`;

async function graphql(gh, query, variables, { token = 'ghp_alice', scheme = 'bearer', url = gh.graphqlUrl } = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `${scheme} ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('GitHub endpoint (github.com form)', () => {
  let gh;
  before(async () => {
    gh = await startGitHub({ tokens: TOKENS, items: [PR] });
  });
  after(() => gh.close());

  it('answers the token check, by GraphQL and by REST GET /user, with X-OAuth-Scopes', async () => {
    const viaGraphql = await graphql(gh, '{ viewer { login } }', undefined, { scheme: 'token' });
    assert.equal(viaGraphql.status, 200);
    assert.deepEqual(viaGraphql.body, { data: { viewer: { login: 'octo-alice' } } });
    assert.equal(viaGraphql.headers.get('x-oauth-scopes'), 'repo, user');

    const res = await fetch(`${gh.restUrl}/user`, { headers: { authorization: 'Bearer ghp_norights' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-oauth-scopes'), 'repo');
    const user = await res.json();
    assert.equal(user.login, 'octo-bob');
    assert.equal(typeof user.id, 'number');
  });

  it('sets each field of the status, shows it until it expires, and clears it', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const input = { clientMutationId: 'm1', message: 'In the lab', emoji: ':microscope:', limitedAvailability: true, expiresAt };
    const set = await graphql(gh, SET, { input });
    assert.deepEqual(set.body, {
      data: { changeUserStatus: { clientMutationId: 'm1', status: { message: 'In the lab', emoji: ':microscope:', expiresAt: expiresAt.replace(/\.\d{3}Z$/, 'Z'), indicatesLimitedAvailability: true } } },
    });
    assert.equal(gh.shown('octo-alice').message, 'In the lab');
    assert.equal(gh.shown('octo-alice', new Date(Date.parse(expiresAt) + 1000)), null, 'GitHub hides a status once expiresAt passes');
    const read = await graphql(gh, '{ viewer { status { message emoji indicatesLimitedAvailability } } }');
    assert.deepEqual(read.body.data.viewer.status, { message: 'In the lab', emoji: ':microscope:', indicatesLimitedAvailability: true });

    // A native emoji, no expiry, full availability (limitedAvailability defaults to false).
    const native = await graphql(gh, SET, { input: { message: 'Reviewing', emoji: '🔎' } });
    assert.deepEqual(native.body.data.changeUserStatus.status, { message: 'Reviewing', emoji: '🔎', expiresAt: null, indicatesLimitedAvailability: false });

    const cleared = await graphql(gh, SET, { input: {} });
    assert.deepEqual(cleared.body, { data: { changeUserStatus: { clientMutationId: null, status: null } } });
    assert.equal(gh.status('octo-alice'), null);
    assert.deepEqual(gh.rejected(), []);
  });

  it(`takes a message of ${MESSAGE_LIMIT} characters (counted as characters, not UTF-16 units) and refuses one more`, async () => {
    const longest = '🌴'.repeat(MESSAGE_LIMIT);
    const ok = await graphql(gh, SET, { input: { message: longest } });
    assert.equal(ok.body.data.changeUserStatus.status.message, longest);
    const tooLong = await graphql(gh, SET, { input: { message: `${longest}x` } });
    assert.equal(tooLong.body.data.changeUserStatus, null);
    assert.equal(tooLong.body.errors[0].type, 'UNPROCESSABLE');
    assert.match(tooLong.body.errors[0].message, /message is too long \(maximum is 80 characters; got 81\)/);
    assert.equal(gh.status('octo-alice').message, longest, 'a refused change leaves the status as it was');
  });

  const refusals = [
    ['a variable of the wrong type', SET, { input: { message: 'x', limitedAvailability: 'yes' } }, /input\.limitedAvailability.*Boolean/],
    ['an expiresAt that is not ISO-8601', SET, { input: { message: 'x', expiresAt: '17:50' } }, /input\.expiresAt.*ISO-8601/],
    ['an expiresAt in unix seconds', SET, { input: { message: 'x', expiresAt: 1767225600 } }, /input\.expiresAt/],
    ['an input field the schema lacks', SET, { input: { message: 'x', busy: true } }, /Field "busy" is not defined by type "ChangeUserStatusInput"/],
    ['a missing required variable', SET, {}, /Variable "\$input" of required type "ChangeUserStatusInput!" was not provided/],
    ['an emoji that is neither native nor :name:', SET, { input: { message: 'x', emoji: 'palm_tree' } }, /emoji "palm_tree" is neither/],
    ['a field the schema lacks', '{ viewer { login busy } }', undefined, /Cannot query field "busy" on type "User"/],
    ['a variable of an undeclared type', 'mutation($input: StatusInput!) { changeUserStatus(input: $input) { clientMutationId } }', { input: {} }, /Unknown type "StatusInput"/],
    ['a syntax error', '{ viewer { login }', undefined, /Syntax Error/],
    ['an organizationId of no organization', SET, { input: { message: 'x', organizationId: 'O_nope' } }, /Could not resolve to a node/],
  ];
  for (const [what, query, variables, message] of refusals) {
    it(`refuses ${what} with GitHub's errors answer, recorded as a problem`, async () => {
      const before = gh.rejected().length;
      const { status, body } = await graphql(gh, query, variables);
      assert.equal(status, 200, 'GitHub answers GraphQL errors with HTTP 200');
      assert.match(body.errors.map((e) => e.message).join('\n'), message);
      assert.equal(gh.rejected().length, before + 1);
      assert.match(gh.rejected().at(-1).problem, message);
    });
  }

  it('refuses changeUserStatus to a token without the user scope, and keeps the status', async () => {
    const before = gh.status('octo-bob');
    const { status, body } = await graphql(gh, SET, { input: { message: 'x' } }, { token: 'ghp_norights' });
    assert.equal(status, 200);
    assert.equal(body.errors[0].type, 'INSUFFICIENT_SCOPES');
    assert.match(body.errors[0].message, /requires one of the following scopes: \['user'\], but your token has only been granted the: \['repo'\] scopes/);
    assert.equal(gh.status('octo-bob'), before);
  });

  it('names a classic token\'s scopes in X-OAuth-Scopes (empty for none), a fine-grained token\'s not at all', async () => {
    const seen = gh.requests.length;
    const none = await graphql(gh, '{ viewer { login } }', undefined, { token: 'ghp_noscope' });
    assert.equal(none.body.data.viewer.login, 'octo-carol');
    assert.equal(none.headers.get('x-oauth-scopes'), '');
    const fine = await graphql(gh, '{ viewer { login } }', undefined, { token: 'github_pat_fine' });
    assert.equal(fine.body.data.viewer.login, 'octo-dan');
    assert.equal(fine.headers.get('x-oauth-scopes'), null);
    // Its permissions do not reach the user's status: refused when tried, as GitHub words it.
    const set = await graphql(gh, SET, { input: { message: 'x' } }, { token: 'github_pat_fine' });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.errors.map((e) => [e.type, e.message]), [['FORBIDDEN', 'Resource not accessible by personal access token']]);
    assert.equal(gh.status('octo-dan'), null);
    assert.deepEqual(gh.requests.slice(seen).filter((r) => r.problem), []);
  });

  it('answers a request with an Origin as GitHub\'s CORS docs show: X-OAuth-Scopes exposed', async () => {
    const res = await fetch(gh.graphqlUrl, {
      method: 'POST',
      headers: { authorization: 'bearer ghp_alice', 'content-type': 'application/json', origin: 'https://example.com' },
      body: JSON.stringify({ query: '{ viewer { login } }' }),
    });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-expose-headers'), /(^|, )X-OAuth-Scopes(,|$)/);
    const plain = await graphql(gh, '{ viewer { login } }');
    assert.equal(plain.headers.get('access-control-allow-origin'), null, 'without an Origin, none');
  });

  it('refuses a request without credentials or with an unknown token (401)', async () => {
    const none = await fetch(gh.graphqlUrl, { method: 'POST', body: JSON.stringify({ query: '{ viewer { login } }' }) });
    assert.equal(none.status, 401);
    assert.match((await none.json()).message, /Requires authentication/);
    assert.match(gh.rejected().at(-1).problem, /Authorization/);
    const basic = await fetch(gh.graphqlUrl, { method: 'POST', headers: { authorization: 'Basic ghp_alice' }, body: '{}' });
    assert.equal(basic.status, 401);
    for (const token of ['ghp_revoked', 'constructor', '__proto__']) {
      const unknown = await graphql(gh, '{ viewer { login } }', undefined, { token });
      assert.equal(unknown.status, 401, token);
      assert.equal(unknown.body.message, 'Bad credentials');
    }
  });

  it('refuses a wrong method, an unknown path, the Enterprise path and a body that is not JSON', async () => {
    const wrong = [
      [gh.graphqlUrl, { method: 'GET', headers: { authorization: 'bearer ghp_alice' } }, 404, /GET \/graphql: takes POST/],
      [`${gh.restUrl}/user`, { method: 'PATCH', headers: { authorization: 'bearer ghp_alice' }, body: '{}' }, 404, /PATCH \/user: takes GET/],
      [`${gh.origin}/api/graphql`, { method: 'POST', headers: { authorization: 'bearer ghp_alice' }, body: '{}' }, 404, /\/api\/graphql: not an endpoint/],
      [gh.graphqlUrl, { method: 'POST', headers: { authorization: 'bearer ghp_alice' }, body: 'query=viewer' }, 400, /body: not JSON/],
    ];
    for (const [url, init, status, problem] of wrong) {
      const res = await fetch(url, init);
      assert.equal(res.status, status, `${init.method} ${url}`);
      assert.ok((await res.json()).message);
      assert.match(gh.rejected().at(-1).problem, problem);
    }
  });

  it('looks up a pull request by resource(url:) and by node(id:)', async () => {
    const query = `query($url: URI!) { resource(url: $url) { __typename ... on PullRequest { id number title state } } }`;
    const { body } = await graphql(gh, query, { url: PR.url });
    assert.deepEqual({ ...body.data.resource, id: undefined }, { __typename: 'PullRequest', id: undefined, number: 12, title: 'Fix <b>it</b>', state: 'OPEN' });
    const byId = await graphql(gh, `query($id: ID!) { node(id: $id) { ... on PullRequest { url } } }`, { id: body.data.resource.id });
    assert.equal(byId.body.data.node.url, PR.url);
    const notUri = await graphql(gh, query, { url: 'acme/api#12' });
    assert.match(notUri.body.errors[0].message, /URI takes an absolute URI/);
  });

  it('logs every request with its headers and body', async () => {
    const count = gh.requests.length;
    await graphql(gh, '{ viewer { login } }');
    const last = gh.requests.at(-1);
    assert.equal(gh.requests.length, count + 1);
    assert.equal(last.method, 'POST');
    assert.equal(last.path, '/graphql');
    assert.equal(last.headers.authorization, 'bearer ghp_alice');
    assert.equal(JSON.parse(last.body).query, '{ viewer { login } }');
    assert.equal(last.status, 200);
  });
});

describe('GitHub endpoint: failures a test arms', () => {
  let gh;
  before(async () => {
    gh = await startGitHub({ tokens: TOKENS });
  });
  after(() => gh.close());

  for (const [mode, status] of [['rate-limited', 429], ['rate-limited-403', 403]]) {
    it(`answers a secondary limit with ${status} and Retry-After, then serves again`, async () => {
      gh.fail(mode, { retryAfter: 17 });
      const limited = await graphql(gh, '{ viewer { login } }');
      assert.equal(limited.status, status);
      assert.equal(limited.headers.get('retry-after'), '17');
      assert.match(limited.body.message, /secondary rate limit/);
      assert.equal((await graphql(gh, '{ viewer { login } }')).status, 200);
    });
  }

  it('answers an exhausted primary limit with HTTP 200, RATE_LIMITED and x-ratelimit-reset', async () => {
    gh.fail('rate-limit-exhausted', { retryAfter: 600 });
    const { status, headers, body } = await graphql(gh, '{ viewer { login } }');
    assert.equal(status, 200);
    assert.equal(body.errors[0].type, 'RATE_LIMITED');
    assert.equal(body.data, undefined);
    assert.equal(headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Math.abs(Number(headers.get('x-ratelimit-reset')) - (Date.now() / 1000 + 600)) < 5);
  });

  it('answers 401, 403 and 5xx as many times as armed', async () => {
    gh.fail('unauthorized', { times: 2 });
    assert.equal((await graphql(gh, '{ viewer { login } }')).status, 401);
    assert.equal((await graphql(gh, '{ viewer { login } }')).status, 401);
    assert.equal((await graphql(gh, '{ viewer { login } }')).status, 200);
    gh.fail('forbidden');
    assert.equal((await graphql(gh, '{ viewer { login } }')).status, 403);
    gh.fail('server-error', { times: Infinity });
    assert.equal((await graphql(gh, '{ viewer { login } }')).status, 502);
    assert.equal((await graphql(gh, '{ viewer { login } }')).status, 502);
    gh.fail(null);
    assert.equal((await graphql(gh, '{ viewer { login } }')).status, 200);
    assert.throws(() => gh.fail('teapot'), /unknown failure mode/);
  });

  it('answers an HTML page, hostile JSON, and a body of 4 MiB with and without Content-Length', async () => {
    gh.fail('html');
    const html = await fetch(gh.graphqlUrl, { method: 'POST', body: '{}' });
    assert.match(html.headers.get('content-type'), /text\/html/);
    assert.match(await html.text(), /<script>/);

    gh.fail('hostile-json');
    const hostile = await (await fetch(gh.graphqlUrl, { method: 'POST', body: '{}' })).text();
    assert.match(hostile, /"__proto__":\{"polluted":true\}/);

    for (const mode of ['oversized', 'oversized-chunked']) {
      gh.fail(mode);
      const res = await fetch(gh.graphqlUrl, { method: 'POST', body: '{}' });
      assert.equal(res.headers.get('content-length') === null, mode === 'oversized-chunked', mode);
      assert.ok((await res.arrayBuffer()).byteLength > 4 * 1024 * 1024, mode);
    }
  });
});

describe('GitHub endpoint (GitHub Enterprise Server form, HTTPS)', () => {
  let ghes;
  before(async () => {
    ghes = await startGitHub({ tokens: TOKENS, enterprise: true, https: true });
  });
  after(() => ghes.close());

  /** A GET over TLS to a certificate made at run time (trusted for this request only). */
  const tlsGet = (url, headers) =>
    new Promise((resolve, reject) => {
      get(url, { headers, rejectUnauthorized: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      }).on('error', reject);
    });

  it('serves /api/v3/user and /api/graphql over HTTPS, and refuses the github.com paths', async () => {
    assert.match(ghes.graphqlUrl, /^https:\/\/127\.0\.0\.1:\d+\/api\/graphql$/);
    const user = await tlsGet(`${ghes.restUrl}/user`, { authorization: 'token ghp_alice' });
    assert.equal(user.status, 200);
    assert.equal(JSON.parse(user.text).login, 'octo-alice');
    assert.equal(user.headers['x-oauth-scopes'], 'repo, user');
    const dotcom = await tlsGet(`${ghes.origin}/user`, { authorization: 'token ghp_alice' });
    assert.equal(dotcom.status, 404);
    assert.match(ghes.rejected().at(-1).problem, /\/user: not an endpoint of this API \(\/api\/graphql, \/api\/v3\/user\)/);
  });

  it('answers GraphQL at /api/graphql through `answer`, as a Playwright route would', async () => {
    const { status, body } = await ghes.answer({
      method: 'POST',
      url: ghes.graphqlUrl,
      headers: { Authorization: 'bearer ghp_alice' },
      body: JSON.stringify({ query: '{ viewer { login } }' }),
    });
    assert.equal(status, 200);
    assert.deepEqual(JSON.parse(body), { data: { viewer: { login: 'octo-alice' } } });
  });
});

// Issue 16: the declared items' live state, many items in one query by aliased resource(url:).
describe('GitHub endpoint: items for live state', () => {
  const base = 'https://github.com/acme/api';
  const ITEMS = [
    {
      __typename: 'PullRequest', url: `${base}/pull/12`, number: 12, title: 'Fix <b>it</b>', state: 'OPEN', isDraft: true,
      labels: ['bug', '<img src=x onerror=alert(1)>'], assignees: ['octo-carol'], reviewers: ['octo-dan'],
      reviewDecision: 'REVIEW_REQUIRED', reviews: [{ state: 'COMMENTED', submittedAt: '2026-12-04T10:00:00Z' }], checks: 'PENDING',
    },
    { __typename: 'Issue', url: `${base}/issues/3`, number: 3, title: 'Crash', state: 'CLOSED', closedAt: '2026-12-04T11:00:00Z', closedBy: 'octo-erin' },
  ];
  const QUERY = `query Items($u0: URI!, $u1: URI!, $u2: URI!) {
    i0: resource(url: $u0) { ...Item } i1: resource(url: $u1) { ...Item } i2: resource(url: $u2) { ...Item }
  }
  fragment Item on UniformResourceLocatable { __typename
    ... on PullRequest { title state isDraft reviewDecision mergedAt mergedBy { login }
      labels(first: 20) { nodes { name } } assignees(first: 10) { nodes { login } }
      reviewRequests(first: 10) { nodes { requestedReviewer { ... on User { login } ... on Team { slug } } } }
      reviews(last: 1, states: [APPROVED, CHANGES_REQUESTED]) { nodes { submittedAt } }
      commits(last: 1) { nodes { commit { statusCheckRollup { state } } } } }
    ... on Issue { issueState: state closedAt timelineItems(last: 1, itemTypes: [CLOSED_EVENT]) { nodes { ... on ClosedEvent { actor { login } } } } } }`;
  const variables = { u0: `${base}/pull/12`, u1: `${base}/issues/3`, u2: `${base}/pull/999` };
  let gh;
  before(async () => {
    gh = await startGitHub({ tokens: TOKENS, items: ITEMS });
  });
  after(() => gh.close());

  it('answers each alias: the items it has, null for a URL it has none for', async () => {
    const { body } = await graphql(gh, QUERY, variables);
    assert.deepEqual(body.data.i0, {
      __typename: 'PullRequest', title: 'Fix <b>it</b>', state: 'OPEN', isDraft: true, reviewDecision: 'REVIEW_REQUIRED', mergedAt: null, mergedBy: null,
      labels: { nodes: [{ name: 'bug' }, { name: '<img src=x onerror=alert(1)>' }] }, assignees: { nodes: [{ login: 'octo-carol' }] },
      reviewRequests: { nodes: [{ requestedReviewer: { login: 'octo-dan' } }] }, reviews: { nodes: [] },
      commits: { nodes: [{ commit: { statusCheckRollup: { state: 'PENDING' } } }] },
    });
    assert.deepEqual(body.data.i1, { __typename: 'Issue', issueState: 'CLOSED', closedAt: '2026-12-04T11:00:00Z', timelineItems: { nodes: [{ actor: { login: 'octo-erin' } }] } });
    assert.equal(body.data.i2, null);
    assert.equal(body.errors, undefined);
    assert.deepEqual(gh.rejected(), []);
  });

  it('shows a change made between two reads (merged, approved)', async () => {
    gh.change(`${base}/pull/12`, {
      state: 'MERGED', isDraft: false, reviewDecision: 'APPROVED', mergedAt: '2026-12-05T03:12:00Z', mergedBy: 'octo-bob', checks: 'SUCCESS',
      reviews: [{ state: 'APPROVED', submittedAt: '2026-12-05T03:00:00Z' }],
    });
    const { body } = await graphql(gh, QUERY, variables);
    const pr = body.data.i0;
    assert.deepEqual([pr.state, pr.isDraft, pr.reviewDecision, pr.mergedAt, pr.mergedBy], ['MERGED', false, 'APPROVED', '2026-12-05T03:12:00Z', { login: 'octo-bob' }]);
    assert.deepEqual(pr.reviews.nodes, [{ submittedAt: '2026-12-05T03:00:00Z' }]);
    assert.deepEqual(pr.commits.nodes[0].commit.statusCheckRollup, { state: 'SUCCESS' });
    assert.throws(() => gh.change(`${base}/pull/404`, {}), /no item/);
  });

  it("serves an item's web page at its path to GET, and nothing else outside the API", async () => {
    const html = '<!doctype html><title>Fix it · Pull Request #12</title>';
    gh.page('/acme/api/pull/12', html);
    const before = gh.rejected().length;
    const res = await fetch(`${gh.origin}/acme/api/pull/12`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.equal(await res.text(), html);
    assert.equal(gh.rejected().length, before, 'a served page is no problem');
    for (const [method, path] of [['POST', '/acme/api/pull/12'], ['GET', '/acme/api/pull/13']]) {
      const other = await fetch(`${gh.origin}${path}`, { method });
      assert.equal(other.status, 404, `${method} ${path}`);
    }
    assert.equal(gh.rejected().length, before + 2);
  });

  for (const [what, query, vars, pattern] of [
    ['a connection without first or last', 'query($u: URI!) { resource(url: $u) { ... on PullRequest { labels { nodes { name } } } } }', { u: `${base}/pull/12` }, /first` or `last`/],
    ['more than 100 nodes of a connection', 'query($u: URI!) { resource(url: $u) { ... on PullRequest { labels(first: 101) { nodes { name } } } } }', { u: `${base}/pull/12` }, /exceeds the limit of 100/],
    ['one response name with two types', 'query($u: URI!) { resource(url: $u) { ... on PullRequest { state } ... on Issue { state } } }', { u: `${base}/pull/12` }, /conflict/],
    ['a URL that is not absolute', 'query($u: URI!) { resource(url: $u) { __typename } }', { u: 'acme/api/pull/12' }, /URI takes an absolute URI/],
    ['a variable not declared', 'query { i0: resource(url: $u0) { __typename } }', {}, /Variable "\$u0" is not defined/],
  ]) {
    it(`refuses ${what}`, async () => {
      const before = gh.rejected().length;
      const { status, body } = await graphql(gh, query, vars);
      assert.equal(status, 200);
      assert.match(body.errors.map((e) => e.message).join('; '), pattern);
      assert.equal(gh.rejected().length, before + 1);
    });
  }
});
