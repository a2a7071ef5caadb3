// Safety of the inline context and the popup in Chromium: a corpus of hostile strings in every
// text field of a declaration (and in members' names and zones), seeded straight into the team
// cache as a compromised or buggy server could deliver it, rendered on a GitHub PR page served
// with GitHub's CSP and in the popup. Nothing may execute, nothing may be logged as an error,
// StandIn may add no element outside its closed shadow roots, and the layout must hold. Then a
// hostile page script tries to read the team cache and StandIn's shadow roots (directly, and
// through text search, selection and copy, which do reach into closed shadow trees), and gets
// nothing; and a page's DOM cannot switch the content script off (clobbering).
//
//   ./build.sh && node --test tests/e2e/xss.test.mjs
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DIST_CHROME, launchExtension } from './harness.mjs';
import { prPage } from './generated-pages.mjs';
import { teamCache } from './team-fixture.mjs';
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
} from './xss-corpus.mjs';
import { openCards, routeTrackers, waitForBadges } from './trackers.mjs';

let ext;
let site;
let distDir;

before(async () => {
  distDir = await mkdtemp(path.join(os.tmpdir(), 'standin-xss-'));
  await cp(DIST_CHROME, distDir, { recursive: true });
  ext = await launchExtension({ dir: distDir });
  site = await routeTrackers(ext.context);
  site.page(PR, hostilePage());
  assert.equal(await ext.workerReady(), true);
  assert.ok(PAYLOADS.length >= 50, `${PAYLOADS.length} payloads`);
  await ext.setStorage('local', { team: hostileTeam() });
});

after(async () => {
  await ext?.close();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

test('every payload renders as text on a tracker page: nothing runs, nothing leaks, layout holds', async () => {
  const tab = await ext.context.newPage();
  const dialogs = [];
  tab.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  ext.watch(tab, PR);
  await tab.goto(PR);
  // Every card opened (drawn on first focus), so every payload is on the page.
  const state = await openCards(tab, await waitForBadges(tab, PAYLOADS.length, { banner: true, timeout: 20_000 }));

  // StandIn's elements are hosts with closed shadow roots; everything else is the page's own.
  const page = await tab.evaluate((html) => {
    const parsed = new DOMParser().parseFromString(html, 'text/html');
    const hosts = [...document.querySelectorAll('standin-inline')];
    return {
      served: parsed.querySelectorAll('*').length,
      now: document.querySelectorAll('*').length,
      hosts: hosts.length,
      openRoots: hosts.filter((h) => h.shadowRoot !== null).length,
      xss: window.__xss,
      title: document.title,
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth,
      badgeBoxes: hosts
        .filter((h) => h.dataset.feature === 'badges')
        .map((h) => {
          const r = h.getBoundingClientRect();
          return [r.width, r.height];
        }),
      banner: (() => {
        const r = document.querySelector('standin-inline[data-feature="banner"]').getBoundingClientRect();
        return [r.width, r.height];
      })(),
    };
  }, hostilePage());
  assert.equal(page.now, page.served + page.hosts, 'StandIn added elements outside its shadow roots');
  assert.equal(page.openRoots, 0);
  assert.equal(page.xss, undefined);
  assert.equal(page.title, 'Hostile declarations by zoe · Pull Request #99 · acme/widgets · GitHub');
  assert.ok(page.scrollWidth <= page.innerWidth, `horizontal overflow: ${page.scrollWidth} > ${page.innerWidth}`);
  for (const [w, h] of page.badgeBoxes) assert.ok(w <= 220 && h === 0, `badge box ${w}×${h}`);
  assert.ok(page.banner[0] <= 760 && page.banner[1] <= 0.4 * 720 + 24, `banner box ${page.banner}`);

  // Inside the shadow roots: whitelisted tags and attributes, http(s) links only, the payloads
  // as text.
  assertShadowTreesSafe(state);

  // Open a few cards (focus) and check they stay in their box.
  const cdp = await tab.context().newCDPSession(tab);
  try {
    for (const host of state.hosts.filter((h) => h.feature === 'badges').slice(25, 40)) {
      const badge = host.inside.find((e) => e.attributes?.includes('aria-label'));
      const card = host.inside.find((e) => e.attributes?.[e.attributes.indexOf('class') + 1] === 'card');
      await cdp.send('DOM.focus', { backendNodeId: badge.backendNodeId });
      const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: card.backendNodeId });
      assert.ok(model.width <= 322 && model.height <= 362, `card ${model.width}×${model.height}`);
    }
  } finally {
    await cdp.detach();
  }
  assert.equal(await tab.evaluate(() => window.__xss), undefined);
  assert.deepEqual(dialogs, []);
  ext.assertNoErrors();
  await tab.close();
});

test('the popup shows the same payloads without running them', async () => {
  const tab = await ext.context.newPage();
  await tab.goto(PR);
  // The user's own declaration carries the payloads too (the popup shows it in its form).
  await ext.setStorage('local', { state: hostileOwnState() });
  const popup = await ext.openPopup(tab);
  await new Promise((r) => setTimeout(r, 500));
  assertPopupSafe(await popup.evaluate(probePopup));
  ext.assertNoErrors();
  await tab.close();
});

test("a page's own scripts cannot read the team cache or StandIn's shadow roots", async () => {
  await ext.setStorage('local', { team: PROBE.team() });
  site.script(PROBE.scriptUrl, PROBE.script(ext.id));
  site.page(PROBE.url, PROBE.page());
  const tab = await ext.context.newPage();
  await tab.goto(PROBE.url);
  // One card open by focus (the last badge), one by the pointer (the first).
  const state = await openCards(tab, await waitForBadges(tab, PROBE.badges));
  assert.ok(state.hosts.every((h) => PROBE.secrets.every((t) => h.text.includes(t))), 'the cards show the secrets (to StandIn)');
  const first = await tab.evaluate(() => {
    const r = document.querySelector('standin-inline[data-feature="badges"]').getBoundingClientRect();
    return { x: r.left + 8, y: r.top };
  });
  await tab.mouse.move(first.x, first.y);
  await new Promise((r) => setTimeout(r, 300));

  // What the user and a screen reader get: the open cards' headline and note are in the
  // accessibility tree, the badge is a named button.
  const cdp = await tab.context().newCDPSession(tab);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  await cdp.detach();
  const spoken = nodes.filter((n) => !n.ignored).map((n) => `${n.role?.value}:${n.name?.value ?? ''}`);
  for (const text of PROBE.secrets) {
    assert.ok(spoken.some((n) => n.includes(text)), `the accessibility tree lacks ${text}`);
  }
  assert.ok(spoken.some((n) => /^button:Sam Secret: away, back /.test(n)), 'the badge is a named button');

  // The page's own reach: text search, selection, copy and hit testing.
  const reach = await tab.evaluate(PROBE.reach, [PROBE.secrets, first]);
  assertProbeFoundNothing(reach, await tab.evaluate(PROBE.collected));
  await tab.close();
  await ext.setStorage('local', { team: hostileTeam() });
});

test("a page's DOM cannot switch the content script off (clobbering its globals)", async () => {
  await ext.setStorage('local', {
    team: teamCache([{ id: 's', name: 'Sam', handles: { github: 'u0' }, declaration: { status: 'focus', headline: 'Deep work' } }]),
  });
  // Each makes a global of the page's window: `__standinShim` was the shim's run-once mark,
  // `browser` a namespace it looked up (Chromium has none, so the element is all it finds);
  // Chromium hangs its API on an element with id="chrome", which must still work.
  const clobber = `<div id="__standinShim"></div><img name="__standinShim" alt=""><form name="__standinShim"></form>
    <a id="browser" href="/x">x</a><div id="chrome"></div>`;
  const url = 'https://github.com/acme/widgets/pull/101';
  site.page(url, prPage({ number: 101, title: 'Clobber', author: 'u0', timeline: [['u0', 'c'], clobber] }));
  const tab = await ext.context.newPage();
  await tab.goto(url);
  assert.equal(await tab.evaluate(() => window.__standinShim instanceof HTMLCollection), true, 'the page clobbers the global');
  const state = await waitForBadges(tab, 3);
  assert.deepEqual(
    state.hosts.map((h) => h.labels[0]),
    ['Sam: focus', 'Sam: focus', 'Sam: focus'],
  );
  await tab.close();
  await ext.setStorage('local', { team: hostileTeam() });
});

