// The popup's views at its real size (380 × 600, Chrome's cap), in light and dark, on the
// evening of issue 13 (tests/e2e/evening-fixture.mjs: Bob in Berlin at 19:30 on a Friday, seven
// teammates, four hand-offs for him):
// - one view at a time: the popup opens at the top, on the form; the digest is a chip that
//   opens it in place of the form, and Done comes back to the form;
// - the digest at a glance: hand-offs first (all within the first 600 px), the other entries a
//   line each until expanded, "their time" said as the time there now;
// - the Team tab: 5 or more teammates in 600 px, a row opens on one click (or a key) to their
//   items and blockers, emoji shown, the list and the timeline in one order, out of office
//   drawn as absent with the return date;
// - axe-core finds no violation in any of these views, nor in the options page.
// Acknowledge all, which needs the team server, is in digest.test.mjs.
//
//   ./build.sh && node --test tests/e2e/views.test.mjs
//
// Screenshots the popup at end of day (light and dark), the digest and the Team tab to
// tests/out/, and to docs/ (the README's) when missing or UPDATE_SCREENSHOTS=1.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, setColorScheme } from './axe.mjs';
import { openPageAt, setWorkerClock } from './clock.mjs';
import { AT, eveningLocal, SETTINGS } from './evening-fixture.mjs';
import { launchExtension, poll, shoot, waitForLoader } from './harness.mjs';

const VIEWPORT = { width: 380, height: 600 };
const SCHEMES = ['light', 'dark'];

let ext;

before(async () => {
  ext = await launchExtension();
  assert.equal(await ext.workerReady(), true);
  await setWorkerClock(ext, AT);
  await ext.setStorage('local', eveningLocal());
  await ext.setStorage('sync', { settings: SETTINGS });
});

after(async () => {
  await ext?.close();
});

/** The popup at 19:30 that Friday, in `scheme`. */
async function popupAt(scheme) {
  const page = await openPageAt(ext, 'popup.html', AT + 60_000, { viewport: VIEWPORT });
  await setColorScheme(page, scheme);
  return page;
}

/** The element's box in the viewport: { top, bottom, height }. */
const box = (page, selector) =>
  page.locator(selector).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, height: r.height };
  });

for (const scheme of SCHEMES) {
  test(`${scheme}: the popup opens at the top on the form; the digest is a chip and opens in its place`, async () => {
    const page = await popupAt(scheme);
    // Whatever mounts late (team parts, the timeline) must not scroll the popup either.
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.scrollingElement.scrollTop), 0, 'not scrolled on open');
    await page.locator('#reminder').waitFor();
    assert.equal(await page.isVisible('#declare-form'), true);
    assert.equal(await page.isVisible('#digest'), false, 'the digest does not open itself');
    const chip = page.locator('#digest-open');
    assert.equal(await chip.textContent(), '4 hand-offs for you');
    const chipBox = await box(page, '#digest-open');
    assert.ok(chipBox.bottom <= 600, `the chip is on the first screen (${chipBox.bottom} px)`);
    await assertAccessible(page, `the popup at end of day (the form and the reminder), ${scheme}`);
    await shoot(page, scheme === 'light' ? 'popup-evening' : 'popup-evening-dark');

    // The chip opens the digest in place of the form (and of the reminder); focus follows.
    await chip.click();
    await page.locator('#digest').waitFor();
    assert.equal(await page.isVisible('#declare-form'), false);
    assert.equal(await page.isVisible('#reminder'), false);
    assert.equal(await page.isVisible('#digest-open'), false);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'digest-title');
    assert.equal(await page.evaluate(() => document.scrollingElement.scrollTop), 0);
    await assertAccessible(page, `the digest, ${scheme}`);

    // Done goes back to the form, focus on the chip.
    await page.click('#digest-close');
    await page.locator('#declare-form').waitFor();
    assert.equal(await page.isVisible('#digest'), false);
    await poll(() => page.evaluate(() => document.activeElement?.id === 'digest-open'), 'focus back on the chip');
    await page.close();
  });

  test(`${scheme}: the digest at a glance: every hand-off in the first 600 px, the rest a line each`, async () => {
    const page = await popupAt(scheme);
    await page.click('#digest-open');
    await page.locator('#digest').waitFor();
    // Hand-offs first: Ana's (newest) and Shun's, then the others.
    const order = await page.$$eval('#digest li.digest-entry', (lis) => lis.map((li) => li.dataset.member));
    assert.deepEqual(order.slice(0, 2), ['m-ana', 'm-shun']);
    assert.equal(order.length, 7);
    assert.equal(await page.isVisible('#digest-ack-all'), true);
    const acks = await page.$$eval('#digest button.ack', (buttons) =>
      buttons.map((b) => ({ bottom: b.getBoundingClientRect().bottom, visible: b.checkVisibility() })),
    );
    assert.equal(acks.length, 4, 'two items from Shun, an item and the cover from Ana');
    for (const ack of acks) assert.ok(ack.visible && ack.bottom <= 600, `an Acknowledge button at ${ack.bottom} px`);
    const ackAll = await box(page, '#digest-ack-all');
    assert.ok(ackAll.bottom <= 600);
    const digestBox = await box(page, '#digest');
    console.log(`# digest (${scheme}): last hand-off's Acknowledge ends at ${Math.max(...acks.map((a) => a.bottom))} px; the whole digest is ${digestBox.height} px`);

    // Olivia's entry: one line until expanded.
    const olivia = 'li.digest-entry[data-member="m-olivia"]';
    const line = page.locator(`${olivia} button.entry-line`);
    assert.equal(await line.getAttribute('aria-expanded'), 'false');
    const collapsed = await box(page, olivia);
    assert.ok(collapsed.height <= 40, `a collapsed entry is one line (${collapsed.height} px)`);
    assert.equal(await page.isVisible(`${olivia} .details`), false);
    await line.click();
    assert.equal(await line.getAttribute('aria-expanded'), 'true');
    assert.equal(await page.isVisible(`${olivia} .details`), true);
    assert.match(await page.textContent(`${olivia} .details`), /^declared 1 h ago · now \d\d:\d\d there$/);
    assert.equal(await page.textContent(`${olivia} .pre`), 'The release branch is cut; tags on Monday.');
    assert.ok((await box(page, olivia)).height > collapsed.height);
    await assertAccessible(page, `the digest with an entry expanded, ${scheme}`);
    if (scheme === 'light') await shoot(page, 'digest');
    await page.close();
  });

  test(`${scheme}: the Team tab: a line per teammate, one order with the timeline, rows open to items and blockers`, async () => {
    const page = await popupAt(scheme);
    await page.click('#tab-team');
    await page.locator('#timeline svg').waitFor();
    const rows = await page.$$eval('#roster li.member', (lis) =>
      lis.map((li) => ({
        member: li.dataset.member,
        bottom: li.getBoundingClientRect().bottom,
        absent: li.classList.contains('absent'),
        text: li.querySelector('button.member-line').textContent,
      })),
    );
    assert.equal(rows.length, 8);
    const onScreen = rows.filter((r) => r.bottom <= 600).length;
    console.log(`# Team tab (${scheme}): ${onScreen} of ${rows.length} rows within 600 px`);
    assert.ok(onScreen >= 5, `${onScreen} teammates in the first 600 px`);
    // One order: the list and the timeline.
    const timeline = await page.$$eval('#timeline g.tl-row', (gs) => gs.map((g) => g.dataset.member));
    assert.deepEqual(rows.map((r) => r.member), timeline);
    // Reachable first (Bob within his hours, Lena online, Noah in focus), Priya (back in 14 days) last.
    assert.deepEqual(rows.slice(0, 3).map((r) => r.member), ['m-bob', 'm-lena', 'm-noah']);
    assert.equal(rows.at(-1).member, 'm-priya');
    // Emoji on the line; out of office drawn as absent, with the return, in both.
    assert.match(rows.find((r) => r.member === 'm-noah').text, /Noah KimFocus🎧Incident review write-up/);
    const priya = rows.find((r) => r.member === 'm-priya');
    assert.ok(priya.absent && rows.filter((r) => r.absent).length === 1);
    assert.match(priya.text, /^Priya NairOut of office🏝On leave.*(19 Dec|Sat)/);
    const priyaTimeline = page.locator('#timeline g.tl-row[data-member="m-priya"]');
    assert.match(await priyaTimeline.getAttribute('class'), /tl-ooo/);
    assert.equal(await priyaTimeline.locator('rect.tl-bar').count(), 0, 'no working hours drawn');
    assert.match(await priyaTimeline.locator('title').textContent(), /out of office · back 19 Dec/);
    assert.ok((await page.locator('#timeline g.tl-row[data-member="m-lena"] rect.tl-bar').count()) > 0, 'hours drawn');
    await assertAccessible(page, `the Team tab, ${scheme}`);
    if (scheme === 'light') await shoot(page, 'team');

    // One click on Shun's row: his items (with their hand-offs) and blockers.
    const shun = '#roster li[data-member="m-shun"]';
    await page.click(`${shun} button.member-line`);
    assert.equal(await page.getAttribute(`${shun} button.member-line`, 'aria-expanded'), 'true');
    const items = await page.$$eval(`${shun} .items li`, (lis) => lis.map((li) => li.textContent));
    assert.deepEqual(items, [
      'Retry exports on timeouts · Needs review · handed to you Second review, then merge',
      'Export metrics · In progress · handed to you ',
      'Flaky upload test · Waiting',
    ]);
    assert.equal(await page.isVisible(`${shun} .items`), true);
    assert.equal(await page.textContent(`${shun} .member-more .blockers`), 'Blockers: Staging is slow since Thursday');
    assert.match(await page.textContent(`${shun} .details`), /^now \d\d:\d\d there · declared 10 h ago$/);
    await assertAccessible(page, `the Team tab with a row open, ${scheme}`);
    // The keyboard too: Enter on the focused line closes it, Space opens it again.
    await page.focus(`${shun} button.member-line`);
    await page.keyboard.press('Enter');
    assert.equal(await page.isVisible(`${shun} .items`), false);
    await page.keyboard.press('Space');
    assert.equal(await page.isVisible(`${shun} .items`), true);
    // An open row stays open when the worker rewrites the team cache.
    await ext.setStorage('local', { team: { ...eveningLocal().team, cursor: 2 } });
    await page.waitForTimeout(300);
    assert.equal(await page.getAttribute(`${shun} button.member-line`, 'aria-expanded'), 'true');
    await page.close();
  });

  test(`${scheme}: axe-core finds nothing in the options page`, async () => {
    const page = await ext.context.newPage();
    await setColorScheme(page, scheme);
    ext.watch(page, 'options.html');
    await page.goto(ext.url('options.html'));
    await waitForLoader(page);
    await assertAccessible(page, `the options page, ${scheme}`);
    await page.close();
  });
}

test('no console errors or uncaught exceptions', () => {
  ext.assertNoErrors();
});
