// The first ten minutes in Chromium, as the README walks them (issue 18): `./run.sh` on a fresh
// database sets up the team "local" and prints a join link per browser; two profiles open
// those links and connect; one declares; the other sees her badge on her pull request. The
// links name the development build's fixed extension id, which must be the id Chromium gives
// the unpacked build. Before that, a fresh install does not nag: no end-of-day reminder (on a
// weekday evening, by the worker's clock) until the user saved their working hours, which the
// popup invites them to do, pre-filled in the browser's time zone.
//
//   ./build.sh && node --test tests/e2e/first-minutes.test.mjs
//
// The walk's screenshots go to tests/out/ and to docs/first-minutes-*.png (the README's) when
// those are missing or with UPDATE_SCREENSHOTS=1. The shared parts are first-minutes.mjs's;
// Firefox's walk is tests/firefox/first-minutes.test.mjs.
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import { launchExtension, poll, serve } from './harness.mjs';
import { assertAccessible, setColorScheme } from './axe.mjs';
import { openPageAt, setWorkerClock } from './clock.mjs';
import { loopbackBuild } from './team-server.mjs';
import { waitForBadges } from './trackers.mjs';
import { FRESH, HEADLINE, assertAnnsBadges, PEOPLE, PR_BADGES, PR_PAGE, PR_URL, SHOTS, assertGuide, keepForReadme, startRunSh, wallClock } from './first-minutes.mjs';

const closers = [];
after(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
});

async function launch(options) {
  const ext = await launchExtension(options);
  closers.push(() => ext.close());
  await ext.workerReady();
  return ext;
}

const badgeIs = (ext, text) =>
  poll(async () => ((await ext.badge()).text === text ? true : null), `the badge to show "${text}"`);

test('a fresh install does not nag: the popup asks for the working hours, and the reminder starts once they are saved', async () => {
  const ext = await launch();
  const zone = await ext.evaluateInWorker(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  // Friday 16:45 where the browser is: the default hours' reminder (16:30) would be due.
  const evening = wallClock(zone, FRESH.evening);
  await setWorkerClock(ext, evening);
  // Any key the reminder reads makes the worker look again, now on the evening clock.
  await ext.setStorage('local', { reminder: {} });
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal((await ext.badge()).text, '', 'no EOD badge on a fresh install');
  assert.equal(await ext.evaluateInWorker(() => chrome.alarms.get('eod-reminder')), undefined, 'no reminder scheduled');
  assert.deepEqual(await ext.evaluateInWorker(() => chrome.notifications.getAll()), {});

  const popup = await openPageAt(ext, 'popup.html', evening, { viewport: { width: 380, height: 600 } });
  await popup.locator('#hours').waitFor();
  assert.equal(await popup.isVisible('#reminder'), false, 'no reminder banner');
  assert.equal(await popup.inputValue('#working_hours-start'), FRESH.start);
  assert.equal(await popup.inputValue('#working_hours-end'), FRESH.end);
  assert.equal(await popup.textContent('#hours-zone'), zone);
  for (const scheme of ['light', 'dark']) {
    await setColorScheme(popup, scheme);
    await ext.screenshot(popup, `first-minutes-hours-${scheme}`);
    await assertAccessible(popup, `the popup's invitation to set the hours, ${scheme}`);
  }
  await popup.fill('#working_hours-end', FRESH.typedEnd);
  await popup.focus('#hours-save');
  await popup.keyboard.press('Enter');
  await popup.locator('#hours-status', { hasText: FRESH.saved }).waitFor();
  assert.equal(await popup.evaluate(() => document.activeElement.id), 'status', 'on to the form');
  assert.deepEqual((await ext.storage('sync')).settings, FRESH.stored(zone));
  // Saved: the reminder of this evening (17:30 − 30 min) is due at once.
  await badgeIs(ext, 'EOD');
  assert.ok(await ext.evaluateInWorker(() => chrome.alarms.get('eod-reminder')), 'the next reminder is scheduled');
  await popup.close();
  ext.assertNoErrors();
});

test('the first ten minutes: ./run.sh, its join links in two profiles, a declaration, a badge on a tracker page', async () => {
  const run = await startRunSh();
  closers.push(run.close);
  assertGuide(run);
  const dir = await loopbackBuild();
  closers.push(() => rm(dir, { recursive: true, force: true }));
  const [ann, bo] = await Promise.all([launch({ dir }), launch({ dir })]);
  const profiles = [ann, bo];

  for (const [i, person] of PEOPLE.entries()) {
    const ext = profiles[i];
    const link = run.guide.links[i];
    assert.equal(new URL(link).host, ext.id, 'the link names the id Chromium gave the unpacked build');
    const options = await ext.openPage(link.slice(ext.url('').length));
    assert.equal(await options.inputValue('#server_url'), run.url);
    assert.equal(await options.inputValue('#invite'), run.guide.codes[i]);
    await options.fill('#display_name', person.name);
    await options.fill('#handles-github', person.github);
    await options.click('#save');
    await options.locator('#save-status', { hasText: 'Saved.' }).waitFor();
    await options.click('#connect');
    await options.locator('#team-connected', { hasText: `Connected to local as ${person.name}` }).waitFor({ timeout: 20_000 });
    if (i === 0) await keepForReadme(await ext.screenshot(options, SHOTS[0]), SHOTS[0]);
    await options.close();
  }
  for (const ext of profiles) {
    await poll(async () => Object.keys((await ext.storage('local', ['team'])).team?.members ?? {}).length === 2, 'the roster');
  }

  // Ann declares from the toolbar popup.
  const site = await serve({ '/': { body: '<!doctype html><title>Work</title><p>work</p>' } });
  closers.push(() => site.close());
  const work = await ann.openTab(site.url('/'));
  const popup = await ann.openPopup(work);
  await popup.evaluate(() => {
    const status = document.getElementById('status');
    status.value = 'online';
    status.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await popup.fill('#headline', HEADLINE);
  await popup.click('#declare');
  await poll(async () => /^Synced \d\d:\d\d$/.test((await popup.textContent('#sync-status')) ?? ''), 'Synced');
  await keepForReadme(await ann.screenshot(popup, SHOTS[1]), SHOTS[1]);

  // Bo opens Ann's pull request: her badge beside each place she appears.
  const tab = await bo.context.newPage();
  await tab.setViewportSize({ width: 1000, height: 640 });
  await tab.route('https://github.com/**', (route) => route.fulfill({ contentType: 'text/html', body: PR_PAGE }));
  await tab.goto(PR_URL);
  const state = await waitForBadges(tab, PR_BADGES, { timeout: 20_000 });
  assertAnnsBadges(state);
  await keepForReadme(await bo.screenshot(tab, SHOTS[2]), SHOTS[2]);
  ann.assertNoErrors();
  bo.assertNoErrors();
});

test('./run.sh listening on every address puts a reachable server in its guide: this machine, or STANDIN_SERVER_URL', async () => {
  const machine = execSync('hostname -f 2>/dev/null || hostname', { encoding: 'utf8' }).trim();
  const wildcard = await startRunSh({ host: '0.0.0.0' });
  try {
    assert.equal(wildcard.guide.url, `http://${machine}:${wildcard.port}`, 'no browser can be sent to 0.0.0.0');
    assert.doesNotMatch(wildcard.output, /0\.0\.0\.0:\d+\/|Server URL http:\/\/0\.0\.0\.0/);
    for (const link of wildcard.guide.links) {
      assert.equal(new URL(link).searchParams.get('server'), wildcard.guide.url, link);
    }
  } finally {
    await wildcard.close();
  }
  const proxied = await startRunSh({ host: '0.0.0.0', env: { STANDIN_SERVER_URL: 'https://standin.example.com/' } });
  try {
    assert.equal(proxied.guide.url, 'https://standin.example.com');
    assert.match(proxied.output, /--server-url https:\/\/standin\.example\.com\n/);
  } finally {
    await proxied.close();
  }
});
