// The XSS corpus, cut to each service's length limit, is taken by each endpoint as plain data
// and recorded verbatim, so the mirror's tests can compare what a service shows with what was
// declared. Run: node --test tests/services/xss.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PAYLOADS } from '../e2e/xss-corpus.mjs';
import { MESSAGE_LIMIT as GITHUB_LIMIT, startGitHub } from './github.mjs';
import { MESSAGE_LIMIT as GITLAB_LIMIT, startGitLab } from './gitlab.mjs';
import { STATUS_TEXT_LIMIT, startSlack } from './slack.mjs';

const cut = (text, limit) => [...text].slice(0, limit).join('');

describe('the XSS corpus as status text', () => {
  let gh, gl, slack;
  before(async () => {
    gh = await startGitHub({ tokens: { ghp_alice: { login: 'octo-alice', scopes: ['user'] } } });
    gl = await startGitLab({ tokens: { 'glpat-alice': { username: 'alice', scopes: ['api'] } } });
    slack = await startSlack({ tokens: { 'xoxp-alice': { user: 'alice', scopes: ['users.profile:write'] } } });
  });
  after(() => Promise.all([gh.close(), gl.close(), slack.close()]));

  it('GitHub: changeUserStatus records every payload verbatim', async () => {
    for (const payload of PAYLOADS) {
      const message = cut(payload, GITHUB_LIMIT);
      await fetch(gh.graphqlUrl, {
        method: 'POST',
        headers: { authorization: 'bearer ghp_alice' },
        body: JSON.stringify({ query: 'mutation($m: String) { changeUserStatus(input: { message: $m }) { status { message } } }', variables: { m: message } }),
      });
      assert.equal(gh.shown('octo-alice')?.message, message);
    }
    assert.deepEqual(gh.rejected(), []);
  });

  it('GitLab: PUT /user/status records every payload verbatim, and message_html holds no markup', async () => {
    for (const payload of PAYLOADS) {
      const message = cut(payload, GITLAB_LIMIT);
      const res = await fetch(`${gl.apiUrl}/user/status`, { method: 'PUT', headers: { 'private-token': 'glpat-alice', 'content-type': 'application/json' }, body: JSON.stringify({ message }) });
      const body = await res.json();
      assert.equal(gl.shown('alice').message, message);
      assert.doesNotMatch(body.message_html, /[<>]/);
    }
    assert.deepEqual(gl.rejected(), []);
  });

  it('Slack: users.profile.set records every payload verbatim', async () => {
    for (const payload of PAYLOADS) {
      const text = cut(payload, STATUS_TEXT_LIMIT);
      await fetch(`${slack.apiUrl}users.profile.set`, {
        method: 'POST',
        headers: { authorization: 'Bearer xoxp-alice', 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ profile: { status_text: text, status_emoji: ':warning:' } }),
      });
      assert.equal(slack.shown('alice').status_text, text);
    }
    assert.deepEqual(slack.rejected(), []);
  });
});
