// Issue 16, live item state from a connected GitHub account, in Chromium (a copy of dist/chrome
// with http://127.0.0.1/* granted at install, as mirror.test.mjs has it: headless Chromium
// answers no permission prompt). The scenario is tests/e2e/live-scenario.mjs's, shared with
// Firefox's suite; the worker's clock moves on a minute through tests/e2e/clock.mjs, and
// github.com's page is served through Playwright's routing (the endpoint serves its own PR's
// page). The item banner's closed shadow root is read through DevTools (trackers.mjs).
//
//   ./build.sh && node --test tests/e2e/live.test.mjs
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { setWorkerClock } from './clock.mjs';
import { launchExtension } from './harness.mjs';
import { pageDriver } from './page-driver.mjs';
import { BOB, liveTests, startLive } from './live-scenario.mjs';
import { loopbackBuild, TeamServer } from './team-server.mjs';
import { trackerSite } from './tracker-pages.mjs';
import { inlineState } from './trackers.mjs';

let ext;
let dir;
let env;

const site = trackerSite();
/** The tracker tabs opened, by URL. */
const trackers = new Map();
const driver = Object.assign(pageDriver(() => ext), {
  setWorkerClock: (at) => setWorkerClock(ext, at),
  // Stops the worker as Chrome does when it idles, and waits for a new one (the old one left a
  // mark in its global scope that the new one must not have).
  async restartWorker() {
    await ext.evaluateInWorker(() => (globalThis.standinOldWorker = true));
    await ext.stopWorker(driver.page);
    await driver.open('popup.html');
    assert.equal(await ext.evaluateInWorker(() => globalThis.standinOldWorker ?? false), false, 'a new worker');
    assert.equal(await ext.workerReady(), true);
  },
  select: (selector, value) => driver.page.selectOption(selector, value),
  async openTracker(url) {
    const tab = await ext.context.newPage();
    await tab.goto(url);
    trackers.set(url, tab);
  },
  // The banner's closed shadow root, read through DevTools (CDP), as inline.test.mjs reads it.
  async bannerText(url) {
    const state = await inlineState(trackers.get(url));
    return state.hosts.find((h) => h.feature === 'banner')?.text ?? null;
  },
});

before(async () => {
  const server = await TeamServer.start();
  env = { server, site, ...(await startLive(server)) };
  dir = await loopbackBuild();
  ext = await launchExtension({ dir });
  assert.equal(await ext.workerReady(), true);
  // Only github.com is routed: the team server and the GitHub endpoint are reached directly.
  await ext.context.route(/^https:\/\/github\.com\//, async (route) => {
    const { status, contentType, headers, body } = site.respond(route.request().url(), route.request().resourceType());
    await route.fulfill({ status, contentType, headers, body });
  });
  await driver.open('options.html');
  await driver.evaluate((settings) => chrome.storage.sync.set({ settings }), BOB);
  const reply = await driver.evaluate(([url, invite]) => chrome.runtime.sendMessage({ connect: { server: url, invite } }), [server.url, await server.invite('Core')]);
  assert.ok(reply.connected, JSON.stringify(reply));
});

after(async () => {
  await driver.page?.close();
  await ext?.close();
  await env?.github.close();
  await env?.server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

liveTests(driver, () => env);

test('no console errors or uncaught exceptions', () => {
  ext.assertNoErrors();
});
