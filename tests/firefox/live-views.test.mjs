// Live item state and drift in headless Firefox ESR against the real team server: the scenario
// of Chromium's live-views.test.mjs (tests/e2e/live-views-scenario.mjs), the PR page at its real URL with
// GitHub's CSP (tracker-proxy.mjs). Bob declares his own PR from the popup, Ann hands hers to
// him; the browser's `live` storage is then written as the worker writes it, through the
// extension's own storage API (from an extension page):
// - the Team view marks Ann's collapsed row (its button's computed label says "1 item changed
//   since declared") and, opened with the keyboard, shows under her PR what it is now and what
//   changed; the digest leads with "Your items"; the banner and Ann's card say the same; the
//   popup's views are axe-core clean, light and dark;
// - a new `live` value (Cleo merged Ann's PR) redraws the popup (left open in its tab), the
//   banner and the card without reopening anything;
// - the XSS corpus in live titles, labels, assignees and mergers' names is text everywhere.
//
//   ./build.sh && node --test tests/firefox/live.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BOB, createTeam, declareAll, PR, prBody } from '../e2e/banner-scenario.mjs';
import { liveMap, MERGER, OWN, OWN_SHOWN_AS_TEXT, reads, SHOWN_AS_TEXT } from '../e2e/live-views-scenario.mjs';
import { TeamServer } from '../e2e/team-server.mjs';
import { trackerSite } from '../e2e/tracker-pages.mjs';
import { assertShadowTreesSafe, PAYLOADS } from '../e2e/xss-corpus.mjs';
import { assertAccessible, setColorScheme } from './axe.mjs';
import { connectFromOptions, launchFirefox } from './harness.mjs';
import { banner, execute, inlineState, pressKey } from './inline.mjs';
import { startTrackerProxy } from './tracker-proxy.mjs';

const ENTER = '\uE007';
const site = trackerSite();
let proxy;
let ff;
let server;
let team; // { ann: { token, id }, cleo, dan }
let ids; // { ann, bob }
let since; // { ann, bob }: their declarations' declared_at
let popupTab;
let prTab;

before(async () => {
  server = await TeamServer.start();
  team = await createTeam(server);
  proxy = await startTrackerProxy(site);
  site.page(PR, prBody(false));
  // Connecting asks for the server's host permission; headless Firefox shows no prompt to
  // accept (team.test.mjs answers the real one), so optional permissions are granted without.
  ff = await launchFirefox({ ...proxy.firefox, prefs: { ...proxy.firefox.prefs, 'extensions.webextOptionalPermissionPrompts': false } });
  await ff.openReady('options.html');
  await ff.evaluateInExtension((settings) => browser.storage.sync.set({ settings }), BOB);
  await connectFromOptions(ff, server, 'Core', 'Bob');
  ids = { ann: team.ann.id, bob: (await ff.storage('local', ['connection'])).connection.member.id };
  // Bob declares his own PR from the popup; then the others declare.
  await ff.open('popup.html');
  await ff.waitForLoader();
  await ff.click('#add-item');
  for (const [selector, value] of OWN.fill) await ff.fill(selector, value);
  await ff.evaluateInExtension(([s, v]) => {
    const select = document.querySelector(s);
    select.value = v;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }, OWN.state);
  await ff.click('#declare');
  await ff.waitForText('#declare-status', /^Declared /, 10_000);
  await ff.poll(async () => (await ff.storage('local', ['team'])).team?.states?.[ids.bob]?.state, "Bob's declaration served back", 20_000);
  await declareAll(server, team);
  const states = await ff.poll(async () => {
    const s = (await ff.storage('local', ['team'])).team?.states;
    return s?.[ids.ann]?.state ? s : null;
  }, "Ann's state in Bob's team cache", 30_000);
  since = { ann: states[ids.ann].state.declared_at, bob: states[ids.bob].state.declared_at };
  popupTab = await ff.command('GET', ff.session('/window'));
  await ff.sizePage(380, 600);
});

after(async () => {
  await ff?.close();
  await proxy?.close();
  await server?.close();
});

/** Writes `stage`'s live state as the worker would (from the popup's tab); returns the instant
 *  it was "seen". */
async function seed(stage) {
  await ff.switchTo(popupTab);
  const at = new Date().toISOString();
  await ff.evaluateInExtension((live) => browser.storage.local.set({ live }), liveMap(stage, ids, since, at));
  return at;
}

/** The texts of every element matching `selector` in the popup's tab. */
const texts = (selector) => ff.evaluateInExtension((s) => [...document.querySelectorAll(s)].map((e) => e.textContent), selector);

/** Waits until one element matching `selector` in the popup has a text that is `want`. */
async function lineShows(selector, want, what) {
  await ff.switchTo(popupTab);
  const fits = (t) => (typeof want === 'string' ? t === want : new RegExp(`^(?:${want.source})$`).test(t));
  return ff.poll(async () => ((await texts(selector)).some(fits) ? true : null), `${what}: ${want}`);
}

/** The PR page's inline state, read from its tab, once `fits(state)`; null between redraws. */
function prState(what, fits) {
  return ff.poll(async () => {
    await ff.switchTo(prTab);
    try {
      const state = await inlineState(ff);
      return (await fits(state)) ? state : null;
    } catch (err) {
      if (/stale element reference|detached shadow root/.test(err.message)) return null;
      throw err;
    }
  }, what, 20_000);
}

const has = (text, want) => (typeof want === 'string' ? text.includes(want) : want.test(text));
const bannerShows = (parts) => prState(`the banner to show ${parts.join(' and ')}`, (s) => parts.every((p) => has(banner(s)?.text ?? '', p)));

/** Ann's card on the PR's body header, drawn by focus (a redraw replaces it: focus again). */
function annsCard(want) {
  return prState(`Ann's card to show ${want}`, async (state) => {
    const host = state.hosts.find((h) => h.labels[0]?.startsWith('Ann Ito') && h.anchor?.attrs['data-testid'] === 'issue-body-header-author');
    if (host && host.text.includes('Cover:') && has(host.text, want)) return true;
    if (host) await execute(ff, (root) => root.querySelector('.badge').focus(), host.root).catch(() => {});
    return false;
  });
}

const ann = () => `#roster li[data-member="${ids.ann}"]`;
const annEntry = () => `li.digest-entry[data-member="${ids.ann}"]`;

test('the Team view, the digest, the banner and the card say what each item is now and what changed; a new value redraws them all', async () => {
  const want = reads('changed', await seed('changed'));
  await ff.open('popup.html');
  await ff.waitForLoader();

  // Team: Ann's row, collapsed, is marked with a name; opened by the keyboard, her PR's lines.
  await ff.click('#tab-team');
  const line = await ff.find(`${ann()} button.member-line`);
  const label = await ff.poll(async () => {
    const name = await ff.command('GET', ff.session(`/element/${line}/computedlabel`));
    return name.includes(want.mark) ? name : null;
  }, "the mark in the row's name");
  assert.match(label, /^Ann Ito /);
  await ff.evaluateInExtension((s) => document.querySelector(s).focus(), `${ann()} button.member-line`);
  await pressKey(ff, ENTER);
  assert.equal(await ff.evaluateInExtension((s) => document.querySelector(s).getAttribute('aria-expanded'), `${ann()} button.member-line`), 'true');
  await lineShows(`${ann()} .live-state`, want.state, "Ann's PR now");
  await lineShows(`${ann()} .live-drift`, want.drift, "Ann's PR's drift");
  await lineShows(`#roster li[data-member="${ids.bob}"] .live-drift`, want.own, "Bob's PR's drift");
  for (const scheme of ['light', 'dark']) {
    await setColorScheme(ff, scheme);
    await assertAccessible(ff, `the Team view with live state (${scheme})`);
  }

  // The digest: Bob's own changed items lead it; Ann's hand-off carries her PR's lines.
  await ff.click('#tab-you');
  await ff.click('#digest-open');
  const first = await ff.evaluateInExtension(() => {
    const li = document.querySelector('#digest ol > li');
    return { class: li.className, heading: li.querySelector('h2')?.textContent, href: li.querySelector('a')?.getAttribute('href') };
  });
  assert.deepEqual(first, { class: 'digest-entry digest-own', heading: 'Your items', href: OWN.url });
  await lineShows('#digest ol > li.digest-own .live-drift', want.own, 'Your items');
  await lineShows(`${annEntry()} .live-drift`, want.drift, "Ann's hand-off's drift");
  assert.match(await ff.textContent(`${annEntry()} button.entry-line`), new RegExp(want.mark));
  assert.equal(await ff.evaluateInExtension(() => document.scrollingElement.scrollWidth <= innerWidth), true, 'no horizontal overflow');
  for (const scheme of ['light', 'dark']) {
    await setColorScheme(ff, scheme);
    await assertAccessible(ff, `the digest with live state (${scheme})`);
  }
  await setColorScheme(ff, 'light');

  // The banner and Ann's card on the PR page, in a tab of its own (the popup stays open).
  prTab = await ff.newTab();
  await ff.sizePage(1280, 800);
  await ff.open(PR);
  await bannerShows([want.state, want.drift]);
  const card = banner(await annsCard(want.drift));
  assert.ok(card, 'the banner is still there with the card open');

  // Cleo merges Ann's PR: every view follows, nothing reopened.
  const merged = reads('merged', await seed('merged'));
  await bannerShows([merged.state, merged.drift]);
  await annsCard(merged.drift);
  await lineShows(`${annEntry()} .live-drift`, merged.drift, 'the open digest');
  await ff.click('#tab-team');
  assert.equal(await ff.evaluateInExtension((s) => document.querySelector(s).getAttribute('aria-expanded'), `${ann()} button.member-line`), 'true', 'the row stayed open');
  await lineShows(`${ann()} .live-state`, merged.state, 'the Team view');
  await lineShows(`${ann()} .live-drift`, merged.drift, 'the Team view');
});

test('the XSS corpus in live titles, labels, assignees and mergers is text in every view', async () => {
  await seed('hostile');
  await ff.open('popup.html');
  await ff.waitForLoader();
  await ff.click('#tab-team');
  for (const id of [ids.ann, ids.bob]) await ff.click(`#roster li[data-member="${id}"] button.member-line`);
  await ff.click('#tab-you');
  await ff.click('#digest-open');
  const shown = await ff.poll(async () => {
    const p = await ff.evaluateInExtension(() => ({
      xss: String(window.__xss),
      injected: document.querySelectorAll('img[onerror], iframe, object, embed, svg[onload], script:not([src]), standin-inline').length,
      roster: document.querySelector('#roster').textContent,
      digest: document.querySelector('#digest').textContent,
    }));
    return p.roster.includes(PAYLOADS[0]) && p.digest.includes(PAYLOADS[3]) ? p : null;
  }, 'the payloads in the popup');
  assert.deepEqual({ xss: shown.xss, injected: shown.injected }, { xss: 'undefined', injected: 0 });
  for (const p of [...SHOWN_AS_TEXT, ...OWN_SHOWN_AS_TEXT]) {
    assert.ok(shown.roster.includes(p), `the Team view lacks ${p}`);
    assert.ok(shown.digest.includes(p), `the digest lacks ${p}`);
  }

  await ff.switchTo(prTab);
  await ff.open(PR);
  await bannerShows(SHOWN_AS_TEXT);
  assertShadowTreesSafe(await annsCard(`reassigned to ${PAYLOADS[2]}`));
  await seed('hostileMerged');
  await bannerShows([`by ${MERGER}, after Ann Ito`]);
  assertShadowTreesSafe(await annsCard(`by ${MERGER}, after Ann Ito`));
  assert.equal(await execute(ff, () => String(window.__xss)), 'undefined');
});

test('no request left for a host the proxy does not serve', () => {
  assert.deepEqual(proxy.unexpected, []);
});
