// Issue 16, live item state from a connected GitHub account, in headless Firefox ESR: the
// scenario of tests/e2e/live-scenario.mjs, shared with Chromium's suite. The background is an
// event page here: the worker's clock moves on a minute through runtime.getBackgroundPage(),
// whose Date.now the wasm module looks up on every call; github.com's page comes through the
// local HTTPS proxy (tracker-proxy.mjs), the endpoint's PR page from the endpoint itself. The
// item banner's closed shadow root is read through WebDriver (inline.mjs). Optional permissions are granted
// without a prompt (headless Firefox shows none; team.test.mjs answers the real one).
//
//   ./build.sh && node --test tests/firefox/live.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BOB, liveTests, startLive } from '../e2e/live-scenario.mjs';
import { TeamServer } from '../e2e/team-server.mjs';
import { trackerSite } from '../e2e/tracker-pages.mjs';
import { launchFirefox } from './harness.mjs';
import { banner, inlineState } from './inline.mjs';
import { pageDriver } from './page-driver.mjs';
import { startTrackerProxy } from './tracker-proxy.mjs';

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

const site = trackerSite();
let proxy;

/** The tracker tabs opened (window handles), by URL. */
const trackers = new Map();

const driver = Object.assign(pageDriver(() => ff), {
  setWorkerClock,
  async select(selector, value) {
    await ff.evaluateInExtension(([s, v]) => {
      const select = document.querySelector(s);
      select.value = v;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    }, [selector, value]);
  },
  async openTracker(url) {
    const extensionTab = await ff.command('GET', ff.session('/window'));
    trackers.set(url, await ff.newTab());
    await ff.open(url);
    await ff.switchTo(extensionTab);
  },
  // The banner's closed shadow root, read through WebDriver (inline.mjs), from the tracker's tab;
  // null while StandIn redraws it (a host replaced between two commands).
  async bannerText(url) {
    const extensionTab = await ff.command('GET', ff.session('/window'));
    await ff.switchTo(trackers.get(url));
    try {
      return banner(await inlineState(ff))?.text ?? null;
    } catch (err) {
      if (/stale element reference|detached shadow root/.test(err.message)) return null;
      throw err;
    } finally {
      await ff.switchTo(extensionTab);
    }
  },
});

before(async () => {
  const server = await TeamServer.start();
  env = { server, site, ...(await startLive(server)) };
  proxy = await startTrackerProxy(site);
  ff = await launchFirefox({ ...proxy.firefox, prefs: { ...proxy.firefox.prefs, 'extensions.webextOptionalPermissionPrompts': false } });
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
  await proxy?.close();
  await env?.github.close();
  await env?.server.close();
});

liveTests(driver, () => env);

test('no console errors or warnings', async () => {
  assert.deepEqual(await ff.consoleProblems(), []);
});
