// The inline context's life on an open tracker page in headless Firefox ESR, at the page's
// real URL with its CSP (tracker-proxy.mjs): framework re-renders and "load more" never double
// a badge; badges follow the team cache live; the item banner is dismissed by a real click on
// its button inside the closed shadow root (WebDriver's element click: the browser's own
// pointer events) and stays away until its teammate declares anew; the keyboard's Tab reaches
// a badge, a button with its accessible name. The scenarios are tests/e2e/tracker-pages.mjs's,
// shared with Chromium's tests/e2e/inline.test.mjs.
//
//   ./build.sh && node --test tests/firefox/lifecycle.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { roster, teamCache } from '../e2e/team-fixture.mjs';
import { LIVE_CHANGE, RERENDERS, assertBadgesBesideTheirPeople, badgeNames, ownPage, trackerSite } from '../e2e/tracker-pages.mjs';
import { launchFirefox } from './harness.mjs';
import { banner, execute, findInShadow, inlineState, pressKey, waitForBadges } from './inline.mjs';
import { startTrackerProxy } from './tracker-proxy.mjs';

const TAB = '\uE004';
const people = roster();
const site = trackerSite();
let proxy;
let ff;
let extensionTab; // options.html, where storage is written
let pageTab; // the tracker page

before(async () => {
  site.page(LIVE_CHANGE.url, await ownPage('github/issue-react-2024.html'));
  site.page(RERENDERS.url, RERENDERS.page());
  proxy = await startTrackerProxy(site);
  ff = await launchFirefox(proxy.firefox);
  await ff.openReady('options.html');
  extensionTab = await ff.command('GET', ff.session('/window'));
  await seedTeam(people);
  pageTab = await ff.newTab();
});

after(async () => {
  await ff?.close();
  await proxy?.close();
});

/** Writes the team cache (and forgets dismissed banners) from the extension's tab, then goes
 *  back to the page's. */
async function seedTeam(list, { undismiss = false } = {}) {
  if (pageTab) await ff.switchTo(extensionTab);
  await ff.evaluateInExtension(async ([cache, forget]) => {
    if (forget) await browser.storage.local.remove('dismissed_banners');
    await browser.storage.local.set({ team: cache });
  }, [teamCache(list), undismiss]);
  if (pageTab) await ff.switchTo(pageTab);
}

test('re-renders never duplicate badges; "load more" decorates the new nodes only', async () => {
  await ff.open(RERENDERS.url);
  assertBadgesBesideTheirPeople(await waitForBadges(ff, RERENDERS.badges), people);
  for (const step of RERENDERS.steps) {
    await execute(ff, step.run, step.arg);
    await new Promise((r) => setTimeout(r, 300));
    assertBadgesBesideTheirPeople(await waitForBadges(ff, step.badges), people);
  }
  const state = await inlineState(ff);
  assert.ok(state.hosts.every((h) => h.mode === 'closed'), 'a shadow-less copy of a host was left');
});

test('badges follow the team cache live; the banner is dismissed by a real click until declared anew', async () => {
  await seedTeam(people, { undismiss: true });
  await ff.open(LIVE_CHANGE.url);
  await waitForBadges(ff, 3, { banner: true });
  const changed = LIVE_CHANGE.changed(people);
  await seedTeam(changed);
  let state = await waitForBadges(ff, 2, { banner: true });
  assert.match(badgeNames(state).find((n) => n.startsWith('Carol')), LIVE_CHANGE.carol);

  // Dismiss: WebDriver's element click on the banner's button, inside the closed shadow root.
  const button = await findInShadow(ff, banner(state).root, 'button');
  await ff.command('POST', ff.session(`/element/${button}/click`), {});
  state = await waitForBadges(ff, 2, { banner: false });
  await ff.switchTo(extensionTab);
  const { dismissed_banners: dismissed } = await ff.storage('local', ['dismissed_banners']);
  await ff.switchTo(pageTab);
  assert.equal(dismissed[0].item, LIVE_CHANGE.item);
  await ff.command('POST', ff.session('/refresh'), {});
  await waitForBadges(ff, 2, { banner: false });
  // Ada declares the issue again (a newer declaration): the banner is back.
  await seedTeam(LIVE_CHANGE.redeclared(changed));
  await waitForBadges(ff, 2, { banner: true });
});

test("the keyboard's Tab reaches a badge, a button named after the teammate's state", async () => {
  await seedTeam(people, { undismiss: true });
  await ff.open(LIVE_CHANGE.url);
  const state = await waitForBadges(ff, 3, { banner: true });
  await execute(ff, () => document.activeElement?.blur());
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await pressKey(ff, TAB);
    reached = await execute(ff, () => document.activeElement?.localName === 'standin-inline');
  }
  assert.ok(reached, 'Tab never reached a badge');
  // The accessible name and role as Firefox computes them for assistive technology.
  const ada = state.hosts.find((h) => h.labels[0]?.startsWith('Ada'));
  const badge = await findInShadow(ff, ada.root, '[aria-label]');
  assert.equal(await ff.command('GET', ff.session(`/element/${badge}/computedlabel`)), ada.labels[0]);
  assert.equal(await ff.command('GET', ff.session(`/element/${badge}/computedrole`)), 'button');
});

test('no request left for a host the proxy does not serve', () => {
  assert.deepEqual(proxy.unexpected, []);
});
