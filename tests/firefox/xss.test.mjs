// The XSS corpus in headless Firefox ESR (tests/e2e/xss-corpus.mjs, shared with Chromium): a
// hostile string in every text field of every teammate's declaration, seeded into the team
// cache as a compromised server could deliver it, drawn on a GitHub PR page at its real URL
// with GitHub's CSP (tracker-proxy.mjs) and in the popup. Nothing may execute, StandIn may add
// no element outside its closed shadow roots, the payloads show as text, and the layout holds.
// Then a hostile page script tries to read the team cache and StandIn's shadow roots (directly,
// and through text search, selection, copy and hit testing) and gets nothing.
//
//   ./build.sh && node --test tests/firefox/xss.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { trackerSite } from '../e2e/tracker-pages.mjs';
import {
  PAYLOADS,
  PR,
  PROBE,
  assertPopupSafe,
  assertProbeFoundNothing,
  assertShadowTreesSafe,
  hostileOwnState,
  hostilePage,
  hostileTeam,
  probePopup,
} from '../e2e/xss-corpus.mjs';
import { GECKO_ID, launchFirefox } from './harness.mjs';
import { banner, execute, findInShadow, inlineState, openCards, waitForBadges } from './inline.mjs';
import { startTrackerProxy } from './tracker-proxy.mjs';

const site = trackerSite();
let proxy;
let ff;

before(async () => {
  site.page(PR, hostilePage());
  proxy = await startTrackerProxy(site);
  ff = await launchFirefox(proxy.firefox);
  await ff.openReady('options.html');
  await ff.evaluateInExtension((cache) => browser.storage.local.set({ team: cache }), hostileTeam());
});

after(async () => {
  await ff?.close();
  await proxy?.close();
});

/** No alert, confirm or prompt is open (WebDriver answers "no such alert"). */
async function assertNoDialog() {
  await assert.rejects(ff.command('GET', ff.session('/alert/text')), /no such alert/);
}

test('every payload renders as text on a tracker page: nothing runs, nothing leaks, layout holds', async () => {
  await ff.open(PR);
  const drawn = await ff.poll(
    async () => {
      const state = await inlineState(ff);
      const badges = state.hosts.filter((h) => h.feature === 'badges').length;
      return badges === PAYLOADS.length && banner(state) ? state : null;
    },
    `${PAYLOADS.length} badges and the banner`,
    30_000,
  );
  // Every card opened (drawn on first focus), so every payload is on the page.
  const state = await openCards(ff, drawn);

  const page = await execute(
    ff,
    (html) => {
      const parsed = new DOMParser().parseFromString(html, 'text/html');
      const hosts = [...document.querySelectorAll('standin-inline')];
      const box = (e) => {
        const r = e.getBoundingClientRect();
        return [r.width, r.height];
      };
      return {
        served: parsed.querySelectorAll('*').length,
        now: document.querySelectorAll('*').length,
        hosts: hosts.length,
        openRoots: hosts.filter((h) => h.shadowRoot !== null).length,
        xss: String(window.__xss),
        title: document.title,
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth,
        innerHeight,
        badgeBoxes: hosts.filter((h) => h.dataset.feature === 'badges').map(box),
        banner: box(document.querySelector('standin-inline[data-feature="banner"]')),
      };
    },
    hostilePage(),
  );
  assert.equal(page.now, page.served + page.hosts, 'StandIn added elements outside its shadow roots');
  assert.equal(page.openRoots, 0);
  assert.equal(page.xss, 'undefined');
  assert.equal(page.title, 'Hostile declarations by zoe · Pull Request #99 · acme/widgets · GitHub');
  assert.ok(page.scrollWidth <= page.innerWidth, `horizontal overflow: ${page.scrollWidth} > ${page.innerWidth}`);
  for (const [w, h] of page.badgeBoxes) assert.ok(w <= 220 && h === 0, `badge box ${w}×${h}`);
  assert.ok(page.banner[0] <= 760 && page.banner[1] <= 0.4 * page.innerHeight + 24, `banner box ${page.banner}`);

  // Inside the shadow roots: whitelisted tags and attributes, http(s) links only, the payloads
  // as text.
  assertShadowTreesSafe(state);
  // Each markup payload is in some card as the very text it was.
  const cards = state.hosts.filter((h) => h.feature === 'badges').map((h) => h.text);
  for (const p of PAYLOADS.filter((x) => /^[\x20-\x7e]{1,200}$/.test(x) && x.includes('<'))) {
    assert.ok(cards.some((text) => text.includes(p)), `no card shows ${p} as text`);
  }
  assert.equal(await execute(ff, () => String(window.__xss)), 'undefined');
  await assertNoDialog();
});

test('the popup shows the same payloads without running them', async () => {
  await ff.open('popup.html');
  await ff.waitForLoader();
  // The user's own declaration carries the payloads too (the popup shows it in its form).
  await ff.evaluateInExtension((state) => browser.storage.local.set({ state }), hostileOwnState());
  await ff.open('popup.html');
  await ff.waitForLoader();
  await new Promise((r) => setTimeout(r, 500));
  assertPopupSafe(await ff.evaluateInExtension(probePopup));
  await assertNoDialog();
});

test("a page's own scripts cannot read the team cache or StandIn's shadow roots", async () => {
  await ff.open('options.html');
  await ff.waitForLoader(); // loaded before it is left (see inline.test.mjs)
  await ff.evaluateInExtension((cache) => browser.storage.local.set({ team: cache }), PROBE.team());
  site.script(PROBE.scriptUrl, PROBE.script(GECKO_ID));
  site.page(PROBE.url, PROBE.page());
  await ff.open(PROBE.url);
  // One card open by focus (the last badge), one by the pointer (the first).
  const state = await openCards(ff, await waitForBadges(ff, PROBE.badges));
  assert.ok(state.hosts.every((h) => PROBE.secrets.every((t) => h.text.includes(t))), 'the cards show the secrets (to StandIn)');
  const first = await execute(ff, () => {
    const r = document.querySelector('standin-inline[data-feature="badges"]').getBoundingClientRect();
    return { x: Math.round(r.left + 8), y: Math.round(r.top) };
  });
  await ff.command('POST', ff.session('/actions'), {
    actions: [{ type: 'pointer', id: 'mouse', actions: [{ type: 'pointerMove', x: first.x, y: first.y, origin: 'viewport' }] }],
  });
  await new Promise((r) => setTimeout(r, 300));
  // The badge is a button named after the state, as Firefox computes it for assistive technology.
  const badge = await findInShadow(ff, state.hosts[0].root, '[aria-label]');
  assert.match(await ff.command('GET', ff.session(`/element/${badge}/computedlabel`)), /^Sam Secret: away, back /);
  assert.equal(await ff.command('GET', ff.session(`/element/${badge}/computedrole`)), 'button');

  // The page's own reach: text search, selection, copy and hit testing. (WebDriver runs
  // these with the page's window and its expandos, as a page script would.)
  const reach = await execute(ff, PROBE.reach, [PROBE.secrets, first]);
  assertProbeFoundNothing(reach, await execute(ff, PROBE.collected));
  await ff.open('options.html');
  await ff.waitForLoader(); // loaded before it is left (see inline.test.mjs)
  await ff.evaluateInExtension((cache) => browser.storage.local.set({ team: cache }), hostileTeam());
});

test('no request left for a host the proxy does not serve', () => {
  assert.deepEqual(proxy.unexpected, []);
});
