// The item banner and the badge card as their reader sees them, in Chromium (dist/chrome)
// against the real team server (tests/e2e/team-server.mjs): Ann hands a PR and her cover duty
// to Bob and is out of office for two weeks; Bob, connected, opens the PR (the scenario and
// what Bob reads are tests/e2e/banner-scenario.mjs's, shared with Firefox's suite). The banner and the
// card say "to you" and acknowledge in one click (through the worker and the server); the badge
// says "OOO until <date>"; scrolled past 100 px, the banner is one line of at most 32 px; and
// axe-core finds no violations in the banner or the card, light and dark, at a laptop's
// 1280×800.
//
//   ./build.sh && node --test tests/e2e/banner.test.mjs
//
// axe and closed shadow roots: axe (a page script) cannot enter StandIn's closed shadow roots,
// which is the point of them. The test reads what the shim drew through DevTools instead
// (CDP DOM.getOuterHTML of each shadow root: elements and attributes, the text being data-text
// attributes), then draws the same markup with the same stylesheet (extension/inline.css,
// what the worker sends the shim as the plan's `style`) into an OPEN shadow root on a host with
// the original's attributes, at the original's place in the page, hides the original, and runs
// axe on that copy in the page (axeOnCopyInPage in tests/e2e/axe.mjs). No test hook exists in
// the shipped shim.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAxeClean, axeOnCopyInPage, INLINE_CSS, installAxeIn } from './axe.mjs';
import { annsAcks, assertReads, attr, BOB, createTeam, declareAll, PR, PR_REF, prBody, READS } from './banner-scenario.mjs';
import { launchExtension, poll } from './harness.mjs';
import { TeamServer } from './team-server.mjs';
import { CSP } from './tracker-pages.mjs';
import { badgeElement, inlineState, watchOwnErrors } from './trackers.mjs';

let ext;
let server;
let team; // { ann: { token, id }, cleo, dan }
let ann;
let bob; // member id
const pages = new Map();

before(async () => {
  server = await TeamServer.start();
  team = await createTeam(server);
  ann = team.ann;

  ext = await launchExtension();
  assert.equal(await ext.workerReady(), true);
  await ext.setStorage('sync', { settings: BOB });
  const options = await ext.openPage('options.html');
  const reply = await options.evaluate(
    ([url, invite]) => chrome.runtime.sendMessage({ connect: { server: url, invite } }),
    [server.url, await server.invite('Core')],
  );
  assert.ok(reply.connected, JSON.stringify(reply));
  bob = reply.connected.member.id;
  await options.close();
  await declareAll(server, team);
  await poll(async () => (await ext.storage('local', ['team'])).team?.states?.[ann.id], "Ann's state in Bob's team cache", 20_000);
  // Only github.com is routed: the worker's requests to the team server go through.
  await ext.context.route(/^https:\/\/github\.com\//, (route) => {
    const body = pages.get(route.request().url().split('#')[0]);
    if (route.request().resourceType() !== 'document') return route.fulfill({ status: 204, body: '' });
    return route.fulfill({ status: body ? 200 : 404, contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': CSP.github }, body: body ?? '' });
  });
});

after(async () => {
  await ext?.close();
  await server?.close();
});

/** Bob's view of the PR: a long page (40 comments), light or dark. */
async function openPr(dark) {
  pages.set(PR, prBody(dark));
  const tab = await ext.context.newPage();
  await tab.setViewportSize({ width: 1280, height: 800 });
  const errors = watchOwnErrors(tab);
  await tab.goto(PR);
  return { tab, errors };
}

/** The page once the banner and Ann's badges are drawn. */
const ready = (tab) =>
  poll(async () => {
    const s = await inlineState(tab);
    return s.hosts.some((h) => h.feature === 'banner') && s.hosts.filter((h) => h.feature === 'badges').length >= 20 ? s : null;
  }, 'the banner and the badges');

const bannerOf = (state) => state.hosts.find((h) => h.feature === 'banner');
const bannerBox = (tab) => tab.evaluate(() => document.querySelector('standin-inline[data-feature="banner"]').getBoundingClientRect().toJSON());

async function boxOf(tab, backendNodeId) {
  const cdp = await tab.context().newCDPSession(tab);
  try {
    const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId });
    const [x1, y1, , , x3, y3] = model.border;
    return { x: x1, y: y1, width: x3 - x1, height: y3 - y1 };
  } finally {
    await cdp.detach();
  }
}

async function focus(tab, backendNodeId) {
  const cdp = await tab.context().newCDPSession(tab);
  await cdp.send('DOM.focus', { backendNodeId });
  await cdp.detach();
}

/** Ann's badge on the PR's body header, with its card drawn (focused, as the keyboard does).
 *  Retried: a render (the team cache changed) may replace the badge between two looks. */
async function annsCard(tab) {
  return poll(async () => {
    const state = await inlineState(tab);
    const host = state.hosts.find((h) => h.labels[0]?.startsWith('Ann Ito') && h.anchor?.attrs['data-testid'] === 'issue-body-header-author');
    if (!host) return null;
    if (!host.text.includes('Cover:')) {
      await focus(tab, badgeElement(host).backendNodeId).catch(() => {});
      return null;
    }
    return host;
  }, "Ann's card");
}

/**
 * axe-core on a copy of a StandIn host (see the header): its shadow markup as DevTools reads it,
 * with the shim's stylesheet, in an open shadow root at the original's place; the original is
 * hidden meanwhile so the copy is what is seen. `focusBadge` opens the copy's card as focus does.
 */
async function axeOnCopy(tab, host, { focusBadge = false } = {}) {
  const cdp = await tab.context().newCDPSession(tab);
  let markup;
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const find = (n) => (n.backendNodeId === host.backendNodeId ? n : (n.children ?? []).map(find).find(Boolean));
    const shadow = find(root).shadowRoots[0];
    assert.equal(shadow.shadowRootType, 'closed');
    markup = (await Promise.all((shadow.children ?? []).map((c) => cdp.send('DOM.getOuterHTML', { backendNodeId: c.backendNodeId })))).map((r) => r.outerHTML).join('');
    // Marks the original for the page script below (the shim watches no attributes).
    await cdp.send('DOM.setAttributeValue', { nodeId: find(root).nodeId, name: 'data-axe-original', value: '' });
  } finally {
    await cdp.detach();
  }
  await installAxeIn(tab);
  return tab.evaluate(axeOnCopyInPage, { markup, css: INLINE_CSS, focusBadge });
}

describe('the banner and the card know their reader', () => {
  test('a two-week absence reads as a date; the hand-offs read "to you" with Acknowledge', async () => {
    const { tab, errors } = await openPr(false);
    const state = await ready(tab);
    assertReads(state, await annsCard(tab));
    assert.deepEqual(errors, []);
    await tab.close();
  });

  for (const dark of [false, true]) {
    const scheme = dark ? 'dark' : 'light';
    test(`scrolled past 100 px the banner is one line of at most 32 px (${scheme})`, async () => {
      const { tab, errors } = await openPr(dark);
      const state = await ready(tab);
      assert.equal(bannerOf(state).theme, scheme);
      const top = await bannerBox(tab);
      assert.ok(top.height > 32, `unscrolled, the banner shows everything (${top.height} px)`);
      await tab.mouse.move(5, 700); // off the banner: pointing at it opens it again
      for (const y of [101, 600, 5000]) {
        await tab.evaluate((to) => window.scrollTo(0, to), y);
        const box = await poll(async () => {
          const b = await bannerBox(tab);
          return b.height <= 32 ? b : null;
        }, `the banner collapsed at scrollY ${y}`);
        assert.ok(box.top >= 0 && box.width > 300, JSON.stringify(box));
      }
      // Collapsed, the Acknowledge button is still on screen, inside the line: one click away.
      const collapsed = await bannerBox(tab);
      const ack = bannerOf(await inlineState(tab)).inside.find((e) => attr(e, 'data-action') === 'acknowledge');
      const button = await boxOf(tab, ack.backendNodeId);
      assert.ok(button.width > 40 && button.y >= collapsed.top && button.y + button.height <= collapsed.bottom + 0.5, JSON.stringify({ button, collapsed }));
      // Pointing at it opens it; back near the top it is whole again.
      await tab.mouse.move(collapsed.left + 20, collapsed.top + 10);
      await poll(async () => ((await bannerBox(tab)).height > 32 ? true : null), 'the banner opened on hover');
      await tab.mouse.move(5, 700);
      await tab.evaluate(() => window.scrollTo(0, 40));
      await poll(async () => ((await bannerBox(tab)).height === top.height ? true : null), 'the banner whole again');
      assert.deepEqual(errors, []);
      await tab.close();
    });

    test(`axe-core finds no violations in the banner and the card (${scheme})`, async () => {
      const { tab } = await openPr(dark);
      const state = await ready(tab);
      const banner = await axeOnCopy(tab, bannerOf(state));
      assertAxeClean(banner, `the banner (${scheme})`);
      assert.ok(banner.elements > 10, `the copy holds the banner (${banner.elements} elements)`);
      for (const rule of ['button-name', 'aria-allowed-attr', 'listitem']) assert.ok(banner.passes.includes(rule), `${rule} checked: ${banner.passes}`);
      const card = await axeOnCopy(tab, await annsCard(tab), { focusBadge: true });
      assertAxeClean(card, `the card (${scheme})`);
      assert.ok(card.elements > 10, `the copy holds the card (${card.elements} elements)`);
      for (const rule of ['button-name', 'aria-command-name', 'link-name']) assert.ok(card.passes.includes(rule), `${rule} checked: ${card.passes}`);
      await tab.close();
    });
  }

  test('one click acknowledges from the banner and from the card, through the server', async () => {
    const { tab, errors } = await openPr(false);
    let state = await ready(tab);
    const button = bannerOf(state).inside.find((e) => attr(e, 'data-action') === 'acknowledge');
    const box = await boxOf(tab, button.backendNodeId);
    await tab.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const acks = () => annsAcks(server, team);
    const first = await poll(async () => ((await acks()).length === 1 ? acks() : null), 'the acknowledgement on the server');
    assert.deepEqual(first.map((a) => [a.item, a.by]), [[PR_REF, bob]]);
    state = await poll(async () => {
      const s = await inlineState(tab);
      return bannerOf(s)?.text.includes(READS.bannerAcked) ? s : null;
    }, 'the banner to show the acknowledgement');
    assert.ok(!bannerOf(state).inside.some((e) => attr(e, 'data-action') === 'acknowledge'), 'no button left in the banner');

    // The card: the cover, by a real click on its button.
    const card = await annsCard(tab);
    const cover = card.inside.find((e) => attr(e, 'data-action') === 'acknowledge');
    const at = await boxOf(tab, cover.backendNodeId);
    await tab.mouse.click(at.x + at.width / 2, at.y + at.height / 2);
    const both = await poll(async () => ((await acks()).length === 2 ? acks() : null), "the cover's acknowledgement on the server");
    assert.deepEqual(both.map((a) => [a.item ?? null, a.by]).sort(), [[PR_REF, bob], [null, bob]].sort());
    // The server answers before the page is drawn again: wait for the card to say it.
    const again = await poll(async () => {
      const c = await annsCard(tab);
      return READS.cardAcked.test(c.text) ? c : null;
    }, "the card to show the cover's acknowledgement");
    assert.ok(!again.inside.some((e) => attr(e, 'data-action') === 'acknowledge'), 'nothing left to acknowledge');
    assert.deepEqual(errors, []);
    await tab.close();
  });
});

describe('a page asks only about its own hand-offs', () => {
  test("the worker refuses to acknowledge what is not Bob's, whatever the content script sends", async () => {
    const { tab } = await openPr(false);
    await ready(tab);
    // As the content script would send it, from the page's own origin (an extension page
    // speaking for a PR page passes the same sender check): a made-up hand-off, another
    // member's, and one off the trackers.
    const page = await ext.openPage('options.html');
    const replies = await page.evaluate(
      async ([pr, annId, bobId]) => {
        const act = (url, action) => chrome.runtime.sendMessage({ act: { url, action } });
        return [
          await act(pr, { acknowledge: { member_id: annId, item: 'github.com/acme/widgets/pull/999' } }),
          await act(pr, { acknowledge: { member_id: bobId } }),
          await act('https://example.com/x', { acknowledge: { member_id: annId } }),
          await act(pr, { acknowledge: { item: 'x' } }),
        ];
      },
      [PR, ann.id, bob],
    );
    await page.close();
    assert.deepEqual(replies.map((r) => r.error), ['forbidden', 'forbidden', 'forbidden', 'bad_request']);
    await tab.close();
  });
});
