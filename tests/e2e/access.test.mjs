// Tracker access in Chromium, withdrawn the way Chrome lets a user: the extension's site
// access (chrome://extensions, driven here through its own developerPrivate API). Chrome's
// permissions.remove refuses the built-in hosts ("You cannot remove required permissions"):
// they are required host permissions, so this is the only way a Chrome user loses them. The
// worker notices (permissions.onRemoved), the options page lists the sites, the popup says so
// with a button that asks again (headless Chromium opens that prompt but cannot answer it, so
// the line stays on "Waiting for your permission…"), the tooltip names them, and site access
// given back restores the badges on a GitHub page served at its real URL.
//
//   ./build.sh && node --test tests/e2e/access.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchExtension, poll } from './harness.mjs';
import { roster, teamCache } from './team-fixture.mjs';
import { ownPage, routeTrackers, waitForBadges } from './trackers.mjs';

const ISSUE = 'https://github.com/acme/widgets/issues/42';
const NAMES = 'GitHub, GitLab.com, Jira Cloud and Linear';

let ext;
let extensions; // chrome://extensions, where the user sets site access

before(async () => {
  ext = await launchExtension();
  const site = await routeTrackers(ext.context);
  site.page(ISSUE, await ownPage('github/issue-react-2024.html'));
  assert.equal(await ext.workerReady(), true);
  await ext.setStorage('local', { team: teamCache(roster()) });
  extensions = await ext.context.newPage();
  await extensions.goto('chrome://extensions/');
});

after(async () => {
  await ext?.close();
});

/** chrome://extensions' "Site access": 'ON_CLICK' withholds every site, 'ON_ALL_SITES' gives them back. */
async function siteAccess(hostAccess) {
  await extensions.evaluate(
    ([extensionId, access]) => chrome.developerPrivate.updateExtensionConfiguration({ extensionId, hostAccess: access }),
    [ext.id, hostAccess],
  );
}

const title = () => ext.evaluateInWorker(() => chrome.action.getTitle({}));
const contains = (origin) => ext.evaluateInWorker((o) => chrome.permissions.contains({ origins: [o] }), origin);

test('the built-in hosts are required: permissions.remove refuses them, contains reports them', async () => {
  assert.equal(await contains('https://github.com/*'), true);
  const refused = await ext.evaluateInWorker(() =>
    chrome.permissions.remove({ origins: ['https://github.com/*'] }).then(() => null, (e) => e.message),
  );
  assert.equal(refused, 'You cannot remove required permissions.');
  const tab = await ext.openTab(ISSUE, { recordErrors: false });
  await waitForBadges(tab, 3);
  await tab.close();
  assert.doesNotMatch(await title(), /No access/);
});

test('site access withheld: options, popup and tooltip say so; given back, badges return', async () => {
  await siteAccess('ON_CLICK');
  assert.equal(await contains('https://github.com/*'), false);
  await poll(async () => /No access/.test(await title()), 'the tooltip to name the sites');
  // The first line is the state's (and the time of day's: the end-of-day reminder).
  assert.equal((await title()).split('\n')[1], `No access to ${NAMES}: open StandIn to allow it.`);

  const options = await ext.openPage('options.html');
  assert.equal(await options.locator('#tracker-access').isVisible(), true);
  assert.deepEqual(await options.locator('#tracker-access-list button').evaluateAll((b) => b.map((e) => e.getAttribute('aria-label'))), [
    'Allow access to GitHub',
    'Allow access to GitLab.com',
    'Allow access to Jira Cloud',
    'Allow access to Linear',
  ]);
  assert.equal(await options.textContent('#trackers-built-in'), `${NAMES} need your permission again (above).`);

  const tab = await ext.openTab(ISSUE, { recordErrors: false });
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(await tab.evaluate(() => document.querySelectorAll('standin-inline').length), 0, 'badges without access');

  const popup = await ext.openPage('popup.html');
  assert.equal(await popup.textContent('#access-notice-text'), `StandIn cannot read ${NAMES}, so it shows no badges there.`);
  // The button asks inside the click; Chrome's prompt opens and stays (headless cannot answer it).
  await popup.click('#access-allow');
  assert.equal(await popup.textContent('#access-notice-text'), 'Waiting for your permission…');
  assert.equal(await popup.getAttribute('#access-notice-text', 'role'), 'status');
  // The options page's button does the same, beside its list.
  await options.click('#tracker-allow-0');
  assert.equal(await options.textContent('#tracker-access-status'), 'Waiting for your permission…');

  await siteAccess('ON_ALL_SITES');
  await poll(async () => !(await popup.isVisible('#access-notice')), 'the popup notice to go');
  await poll(async () => !(await options.isVisible('#tracker-access')), 'the options list to go');
  assert.doesNotMatch(await title(), /No access/);
  await tab.reload();
  await waitForBadges(tab, 3);
  assert.deepEqual(ext.errors, []);
});
