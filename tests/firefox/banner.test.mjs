// The item banner and the badge card as their reader sees them, in headless Firefox ESR: the
// scenario of Chromium's banner.test.mjs (tests/e2e/banner-scenario.mjs) on the real team
// server, the PR page at its real URL with GitHub's CSP (tracker-proxy.mjs). Ann, out of
// office for two weeks, hands her PR and her cover duty to Bob, who connected from this
// browser; Cleo is away, Dan offline.
// - The banner and the card say "to you" and "Cover: you", the return as a date, their time as
//   "now … there"; a real click (WebDriver's Element Click) on Acknowledge in the banner and
//   in the card records each acknowledgement on the server, and both then say so.
// - axe-core finds no violations in the banner and the card, light and dark: WebDriver hands
//   out their closed shadow roots, whose markup is drawn with the shim's stylesheet into an open
//   root in their place (tests/firefox/axe.mjs), as Chromium's suite does through DevTools.
// - One colour per status: the popup's Team rows, its timeline's dots and the page badges (dot
//   and card chip) use the same computed colour for away, offline and out of office, in light
//   and dark, each beside its word; the Team row gives Ann's return as a date and her time as
//   "now … there".
// The banner's collapse past 100 px of scrolling is checked in inline.test.mjs.
//
//   ./build.sh && node --test tests/firefox/banner.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAxeClean } from '../e2e/axe.mjs';
import { annsAcks, assertReads, attr, BOB, createTeam, declareAll, PR, PR_REF, prBody, READS } from '../e2e/banner-scenario.mjs';
import { TeamServer } from '../e2e/team-server.mjs';
import { trackerSite } from '../e2e/tracker-pages.mjs';
import { axeOnCopy, setColorScheme } from './axe.mjs';
import { launchFirefox } from './harness.mjs';
import { banner, execute, findInShadow, inlineState, openCards, waitForNames } from './inline.mjs';
import { startTrackerProxy } from './tracker-proxy.mjs';

const site = trackerSite();
let proxy;
let ff;
let server;
let team; // { ann: { token, id }, cleo, dan }
let bob; // member id

before(async () => {
  server = await TeamServer.start();
  team = await createTeam(server);
  proxy = await startTrackerProxy(site);
  // Connecting asks for the server's host permission; headless Firefox shows no prompt to
  // accept (team.test.mjs answers the real one), so optional permissions are granted without.
  ff = await launchFirefox({ ...proxy.firefox, prefs: { ...proxy.firefox.prefs, 'extensions.webextOptionalPermissionPrompts': false } });
  await ff.openReady('options.html');
  await ff.evaluateInExtension((settings) => browser.storage.sync.set({ settings }), BOB);
  await ff.open('options.html');
  await ff.waitForLoader();
  await ff.fill('#server_url', server.url);
  await ff.fill('#invite', await server.invite('Core'));
  await ff.click('#connect');
  await ff.poll(async () => /Connected to Core as Bob/.test((await ff.textContent('#team-connected')) ?? ''), 'the connection', 20_000);
  bob = (await ff.storage('local', ['connection'])).connection.member.id;
  await declareAll(server, team);
  await ff.poll(async () => {
    const states = (await ff.storage('local', ['team'])).team?.states ?? {};
    return [team.ann, team.cleo, team.dan].every(({ id }) => states[id]?.state);
  }, "the declarations in Bob's team cache", 30_000);
  await ff.sizePage(1280, 800); // a laptop's, as in Chromium's suite
});

after(async () => {
  await ff?.close();
  await proxy?.close();
  await server?.close();
});

/** Bob's view of the PR, light or dark, once the banner and the teammates' badges are drawn. */
async function openPr(dark) {
  site.page(PR, prBody(dark));
  await ff.open(PR);
  return waitForNames(ff, ['Ann Ito', 'Cleo Park', 'Dan Ruiz'], { withBanner: true });
}

const focusBadge = (host) => execute(ff, (root) => root.querySelector('.badge').focus(), host.root);

/** Ann's badge on the PR's body header, with its card drawn (focused, as the keyboard does).
 *  Retried: a render (the team cache changed) may replace the badge between two looks. */
function annsCard() {
  return ff.poll(async () => {
    const state = await inlineState(ff);
    const host = state.hosts.find((h) => h.labels[0]?.startsWith('Ann Ito') && h.anchor?.attrs['data-testid'] === 'issue-body-header-author');
    if (!host) return null;
    if (!host.text.includes('Cover:')) {
      await focusBadge(host).catch(() => {});
      return null;
    }
    return host;
  }, "Ann's card");
}

/** A real click (WebDriver's Element Click: pointer moved there, pressed, released) on the
 *  first element matching `selector` in a host's closed shadow root. */
async function clickInShadow(host, selector) {
  const id = await findInShadow(ff, host.root, selector);
  await ff.command('POST', ff.session(`/element/${id}/click`), {});
}

describe('the banner and the card know their reader', () => {
  test('a two-week absence reads as a date; the hand-offs read "to you" with Acknowledge', async () => {
    assertReads(await openPr(false), await annsCard());
  });

  for (const dark of [false, true]) {
    const scheme = dark ? 'dark' : 'light';
    test(`axe-core finds no violations in the banner and the card (${scheme})`, async () => {
      const state = await openPr(dark);
      assert.equal(banner(state).theme, scheme);
      const inBanner = await axeOnCopy(ff, banner(state));
      assertAxeClean(inBanner, `the banner (${scheme})`);
      assert.ok(inBanner.elements > 10, `the copy holds the banner (${inBanner.elements} elements)`);
      for (const rule of ['button-name', 'aria-allowed-attr', 'listitem']) assert.ok(inBanner.passes.includes(rule), `${rule} checked: ${inBanner.passes}`);
      const card = await axeOnCopy(ff, await annsCard(), { focusBadge: true });
      assertAxeClean(card, `the card (${scheme})`);
      assert.ok(card.elements > 10, `the copy holds the card (${card.elements} elements)`);
      for (const rule of ['button-name', 'aria-command-name', 'link-name']) assert.ok(card.passes.includes(rule), `${rule} checked: ${card.passes}`);
    });
  }

  test('one click acknowledges from the banner and from the card, through the server', async () => {
    const state = await openPr(false);
    await clickInShadow(banner(state), '[data-action="acknowledge"]');
    const acks = () => annsAcks(server, team);
    const first = await ff.poll(async () => ((await acks()).length === 1 ? acks() : null), 'the acknowledgement on the server');
    assert.deepEqual(first.map((a) => [a.item, a.by]), [[PR_REF, bob]]);
    const after = await ff.poll(async () => {
      const b = banner(await inlineState(ff));
      return b?.text.includes(READS.bannerAcked) ? b : null;
    }, 'the banner to show the acknowledgement');
    assert.ok(!after.inside.some((e) => attr(e, 'data-action') === 'acknowledge'), 'no button left in the banner');

    // The card: the cover, by a real click on its button (the card open by focus, as a
    // keyboard user has it; the pointer then rests on it).
    const card = await annsCard();
    await focusBadge(card);
    await clickInShadow(card, '[data-action="acknowledge"]');
    const both = await ff.poll(async () => ((await acks()).length === 2 ? acks() : null), "the cover's acknowledgement on the server");
    assert.deepEqual(both.map((a) => [a.item ?? null, a.by]).sort(), [[PR_REF, bob], [null, bob]].sort());
    const again = await ff.poll(async () => {
      const host = await annsCard();
      return READS.cardAcked.test(host.text) ? host : null;
    }, 'the card to show the acknowledgement');
    assert.ok(!again.inside.some((e) => attr(e, 'data-action') === 'acknowledge'), 'nothing left to acknowledge');
  });
});

/** [member id key, status word in the popup, in the timeline's title and the badge's label]. */
const STATUSES = [
  ['cleo', 'Away', 'away'],
  ['dan', 'Offline', 'offline'],
  ['ann', 'Out of office', 'out of office'],
];

for (const scheme of ['light', 'dark']) {
  test(`${scheme}: one colour per status in the popup, its timeline and the page badges, each with its word; "now … there"`, async () => {
    const names = { ann: 'Ann Ito', cleo: 'Cleo Park', dan: 'Dan Ruiz' };
    // Their cards drawn (on first focus, as the keyboard does).
    const state = await openCards(ff, await openPr(scheme === 'dark'));
    await setColorScheme(ff, scheme);
    const onPage = await execute(
      ff,
      (roots) =>
        roots.map((root) => {
          const chip = root.querySelector('.card .status');
          return {
            dot: getComputedStyle(root.querySelector('.badge'), '::after').backgroundColor,
            chip: getComputedStyle(chip).backgroundColor,
            chipText: chip.getAttribute('data-text') ?? chip.textContent, // the shim's text is drawn from data-text
          };
        }),
      STATUSES.map(([key]) => state.hosts.find((h) => h.labels[0]?.startsWith(`${names[key]}:`)).root),
    );
    const labels = STATUSES.map(([key]) => state.hosts.find((h) => h.labels[0]?.startsWith(`${names[key]}:`)).labels[0]);

    await ff.open('popup.html');
    await ff.waitForLoader();
    await ff.click('#tab-team');
    await ff.poll(() => ff.evaluateInExtension(() => document.querySelector('#timeline svg') !== null), 'the timeline');
    const inPopup = await ff.evaluateInExtension(
      (ids) =>
        ids.map((id) => {
          const status = document.querySelector(`#roster li[data-member="${id}"] .status`);
          const row = document.querySelector(`#timeline g.tl-row[data-member="${id}"]`);
          return {
            row: getComputedStyle(status).color,
            word: status.textContent,
            timeline: getComputedStyle(row.querySelector('circle.tl-dot')).fill,
            title: row.querySelector('title').textContent,
          };
        }),
      STATUSES.map(([key]) => team[key].id),
    );
    const colours = STATUSES.map(([key, word, lower], i) => {
      const p = inPopup[i];
      const b = onPage[i];
      assert.deepEqual([p.timeline, b.dot, b.chip], [p.row, p.row, p.row], `${key}'s colours (${scheme}): row, timeline, badge dot, card chip`);
      assert.equal(p.word, word);
      assert.equal(b.chipText, word);
      assert.ok(p.title.includes(lower), `the timeline's title says "${lower}": ${p.title}`);
      assert.ok(labels[i].startsWith(`${names[key]}: ${lower}`), labels[i]);
      return p.row;
    });
    assert.equal(new Set(colours).size, 3, `three statuses, three colours: ${colours}`);
    // Ann's row: her return two weeks away as a date; opened, her time as the time there now.
    const ann = `#roster li[data-member="${team.ann.id}"]`;
    assert.match(await ff.textContent(`${ann} button.member-line`), /^Ann ItoOut of officeTwo weeks off.*\b\d{1,2} [A-Z][a-z]{2}\b/);
    await ff.click(`${ann} button.member-line`);
    assert.match(await ff.textContent(`${ann} .details`), /^now \d\d:\d\d there · /);
    console.log(`# ${scheme}: away ${colours[0]}, offline ${colours[1]}, out of office ${colours[2]}`);
    await setColorScheme(ff, 'light');
  });
}

test('no request left for a host the proxy does not serve', () => {
  assert.deepEqual(proxy.unexpected, []);
});
