// An extension's background reaches each local endpoint at the service's real API origin, in both
// browsers: Chromium through Playwright request routing (`endpoint.route`, which also catches
// the service worker's fetches), Firefox through the tracker proxy's `services`. A throwaway
// extension made here does the fetches, so this needs no build.
// Run: node --test tests/services/reach.test.mjs
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchExtension } from '../e2e/harness.mjs';
import { trackerSite } from '../e2e/tracker-pages.mjs';
import { GECKO_ID, launchFirefox } from '../firefox/harness.mjs';
import { startTrackerProxy } from '../firefox/tracker-proxy.mjs';
import { startGitHub } from './github.mjs';
import { startGitLab } from './gitlab.mjs';
import { startSlack } from './slack.mjs';

const ORIGINS = { github: 'https://api.github.com/', gitlab: 'https://gitlab.com/api/', slack: 'https://slack.com/api/' };
const HOSTS = Object.values(ORIGINS).map((o) => `${o}*`);

/** Each service's token check, as a background script would send it: [url, init]. */
const CALLS = [
  [`${ORIGINS.github}graphql`, { method: 'POST', headers: { authorization: 'bearer ghp_alice', 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { login } }' }) }],
  [`${ORIGINS.gitlab}v4/user`, { headers: { 'private-token': 'glpat-alice' } }],
  [`${ORIGINS.slack}auth.test`, { method: 'POST', headers: { authorization: 'Bearer xoxp-alice' } }],
];

/** Runs in the extension: every call, each answer's status and JSON. */
async function fetchAll(calls) {
  return Promise.all(calls.map(async ([url, init]) => {
    const res = await fetch(url, init);
    return [res.status, await res.json()];
  }));
}

const EXPECTED = [
  [200, { data: { viewer: { login: 'octo-alice' } } }],
  [200, 'alice'],
  [200, 'alice'],
];
const summary = (answers) => answers.map(([status, body], i) => [status, i === 0 ? body : (body.username ?? body.user)]);

describe('the endpoints at their real origins, from an extension', () => {
  let gh, gl, slack, dir;
  before(async () => {
    gh = await startGitHub({ tokens: { ghp_alice: { login: 'octo-alice', scopes: ['user'] } } });
    gl = await startGitLab({ tokens: { 'glpat-alice': { username: 'alice', scopes: ['api'] } } });
    slack = await startSlack({ tokens: { 'xoxp-alice': { user: 'alice', scopes: ['users.profile:write'] } } });
    dir = await mkdtemp(path.join(os.tmpdir(), 'standin-reach-'));
  });
  after(async () => {
    await Promise.all([gh.close(), gl.close(), slack.close(), rm(dir, { recursive: true, force: true })]);
  });

  it('Chromium: the service worker\'s fetches are answered by the endpoints', async () => {
    const ext = path.join(dir, 'chrome');
    await mkdir(ext);
    await writeFile(path.join(ext, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: 'reach', version: '1', background: { service_worker: 'sw.js' }, host_permissions: HOSTS }));
    await writeFile(path.join(ext, 'sw.js'), '// fetches come from the test\n');
    const chromium = await launchExtension({ dir: ext });
    try {
      await gh.route(chromium.context, `${ORIGINS.github}**`);
      await gl.route(chromium.context, `${ORIGINS.gitlab}**`);
      await slack.route(chromium.context, `${ORIGINS.slack}**`);
      const answers = await chromium.evaluateInWorker(fetchAll, CALLS);
      assert.deepEqual(summary(answers), EXPECTED);
      assert.match(gh.requests.at(-1).headers.origin, /^chrome-extension:\/\//);
    } finally {
      await chromium.close();
    }
  });

  it('Firefox: an extension page\'s fetches reach the endpoints through the proxy', async () => {
    const ext = path.join(dir, 'firefox');
    await mkdir(ext);
    await writeFile(path.join(ext, 'manifest.json'), JSON.stringify({ manifest_version: 2, name: 'reach', version: '1', browser_specific_settings: { gecko: { id: GECKO_ID } }, permissions: HOSTS }));
    await writeFile(path.join(ext, 'page.html'), '<!doctype html><title>reach</title>');
    const proxy = await startTrackerProxy(trackerSite(), { services: [[ORIGINS.github, gh], [ORIGINS.gitlab, gl], [ORIGINS.slack, slack]] });
    const firefox = await launchFirefox({ dir: ext, ...proxy.firefox });
    try {
      await firefox.open('page.html');
      const answers = await firefox.evaluateInExtension(fetchAll, CALLS);
      assert.deepEqual(summary(answers), EXPECTED);
      assert.match(gh.requests.at(-1).headers.origin, /^moz-extension:\/\//);
      assert.deepEqual(proxy.unexpected, []);
    } finally {
      await firefox.close();
      await proxy.close();
    }
  });
});
