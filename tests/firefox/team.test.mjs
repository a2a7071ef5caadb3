// The team connection in headless Firefox ESR against the real standin-server: Connect asks
// through Firefox's own permission prompt, answered Deny then Allow from the browser's
// privileged (chrome) context as a user's click would; the token is kept where Firefox's content
// scripts cannot read it (not in storage.local, which Firefox opens to every content script and
// cannot close) and the background page authenticates with it; a teammate's declaration
// reaches the popup's Team tab through the long poll; the 412 conflict view's three choices each
// reach the server; with the server stopped a declaration waits and is then delivered exactly
// once; a token revoked on the CLI disconnects with the reason; every kind of bad connect input
// (the invite link's too) is refused beside its field, the revoked membership's names clash, and
// an invite for that membership (`invite --member`) rejoins. The tests run in order and
// share the server and the profile: each says what it starts from. The scenario data shared
// with Chromium's suite is in tests/e2e/team-scenarios.mjs.
//
//   ./build.sh && node --test tests/firefox/team.test.mjs
//
// Prints the time from the teammate's write on the server to its headline in the Team tab.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { serve } from '../e2e/harness.mjs';
import {
  CONFLICT,
  INSECURE_LINK,
  NAME_CLASH,
  REVOKED,
  TOKEN_TRUST_MS,
  connectErrorCases,
  permissionRefused,
} from '../e2e/team-scenarios.mjs';
import { TeamServer, freePort } from '../e2e/team-server.mjs';
import { launchFirefox } from './harness.mjs';

const TEAM = 'Core';
/** The worker's long poll waits up to 25 s for a change (docs/server.md). */
const LONG_POLL_MS = 25_000;

let ff;
let server;

before(async () => {
  server = await TeamServer.start();
  await server.cli('team', 'create', TEAM);
  ff = await launchFirefox();
  await ff.openReady('options.html');
});

after(async () => {
  await ff?.close();
  await server?.close();
});

function waitForText(selector, pattern, timeout) {
  return ff.poll(async () => {
    const text = await ff.textContent(selector);
    return pattern.test(text ?? '') ? text : null;
  }, `${selector} to match ${pattern}`, timeout);
}

const errorOf = (id) => ff.evaluateInExtension((i) => {
  const error = document.getElementById(`error-${i}`);
  return error.hidden ? '' : error.textContent;
}, id);

/**
 * Waits for Firefox's add-on permission prompt (the PopupNotification "addon-webext-permissions",
 * hanging off the extensions button) to be open over the current tab, clicks its Allow or Deny
 * button, waits until it is gone, and resolves to the prompt's text.
 */
async function answerPermissionPrompt(answer) {
  const prompt = await ff.poll(
    () =>
      ff.evaluateInChrome(() => {
        const { panel } = PopupNotifications;
        const shown = PopupNotifications.getNotification('addon-webext-permissions', gBrowser.selectedBrowser);
        const element = panel.querySelector('#addon-webext-permissions-notification');
        if (!shown || !element || panel.state !== 'open') return null;
        return {
          text: element.textContent.replace(/\s+/g, ' ').trim(),
          allow: element.button.label,
          deny: element.secondaryButton.label,
        };
      }),
    'the permission prompt',
  );
  assert.deepEqual([prompt.allow, prompt.deny], ['Allow', 'Deny']);
  await ff.evaluateInChrome((allow) => {
    const element = PopupNotifications.panel.querySelector('#addon-webext-permissions-notification');
    (allow ? element.button : element.secondaryButton).click();
  }, answer === 'allow');
  await ff.poll(
    () => ff.evaluateInChrome(() => !PopupNotifications.getNotification('addon-webext-permissions', gBrowser.selectedBrowser)),
    'the permission prompt to close',
  );
  return prompt.text;
}

const serverPermission = () =>
  ff.evaluateInExtension(() => browser.permissions.contains({ origins: ['http://127.0.0.1/*'] }));

const tokenOf = () => ff.token();

async function startConnect() {
  await ff.open('options.html');
  await ff.waitForLoader();
  await ff.fill('#server_url', server.url);
  await ff.fill('#invite', await server.invite(TEAM));
  await ff.click('#connect');
}

async function openPopup() {
  await ff.open('popup.html');
  await ff.waitForLoader();
}

async function declare(headline) {
  // Online, whatever the real clock: under the end-of-day reminder the form defaults to Offline.
  await ff.evaluateInExtension(() => {
    const status = document.getElementById('status');
    status.value = 'online';
    status.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await ff.fill('#headline', headline);
  await ff.click('#declare');
  // "Declared 17:42", or "… · saved on this device only" once the worker has disconnected (a
  // revoked token), as in Chromium's tests/e2e/team.test.mjs.
  await waitForText('#declare-status', /^Declared \d\d:\d\d/);
}

const me = async () => (await server.api('GET', '/v1/me', { token: await tokenOf() })).body;

test("Connect asks through Firefox's prompt; Deny is explained beside Server URL", async () => {
  await ff.evaluateInExtension(() => browser.storage.sync.set({ settings: { display_name: 'Fox', timezone: 'UTC', handles: { github: 'fox-gh' } } }));
  await startConnect();
  const prompt = await answerPermissionPrompt('deny');
  assert.match(prompt, /StandIn requests additional .*Access your data for sites in 127\.0\.0\.1 domains/);
  const refused = await ff.poll(async () => (await errorOf('server_url')) || null, 'the error beside Server URL');
  assert.equal(refused, permissionRefused('127.0.0.1'));
  assert.match(await ff.textContent('#connect-status'), /^Not connected/);
  assert.equal(await serverPermission(), false);
  assert.equal((await ff.storage('local')).connection, undefined, 'not connected');
});

test('Allow joins: the token stays out of storage.local and sync; a declaration reaches the server', async () => {
  // Starts from the permission refused once, not connected.
  await startConnect();
  await answerPermissionPrompt('allow');
  await waitForText('#team-connected', new RegExp(`Connected to ${TEAM} as Fox`), 20_000);
  assert.equal(await serverPermission(), true);
  assert.equal(await errorOf('server_url'), '');

  // Everything in storage.local is readable by Firefox's content scripts: no token there.
  const local = await ff.storage('local');
  assert.equal(local.connection.member.display_name, 'Fox');
  assert.equal('token' in local, false, 'storage.local holds the token');
  const token = await tokenOf();
  assert.match(token, /\S{20,}/);
  for (const area of ['local', 'sync', 'session']) {
    assert.equal(JSON.stringify(await ff.storage(area)).includes(token), false, `storage.${area} holds the token`);
  }

  await openPopup();
  await declare('Declared from Firefox');
  const state = await ff.poll(async () => (await me()).state?.state ?? null, 'the declaration on the server', 20_000);
  assert.equal(state.declaration.headline, 'Declared from Firefox');
  await waitForText('#sync-status', /^Synced \d\d:\d\d$/);
});

test("a teammate's declaration reaches the popup's Team tab through the long poll", async () => {
  // Starts from Fox connected. Bo joins through the server's API, as his own browser would.
  const joined = await server.api('POST', '/v1/join', {
    body: { invite: await server.invite(TEAM), display_name: 'Bo', timezone: 'Asia/Tokyo' },
  });
  assert.equal(joined.status, 201);
  const bo = joined.body;
  await ff.poll(async () => (await ff.storage('local', ['team'])).team?.members?.[bo.member.id], 'Bo in the roster');

  await openPopup();
  await ff.click('#tab-team');
  await waitForText('#team-status', new RegExp(`^${TEAM}$`));
  const headline = `Covering the release ${Date.now()}`;
  const writtenAt = Date.now();
  const put = await server.api('PUT', '/v1/me/state', {
    token: bo.token,
    body: { status: 'online', headline, timezone: 'Asia/Tokyo', items: [] },
    headers: { 'if-match': '0' },
  });
  assert.equal(put.status, 200);
  const view = await waitForText('#team-view', new RegExp(headline), LONG_POLL_MS);
  console.log(`# Bo's write on the server → his headline in Fox's Team tab: ${Date.now() - writtenAt} ms`);
  assert.match(view, /Bo/);
});

test("412: a newer copy from another browser is shown beside this one's; each choice reaches the server", async () => {
  // Starts from Fox connected, the last declaration synced, with no items. keepLocal first: the
  // form then still has no items; merge next; keepServer last, as it takes the laptop's status.
  const token = await tokenOf();
  for (const name of ['keepLocal', 'merge', 'keepServer']) {
    const outcome = CONFLICT.outcomes[name];
    const before = (await me()).state.version;
    const put = await server.api('PUT', '/v1/me/state', {
      token,
      body: CONFLICT.laptop,
      headers: { 'if-match': String(before) },
    });
    assert.equal(put.status, 200, name);
    const laptopVersion = before + 1;

    await openPopup();
    await declare(CONFLICT.localHeadline);
    await waitForText('#sync-status', /^Changed in another browser/, 15_000);
    assert.equal(await ff.evaluateInExtension(() => document.getElementById('conflict').hidden), false, name);
    assert.match(await ff.textContent('#conflict-local'), CONFLICT.localSide, name);
    assert.match(await ff.textContent('#conflict-server'), CONFLICT.serverSide, name);
    assert.equal((await me()).state.version, laptopVersion, `${name}: nothing overwritten before the choice`);

    await ff.click(outcome.button);
    await waitForText('#sync-status', /^Synced \d\d:\d\d$/, 15_000);
    assert.equal(await ff.evaluateInExtension(() => document.getElementById('conflict').hidden), true, name);
    const outbox = await ff.poll(async () => {
      const o = (await ff.storage('local', ['outbox'])).outbox;
      return o && o.pending === null ? o : null;
    }, `${name}: nothing left to send`);
    const server_ = (await me()).state;
    assert.equal(server_.version, outcome.publishes ? laptopVersion + 1 : laptopVersion, `${name}: server version`);
    assert.equal(outbox.server_version, server_.version, `${name}: this browser's copy of the version`);
    // Both sides now hold the outcome, and the form shows it.
    const { state } = await ff.storage('local', ['state']);
    for (const [where, declaration] of [['server', server_.state.declaration], ['browser', state.declaration]]) {
      assert.equal(declaration.headline, outcome.headline, `${name}: ${where} headline`);
      assert.deepEqual(declaration.items.map((i) => i.title), outcome.items, `${name}: ${where} items`);
    }
    assert.equal(await ff.evaluateInExtension(() => document.getElementById('headline').value), outcome.headline, name);
  }
});

test('server down: the declaration waits, then is delivered exactly once', async () => {
  // Starts from Fox connected, the last declaration synced.
  const token = await tokenOf();
  const before = (await me()).state.version;
  await server.stop();
  await openPopup();
  await declare('Written while the server was down');
  await waitForText('#sync-status', /^Waiting to sync$/);
  // Let at least one attempt fail against the stopped server.
  await ff.poll(async () => (await ff.storage('local', ['outbox'])).outbox?.pending?.attempts >= 1, 'a failed attempt', 20_000);
  assert.equal(await ff.textContent('#sync-status'), 'Waiting to sync');

  await server.restart();
  await waitForText('#sync-status', /^Synced \d\d:\d\d$/, 60_000);
  const state = (await server.api('GET', '/v1/me', { token })).body.state;
  assert.equal(state.version, before + 1);
  assert.equal(state.state.declaration.headline, 'Written while the server was down');
  // Nothing goes out a second time: the version stays while the worker keeps polling.
  await new Promise((r) => setTimeout(r, 5_000));
  assert.equal((await server.api('GET', '/v1/me', { token })).body.state.version, before + 1);
  const { outbox } = await ff.storage('local', ['outbox']);
  assert.equal(outbox.pending, null);
  assert.equal(outbox.server_version, before + 1);
});

test('a revoked token disconnects with the reason in the popup and the options', async () => {
  // Starts from Fox connected.
  await server.cli('token', 'revoke', '--token', await tokenOf());
  await new Promise((r) => setTimeout(r, TOKEN_TRUST_MS));
  await openPopup();
  await declare('After the revocation');
  await waitForText('#sync-status', REVOKED.syncStatus, 15_000);
  await ff.click('#tab-team');
  await waitForText('#team-status', REVOKED.teamStatus);
  assert.equal(await tokenOf(), undefined, 'the token is forgotten');
  assert.equal((await ff.storage('local', ['team'])).team, undefined, 'the team cache is gone');

  await ff.open('options.html');
  await ff.waitForLoader();
  await waitForText('#team-notice', new RegExp(REVOKED.notice));
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('team-form').hidden), false);
});

test('connect errors beside their fields; the names clash; an invite for the own membership rejoins', async () => {
  // Starts from Fox disconnected (revoked) on the options page; the server's permission stays
  // granted, so no prompt opens.
  const { cases, close } = await connectErrorCases(server, TEAM, { serve, freePort });
  try {
    for (const { serverUrl, invite, field, error, also } of cases) {
      await ff.fill('#server_url', serverUrl);
      await ff.fill('#invite', invite);
      await ff.click('#connect');
      const shown = await ff.poll(async () => {
        const text = await errorOf(field);
        return error.test(text) ? text : null;
      }, `${error} beside ${field}`, 20_000);
      assert.match(shown, error);
      assert.equal(await ff.evaluateInExtension((f) => document.getElementById(f).getAttribute('aria-invalid'), field), 'true');
      assert.match(await ff.textContent('#connect-status'), /^Not connected/);
      if (also) assert.match(await errorOf(also[0]), also[1]);
    }
  } finally {
    await close();
  }
  // The invite link pre-fills the form; plain http to another computer is refused all the same.
  await ff.open(`options.html${INSECURE_LINK.query}`);
  await ff.waitForLoader();
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('server_url').value), INSECURE_LINK.server);
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('invite').value), 'abc');
  await ff.click('#connect');
  assert.match(await ff.poll(async () => (await errorOf('server_url')) || null, 'the error beside Server URL'), INSECURE_LINK.error);
  assert.equal(await tokenOf(), undefined, 'nothing was stored by the failures');

  // Fox's revoked membership still holds his names: joining again as Fox is refused (409)
  // beside the fields that name someone else.
  await ff.fill('#server_url', server.url);
  await ff.fill('#invite', await server.invite(TEAM));
  await ff.click('#connect');
  assert.equal(await ff.poll(async () => (await errorOf('handles-github')) || null, 'the error beside the GitHub handle', 20_000), NAME_CLASH.handle);
  assert.match(await errorOf('display_name'), NAME_CLASH.displayName);
  assert.match(await ff.textContent('#connect-status'), /^Not connected/);
  // An invite for his own membership signs this browser in as Fox again. The server holds his
  // last synced declaration, so the one made while disconnected is shown beside it.
  const listed = await server.cli('member', 'list', '--team', TEAM);
  const old = listed.split('\n').find((line) => line.includes('fox-gh')).split(/\s+/)[0];
  await ff.fill('#invite', (await server.cli('invite', '--team', TEAM, '--member', old)).trim());
  await ff.click('#connect');
  await waitForText('#team-connected', new RegExp(`Connected to ${TEAM} as Fox`), 20_000);
  assert.equal((await me()).member.id, old, 'the same member');
  await openPopup();
  await waitForText('#sync-status', /^Changed in another browser/, 15_000);
  await ff.click('#conflict-keep-local');
  await waitForText('#sync-status', /^Synced \d\d:\d\d$/, 15_000);
  assert.equal((await me()).state.state.declaration.headline, 'After the revocation');

  // Disconnect forgets the token and the team, keeps the local declaration.
  await ff.open('options.html');
  await ff.waitForLoader();
  await ff.click('#disconnect');
  await ff.poll(() => ff.evaluateInExtension(() => !document.getElementById('team-form').hidden), 'the form');
  assert.equal(await tokenOf(), undefined);
  const local = await ff.storage('local', ['connection', 'state']);
  assert.equal(local.connection, undefined);
  assert.equal(local.state.declaration.headline, 'After the revocation');
});
