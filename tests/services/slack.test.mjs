// The local Slack endpoint accepts what Slack's Web API docs for auth.test and users.profile.set
// allow (and what Slack's own client, @slack/web-api, sends), answers in Slack's shape, and
// refuses the rest. Run: node --test tests/services/slack.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, WebClient } from '@slack/web-api';
import { STATUS_TEXT_LIMIT, startSlack } from './slack.mjs';

const TOKENS = {
  'xoxp-alice': { user: 'alice', scopes: ['users.profile:read', 'users.profile:write'] },
  'xoxp-reader': { user: 'bob', scopes: ['users.profile:read'] },
  'xoxb-bot': { user: 'standin-bot', scopes: ['users.profile:write'] },
};

/** A POST as the mirror makes it: the token in the header, `args` as JSON (or as a form). */
async function post(slack, method, args, { token = 'xoxp-alice', form = false, headers = {} } = {}) {
  const init = { method: 'POST', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } };
  if (form) {
    init.body = new URLSearchParams(Object.entries(args).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  } else if (args !== undefined) {
    init.headers['content-type'] ??= 'application/json; charset=utf-8';
    init.body = JSON.stringify(args);
  }
  const res = await fetch(slack.apiUrl + method, init);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('Slack endpoint', () => {
  let slack;
  before(async () => {
    slack = await startSlack({ tokens: TOKENS });
  });
  after(() => slack.close());

  it('answers auth.test with the user and team, and the token\'s scopes in X-OAuth-Scopes', async () => {
    const { status, headers, body } = await post(slack, 'auth.test');
    assert.equal(status, 200);
    assert.deepEqual(body, { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'alice', team_id: 'T0TEAM', user_id: 'UALICE', is_enterprise_install: false });
    assert.equal(headers.get('x-oauth-scopes'), 'users.profile:read,users.profile:write');
  });

  it('sets the status (JSON body), shows it until status_expiration, and clears it', async () => {
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    const set = await post(slack, 'users.profile.set', { profile: { status_text: 'Out until <b>Monday</b>', status_emoji: ':palm_tree:', status_expiration: expiration } });
    assert.equal(set.body.ok, true);
    assert.deepEqual({ ...set.body.profile, real_name: undefined, display_name: undefined }, {
      status_text: 'Out until <b>Monday</b>',
      status_emoji: ':palm_tree:',
      status_expiration: expiration,
      real_name: undefined,
      display_name: undefined,
    });
    assert.equal(slack.shown('alice').status_emoji, ':palm_tree:');
    assert.equal(slack.shown('alice', new Date(expiration * 1000)), null, 'Slack clears the status at status_expiration');

    const cleared = await post(slack, 'users.profile.set', { profile: { status_text: '', status_emoji: '' } });
    assert.equal(cleared.body.ok, true);
    assert.equal(slack.shown('alice'), null);
    assert.equal(slack.profile('alice').status_expiration, 0);
    assert.deepEqual(slack.rejected(), []);
  });

  it('takes a form body with profile as URL-encoded JSON, and the name/value pair', async () => {
    const form = await post(slack, 'users.profile.set', { profile: { status_text: 'Focus', status_emoji: ':dart:', status_expiration: 0 } }, { form: true });
    assert.equal(form.body.ok, true);
    assert.equal(slack.shown('alice').status_text, 'Focus');
    const pair = await post(slack, 'users.profile.set', { name: 'status_expiration', value: '1767225600' }, { form: true });
    assert.equal(pair.body.ok, true);
    assert.equal(slack.profile('alice').status_expiration, 1767225600);
    assert.deepEqual(slack.rejected(), []);
  });

  it('accepts what Slack\'s own client (@slack/web-api) sends, and reports its rate limit', async () => {
    const client = new WebClient('xoxp-alice', { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const who = await client.auth.test();
    assert.equal(who.user, 'alice');
    // The client reads the token's scopes from x-oauth-scopes, as from Slack.
    assert.deepEqual(who.response_metadata.scopes, ['users.profile:read', 'users.profile:write']);
    const reader = await new WebClient('xoxp-reader', { slackApiUrl: slack.apiUrl }).auth.test();
    assert.deepEqual(reader.response_metadata.scopes, ['users.profile:read']);
    const set = await client.users.profile.set({ profile: { status_text: 'Reviewing', status_emoji: ':eyes:', status_expiration: 0 } });
    assert.equal(set.ok, true);
    assert.equal(slack.shown('alice').status_text, 'Reviewing');
    assert.deepEqual(slack.rejected(), []);

    slack.fail('rate-limited', { retryAfter: 42 });
    await assert.rejects(client.users.profile.set({ profile: { status_text: 'x' } }), (e) => e.code === ErrorCode.RateLimitedError && e.retryAfter === 42);
  });

  it(`takes a status_text of ${STATUS_TEXT_LIMIT} characters and refuses one more`, async () => {
    const longest = '🎧'.repeat(STATUS_TEXT_LIMIT);
    assert.equal((await post(slack, 'users.profile.set', { profile: { status_text: longest } })).body.ok, true);
    const tooLong = await post(slack, 'users.profile.set', { profile: { status_text: `${longest}!` } });
    assert.equal(tooLong.status, 200);
    assert.equal(tooLong.body.ok, false);
    assert.equal(tooLong.body.error, 'invalid_arguments');
    assert.match(tooLong.body.response_metadata.messages[0], /status_text: at most 100 characters, got 101/);
    assert.equal(slack.profile('alice').status_text, longest);
  });

  const refusals = [
    ['an emoji without colons', { profile: { status_text: 'x', status_emoji: 'palm_tree' } }, 'invalid_emoji_not_allowed', /status_emoji: "palm_tree"/],
    ['a native emoji', { profile: { status_text: 'x', status_emoji: '🌴' } }, 'invalid_emoji_not_allowed', /status_emoji/],
    ['status_expiration as an ISO date', { profile: { status_text: 'x', status_expiration: '2030-01-01T00:00:00Z' } }, 'invalid_arguments', /status_expiration: an integer of unix seconds/],
    ['status_expiration in milliseconds', { profile: { status_text: 'x', status_expiration: Date.now() } }, 'invalid_arguments', /status_expiration/],
    ['a negative status_expiration', { profile: { status_text: 'x', status_expiration: -1 } }, 'invalid_arguments', /status_expiration/],
    ['a status_text that is not a string', { profile: { status_text: 42 } }, 'invalid_arguments', /status_text: a string is documented/],
    ['a profile field that is not a status field', { profile: { status_text: 'x', display_name: 'Mallory' } }, 'invalid_arguments', /profile\.display_name: not a status field/],
    ['an unknown argument', { profile: { status_text: 'x' }, status: 'away' }, 'invalid_arg_name', /status: not an argument/],
    ['another user\'s profile', { user: 'U0OTHER', profile: { status_text: 'x' } }, 'not_admin', /user: U0OTHER is another user/],
    ['a profile that is not JSON', { profile: '{status_text: x}' }, 'invalid_profile', /profile: not valid JSON/],
    ['no profile at all', {}, 'invalid_arguments', /profile: missing/],
    ['the token in the body', { token: 'xoxp-alice', profile: { status_text: 'x' } }, 'invalid_arguments', /token: send it in the Authorization header/],
  ];
  for (const [what, args, error, problem] of refusals) {
    it(`refuses ${what} (${error})`, async () => {
      const before = slack.profile('alice');
      const { body } = await post(slack, 'users.profile.set', args, { form: typeof args.profile === 'string' });
      assert.equal(body.ok, false);
      assert.equal(body.error, error);
      assert.match(slack.rejected().at(-1).problem, problem);
      assert.deepEqual(slack.profile('alice'), before, 'a refused request changes nothing');
    });
  }

  it('refuses a missing, unknown, under-scoped or bot token', async () => {
    assert.equal((await post(slack, 'users.profile.set', { profile: { status_text: 'x' } }, { token: null })).body.error, 'not_authed');
    assert.match(slack.rejected().at(-1).problem, /Authorization: no "Bearer <token>" header/);
    for (const token of ['xoxp-revoked', 'constructor']) assert.equal((await post(slack, 'auth.test', undefined, { token })).body.error, 'invalid_auth', token);
    const reader = await post(slack, 'users.profile.set', { profile: { status_text: 'x' } }, { token: 'xoxp-reader' });
    assert.deepEqual(reader.body, { ok: false, error: 'missing_scope', needed: 'users.profile:write', provided: 'users.profile:read' });
    assert.equal(reader.headers.get('x-accepted-oauth-scopes'), 'users.profile:write');
    assert.equal((await post(slack, 'users.profile.set', { profile: { status_text: 'x' } }, { token: 'xoxb-bot' })).body.error, 'not_allowed_token_type');
    assert.equal(slack.profile('bob'), null);
    assert.equal(slack.profile('standin-bot'), null);
  });

  it('refuses GET, arguments in the URL, an unknown method and a body of another type', async () => {
    const get = await fetch(`${slack.apiUrl}users.profile.set`, { headers: { authorization: 'Bearer xoxp-alice' } });
    assert.equal((await get.json()).error, 'invalid_arguments');
    assert.match(slack.rejected().at(-1).problem, /GET \/api\/users.profile.set: the documented method is POST/);
    const inUrl = await fetch(`${slack.apiUrl}users.profile.set?profile=%7B%7D`, { method: 'POST', headers: { authorization: 'Bearer xoxp-alice' } });
    assert.equal((await inUrl.json()).error, 'invalid_arguments');
    assert.match(slack.rejected().at(-1).problem, /profile: arguments belong in the body/);
    for (const method of ['users.setStatus', 'constructor']) {
      const unknown = await post(slack, method, { status: 'x' });
      assert.equal(unknown.status, 404, method);
      assert.equal(unknown.body.error, 'unknown_method');
    }
    const text = await post(slack, 'users.profile.set', { profile: {} }, { headers: { 'content-type': 'text/plain' } });
    assert.equal(text.body.error, 'invalid_post_type');
    const badJson = await fetch(`${slack.apiUrl}users.profile.set`, { method: 'POST', headers: { authorization: 'Bearer xoxp-alice', 'content-type': 'application/json' }, body: '{"profile":' });
    assert.equal((await badJson.json()).error, 'invalid_json');
  });

  it('answers armed failures in Slack\'s shape: 429 with Retry-After, invalid_auth, missing_scope, 500', async () => {
    slack.fail('rate-limited', { retryAfter: 30 });
    const limited = await post(slack, 'users.profile.set', { profile: { status_text: 'x' } });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '30');
    assert.deepEqual(limited.body, { ok: false, error: 'ratelimited' });
    slack.fail('unauthorized');
    assert.deepEqual((await post(slack, 'auth.test')).body, { ok: false, error: 'invalid_auth' });
    slack.fail('forbidden');
    const scope = (await post(slack, 'auth.test')).body;
    assert.equal(scope.error, 'missing_scope');
    assert.equal(scope.needed, 'users.profile:write');
    slack.fail('server-error');
    assert.equal((await post(slack, 'auth.test')).status, 500);
    assert.equal((await post(slack, 'auth.test')).body.ok, true);
  });
});
