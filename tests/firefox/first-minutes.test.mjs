// The first ten minutes in Firefox ESR (Chromium's is tests/e2e/first-minutes.test.mjs, with
// the same parts from tests/e2e/first-minutes.mjs): `./run.sh` on a fresh database prints its
// guide; two Firefox profiles join with the printed codes; Ann declares; Bo sees her badge on
// her pull request (at its real URL through tracker-proxy.mjs). A fresh install does not nag.
//
// What Firefox does instead of opening the Chrome link: its extension origin is a per-install
// UUID (moz-extension://…), so no link printed beforehand can name it. The guide says to open
// StandIn's Preferences and enter the server and a code; here each profile opens its own
// options page with the printed link's query (`?server=…&invite=…`), which is the same form
// filled in, and the test checks the Firefox line of the guide names the same codes.
// Firefox's shifted-clock check of the hold is Chromium's: WebDriver cannot set an extension
// page's clock before its scripts run. Here the hold shows as no reminder alarm at all until
// the hours are saved from the popup.
//
//   ./build.sh && node --test tests/firefox/first-minutes.test.mjs
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FRESH, HEADLINE, PEOPLE, PR_BADGES, PR_PAGE, PR_URL, assertAnnsBadges, assertGuide, linkQuery, startRunSh } from '../e2e/first-minutes.mjs';
import { trackerSite } from '../e2e/tracker-pages.mjs';
import { assertAccessible, setColorScheme } from './axe.mjs';
import { launchFirefox } from './harness.mjs';
import { waitForBadges } from './inline.mjs';
import { startTrackerProxy } from './tracker-proxy.mjs';

const closers = [];
after(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
});

async function launch(options) {
  const ff = await launchFirefox(options);
  closers.push(() => ff.close());
  await ff.openReady('options.html');
  return ff;
}

const reminderAlarm = (ff) => ff.evaluateInExtension(() => browser.alarms.get('eod-reminder'));

test('a fresh install does not nag: the popup asks for the working hours, and the reminder is scheduled once they are saved', async () => {
  const ff = await launch();
  assert.equal(await reminderAlarm(ff), null, 'no reminder scheduled');
  assert.equal((await ff.badge()).text, '');
  await ff.sizePage(380, 600);
  await ff.open('popup.html');
  await ff.waitForLoader();
  const zone = await ff.evaluateInExtension(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('working_hours-start').value), FRESH.start);
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('working_hours-end').value), FRESH.end);
  assert.equal(await ff.textContent('#hours-zone'), zone);
  for (const scheme of ['light', 'dark']) {
    await setColorScheme(ff, scheme);
    await ff.screenshot(`firefox-first-minutes-hours-${scheme}`);
    await assertAccessible(ff, `the popup's invitation to set the hours, ${scheme}`);
  }
  await ff.fill('#working_hours-end', FRESH.typedEnd);
  await ff.click('#hours-save');
  await ff.waitForText('#hours-status', FRESH.saved);
  assert.equal(await ff.evaluateInExtension(() => document.activeElement.id), 'status', 'on to the form');
  assert.deepEqual((await ff.storage('sync', ['settings'])).settings, FRESH.stored(zone));
  const alarm = await ff.poll(() => reminderAlarm(ff), 'the reminder alarm');
  assert.ok(alarm.scheduledTime > Date.now() - 60_000, JSON.stringify(alarm));
  // Closed now, with its console checked, not minutes later after the walk.
  await ff.close();
});

test('the first ten minutes: ./run.sh, its codes in two profiles, a declaration, a badge on a tracker page', async () => {
  const run = await startRunSh();
  closers.push(run.close);
  assertGuide(run);
  const site = trackerSite();
  site.page(PR_URL, PR_PAGE);
  const proxy = await startTrackerProxy(site);
  closers.push(() => proxy.close());
  // The browser's prompt for the server's host permission is tests/firefox/team.test.mjs's.
  const options = { ...proxy.firefox, prefs: { ...proxy.firefox.prefs, 'extensions.webextOptionalPermissionPrompts': false } };
  const [ann, bo] = await Promise.all([launch(options), launch(options)]);

  for (const [i, person] of PEOPLE.entries()) {
    const ff = [ann, bo][i];
    await ff.open(linkQuery(run.guide.links[i]));
    await ff.waitForLoader();
    assert.equal(await ff.evaluateInExtension(() => document.getElementById('server_url').value), run.url);
    assert.equal(await ff.evaluateInExtension(() => document.getElementById('invite').value), run.guide.codes[i]);
    await ff.fill('#display_name', person.name);
    await ff.fill('#handles-github', person.github);
    await ff.click('#save');
    await ff.waitForText('#save-status', /Saved\./);
    await ff.click('#connect');
    await ff.waitForText('#team-connected', new RegExp(`Connected to local as ${person.name}`), 20_000);
  }
  for (const ff of [ann, bo]) {
    await ff.poll(async () => Object.keys((await ff.storage('local', ['team'])).team?.members ?? {}).length === 2, 'the roster');
  }

  await ann.open('popup.html');
  await ann.waitForLoader();
  await ann.evaluateInExtension(() => {
    const status = document.getElementById('status');
    status.value = 'online';
    status.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await ann.fill('#headline', HEADLINE);
  await ann.click('#declare');
  await ann.waitForText('#sync-status', /^Synced \d\d:\d\d$/, 15_000);

  await bo.newTab();
  await bo.open(PR_URL);
  assertAnnsBadges(await waitForBadges(bo, PR_BADGES, { timeout: 20_000 }));
  await bo.screenshot('firefox-first-minutes-badge');
});
