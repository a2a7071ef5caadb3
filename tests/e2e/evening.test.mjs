// The evening flow of issue 13 in Chromium, at the popup's size (380×600; Chrome caps popups at
// 600 px high), in light and dark: people are picked from the roster (combobox), the form is
// compact with a sticky footer and Ctrl+Enter, the end-of-day defaults, and honesty without a
// team. The keyboard-only and mouse walks count keys, clicks and scrolls (tests/e2e/walks.mjs), on
// the evening of tests/e2e/evening-fixture.mjs.
//
//   ./build.sh && node --test tests/e2e/evening.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchExtension, poll } from './harness.mjs';
import { openPageAt, setWorkerClock } from './clock.mjs';
import { AT, eveningLocal, NEXT_WORKING_DAY, SETTINGS } from './evening-fixture.mjs';
import { comboboxOffer, EVENING_WALK as WALK, keyboardWalk, mouseWalk, playwrightDriver } from './walks.mjs';

const SCHEMES = ['light', 'dark'];
const SIZE = { width: 380, height: 600 };
let ext;

before(async () => {
  ext = await launchExtension();
  assert.equal(await ext.workerReady(), true);
});

after(async () => {
  await ext?.close();
});

/** The popup on Friday evening under the reminder, with (or without) the team; the
 *  teammates' declarations (and the digest's chip for the four hand-offs) only when asked. */
async function evening(scheme, { team = true, declarations = false } = {}) {
  await ext.evaluateInWorker(() => Promise.all([chrome.storage.local.clear(), chrome.storage.sync.clear()]));
  await setWorkerClock(ext, AT);
  await ext.setStorage('local', eveningLocal({ team, declarations }));
  await ext.setStorage('sync', { settings: SETTINGS });
  const page = await openPageAt(ext, 'popup.html', AT, { viewport: SIZE });
  await page.emulateMedia({ colorScheme: scheme });
  await page.locator('#reminder').waitFor();
  await page.locator('#suggest-1').waitFor();
  return page;
}

const declared = (page) => page.locator('#declare-status', { hasText: /^Declared \d\d:\d\d/ }).waitFor();

/** The mouse evening up to the hand-off: the headline, both proposals, "Shu" typed in the
 *  second item's hand-off (its list open). Resolves to the walk. */
async function mouseToHandOff(page) {
  const m = mouseWalk(playwrightDriver(page));
  await m.type(WALK.headline);
  await m.click('#suggest-0');
  await m.click('#suggest-0');
  await m.click('#items-0-handoff_to');
  await m.type(WALK.handOff);
  return m;
}

/** Whether the element is wholly inside the viewport. */
const inView = (page, selector) =>
  page.evaluate((s) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight && r.height > 0;
  }, selector);

for (const scheme of SCHEMES) {
  test(`${scheme}: the keyboard-only evening takes at most 15 keys`, async () => {
    // The evening: four hand-offs wait for Bob, so the digest's chip is on screen.
    const page = await evening(scheme, { declarations: true });
    await page.locator('#digest-open', { hasText: '4 hand-offs for you' }).waitFor();
    // End-of-day defaults, and the focus on the first field left to fill.
    assert.equal(await page.inputValue('#status'), 'offline');
    assert.equal(await page.inputValue('#back_at'), NEXT_WORKING_DAY.local, 'Monday, the next working day');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'headline');
    assert.equal(await page.evaluate(() => scrollY), 0);

    const k = keyboardWalk(playwrightDriver(page));
    k.keys = 1; // Alt+Shift+S opened the popup
    await k.type(WALK.headline);
    await k.to('#suggest-0');
    await k.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'suggest-0', 'the next proposal');
    await k.press('Enter');
    await k.to('#items-1-handoff_to');
    await k.type(WALK.handOff);
    const offered = await page.evaluate(comboboxOffer, 'items-1-handoff_to');
    assert.deepEqual(offered, WALK.offered);
    await k.to('#cover'); // Tab picks the active teammate on the way
    assert.equal(await page.inputValue('#items-1-handoff_to'), WALK.handOffPicked);
    await k.type(WALK.cover);
    await k.press('Control+Enter');
    await declared(page);
    console.log(`keyboard (${scheme}): ${k.keys} keys: ${k.log.join(' ')}`);
    assert.ok(k.keys <= WALK.maxKeys, `${k.keys} keys`);

    const { state } = await ext.storage('local', ['state']);
    const d = state.declaration;
    assert.equal(d.status, 'offline');
    assert.equal(d.cover, 'm-ana', 'the member id is saved');
    assert.deepEqual(d.items.map((i) => i.handoff_to ?? null), [null, 'm-shun']);
    assert.equal(d.back_at, NEXT_WORKING_DAY.utc);
    // The field shows the name, never the id; the reminder is gone; the confirmation is seen.
    assert.equal(await page.inputValue('#cover'), WALK.coverPicked);
    assert.equal(await page.locator('#reminder').count(), 0);
    assert.ok(await inView(page, '#declare-status'), 'the confirmation without scrolling');
    await page.close();
  });

  test(`${scheme}: the mouse evening takes at most 5 clicks and no scroll`, async () => {
    const page = await evening(scheme, { declarations: true });
    await page.locator('#digest-open', { hasText: '4 hand-offs for you' }).waitFor();
    // The default end-of-day view: the reminder, the fields of the evening and Declare all
    // inside the 600 px.
    for (const s of WALK.firstScreen) {
      assert.ok(await inView(page, s), `${s} in the first 600 px`);
    }
    const m = await mouseToHandOff(page);
    await m.click('#cover'); // leaving the field picks the active teammate
    await m.type(WALK.cover);
    await m.click('#declare');
    await declared(page);
    console.log(`mouse (${scheme}): ${m.clicks} clicks, ${m.scrolls} scrolls: ${m.log.join(' | ')}`);
    assert.ok(m.clicks <= WALK.maxClicks, `${m.clicks} clicks`);
    assert.equal(m.scrolls, 0);
    const { state } = await ext.storage('local', ['state']);
    assert.equal(state.declaration.items[0].handoff_to, 'm-shun');
    assert.equal(state.declaration.cover, 'm-ana');
    await page.close();
  });
}

// WCAG 2.4.11: a control that takes the keyboard focus is not hidden under the sticky footer.
test('every control Tab reaches is in view, none under the footer', async () => {
  const page = await evening('light', { declarations: true });
  await page.click('#suggest-0');
  await page.click('#suggest-0');
  await page.focus('#headline');
  const hidden = [];
  for (let n = 0; n < 60; n += 1) {
    await page.keyboard.press('Tab');
    const seen = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 8), r.top + r.height / 2);
      return { id: el.id || el.textContent.trim().slice(0, 20), shown: el === hit || el.contains(hit) || hit?.contains(el) };
    });
    if (seen === null || seen.id === 'declare') break;
    if (!seen.shown) hidden.push(seen.id);
  }
  assert.deepEqual(hidden, [], 'focused but covered');
  await page.close();
});

test('a name that fits no teammate is flagged beside the field and Declare refuses it', async () => {
  const page = await evening('light');
  await page.fill('#headline', 'Off');
  await page.click('#suggest-0');
  await page.fill('#items-0-handoff_to', 'Zed');
  await page.focus('#cover'); // leaving the field checks it
  const error = await page.evaluate(() => {
    const e = document.getElementById('error-items-0-handoff_to');
    return { text: e.textContent, hidden: e.hidden, invalid: document.getElementById('items-0-handoff_to').getAttribute('aria-invalid') };
  });
  assert.deepEqual(error, { text: 'No teammate goes by “Zed”: pick one from the list.', hidden: false, invalid: 'true' });
  // Escape closes an open list and leaves the popup open.
  await page.fill('#cover', 'n');
  assert.equal(await page.getAttribute('#cover', 'aria-expanded'), 'true');
  assert.deepEqual(
    await page.$$eval('#cover-list [role=option]', (os) => os.map((o) => o.firstChild.textContent)),
    ['Noah Kim', 'Priya Nair'],
    'names that start with it first, then later words',
  );
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.getAttribute('#cover', 'aria-activedescendant'), 'cover-opt-1');
  await page.keyboard.press('Escape');
  assert.equal(await page.getAttribute('#cover', 'aria-expanded'), 'false');
  assert.equal(await page.isVisible('#cover-list'), false);
  // ("n" itself names Priya: her handle priya-n has the word "n".)
  await page.fill('#cover', 'Nobody');
  await page.click('#declare');
  await page.locator('#declare-status', { hasText: /^Not declared/ }).waitFor();
  assert.equal(await page.textContent('#error-cover'), 'No teammate goes by “Nobody”: pick one from the list.');
  assert.equal((await ext.storage('local', ['state'])).state, undefined);
  // A click on an option picks it.
  await page.fill('#items-0-handoff_to', 'sh');
  await page.click('#items-0-handoff_to-opt-0');
  assert.equal(await page.inputValue('#items-0-handoff_to'), 'Shun Ueda');
  assert.equal(await page.isVisible('#error-items-0-handoff_to'), false);
  await page.close();
});

for (const scheme of SCHEMES) {
  test(`${scheme}: rows stay one line until expanded; the footer stays in view`, async () => {
    const page = await evening(scheme);
    await page.click('#suggest-0');
    await page.click('#suggest-0');
    for (const i of [0, 1]) {
      const h = await page.evaluate((n) => document.querySelector(`#items > li:nth-child(${n + 1})`).getBoundingClientRect().height, i);
      assert.ok(h <= 56, `collapsed row ${i}: ${h} px`);
      assert.equal(await page.isVisible(`#items-${i}-url`), false);
    }
    await page.click('#items-0-more');
    assert.equal(await page.getAttribute('#items-0-more', 'aria-expanded'), 'true');
    assert.equal(await page.inputValue('#items-0-url'), 'https://acme.atlassian.net/browse/OPS-12');
    // Scrolled to the end and back: Declare and the back-at choices stay on screen.
    for (const y of [100_000, 0]) {
      await page.evaluate((to) => scrollTo(0, to), y);
      for (const s of ['#declare', '#back_at-next', '#back_at-monday', '#back_at-none']) {
        assert.ok(await inView(page, s), `${s} at scroll ${y}`);
      }
    }
    // Ctrl+Enter from a textarea far down the form declares.
    await page.fill('#headline', 'Off');
    await page.focus('#blockers');
    await page.keyboard.press('Control+Enter');
    await declared(page);
    await page.close();
  });

  test(`${scheme}: without a team, "Connect your team" and "saved on this device only"`, async () => {
    const page = await evening(scheme, { team: false });
    assert.equal(await page.isVisible('#connect-team'), true);
    assert.equal(await page.getAttribute('#connect-team-link', 'href'), 'options.html#team');
    assert.equal(await page.getAttribute('#cover', 'aria-expanded'), 'false');
    // A free name is kept as typed, no list offered.
    await page.fill('#headline', 'Off');
    await page.fill('#cover', 'Ana');
    assert.equal(await page.isVisible('#cover-list'), false);
    await page.keyboard.press('Control+Enter');
    const status = await poll(async () => {
      const t = await page.textContent('#declare-status');
      return /^Declared/.test(t) ? t : null;
    }, 'the confirmation');
    assert.match(status, /^Declared \d\d:\d\d · saved on this device only$/);
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.getElementById('declare-status')).color),
      await page.evaluate(() => { const p = document.createElement('p'); p.className = 'ok'; document.body.append(p); return getComputedStyle(p).color; }),
      'not the green of a published declaration');
    assert.ok(await inView(page, '#declare-status'));
    assert.equal((await ext.storage('local', ['state'])).state.declaration.cover, 'Ana');
    await page.close();
  });
}

test('no console errors or uncaught exceptions', () => {
  ext.assertNoErrors();
});
