// A hostile team server in headless Firefox ESR (tests/e2e/hostile-server.mjs, shared with
// Chromium's tests/e2e/team.test.mjs): after a good start it answers the team requests with
// something StandIn cannot use (not JSON, over 2 MiB with or without a Content-Length, the
// wrong types, implausible values; in the long poll and in the full fetch). Each is reported,
// the last good team is kept, the popup still works, and the next good answer clears it.
//
//   ./build.sh && node --test tests/firefox/hostile.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HOSTILE_ANSWERS, HOSTILE_SHOWN, hostileServer } from '../e2e/hostile-server.mjs';
import { launchFirefox } from './harness.mjs';

let ff;
let evil;

before(async () => {
  evil = await hostileServer();
  // The prompt itself is tests/firefox/team.test.mjs's: here the server's permission is
  // granted without one.
  ff = await launchFirefox({ prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  await ff.openReady('options.html');
});

after(async () => {
  await ff?.close();
  await evil?.close();
});

const local = async (key) => (await ff.storage('local', [key]))[key];

function waitForText(selector, pattern, timeout) {
  return ff.poll(async () => {
    const text = await ff.textContent(selector);
    return pattern.test(text ?? '') ? text : null;
  }, `${selector} to match ${pattern}`, timeout);
}

test('hostile server answers are rejected; the extension keeps its last good team and works', async () => {
  await ff.evaluateInExtension(() => browser.storage.sync.set({ settings: { display_name: 'Carol', timezone: 'UTC' } }));
  await ff.open('options.html');
  await ff.waitForLoader();
  await ff.fill('#server_url', evil.url);
  await ff.fill('#invite', 'anything');
  await ff.click('#connect');
  await waitForText('#team-connected', new RegExp(HOSTILE_SHOWN.connected), 20_000);
  const good = await ff.poll(async () => ((await local('team'))?.states?.m_mal ? local('team') : null), 'the good team');

  for (const [mode, problem] of HOSTILE_ANSWERS) {
    evil.setMode(mode);
    const sync = await ff.poll(async () => {
      const s = await local('sync');
      return problem.test(s?.team_problem ?? '') ? s : null;
    }, `the ${mode} answer to be reported`, 30_000);
    assert.ok(sync.team_problem, mode);
    assert.deepEqual(await local('team'), good, `${mode}: the last good team is kept`);
    if (mode === HOSTILE_SHOWN.mode) {
      // Visible to the user, and the popup still works.
      await waitForText('#team-problem', new RegExp(HOSTILE_SHOWN.notice));
      await ff.open('popup.html');
      await ff.waitForLoader();
      await ff.click('#tab-team');
      await waitForText('#team-status', HOSTILE_SHOWN.teamStatus);
      assert.match(await ff.textContent('#roster li[data-member="m_mal"]'), HOSTILE_SHOWN.row);
      await ff.click('#tab-you');
      await ff.fill('#headline', 'Still works');
      await ff.click('#declare');
      await waitForText('#declare-status', /^Declared \d\d:\d\d$/);
      await ff.open('options.html');
      await ff.waitForLoader();
    }
    evil.setMode('good');
    await ff.poll(async () => !(await local('sync'))?.team_problem, `recovery after ${mode}`, 30_000);
  }
  assert.equal(await ff.backgroundReady(), true, 'the background page survived');
});
