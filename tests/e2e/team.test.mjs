// The team connection end to end: two browser profiles (two Chromium processes with the built
// extension) join the real standin-server on a temporary SQLite file, publish through the
// outbox, see each other in the Team view, survive an outage with exactly-once delivery, show
// a conflict instead of overwriting, disconnect on a revoked token, report bad connect input
// beside the fields, and shrug off a hostile server (not JSON, over 2 MiB with or without a
// Content-Length, wrong types, implausible values; in the long poll and in the full fetch). The tests run in order and share the
// server and the two profiles: each says what it starts from.
//
//   ./build.sh && node --test tests/e2e/team.test.mjs
//
// Connect asks for the server's host permission. Headless Chromium cannot show that prompt
// (the request would wait forever), so the profiles load a copy of dist/chrome whose manifest
// also lists http://127.0.0.1/* as a host permission: the request is then granted at once,
// without a prompt, through the same permissions.request call. The refused case stubs the
// browser's answer (false) in the options page.
//
// Prints the propagation time: from the click on Declare in A's popup to the change of the team
// cache in B's storage (both clocks are this machine's), a benchmark figure, not an assertion.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DIST_CHROME, contentWorld, launchExtension, poll, serve } from './harness.mjs';
import { TeamServer, freePort } from './team-server.mjs';
import { prPage } from './generated-pages.mjs';
import { waitForBadges } from './trackers.mjs';

const TEAM = 'Core';

let server;
let site;
let extDir;
let ann; // profile A
let bo; // profile B
const closers = [];

/** dist/chrome with http://127.0.0.1/* granted at install (see the header). */
async function testBuild() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'standin-team-ext-'));
  await cp(DIST_CHROME, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(file, 'utf8'));
  manifest.host_permissions = [...(manifest.host_permissions ?? []), 'http://127.0.0.1/*'];
  await writeFile(file, JSON.stringify(manifest, null, 2));
  return dir;
}

before(async () => {
  server = await TeamServer.start();
  await server.cli('team', 'create', TEAM);
  site = await serve({ '/': { body: '<!doctype html><title>Work</title><p>work</p>' } });
  extDir = await testBuild();
  [ann, bo] = await Promise.all([launchExtension({ dir: extDir }), launchExtension({ dir: extDir })]);
  await Promise.all([ann.workerReady(), bo.workerReady()]);
});

after(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  await ann?.close();
  await bo?.close();
  await site?.close();
  await server?.close();
  if (extDir) await rm(extDir, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForText(target, selector, pattern, timeout = 10_000) {
  return poll(
    async () => {
      const text = await target.textContent(selector);
      return pattern.test(text ?? '') ? text : null;
    },
    `${selector} to match ${pattern}`,
    timeout,
  );
}

/** Options → Team → Connect, as a user does it; resolves to the page. */
async function connectThroughOptions(ext, { query = '', serverUrl, invite } = {}) {
  const options = await ext.openPage(`options.html${query}`);
  if (serverUrl !== undefined) await options.fill('#server_url', serverUrl);
  if (invite !== undefined) await options.fill('#invite', invite);
  await options.click('#connect');
  return options;
}

async function local(ext, key) {
  return (await ext.storage('local', [key]))[key];
}

/** The bearer token where the worker keeps it: IndexedDB of the extension's origin (database
 *  `standin`, store `secrets`), out of the content scripts' reach. Creates nothing. */
async function tokenOf(ext) {
  return ext.evaluateInWorker(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('standin');
        open.onupgradeneeded = () => open.transaction.abort(); // no database yet: none made
        open.onerror = () => resolve(undefined);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('secrets')) return resolve(undefined);
          const get = db.transaction('secrets').objectStore('secrets').get('token');
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

/** The popup over the fixture tab. */
async function popupOf(ext) {
  const tab = ext.fixtureTab ?? (ext.fixtureTab = await ext.openTab(site.url('/')));
  return ext.openPopup(tab);
}

async function closePopup(ext, popup) {
  const { browser, targetId } = popup;
  await popup.detach();
  ext.popups.splice(ext.popups.indexOf(popup), 1);
  await browser.send('Target.closeTarget', { targetId });
}

async function declare(popup, headline) {
  // Online, whatever the real clock: under the end-of-day reminder the form defaults to Offline.
  await popup.evaluate(() => {
    const status = document.getElementById('status');
    status.value = 'online';
    status.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await popup.fill('#headline', headline);
  await popup.click('#declare');
  await waitForText(popup, '#declare-status', /^Declared /);
}

test('two teammates join: one through the invite link, one by typing', async () => {
  // Ann uses the link an admin hands out; her profile is saved in the same options page.
  const annInvite = await server.invite(TEAM);
  const query = `?server=${encodeURIComponent(server.url)}&invite=${encodeURIComponent(annInvite)}`;
  const annOptions = await ann.openPage(`options.html${query}`);
  assert.equal(await annOptions.inputValue('#server_url'), server.url);
  assert.equal(await annOptions.inputValue('#invite'), annInvite);
  // Without a display name the server would refuse the profile: said beside the name.
  await annOptions.click('#connect');
  await annOptions.locator('#error-display_name').filter({ hasText: 'display name' }).waitFor();
  await annOptions.fill('#display_name', 'Ann');
  await annOptions.fill('#timezone', 'Europe/Berlin');
  await annOptions.fill('#handles-github', 'ann-gh');
  await annOptions.click('#save');
  await annOptions.locator('#save-status', { hasText: 'Saved.' }).waitFor();
  await annOptions.click('#connect');
  await annOptions.locator('#team-connected', { hasText: `Connected to ${TEAM} as Ann` }).waitFor();
  assert.equal(await annOptions.isVisible('#disconnect'), true);
  assert.equal(await annOptions.isVisible('#team-form'), false);

  // Bo's settings are already saved; he types the server and the code.
  await bo.setStorage('sync', { settings: { display_name: 'Bo', timezone: 'Asia/Tokyo' } });
  const boOptions = await connectThroughOptions(bo, {
    serverUrl: ` ${server.url}/ `,
    invite: await server.invite(TEAM),
  });
  await boOptions.locator('#team-connected', { hasText: `Connected to ${TEAM} as Bo` }).waitFor();

  // The token is stored apart from everything a page shows, and in no storage area.
  const annLocal = await ann.storage('local');
  const annToken = await tokenOf(ann);
  assert.match(annToken, /\S{20,}/);
  assert.equal(annLocal.connection.server, server.url);
  assert.equal(JSON.stringify(annLocal).includes(annToken), false);
  assert.equal(JSON.stringify(await ann.storage('sync')).includes(annToken), false);
  assert.equal(JSON.stringify(await ann.storage('session')).includes(annToken), false);
  const me = await server.api('GET', '/v1/me', { token: annToken });
  assert.equal(me.status, 200);
  assert.equal(me.body.member.display_name, 'Ann');
  assert.equal(me.body.member.handles.github, 'ann-gh');
  assert.equal(me.body.member.timezone, 'Europe/Berlin');

  // Each worker fetched the roster: both teammates are in both caches.
  for (const ext of [ann, bo]) {
    await poll(async () => Object.keys((await local(ext, 'team'))?.members ?? {}).length === 2, 'the roster');
  }
  const alarm = await ann.evaluateInWorker(() => chrome.alarms.get('team-sync'));
  assert.equal(alarm.periodInMinutes, 0.5, 'the fallback tick every 30 s');
  await annOptions.close();
  await boOptions.close();
});

test("A declares; B's team cache and Team view show it (propagation time printed)", async () => {
  // Starts from both connected, nobody declared.
  const annId = (await local(ann, 'connection')).member.id;
  const headline = `Reviewing the login fix ${Date.now()}`;
  await bo.evaluateInWorker((wanted) => {
    globalThis.__seenAt = null;
    chrome.storage.onChanged.addListener((changes, area) => {
      if (area === 'local' && changes.team && JSON.stringify(changes.team.newValue ?? {}).includes(wanted)) {
        globalThis.__seenAt ??= Date.now();
      }
    });
  }, headline);

  const popup = await popupOf(ann);
  await popup.evaluate(() => {
    document.getElementById('declare').addEventListener('click', () => {
      window.__clickedAt = Date.now();
    }, { capture: true });
  });
  await declare(popup, headline);
  await waitForText(popup, '#sync-status', /^Synced \d\d:\d\d$/);
  const clickedAt = await popup.evaluate(() => window.__clickedAt);
  const seenAt = await poll(() => bo.evaluateInWorker(() => globalThis.__seenAt), "B's team cache update");
  console.log(`# propagation: A's click on Declare → B's storage.local "team" updated: ${seenAt - clickedAt} ms`);
  await closePopup(ann, popup);

  const team = await local(bo, 'team');
  assert.equal(team.states[annId].state.declaration.headline, headline);
  assert.equal(team.states[annId].version, 1);

  const boPopup = await popupOf(bo);
  await boPopup.click('#tab-team');
  assert.equal(await boPopup.evaluate(() => document.getElementById('declare-form').hidden), true);
  await waitForText(boPopup, '#team-status', new RegExp(`^${TEAM}$`));
  const row = await boPopup.textContent(`#roster li[data-member="${annId}"]`);
  assert.match(row, /^Ann/);
  assert.match(row, /Online/);
  assert.ok(row.includes(headline), row);
  assert.match(row, /\d\d:\d\d their time/);
  assert.match(row, /declared less than a minute ago/);
  assert.match(await boPopup.textContent('#roster'), /Bo \(you\)No state/);
  await bo.screenshot(boPopup, 'popup-team');
  await closePopup(bo, boPopup);
});

test('server down: the declaration waits, then is delivered exactly once', async () => {
  // Starts from B connected and never declared (server version 0).
  const token = await tokenOf(bo);
  assert.equal((await server.api('GET', '/v1/me', { token })).body.state.version, 0);
  await server.stop();

  const popup = await popupOf(bo);
  await declare(popup, 'Written while the server was down');
  await waitForText(popup, '#sync-status', /^Waiting to sync$/);
  // Let at least one attempt fail against the stopped server.
  await poll(async () => (await local(bo, 'outbox'))?.pending?.attempts >= 1, 'a failed attempt', 20_000);
  assert.equal(await popup.textContent('#sync-status'), 'Waiting to sync');

  await server.restart();
  await waitForText(popup, '#sync-status', /^Synced \d\d:\d\d$/, 60_000);
  const me = await server.api('GET', '/v1/me', { token });
  assert.equal(me.body.state.version, 1);
  assert.equal(me.body.state.state.declaration.headline, 'Written while the server was down');
  // Nothing goes out a second time: the version stays 1 while the worker keeps polling.
  await sleep(5_000);
  assert.equal((await server.api('GET', '/v1/me', { token })).body.state.version, 1);
  const outbox = await local(bo, 'outbox');
  assert.equal(outbox.pending, null);
  assert.equal(outbox.server_version, 1);
  await closePopup(bo, popup);
});

test('412: a newer copy from another browser is shown beside ours; merging publishes both', async () => {
  // Starts from A at server version 1 (her first declaration).
  const token = await tokenOf(ann);
  const laptop = {
    status: 'ooo',
    headline: 'Set from the laptop',
    timezone: 'Europe/Berlin',
    items: [{ url: 'https://linear.app/acme/issue/ENG-7/x', canonical_ref: 'linear.app/acme/issue/ENG-7', title: 'ENG-7 from the laptop', state: 'waiting' }],
  };
  const put = await server.api('PUT', '/v1/me/state', { token, body: laptop, headers: { 'if-match': '1' } });
  assert.equal(put.status, 200);
  assert.equal(put.body.version, 2);

  const popup = await popupOf(ann);
  await declare(popup, 'Declared in this browser');
  await popup.waitForSelector('#conflict:not([hidden])', 15_000);
  await waitForText(popup, '#sync-status', /^Changed in another browser/);
  const local_ = await popup.textContent('#conflict-local');
  const theirs = await popup.textContent('#conflict-server');
  assert.match(local_, /In this browser.*Online: Declared in this browser/);
  assert.match(theirs, /On the server \(Declared \d\d:\d\d\).*Out of office: Set from the laptop.*ENG-7 from the laptop \(Waiting\)/);
  // Nothing was overwritten.
  assert.equal((await server.api('GET', '/v1/me', { token })).body.state.version, 2);
  await ann.screenshot(popup, 'popup-conflict');

  await popup.click('#conflict-merge');
  await waitForText(popup, '#sync-status', /^Synced \d\d:\d\d$/, 15_000);
  assert.equal(await popup.evaluate(() => document.getElementById('conflict').hidden), true);
  const me = (await server.api('GET', '/v1/me', { token })).body.state;
  assert.equal(me.version, 3);
  assert.equal(me.state.declaration.headline, 'Declared in this browser');
  assert.deepEqual(me.state.declaration.items.map((i) => i.title), ['ENG-7 from the laptop']);
  // The form now shows the merged declaration.
  assert.equal(await popup.evaluate(() => document.getElementById('items-0-title').value), 'ENG-7 from the laptop');
  await closePopup(ann, popup);
});

test('a revoked token disconnects with a clear message in the popup and the options', async () => {
  // Starts from A connected.
  const token = await tokenOf(ann);
  await server.cli('token', 'revoke', '--token', token);
  // The server trusts a confirmed token for up to 2 s before asking its database again.
  await sleep(2_500);
  const popup = await popupOf(ann);
  await declare(popup, 'After the revocation');
  await waitForText(popup, '#sync-status', /^Disconnected: the team server no longer accepts this browser/, 15_000);
  await popup.click('#tab-team');
  await waitForText(popup, '#team-status', /^Disconnected: /);
  await closePopup(ann, popup);
  assert.equal(await tokenOf(ann), undefined, 'the token is forgotten');
  assert.equal(await local(ann, 'team'), undefined, 'the team cache is gone');

  const options = await ann.openPage('options.html');
  await options.locator('#team-notice', { hasText: 'Disconnected: the team server no longer accepts this browser' }).waitFor();
  assert.equal(await options.isVisible('#team-form'), true);
  await options.close();
});

test('connect errors are shown beside the field they concern', async () => {
  // Starts from A disconnected (revoked): the form is shown.
  const options = await ann.openPage('options.html');
  const errorOf = (id) => options.locator(`#error-${id}`);
  async function tryConnect(serverUrl, invite, field, pattern) {
    await options.fill('#server_url', serverUrl);
    await options.fill('#invite', invite);
    await options.click('#connect');
    await errorOf(field).filter({ hasText: pattern }).waitFor({ timeout: 20_000 });
    assert.equal(await options.getAttribute(`#${field}`, 'aria-invalid'), 'true');
    assert.match(await options.textContent('#connect-status'), /^Not connected/);
  }
  const usedInvite = await server.invite(TEAM);
  const boToken = await tokenOf(bo);
  assert.ok(boToken);

  await tryConnect('', '', 'server_url', /Enter the team server's address/);
  assert.match(await errorOf('invite').textContent(), /Paste the invite code/);
  await tryConnect('ftp://x.example', 'code', 'server_url', /https:\/\//);
  // Plain http only to this computer: the invite and the token would cross the network in clear.
  await tryConnect('http://standin.example.com', 'code', 'server_url', /unencrypted/);
  // The worker refuses it too, whoever asks, and so does the invite link's pre-filled form.
  const refused = await options.evaluate(() =>
    chrome.runtime.sendMessage({ connect: { server: 'http://192.168.1.20:8787', invite: 'code' } }),
  );
  assert.deepEqual(refused.errors.map((e) => e.field), ['server_url'], JSON.stringify(refused));
  assert.match(refused.errors[0].message, /unencrypted/);
  const linked = await ann.openPage('options.html?server=http%3A%2F%2Fstandin.example.com&invite=abc');
  assert.equal(await linked.inputValue('#server_url'), 'http://standin.example.com');
  await linked.click('#connect');
  await linked.locator('#error-server_url', { hasText: /unencrypted/ }).waitFor();
  await linked.close();
  const closed = `http://127.0.0.1:${await freePort()}`;
  await tryConnect(closed, 'code', 'server_url', /^Cannot reach 127\.0\.0\.1: /);
  const notStandin = await serve({ '/': { body: '<!doctype html><title>Intranet</title>' } });
  closers.push(() => notStandin.close());
  await tryConnect(notStandin.url('/'), 'code', 'server_url', /answers, but not as a StandIn team server/);
  await tryConnect(server.url, 'no-such-code', 'invite', /Unknown invite code/);
  // Used: redeem it out of band first (another person joined with it).
  const joined = await server.api('POST', '/v1/join', {
    body: { invite: usedInvite, display_name: 'Cy', timezone: 'UTC' },
  });
  assert.equal(joined.status, 201);
  await tryConnect(server.url, usedInvite, 'invite', /already used/);
  const expiring = await server.invite(TEAM, '1s');
  await sleep(1_500);
  await tryConnect(server.url, expiring, 'invite', /expired/);

  // Permission refused: the browser's answer is stubbed (headless Chromium shows no prompt).
  await options.evaluate(() => {
    for (const ns of [globalThis.browser, globalThis.chrome]) {
      if (ns?.permissions) ns.permissions.request = () => Promise.resolve(false);
    }
  });
  await tryConnect('https://standin.example.com', 'code', 'server_url', /needs your permission to reach standin\.example\.com/);
  await options.reload();
  assert.equal(await tokenOf(ann), undefined, 'nothing was stored by the failures');

  // Ann's revoked membership still holds her names: joining again as Ann is refused (409)
  // beside the fields that name someone else, and the invite stays good.
  await options.locator('#team-form').waitFor();
  await options.fill('#server_url', server.url);
  await options.fill('#invite', await server.invite(TEAM));
  await options.click('#connect');
  await errorOf('handles-github').filter({ hasText: 'Another member of your team already goes by this handle.' }).waitFor({ timeout: 20_000 });
  assert.equal(await options.getAttribute('#handles-github', 'aria-invalid'), 'true');
  assert.match(await errorOf('display_name').textContent(), /already goes by this display name/);
  assert.match(await options.textContent('#connect-status'), /^Not connected/);
  // The admin makes an invite for Ann's own membership: this browser signs in as her again,
  // her names accepted. The server still holds her last synced declaration, so the one made
  // here while disconnected is shown beside it, and nothing is overwritten until she chooses.
  const listed = await server.cli('member', 'list', '--team', TEAM);
  const old = listed.split('\n').find((line) => line.includes('ann-gh')).split(/\s+/)[0];
  await options.fill('#invite', (await server.cli('invite', '--team', TEAM, '--member', old)).trim());
  await options.click('#connect');
  await options.locator('#team-connected', { hasText: `Connected to ${TEAM} as Ann` }).waitFor();
  assert.equal(await options.isVisible('#team-notice'), false);
  const token = await tokenOf(ann);
  const again = await server.api('GET', '/v1/me', { token });
  assert.equal(again.body.member.id, old, 'the same member');
  const popup = await popupOf(ann);
  await popup.waitForSelector('#conflict:not([hidden])', 15_000);
  await popup.click('#conflict-keep-local');
  await waitForText(popup, '#sync-status', /^Synced \d\d:\d\d$/, 15_000);
  await closePopup(ann, popup);
  const me = (await server.api('GET', '/v1/me', { token })).body.state.state.declaration;
  assert.equal(me.headline, 'After the revocation');

  // Disconnect forgets the token and the team, keeps the local declaration.
  await options.click('#disconnect');
  await options.locator('#team-form').waitFor();
  assert.equal(await tokenOf(ann), undefined);
  assert.equal(await local(ann, 'connection'), undefined);
  assert.equal((await local(ann, 'state')).declaration.headline, 'After the revocation');
  assert.equal(await tokenOf(bo), boToken, "the other profile is untouched");
  await options.close();
  ann.assertNoErrors();
  bo.assertNoErrors();
});

test("the token never reaches a tracker tab's content-script world; the shim still follows the team", async () => {
  // A fresh profile with a GitHub tab open before it connects.
  const dee = await launchExtension({ dir: extDir });
  closers.push(() => dee.close());
  await dee.workerReady();
  await dee.setStorage('sync', { settings: { display_name: 'Dee', timezone: 'UTC', handles: { github: 'dee-gh' } } });
  const url = 'https://github.com/acme/widgets/pull/7';
  const tab = await dee.context.newPage();
  await tab.route('https://github.com/**', (route) =>
    route.fulfill({ contentType: 'text/html', body: prPage({ number: 7, title: 'Probe', author: 'dee-gh', timeline: [['dee-gh', 'c']] }) }),
  );
  await tab.goto(url);
  const shim = await contentWorld(dee, tab);
  // What a compromised renderer of this tab could ask of the extension's APIs.
  await shim.evaluate(`(() => {
    const ns = globalThis.browser ?? chrome;
    globalThis.__seen = [];
    ns.storage.onChanged.addListener((changes, area) => __seen.push(area + ' ' + JSON.stringify(changes)));
  })()`);

  const options = await connectThroughOptions(dee, { serverUrl: server.url, invite: await server.invite(TEAM) });
  await options.locator('#team-connected', { hasText: `Connected to ${TEAM} as Dee` }).waitFor();
  await options.close();
  const popup = await dee.openPopup(tab);
  await declare(popup, 'Probing the content world');
  await waitForText(popup, '#sync-status', /^Synced \d\d:\d\d$/);
  await closePopup(dee, popup);
  // The worker told the tab that the team changed: Dee's own badges appear.
  await waitForBadges(tab, 3);

  const seen = await shim.evaluate(`(async () => {
    const ns = globalThis.browser ?? chrome;
    const all = await ns.storage.local.get(null).then((v) => JSON.stringify(v), (e) => 'refused: ' + e.message);
    return { all, changes: __seen.join('\\n') };
  })()`);
  await shim.detach();
  assert.doesNotMatch(seen.all, /"token"/, 'storage.local.get in the content script');
  assert.doesNotMatch(seen.changes, /"token"/, 'storage.onChanged in the content script');
  const token = await tokenOf(dee);
  assert.match(token ?? '', /\S{20,}/);
  for (const text of [seen.all, seen.changes]) assert.equal(text.includes(token), false);
  // The worker, which alone reads the token, authenticates with it.
  const me = await server.api('GET', '/v1/me', { token });
  assert.equal(me.body.state.state.declaration.headline, 'Probing the content world');

  // An upgrade from a version that kept the token in storage.local: moved out at the worker's
  // start, and the browser stays connected.
  await dee.evaluateInWorker(async (t) => {
    await chrome.storage.local.set({ token: t });
    await new Promise((resolve) => {
      const open = indexedDB.open('standin');
      open.onsuccess = () => {
        const tx = open.result.transaction('secrets', 'readwrite');
        tx.objectStore('secrets').delete('token');
        tx.oncomplete = () => {
          open.result.close();
          resolve();
        };
      };
    });
  }, token);
  // Stopped, the worker starts again on the popup's first message, as after an update.
  await dee.stopWorker(tab);
  const again = await dee.openPopup(await dee.openTab(site.url('/')));
  await declare(again, 'Still connected after the upgrade');
  await waitForText(again, '#sync-status', /^Synced \d\d:\d\d$/, 15_000);
  await closePopup(dee, again);
  assert.equal(await tokenOf(dee), token, 'the token moved to IndexedDB');
  assert.equal(await local(dee, 'token'), undefined, 'storage.local keeps no token');
  const upgraded = await server.api('GET', '/v1/me', { token });
  assert.equal(upgraded.body.state.state.declaration.headline, 'Still connected after the upgrade');

  // A connection stored by a version that allowed plain http:// to another computer: the
  // worker disconnects with the reason at its start, and the token never goes out in clear.
  await dee.evaluateInWorker(async () => {
    const { connection } = await chrome.storage.local.get('connection');
    await chrome.storage.local.set({ connection: { ...connection, server: 'http://standin.corp.example' } });
  });
  await dee.stopWorker(tab);
  const insecure = await dee.openPopup(await dee.openTab(site.url('/')));
  // Declaring wakes the worker, whose start comes before it handles the declaration.
  await declare(insecure, 'Declared after the rule');
  await waitForText(insecure, '#sync-status', /^Disconnected: the team server's address http:\/\/standin\.corp\.example is no longer accepted\. Plain http:\/\/ would send/, 15_000);
  await closePopup(dee, insecure);
  assert.equal(await tokenOf(dee), undefined, 'the token is forgotten');
  dee.assertNoErrors();
});

/**
 * A server that speaks StandIn for /healthz and /v1/join, then answers the team requests as
 * `mode` says: valid, or hostile (not JSON, over 2 MiB with or without Content-Length, wrong
 * types, implausible values). The long poll is held until the mode changes, so a change takes
 * effect at once.
 */
async function hostileServer() {
  let mode = 'good';
  // The first long poll after a hostile answer is answered at once, so recovery shows at once.
  let recovering = false;
  const waiting = new Set();
  const member = { id: 'm_mal', display_name: 'Mallory', timezone: 'UTC', handles: {} };
  const team = { id: 't_evil', name: 'Evil' };
  const goodStates = {
    team,
    cursor: 1,
    states: [{ member_id: 'm_mal', version: 1, state: { declaration: { status: 'away', headline: 'Plotting', timezone: 'UTC' }, declared_at: new Date().toISOString(), version: 1 } }],
  };
  const goodChanges = { cursor: 1, states: [], members: [], removed_members: [] };
  const hostile = {
    html: () => ({ type: 'text/html', body: '<!doctype html><h1>Welcome to the proxy</h1>' }),
    huge: () => ({ body: `{"pad":"${'x'.repeat(3 * 1024 * 1024)}"}` }),
    'huge-chunked': () => ({ chunked: true }),
    types: () => ({ body: JSON.stringify({ team, cursor: 'one', states: {}, members: 7, removed_members: null }) }),
    // A valid "start over" answer, after which the states themselves come back hostile.
    states: () => ({ body: JSON.stringify({ ...goodChanges, reset: true }) }),
    implausible: () => ({
      body: JSON.stringify({
        ...goodChanges,
        cursor: 2,
        states: [{ member_id: 'm_mal', version: 2, state: { declaration: { status: 'away', headline: 'x'.repeat(10_000), timezone: 'UTC' }, declared_at: new Date().toISOString(), version: 2 } }],
      }),
    }),
  };
  function answer(res, { status = 200, type = 'application/json', body, chunked }) {
    if (chunked) {
      // No Content-Length: only the cap while reading can stop it.
      res.writeHead(status, { 'content-type': type });
      const chunk = 'y'.repeat(64 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', more);
        }
        res.end();
      };
      res.on('error', () => {});
      return more();
    }
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    res.on('error', () => {});
    if (pathname === '/healthz') return answer(res, { body: '{"status":"ok"}' });
    if (pathname === '/v1/join') {
      return answer(res, { status: 201, body: JSON.stringify({ token: 'tok-hostile-0123456789', member, team }) });
    }
    if (pathname === '/v1/team/states') {
      return answer(res, mode === 'states' ? hostile.types() : { body: JSON.stringify(goodStates) });
    }
    if (pathname === '/v1/team') return answer(res, { body: JSON.stringify({ team, members: [member] }) });
    if (pathname === '/v1/team/changes') {
      if (mode !== 'good') return answer(res, hostile[mode]());
      if (recovering) {
        recovering = false;
        return answer(res, { body: JSON.stringify(goodChanges) });
      }
      const entry = { res, timer: setTimeout(() => finish(entry), 20_000) };
      waiting.add(entry);
      return undefined;
    }
    if (pathname === '/favicon.ico') return answer(res, { status: 204, body: '' });
    return answer(res, { status: 404, body: '{"error":"not_found","message":"No such endpoint."}' });
  });
  function finish(entry) {
    clearTimeout(entry.timer);
    waiting.delete(entry);
    if (mode === 'good') answer(entry.res, { body: JSON.stringify(goodChanges) });
    else answer(entry.res, hostile[mode]());
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    setMode(next) {
      recovering = next === 'good' && mode !== 'good';
      mode = next;
      for (const entry of [...waiting]) finish(entry);
    },
    close: () => {
      for (const entry of [...waiting]) finish(entry);
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

test('hostile server answers are rejected; the extension keeps its last good team and works', async () => {
  // A fresh profile against a fake server.
  const evil = await hostileServer();
  closers.push(() => evil.close());
  const carol = await launchExtension({ dir: extDir });
  closers.push(() => carol.close());
  await carol.workerReady();
  await carol.setStorage('sync', { settings: { display_name: 'Carol', timezone: 'UTC' } });
  const options = await connectThroughOptions(carol, { serverUrl: evil.url, invite: 'anything' });
  await options.locator('#team-connected', { hasText: 'Connected to Evil as Mallory' }).waitFor();
  const good = await poll(async () => (await local(carol, 'team'))?.states?.m_mal ? local(carol, 'team') : null, 'the good team');

  for (const [mode, problem] of [
    ['html', /the server's team changes is unreadable: not JSON/],
    ['huge', /the server's team changes was refused: the answer is larger than 2 MiB/],
    ['huge-chunked', /the server's team changes was refused: the answer is larger than 2 MiB/],
    ['types', /the server's team changes is unreadable: cursor: invalid type: string "one", expected u64/],
    ['implausible', /the server's team changes is implausible: the state of m_mal: .*headline/],
    ['states', /the server's team states is unreadable: cursor: invalid type: string "one", expected u64/],
  ]) {
    evil.setMode(mode);
    const status = await poll(async () => {
      const sync = await local(carol, 'sync');
      return problem.test(sync?.team_problem ?? '') ? sync : null;
    }, `the ${mode} answer to be reported`, 30_000);
    assert.ok(status.team_problem, mode);
    assert.deepEqual(await local(carol, 'team'), good, `${mode}: the last good team is kept`);
    if (mode === 'types') {
      // Visible to the user, and the popup still works.
      await options.locator('#team-problem', { hasText: 'The team view may be out of date' }).waitFor();
      const popup = await popupOf(carol);
      await popup.click('#tab-team');
      await waitForText(popup, '#team-status', /^Evil: not updated \(.*\); showing the last good copy\.$/);
      assert.match(await popup.textContent('#roster li[data-member="m_mal"]'), /Mallory.*Plotting/);
      await popup.click('#tab-you');
      await declare(popup, 'Still works');
      await closePopup(carol, popup);
    }
    evil.setMode('good');
    await poll(async () => !(await local(carol, 'sync'))?.team_problem, `recovery after ${mode}`, 30_000);
  }
  assert.equal(await carol.workerReady(), true, 'the worker survived');
  await options.close();
  carol.assertNoErrors();
});
