// The team connection in headless Firefox ESR: Connect in the options page joins the real
// standin-server, the token is kept where Firefox's content scripts cannot read it (not in
// storage.local, which Firefox opens to every content script and cannot close), and the
// background page still authenticates with it: a declaration reaches the server.
//
//   ./build.sh && node --test tests/firefox/team.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TeamServer } from '../e2e/team-server.mjs';
import { launchFirefox } from './harness.mjs';

let ff;
let server;

before(async () => {
  server = await TeamServer.start();
  await server.cli('team', 'create', 'Core');
  // Connect asks for the server's host permission; headless Firefox shows no prompt to accept,
  // so optional permissions are granted without one.
  ff = await launchFirefox({ prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  await ff.open('options.html');
  await ff.waitForLoader();
  assert.equal(await ff.backgroundReady(), true);
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

test('connect refuses plain http to another computer, and a name a teammate holds, beside their fields', async () => {
  // Somebody already goes by "Taken" in the team.
  const taken = await server.api('POST', '/v1/join', {
    body: { invite: await server.invite('Core'), display_name: 'Taken', timezone: 'UTC' },
  });
  assert.equal(taken.status, 201);
  await ff.evaluateInExtension(() => browser.storage.sync.set({ settings: { display_name: 'Taken', timezone: 'UTC' } }));
  await ff.open('options.html');
  await ff.waitForLoader();
  const errorOf = (id) => ff.evaluateInExtension((i) => {
    const error = document.getElementById(`error-${i}`);
    return error.hidden ? '' : error.textContent;
  }, id);

  await ff.fill('#server_url', 'http://192.168.1.20:8787');
  await ff.fill('#invite', 'any-code');
  await ff.click('#connect');
  const insecure = await ff.poll(async () => (await errorOf('server_url')) || null, 'the error beside Server URL');
  assert.match(insecure, /^Plain http:\/\/ would send your invite code and token unencrypted/);

  await ff.fill('#server_url', server.url);
  await ff.fill('#invite', await server.invite('Core'));
  await ff.click('#connect');
  const clash = await ff.poll(async () => (await errorOf('display_name')) || null, 'the error beside Display name', 20_000);
  assert.match(clash, /already goes by this display name/);
  assert.equal((await ff.storage('local')).connection, undefined, 'not connected');
});

test('connecting keeps the token out of storage.local; the background page authenticates with it', async () => {
  await ff.evaluateInExtension(() => browser.storage.sync.set({ settings: { display_name: 'Fox', timezone: 'UTC' } }));
  await ff.open('options.html');
  await ff.waitForLoader();
  await ff.fill('#server_url', server.url);
  await ff.fill('#invite', await server.invite('Core'));
  await ff.click('#connect');
  await waitForText('#team-connected', /Connected to Core as Fox/, 20_000);

  // Everything in storage.local is readable by Firefox's content scripts: no token there.
  const local = await ff.storage('local');
  assert.equal(local.connection.member.display_name, 'Fox');
  assert.equal('token' in local, false, 'storage.local holds the token');
  // It is in the extension origin's IndexedDB (an extension page shares the worker's origin).
  const token = await ff.evaluateInExtension(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('standin');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('secrets').objectStore('secrets').get('token');
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
      }),
  );
  assert.match(token, /\S{20,}/);
  for (const area of ['local', 'sync', 'session']) {
    assert.equal(JSON.stringify(await ff.storage(area)).includes(token), false, `storage.${area} holds the token`);
  }

  await ff.open('popup.html');
  await ff.waitForLoader();
  await ff.fill('#headline', 'Declared from Firefox');
  await ff.click('#declare');
  await waitForText('#declare-status', /^Declared \d\d:\d\d$/);
  const state = await ff.poll(async () => {
    const me = await server.api('GET', '/v1/me', { token });
    return me.body.state?.state ? me.body.state.state : null;
  }, 'the declaration on the server', 20_000);
  assert.equal(state.declaration.headline, 'Declared from Firefox');
});
