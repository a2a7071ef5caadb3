// Live item state and drift in Chromium (dist/chrome) against the real team server (issue 16,
// the views; the scenario is tests/e2e/live-views-scenario.mjs, shared with Firefox's suite). Bob
// declares his own PR from the popup, Ann hands hers to him; the browser's `live` storage is
// then written as the worker writes it, through the extension's own storage API:
// - the Team view marks Ann's collapsed row (an accessible name says "1 item changed since
//   declared") and, opened with the keyboard, shows under her PR what it is now and what
//   changed; the digest leads with "Your items" (Bob's PR, merged overnight by Ann) and shows
//   Ann's PR's lines under her hand-off; the banner on the PR page and Ann's card say the same;
//   at 380 × 600, light and dark, axe-core clean;
// - a new `live` value (Cleo merged Ann's PR) redraws the popup's views, the banner and the
//   card without reopening anything;
// - the XSS corpus in live titles, labels, assignees and the merger's name is shown as text
//   everywhere, and nothing runs.
// Saves the Team view to tests/out/live.png, and to docs/live.png (the README's) when missing
// or UPDATE_SCREENSHOTS=1.
//
//   ./build.sh && node --test tests/e2e/live.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, setColorScheme } from './axe.mjs';
import { BOB, createTeam, declareAll, PR, prBody } from './banner-scenario.mjs';
import { launchConnected, poll, shoot } from './harness.mjs';
import { liveMap, MERGER, OWN, OWN_SHOWN_AS_TEXT, reads, SHOWN_AS_TEXT } from './live-views-scenario.mjs';
import { TeamServer } from './team-server.mjs';
import { CSP } from './tracker-pages.mjs';
import { badgeElement, inlineState, watchOwnErrors } from './trackers.mjs';
import { assertShadowTreesSafe, PAYLOADS } from './xss-corpus.mjs';

let ext;
let server;
let team; // { ann: { token, id }, cleo, dan }
let ids; // { ann, bob }
let since; // { ann, bob }: their declarations' declared_at

before(async () => {
  server = await TeamServer.start();
  team = await createTeam(server);
  const connected = await launchConnected(server, 'Core', BOB);
  ext = connected.ext;
  ids = { ann: team.ann.id, bob: connected.member.id };
  // Bob declares his own PR from the popup; then the others declare.
  const popup = await ext.openPage('popup.html');
  await popup.click('#add-item');
  for (const [selector, value] of OWN.fill) await popup.fill(selector, value);
  await popup.selectOption(...OWN.state);
  await popup.click('#declare');
  await popup.locator('#declare-status', { hasText: /^Declared / }).waitFor();
  await popup.close();
  await poll(async () => (await ext.storage('local', ['team'])).team?.states?.[ids.bob]?.state, "Bob's declaration served back", 20_000);
  await declareAll(server, team);
  const states = await poll(async () => {
    const s = (await ext.storage('local', ['team'])).team?.states;
    return s?.[ids.ann]?.state ? s : null;
  }, "Ann's state in Bob's team cache", 20_000);
  since = { ann: states[ids.ann].state.declared_at, bob: states[ids.bob].state.declared_at };
  await ext.context.route(/^https:\/\/github\.com\//, (route) => {
    if (route.request().resourceType() !== 'document') return route.fulfill({ status: 204, body: '' });
    const known = route.request().url().split('#')[0] === PR;
    return route.fulfill({ status: known ? 200 : 404, contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': CSP.github }, body: known ? prBody(false) : '' });
  });
});

after(async () => {
  await ext?.close();
  await server?.close();
});

/** Writes `stage`'s live state as the worker would; returns the instant it was "seen". */
async function seed(stage) {
  const at = new Date().toISOString();
  await ext.setStorage('local', { live: liveMap(stage, ids, since, at) });
  return at;
}

/** The popup at its real size. */
async function openPopup() {
  const popup = await ext.openPage('popup.html');
  await popup.setViewportSize({ width: 380, height: 600 });
  return popup;
}

const annRow = (popup) => popup.locator(`#roster li[data-member="${ids.ann}"]`);
const annEntry = (popup) => popup.locator(`li.digest-entry[data-member="${ids.ann}"]`);
const texts = (locator) => locator.evaluateAll((els) => els.map((e) => e.textContent));

/** Waits until every element `locator` finds has a text, and one of them matches `want`. */
async function lineShows(locator, want, what) {
  const fits = (t) => (typeof want === 'string' ? t === want : new RegExp(`^(?:${want.source})$`).test(t));
  return poll(async () => {
    const all = await texts(locator);
    return all.some(fits) ? all : null;
  }, `${what}: ${want}`);
}

/** The PR page in a new tab, once the banner shows live state. */
async function openPr() {
  const tab = await ext.context.newPage();
  await tab.setViewportSize({ width: 1280, height: 800 });
  const errors = watchOwnErrors(tab);
  await tab.goto(PR);
  return { tab, errors };
}

const bannerOf = (state) => state.hosts.find((h) => h.feature === 'banner');

/** Waits until the banner's text has every one of `parts`. */
async function bannerShows(tab, parts) {
  let text;
  try {
    return await poll(async () => {
      const s = await inlineState(tab);
      text = bannerOf(s)?.text ?? '';
      return parts.every((p) => (typeof p === 'string' ? text.includes(p) : p.test(text))) ? s : null;
    }, `the banner to show ${parts.join(' and ')}`, 20_000);
  } catch (err) {
    throw new Error(`${err.message}; it shows ${JSON.stringify(text)}`);
  }
}

/** Ann's card on the PR's body header, drawn by focus (a redraw replaces it: focus again). */
const annsCard = (tab, want) =>
  poll(async () => {
    const state = await inlineState(tab);
    const host = state.hosts.find((h) => h.labels[0]?.startsWith('Ann Ito') && h.anchor?.attrs['data-testid'] === 'issue-body-header-author');
    if (!host) return null;
    if (!host.text.includes('Cover:') || !(typeof want === 'string' ? host.text.includes(want) : want.test(host.text))) {
      const cdp = await tab.context().newCDPSession(tab);
      await cdp.send('DOM.focus', { backendNodeId: badgeElement(host).backendNodeId }).catch(() => {});
      await cdp.detach();
      return null;
    }
    return { host, state };
  }, `Ann's card to show ${want}`, 15_000);

test('the Team view, the digest, the banner and the card say what each item is now and what changed; a new value redraws them all', async () => {
  const at = await seed('changed');
  const want = reads('changed', at);
  const popup = await openPopup();

  // Team: Ann's row, collapsed, is marked with a name; opened by the keyboard, her PR's lines.
  await popup.click('#tab-team');
  const line = annRow(popup).locator('button.member-line');
  await popup.getByRole('button', { name: new RegExp(`^Ann Ito .*${want.mark}`) }).waitFor();
  assert.equal(await annRow(popup).locator('.drift-mark').getAttribute('title'), want.mark);
  await line.focus();
  await popup.keyboard.press('Enter');
  assert.equal(await line.getAttribute('aria-expanded'), 'true');
  await lineShows(annRow(popup).locator('.live-state'), want.state, "Ann's PR now");
  await lineShows(annRow(popup).locator('.live-drift'), want.drift, "Ann's PR's drift");
  const opened = await annRow(popup).evaluate((li) => Math.round(li.getBoundingClientRect().bottom));
  console.log(`# Team tab: Ann's opened row, with her PR's live lines, ends at ${opened} px`);
  assert.ok(opened <= 600, `Ann's opened row within 600 px: ${opened}`);
  // Bob's own row says "after you declared it".
  await lineShows(popup.locator(`#roster li[data-member="${ids.bob}"] .live-drift`), want.own, "Bob's PR's drift");
  for (const scheme of ['light', 'dark']) {
    await setColorScheme(popup, scheme);
    await assertAccessible(popup, `the Team view with live state (${scheme})`);
  }
  await setColorScheme(popup, 'light');
  await shoot(popup, 'live');

  // The digest: Bob's own changed items lead it; Ann's hand-off carries her PR's lines.
  await popup.click('#tab-you');
  await popup.click('#digest-open');
  await popup.locator('#digest').waitFor();
  const first = popup.locator('#digest ol > li').first();
  assert.equal(await first.getAttribute('class'), 'digest-entry digest-own');
  assert.equal(await first.locator('h2').textContent(), 'Your items');
  assert.equal(await first.locator('a').getAttribute('href'), OWN.url);
  await lineShows(first.locator('.live-drift'), want.own, 'Your items');
  await lineShows(annEntry(popup).locator('.live-drift'), want.drift, "Ann's hand-off's drift");
  assert.match(await annEntry(popup).locator('button.entry-line').textContent(), new RegExp(want.mark));
  assert.ok((await popup.evaluate(() => document.scrollingElement.scrollWidth)) <= 380, 'no horizontal overflow');
  // Your items on top still leaves every hand-off's Acknowledge on the first screen.
  const bottoms = await popup.$$eval('#digest li.digest-own, #digest button.ack', (els) => els.map((e) => Math.round(e.getBoundingClientRect().bottom)));
  console.log(`# digest: Your items ends at ${bottoms[0]} px, the last Acknowledge at ${Math.max(...bottoms.slice(1))} px`);
  assert.ok(bottoms.length === 3 && bottoms.every((b) => b <= 600), `within 600 px: ${bottoms}`);
  for (const scheme of ['light', 'dark']) {
    await setColorScheme(popup, scheme);
    await assertAccessible(popup, `the digest with live state (${scheme})`);
  }

  // The banner and Ann's card on the PR page.
  const { tab, errors } = await openPr();
  await bannerShows(tab, [want.state, want.drift]);
  const { host } = await annsCard(tab, want.drift);
  assert.ok(!host.text.includes('Now open'), 'the card says what changed, not the whole state');

  // Cleo merges Ann's PR: every view follows, nothing reopened.
  const merged = reads('merged', await seed('merged'));
  await bannerShows(tab, [merged.state, merged.drift]);
  await annsCard(tab, merged.drift);
  await lineShows(annEntry(popup).locator('.live-drift'), merged.drift, 'the open digest');
  await popup.click('#tab-team');
  assert.equal(await line.getAttribute('aria-expanded'), 'true', 'the row stayed open');
  await lineShows(annRow(popup).locator('.live-state'), merged.state, 'the Team view');
  await lineShows(annRow(popup).locator('.live-drift'), merged.drift, 'the Team view');
  assert.deepEqual(errors, []);
  await tab.close();
  await popup.close();
  ext.assertNoErrors();
});

test('the XSS corpus in live titles, labels, assignees and mergers is text in every view', async () => {
  await seed('hostile');
  const popup = await openPopup();
  await popup.click('#tab-team');
  for (const id of [ids.ann, ids.bob]) await popup.locator(`#roster li[data-member="${id}"] button.member-line`).click();
  await popup.click('#tab-you');
  await popup.click('#digest-open');
  const probe = () =>
    popup.evaluate(() => ({
      xss: String(window.__xss),
      injected: document.querySelectorAll('img[onerror], iframe, object, embed, svg[onload], script:not([src]), standin-inline').length,
      roster: document.querySelector('#roster').textContent,
      digest: document.querySelector('#digest').textContent,
    }));
  const shown = await poll(async () => {
    const p = await probe();
    return p.roster.includes(PAYLOADS[0]) && p.digest.includes(PAYLOADS[3]) ? p : null;
  }, 'the payloads in the popup');
  assert.deepEqual({ xss: shown.xss, injected: shown.injected }, { xss: 'undefined', injected: 0 });
  for (const p of [...SHOWN_AS_TEXT, ...OWN_SHOWN_AS_TEXT]) assert.ok(shown.roster.includes(p), `the Team view lacks ${p}`);
  for (const p of [...SHOWN_AS_TEXT, ...OWN_SHOWN_AS_TEXT]) assert.ok(shown.digest.includes(p), `the digest lacks ${p}`);

  const { tab } = await openPr();
  const dialogs = [];
  tab.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  await bannerShows(tab, SHOWN_AS_TEXT);
  const { state } = await annsCard(tab, `reassigned to ${PAYLOADS[2]}`);
  assertShadowTreesSafe(state);
  // Then a hostile name merges Ann's PR: the banner and the card name it, as text.
  await seed('hostileMerged');
  await bannerShows(tab, [`by ${MERGER}, after Ann Ito`]);
  assertShadowTreesSafe((await annsCard(tab, `by ${MERGER}, after Ann Ito`)).state);
  assert.equal(await tab.evaluate(() => window.__xss), undefined);
  assert.deepEqual(dialogs, []);
  await tab.close();
  await popup.close();
  ext.assertNoErrors();
});

