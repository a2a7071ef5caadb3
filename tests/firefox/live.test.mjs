// Issue 16, live item state from a connected GitHub account, in headless Firefox ESR: the
// scenario of tests/e2e/live-scenario.mjs, shared with Chromium's suite. The background is an
// event page here: the worker's clock moves on a minute through runtime.getBackgroundPage(),
// whose Date.now the wasm module looks up on every call. Optional permissions are granted
// without a prompt (headless Firefox shows none; team.test.mjs answers the real one).
//
//   ./build.sh && node --test tests/firefox/live.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BOB, liveTests, startLive } from '../e2e/live-scenario.mjs';
import { TeamServer } from '../e2e/team-server.mjs';
import { launchFirefox } from './harness.mjs';
import { pageDriver } from './page-driver.mjs';

let ff;
let env;

/** The background page's Date.now, moved to run on from `at`. */
async function setWorkerClock(at) {
  await ff.evaluateInExtension(async (target) => {
    const background = await browser.runtime.getBackgroundPage();
    background.standinRealNow ??= background.Date.now.bind(background.Date);
    const offset = target - background.standinRealNow();
    background.Date.now = () => background.standinRealNow() + offset;
  }, at);
}

const driver = Object.assign(pageDriver(() => ff), { setWorkerClock });

before(async () => {
  const server = await TeamServer.start();
  env = { server, ...(await startLive(server)) };
  ff = await launchFirefox({ prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  await ff.openReady('options.html');
  await ff.evaluateInExtension((settings) => browser.storage.sync.set({ settings }), BOB);
  const reply = await ff.evaluateInExtension(
    ([url, invite]) => browser.runtime.sendMessage({ connect: { server: url, invite } }),
    [server.url, await server.invite('Core')],
  );
  assert.ok(reply.connected, JSON.stringify(reply));
});

after(async () => {
  await ff?.close();
  await env?.github.close();
  await env?.server.close();
});

liveTests(driver, () => env);

test('no console errors or warnings', async () => {
  assert.deepEqual(await ff.consoleProblems(), []);
});
