// "Status everywhere" (issue 15) in headless Firefox ESR: the scenario of
// tests/e2e/mirror-scenario.mjs, shared with Chromium's suite, against the local GitHub and
// GitLab and Slack endpoints of tests/services/, plus what only Firefox can do here: withdraw the API's
// host permission (browser.permissions.remove, as about:addons does) and give it back.
// Optional permissions are granted without a prompt (headless Firefox shows none to accept;
// team.test.mjs answers the real one).
//
//   ./build.sh && node --test tests/firefox/mirror.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as scenario from '../e2e/mirror-scenario.mjs';
import { assertAccessible, setColorScheme } from './axe.mjs';
import { launchFirefox } from './harness.mjs';
import { pageDriver } from './page-driver.mjs';

let ff;
let services;

const driver = Object.assign(pageDriver(() => ff), {
  colorScheme: (scheme) => setColorScheme(ff, scheme),
  axe: (what) => assertAccessible(ff, what),
  canWithdraw: true,
  consoleLines: () =>
    ff.inChrome(
      `return Services.console.getMessageArray().map((m) => m.errorMessage ?? m.message);`,
    ),
});

before(async () => {
  services = await scenario.startServices();
  ff = await launchFirefox({ prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  await ff.openReady('options.html');
  for (const service of ['github', 'gitlab', 'slack']) await scenario.connectService(driver, services, service);
});

after(async () => {
  await ff?.close();
  await services?.close();
});

scenario.mirrorTests(driver, () => services);

test('no console errors or warnings', async () => {
  assert.deepEqual(await ff.consoleProblems(), []);
});
