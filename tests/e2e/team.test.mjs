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
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { contentWorld, launchExtension, poll, serve } from './harness.mjs';
import { TeamServer, freePort, loopbackBuild } from './team-server.mjs';
import { HOSTILE_ANSWERS, HOSTILE_SHOWN, hostileServer } from './hostile-server.mjs';
import { CONFLICT, INSECURE_LINK, NAME_CLASH, REVOKED, TOKEN_TRUST_MS, connectErrorCases, permissionRefused, readToken } from './team-scenarios.mjs';
import { prPage } from './generated-pages.mjs';
import { assertAccessible, setColorScheme } from './axe.mjs';
import { waitForBadges } from './trackers.mjs';

const TEAM = 'Core';

let server;
let site;
let extDir;
let ann; // profile A
let bo; // profile B
const closers = [];

before(async () => {
  server = await TeamServer.start();
  await server.cli('team', 'create', TEAM);
  site = await serve({ '/': { body: '<!doctype html><title>Work</title><p>work</p>' } });
  extDir = await loopbackBuild();
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

/** The bearer token where the worker keeps it (see readToken). */
async function tokenOf(ext) {
  return ext.evaluateInWorker(readToken);
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
  assert.match(row, /now \d\d:\d\d there/);
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
  const put = await server.api('PUT', '/v1/me/state', { token, body: CONFLICT.laptop, headers: { 'if-match': '1' } });
  assert.equal(put.status, 200);
  assert.equal(put.body.version, 2);

  const popup = await popupOf(ann);
  await declare(popup, CONFLICT.localHeadline);
  await popup.waitForSelector('#conflict:not([hidden])', 15_000);
  await waitForText(popup, '#sync-status', /^Changed in another browser/);
  const local_ = await popup.textContent('#conflict-local');
  const theirs = await popup.textContent('#conflict-server');
  assert.match(local_, CONFLICT.localSide);
  assert.match(theirs, CONFLICT.serverSide);
  // Nothing was overwritten.
  assert.equal((await server.api('GET', '/v1/me', { token })).body.state.version, 2);
  await ann.screenshot(popup, 'popup-conflict');
  for (const scheme of ['dark', 'light']) {
    await setColorScheme(popup, scheme);
    await assertAccessible(popup, `the conflict view, ${scheme}`);
  }

  const { merge } = CONFLICT.outcomes;
  await popup.click(merge.button);
  await waitForText(popup, '#sync-status', /^Synced \d\d:\d\d$/, 15_000);
  assert.equal(await popup.evaluate(() => document.getElementById('conflict').hidden), true);
  const me = (await server.api('GET', '/v1/me', { token })).body.state;
  assert.equal(me.version, 3);
  assert.equal(me.state.declaration.headline, merge.headline);
  assert.deepEqual(me.state.declaration.items.map((i) => i.title), merge.items);
  // The form now shows the merged declaration.
  assert.equal(await popup.evaluate(() => document.getElementById('items-0-title').value), merge.items[0]);
  await closePopup(ann, popup);
});

test('a revoked token disconnects with a clear message in the popup and the options', async () => {
  // Starts from A connected.
  const token = await tokenOf(ann);
  await server.cli('token', 'revoke', '--token', token);
  await sleep(TOKEN_TRUST_MS);
  const popup = await popupOf(ann);
  await declare(popup, 'After the revocation');
  await waitForText(popup, '#sync-status', REVOKED.syncStatus, 15_000);
  await popup.click('#tab-team');
  await waitForText(popup, '#team-status', REVOKED.teamStatus);
  await closePopup(ann, popup);
  assert.equal(await tokenOf(ann), undefined, 'the token is forgotten');
  assert.equal(await local(ann, 'team'), undefined, 'the team cache is gone');

  const options = await ann.openPage('options.html');
  await options.locator('#team-notice', { hasText: REVOKED.notice }).waitFor();
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
  const boToken = await tokenOf(bo);
  assert.ok(boToken);

  const { cases, close } = await connectErrorCases(server, TEAM, { serve, freePort });
  closers.push(close);
  for (const { serverUrl, invite, field, error, also } of cases) {
    await tryConnect(serverUrl, invite, field, error);
    if (also) assert.match(await errorOf(also[0]).textContent(), also[1]);
  }
  // The worker refuses plain http to another computer too, whoever asks, and so does the
  // invite link's pre-filled form.
  const refused = await options.evaluate(() =>
    chrome.runtime.sendMessage({ connect: { server: 'http://192.168.1.20:8787', invite: 'code' } }),
  );
  assert.deepEqual(refused.errors.map((e) => e.field), ['server_url'], JSON.stringify(refused));
  assert.match(refused.errors[0].message, /unencrypted/);
  const linked = await ann.openPage(`options.html${INSECURE_LINK.query}`);
  assert.equal(await linked.inputValue('#server_url'), INSECURE_LINK.server);
  await linked.click('#connect');
  await linked.locator('#error-server_url', { hasText: INSECURE_LINK.error }).waitFor();
  await linked.close();

  // Permission refused: the browser's answer is stubbed (headless Chromium shows no prompt).
  await options.evaluate(() => {
    for (const ns of [globalThis.browser, globalThis.chrome]) {
      if (ns?.permissions) ns.permissions.request = () => Promise.resolve(false);
    }
  });
  await tryConnect('https://standin.example.com', 'code', 'server_url', permissionRefused('standin.example.com'));
  await options.reload();
  assert.equal(await tokenOf(ann), undefined, 'nothing was stored by the failures');

  // Ann's revoked membership still holds her names: joining again as Ann is refused (409)
  // beside the fields that name someone else, and the invite stays good.
  await options.locator('#team-form').waitFor();
  await options.fill('#server_url', server.url);
  await options.fill('#invite', await server.invite(TEAM));
  await options.click('#connect');
  await errorOf('handles-github').filter({ hasText: NAME_CLASH.handle }).waitFor({ timeout: 20_000 });
  assert.equal(await options.getAttribute('#handles-github', 'aria-invalid'), 'true');
  assert.match(await errorOf('display_name').textContent(), NAME_CLASH.displayName);
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

test('hostile server answers are rejected; the extension keeps its last good team and works', async () => {
  // A fresh profile against a fake server.
  const evil = await hostileServer();
  closers.push(() => evil.close());
  const carol = await launchExtension({ dir: extDir });
  closers.push(() => carol.close());
  await carol.workerReady();
  await carol.setStorage('sync', { settings: { display_name: 'Carol', timezone: 'UTC' } });
  const options = await connectThroughOptions(carol, { serverUrl: evil.url, invite: 'anything' });
  await options.locator('#team-connected', { hasText: HOSTILE_SHOWN.connected }).waitFor();
  const good = await poll(async () => (await local(carol, 'team'))?.states?.m_mal ? local(carol, 'team') : null, 'the good team');

  for (const [mode, problem] of HOSTILE_ANSWERS) {
    evil.setMode(mode);
    const status = await poll(async () => {
      const sync = await local(carol, 'sync');
      return problem.test(sync?.team_problem ?? '') ? sync : null;
    }, `the ${mode} answer to be reported`, 30_000);
    assert.ok(status.team_problem, mode);
    assert.deepEqual(await local(carol, 'team'), good, `${mode}: the last good team is kept`);
    if (mode === HOSTILE_SHOWN.mode) {
      // Visible to the user, and the popup still works.
      await options.locator('#team-problem', { hasText: HOSTILE_SHOWN.notice }).waitFor();
      const popup = await popupOf(carol);
      await popup.click('#tab-team');
      await waitForText(popup, '#team-status', HOSTILE_SHOWN.teamStatus);
      assert.match(await popup.textContent('#roster li[data-member="m_mal"]'), HOSTILE_SHOWN.row);
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
