// The local GitLab endpoint accepts what GitLab's Users and Personal access tokens APIs
// document, answers in their shape, and refuses the rest. Run: node --test tests/services/gitlab.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLEAR_STATUS_AFTER, MESSAGE_LIMIT, startGitLab } from './gitlab.mjs';

const TOKENS = {
  'glpat-alice': { username: 'alice', scopes: ['api'] },
  'glpat-readonly': { username: 'bob', scopes: ['read_user'] },
};

/** A call as the mirror makes it: PRIVATE-TOKEN, parameters as JSON (or `form`). */
async function call(gl, method, path, { token = 'glpat-alice', params, form, headers = {} } = {}) {
  const init = { method, headers: { ...(token ? { 'private-token': token } : {}), ...headers } };
  if (params) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(params);
  } else if (form) {
    init.body = new URLSearchParams(form); // fetch sets application/x-www-form-urlencoded
  }
  const res = await fetch(gl.apiUrl + path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

describe('GitLab endpoint', () => {
  let gl;
  before(async () => {
    gl = await startGitLab({ tokens: TOKENS });
  });
  after(() => gl.close());

  it('answers the token check: GET /user and the token\'s scopes from /personal_access_tokens/self', async () => {
    const me = await call(gl, 'GET', '/user');
    assert.equal(me.status, 200);
    assert.equal(me.body.username, 'alice');
    assert.equal(typeof me.body.id, 'number');
    const self = await call(gl, 'GET', '/personal_access_tokens/self', { token: 'glpat-readonly' });
    assert.equal(self.status, 200);
    assert.deepEqual(self.body.scopes, ['read_user']);
    assert.equal(self.body.active, true);
    assert.deepEqual((await call(gl, 'GET', '/personal_access_tokens/self')).body.scopes, ['api']);
    // The OAuth-compliant header works as well.
    const viaBearer = await call(gl, 'GET', '/user', { token: null, headers: { authorization: 'Bearer glpat-alice' } });
    assert.equal(viaBearer.body.username, 'alice');
  });

  it('sets the status with each parameter, shows it until clear_status_at, and clears it', async () => {
    const start = Date.now();
    const set = await call(gl, 'PUT', '/user/status', { params: { emoji: 'palm_tree', message: 'Out of office <b>back Monday</b>', availability: 'busy', clear_status_after: '3_days' } });
    assert.equal(set.status, 200);
    const clearAt = Date.parse(set.body.clear_status_at);
    assert.ok(clearAt >= start + CLEAR_STATUS_AFTER['3_days'] && clearAt <= Date.now() + CLEAR_STATUS_AFTER['3_days']);
    assert.deepEqual({ ...set.body, clear_status_at: undefined }, {
      emoji: 'palm_tree',
      availability: 'busy',
      message: 'Out of office <b>back Monday</b>',
      message_html: 'Out of office &#60;b&#62;back Monday&#60;/b&#62;',
      clear_status_at: undefined,
    });
    assert.equal(gl.shown('alice').availability, 'busy');
    assert.equal(gl.shown('alice', new Date(clearAt + 1)), null, 'GitLab clears the status at clear_status_at');
    assert.deepEqual((await call(gl, 'GET', '/user/status')).body, set.body);

    // A message alone: the default emoji, availability not_set, no clearing time.
    const plain = await call(gl, 'PUT', '/user/status', { form: { message: 'Focus' } });
    assert.deepEqual(plain.body, { emoji: 'speech_balloon', availability: 'not_set', message: 'Focus', message_html: 'Focus', clear_status_at: null });

    const cleared = await call(gl, 'PUT', '/user/status', { params: {} });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.message, null);
    assert.equal(gl.status('alice'), null);
    assert.deepEqual(gl.rejected(), []);
  });

  it('takes every documented clear_status_after', async () => {
    for (const [after, ms] of Object.entries(CLEAR_STATUS_AFTER)) {
      const { status, body } = await call(gl, 'PUT', '/user/status', { params: { message: 'Away', clear_status_after: after } });
      assert.equal(status, 200, after);
      assert.ok(Math.abs(Date.parse(body.clear_status_at) - (Date.now() + ms)) < 5000, after);
    }
    assert.deepEqual(Object.keys(CLEAR_STATUS_AFTER), ['30_minutes', '3_hours', '8_hours', '1_day', '3_days', '7_days', '30_days']);
  });

  it(`takes a message of ${MESSAGE_LIMIT} characters and refuses one more`, async () => {
    const longest = 'é'.repeat(MESSAGE_LIMIT);
    assert.equal((await call(gl, 'PUT', '/user/status', { params: { message: longest } })).body.message, longest);
    const tooLong = await call(gl, 'PUT', '/user/status', { params: { message: `${longest}!` } });
    assert.equal(tooLong.status, 400);
    assert.deepEqual(tooLong.body, { message: { message: ['is too long (maximum is 100 characters; got 101)'] } });
    assert.equal(gl.status('alice').message, longest);
  });

  const refusals = [
    ['an availability outside not_set|busy', { message: 'x', availability: 'away' }, 'availability', /availability does not have a valid value: "away"/],
    ['a clear_status_after outside the enum', { message: 'x', clear_status_after: '2_hours' }, 'clear_status_after', /clear_status_after does not have a valid value: "2_hours"/],
    ['a clear_status_after named like a prototype key', { message: 'x', clear_status_after: 'toString' }, 'clear_status_after', /"toString" is not one of/],
    ['clear_status_after as seconds', { message: 'x', clear_status_after: 7200 }, 'clear_status_after', /clear_status_after is invalid: a string is documented/],
    ['an emoji with colons', { message: 'x', emoji: ':coffee:' }, 'emoji', /emoji is not a valid emoji name: ":coffee:"/],
    ['a native emoji', { message: 'x', emoji: '☕' }, 'emoji', /emoji is not a valid emoji name/],
    ['a message that is not a string', { message: ['x'] }, 'message', /message is invalid/],
    ['an undocumented parameter', { message: 'x', clear_status_at: '2030-01-01T00:00:00Z' }, 'clear_status_at', /clear_status_at is not a parameter of PUT \/user\/status/],
  ];
  for (const [what, params, field, problem] of refusals) {
    it(`refuses ${what} with 400, naming the parameter`, async () => {
      const before = gl.status('alice');
      const { status, text } = await call(gl, 'PUT', '/user/status', { params });
      assert.equal(status, 400);
      assert.ok(text.includes(field), text);
      assert.match(gl.rejected().at(-1).problem, problem);
      assert.match(gl.rejected().at(-1).problem, /Users API › Set your user status/);
      assert.equal(gl.status('alice'), before, 'a refused request changes nothing');
    });
  }

  it('refuses a missing token, a token in the query string, and a token without the api scope', async () => {
    const none = await call(gl, 'PUT', '/user/status', { token: null, params: { message: 'x' } });
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { message: '401 Unauthorized' });
    assert.match(gl.rejected().at(-1).problem, /PRIVATE-TOKEN or Authorization: Bearer: missing/);

    const inUrl = await call(gl, 'GET', '/user?private_token=glpat-alice', { token: null });
    assert.equal(inUrl.status, 401);
    assert.match(gl.rejected().at(-1).problem, /token in the query string/);

    for (const token of ['glpat-revoked', 'constructor']) assert.equal((await call(gl, 'GET', '/user', { token })).status, 401, token);

    const readOnly = await call(gl, 'PUT', '/user/status', { token: 'glpat-readonly', params: { message: 'x' } });
    assert.equal(readOnly.status, 403);
    assert.equal(readOnly.body.error, 'insufficient_scope');
    assert.match(readOnly.headers.get('www-authenticate'), /error="insufficient_scope"/);
    assert.equal(gl.status('bob'), null);
  });

  it('refuses a wrong method (405), an unknown path (404) and an unreadable body (400)', async () => {
    const post = await call(gl, 'POST', '/user/status', { params: { message: 'x' } });
    assert.equal(post.status, 405);
    assert.match(gl.rejected().at(-1).problem, /POST \/api\/v4\/user\/status: not a documented method/);
    const unknown = await call(gl, 'PUT', '/users/1/status', { params: { message: 'x' } });
    assert.equal(unknown.status, 404);
    assert.match(gl.rejected().at(-1).problem, /\/api\/v4\/users\/1\/status: not a path of this API/);
    const notJson = await call(gl, 'PUT', '/user/status', { headers: { 'content-type': 'application/json' }, form: { message: 'x' } });
    assert.equal(notJson.status, 400);
    assert.match(gl.rejected().at(-1).problem, /not valid JSON/);
    const text = await fetch(`${gl.apiUrl}/user/status`, { method: 'PUT', headers: { 'private-token': 'glpat-alice', 'content-type': 'text/plain' }, body: 'busy' });
    assert.equal(text.status, 400);
    assert.match(gl.rejected().at(-1).problem, /Content-Type "text\/plain"/);
  });

  it('answers armed failures: 429 with Retry-After, 401, 403, 500 and an oversized body', async () => {
    gl.fail('rate-limited', { retryAfter: 90 });
    const limited = await call(gl, 'PUT', '/user/status', { params: { message: 'x' } });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '90');
    assert.equal(limited.body, 'Retry later\n');
    for (const [mode, status] of [['unauthorized', 401], ['forbidden', 403], ['server-error', 500]]) {
      gl.fail(mode);
      assert.equal((await call(gl, 'GET', '/user')).status, status, mode);
    }
    gl.fail('oversized');
    assert.ok((await call(gl, 'GET', '/user')).text.length > 4 * 1024 * 1024);
    assert.equal((await call(gl, 'GET', '/user')).status, 200);
    assert.equal(gl.requests.at(-1).headers['private-token'], 'glpat-alice');
  });
});

describe('GitLab endpoint: an older self-managed instance', () => {
  let gl;
  before(async () => {
    gl = await startGitLab({ tokens: TOKENS, tokenSelf: false });
  });
  after(() => gl.close());

  it('has no /personal_access_tokens/self (a plain 404, not a problem) and serves the rest', async () => {
    const self = await call(gl, 'GET', '/personal_access_tokens/self', { token: 'glpat-readonly' });
    assert.equal(self.status, 404);
    assert.deepEqual(self.body, { error: '404 Not Found' });
    assert.equal((await call(gl, 'GET', '/user', { token: 'glpat-readonly' })).body.username, 'bob');
    assert.deepEqual(gl.rejected(), []);
  });
});

// Issue 16: the declared items' live state, a project's merge requests or issues by iids[].
describe('GitLab endpoint: listing a project\'s items by number', () => {
  let gl;
  const projects = {
    'team/sub/app': {
      merge_requests: [
        { iid: 12, title: 'Speed up CI', state: 'opened', draft: true, labels: ['ci'], assignees: ['cleo'], reviewers: ['ben'], detailed_merge_status: 'ci_still_running' },
        { iid: 13, title: 'Other', state: 'merged', merged_by: 'ana', merged_at: '2026-12-05T03:12:00.000Z' },
      ],
      issues: [{ iid: 7, title: 'Crash', state: 'closed', closed_by: 'dan', closed_at: '2026-12-05T01:00:00.000Z' }],
    },
  };
  before(async () => {
    gl = await startGitLab({ tokens: { ...TOKENS, 'glpat-reader': { username: 'rita', scopes: ['read_api'] } }, projects });
  });
  after(() => gl.close());

  it('lists the numbers asked for, in the documented shape, by the encoded path or the id', async () => {
    const mrs = await call(gl, 'GET', '/projects/team%2Fsub%2Fapp/merge_requests?per_page=100&iids[]=12', { token: 'glpat-reader' });
    assert.equal(mrs.status, 200);
    assert.equal(mrs.body.length, 1);
    const [mr] = mrs.body;
    assert.deepEqual(
      [mr.iid, mr.title, mr.state, mr.draft, mr.labels, mr.assignees.map((u) => u.username), mr.reviewers.map((u) => u.username), mr.detailed_merge_status],
      [12, 'Speed up CI', 'opened', true, ['ci'], ['cleo'], ['ben'], 'ci_still_running'],
    );
    const issues = await call(gl, 'GET', '/projects/team%2Fsub%2Fapp/issues?iids[]=7&iids[]=8');
    assert.deepEqual(issues.body.map((i) => [i.iid, i.state, i.closed_by.username]), [[7, 'closed', 'dan']]);
    const byId = await call(gl, 'GET', '/projects/100/merge_requests?iids[]=13');
    assert.equal(byId.body[0].merge_user.username, 'ana');
    gl.change('team/sub/app', 'merge_requests', 12, { state: 'merged', draft: false, merged_by: 'bob', merged_at: '2026-12-05T04:00:00.000Z' });
    const again = await call(gl, 'GET', '/projects/team%2Fsub%2Fapp/merge_requests?iids[]=12');
    assert.deepEqual([again.body[0].state, again.body[0].merged_by.username], ['merged', 'bob']);
    const unknown = await call(gl, 'GET', '/projects/team%2Fnope/issues?iids[]=1');
    assert.deepEqual([unknown.status, unknown.body], [404, { message: '404 Project Not Found' }]);
    assert.deepEqual(gl.rejected(), []);
  });

  for (const [what, path, status, pattern] of [
    ['an unknown parameter', '/projects/team%2Fsub%2Fapp/merge_requests?iids[]=12&with_pipeline=true', 400, /with_pipeline is not a parameter of Merge requests API/],
    ['iids without brackets', '/projects/team%2Fsub%2Fapp/issues?iids=7', 400, /iids is not a parameter of Issues API/],
    ['a malformed iid', '/projects/team%2Fsub%2Fapp/merge_requests?iids[]=12;DROP', 400, /iids\[\] is invalid/],
    ['a negative iid', '/projects/team%2Fsub%2Fapp/issues?iids[]=-1', 400, /iids\[\] is invalid/],
    ['more than 100 a page', '/projects/team%2Fsub%2Fapp/merge_requests?per_page=101&iids[]=12', 400, /per_page is invalid/],
    ['a state issues do not have', '/projects/team%2Fsub%2Fapp/issues?state=merged', 400, /state does not have a valid value/],
    ['an unencoded project path', '/projects/team/sub/app/merge_requests?iids[]=12', 404, /not a path of this API/],
  ]) {
    it(`refuses ${what}`, async () => {
      const res = await call(gl, 'GET', path);
      assert.equal(res.status, status, res.text);
      assert.match(gl.rejected().at(-1).problem, pattern);
    });
  }

  it('refuses another method, and a token without an API scope', async () => {
    const post = await call(gl, 'POST', '/projects/team%2Fsub%2Fapp/merge_requests', { params: { title: 'x' } });
    assert.equal(post.status, 405);
    const readUser = await call(gl, 'GET', '/projects/team%2Fsub%2Fapp/merge_requests?iids[]=12', { token: 'glpat-readonly' });
    assert.equal(readUser.status, 403);
    assert.equal(readUser.body.error, 'insufficient_scope');
  });
});
