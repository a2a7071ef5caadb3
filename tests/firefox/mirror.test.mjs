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

let ff;
let services;

const driver = {
  async open(file) {
    await ff.open(file);
    await ff.waitForLoader();
    if (file === 'popup.html') await ff.sizePage(380, 600);
  },
  fill: (selector, text) => ff.fill(selector, text),
  click: (selector) => ff.click(selector),
  text: (selector) => ff.textContent(selector),
  evaluate: (fn, arg) => ff.evaluateInExtension(fn, arg),
  colorScheme: (scheme) => setColorScheme(ff, scheme),
  axe: (what) => assertAccessible(ff, what),
  consoleLines: () =>
    ff.inChrome(
      `return Services.console.getMessageArray().map((m) => m.errorMessage ?? m.message);`,
    ),
};

before(async () => {
  services = await scenario.startServices();
  ff = await launchFirefox({ prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  await ff.openReady('options.html');
  await scenario.connectGitHub(driver, services);
  await scenario.connectGitLab(driver, services);
  await scenario.connectSlack(driver, services);
});

after(async () => {
  await ff?.close();
  await services?.close();
});

test('declare and clear reach GitHub, GitLab and Slack as they document', async () => {
  await scenario.githubDeclareAndClear(driver, services);
  await scenario.gitlabDeclareAndClear(driver, services);
  await scenario.slackDeclareAndClear(driver, services);
  assert.match(await scenario.popupLine(driver, 'slack'), /^Slack status: cleared \d\d:\d\d$/);
  assert.match(await scenario.popupLine(driver, 'github'), /^GitHub status: cleared \d\d:\d\d$/);
});

test('the options section and the popup lines at 380×600, light and dark: axe-core clean', async () => {
  await scenario.screens(driver);
});

test('429 with Retry-After is retried no earlier, and a newer declaration replaces it', async () => {
  await scenario.rateLimited(driver, services);
});

test('401, 403 and hostile or oversized answers stop and say so', async () => {
  await scenario.refusals(driver, services);
  await scenario.missingScope(driver, services);
});

test('a withdrawn permission stops the mirror until it is given back', async () => {
  await scenario.withdrawnPermission(driver, services);
});

test('the XSS corpus reaches the services as plain data', async () => {
  await scenario.xssAsPlainData(driver, services);
});

test('no token in storage, replies, console or page; disconnect deletes it', async () => {
  await scenario.scanForTokens(driver);
  await scenario.disconnect(driver, 'gitlab');
  await scenario.disconnect(driver, 'slack');
  await scenario.disconnect(driver, 'github');
  assert.deepEqual(await ff.consoleProblems(), []);
});
