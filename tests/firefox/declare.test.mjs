// The declare flow in headless Firefox ESR (dist/firefox as a temporary add-on): declare
// through the popup page, edit, clear, reject bad input beside its field, keep the draft; and
// the options page's validation (the scenario Chromium's suite runs, from the same data).
// The popup is opened as a page (WebDriver cannot click the toolbar), so the work item is
// added with "Add a link" rather than "Add this tab" (Chromium's suite covers that). At the
// popup's size, light and dark: work items are rows of one line, the footer stays in view.
//
//   ./build.sh && node --test tests/firefox/declare.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eveningLocal } from '../e2e/evening-fixture.mjs';
import { OPTIONS_VALIDATION } from '../e2e/team-scenarios.mjs';
import { setColorScheme } from './axe.mjs';
import { launchFirefox } from './harness.mjs';

let ff;

before(async () => {
  ff = await launchFirefox();
  await ff.openReady('popup.html');
});

after(async () => {
  await ff?.close();
});

/** Empties both storage areas and opens a fresh popup page. */
async function freshPopup() {
  await ff.evaluateInExtension(() => Promise.all([browser.storage.local.clear(), browser.storage.sync.clear()]));
  await reopenPopup();
}

async function reopenPopup() {
  await ff.open('popup.html');
  await ff.waitForLoader();
}

/** Picks an option of a <select> (or sets a datetime-local value) as a user's change does. */
async function choose(selector, value) {
  await ff.evaluateInExtension(([s, v]) => {
    const el = document.querySelector(s);
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, [selector, value]);
}

const valueOf = (selector) => ff.evaluateInExtension((s) => document.querySelector(s).value, selector);

async function declare() {
  await ff.click('#declare');
  // Not connected to a team in these tests: the confirmation says where the state is.
  return ff.waitForText('#declare-status', /^Declared \d\d:\d\d · saved on this device only$/);
}

test('declare through the popup: state and item stored, badge shows it', async () => {
  await freshPopup();
  await choose('#status', 'offline');
  await ff.fill('#headline', 'Handing over the login fix');
  await ff.click('#add-item');
  await ff.fill('#items-0-url', 'https://github.com/o/r/pull/12/files');
  await ff.fill('#items-0-title', 'Fix login #12');
  await choose('#items-0-state', 'needs_review');
  await ff.click('#back_at-next');
  await declare();

  const { state, history } = await ff.storage('local');
  assert.equal(state.declaration.status, 'offline');
  assert.equal(state.declaration.headline, 'Handing over the login fix');
  assert.deepEqual(state.declaration.items, [
    {
      url: 'https://github.com/o/r/pull/12/files',
      canonical_ref: 'github.com/o/r/pull/12', // the files tab is the PR itself
      title: 'Fix login #12',
      note: '',
      state: 'needs_review',
    },
  ]);
  assert.ok(Date.parse(state.declaration.back_at) > Date.now());
  assert.equal(history.length, 1);
  const b = await ff.waitForBadge('OFF');
  assert.equal(b.title, 'StandIn: Offline — Handing over the login fix');
  await ff.screenshot('firefox-declared');
});

test('reopening shows the state; edit and clear', async () => {
  // Starts from the state the previous test declared.
  await reopenPopup();
  assert.equal(await valueOf('#headline'), 'Handing over the login fix');
  assert.equal(await valueOf('#items-0-title'), 'Fix login #12');
  await choose('#status', 'away');
  await ff.fill('#headline', 'Lunch');
  await declare();
  const { state, history } = await ff.storage('local');
  assert.equal(state.declaration.headline, 'Lunch');
  assert.equal(history.length, 2);
  await ff.waitForBadge('AWAY');

  await ff.click('#clear');
  await ff.waitForText('#declare-status', /^Cleared\.$/);
  assert.equal((await ff.storage('local')).state, undefined);
  const cleared = await ff.waitForBadge('');
  assert.equal(cleared.title, 'StandIn: no state declared');
});

test('invalid input shows each error beside its field and stores nothing', async () => {
  await freshPopup();
  await ff.fill('#headline', 'x'.repeat(81));
  await ff.click('#add-item');
  await ff.fill('#items-0-url', 'javascript:alert(1)');
  await choose('#back_at', '2020-01-01T09:00');
  await ff.click('#declare');
  await ff.waitForText('#declare-status', /^Not declared/);
  for (const [id, message] of [
    ['headline', 'At most 80 characters (81 given).'],
    ['items-0-url', 'Must be an http(s) link.'],
    ['back_at', 'Must be in the future.'],
  ]) {
    const shown = await ff.evaluateInExtension((i) => {
      const error = document.getElementById(`error-${i}`);
      return {
        text: error.textContent,
        visible: !error.hidden,
        invalid: document.getElementById(i).getAttribute('aria-invalid'),
      };
    }, id);
    assert.deepEqual(shown, { text: message, visible: true, invalid: 'true' }, id);
  }
  assert.equal((await ff.storage('local')).state, undefined);
  // What was typed is kept as the draft; and no draft write is out when the next test leaves
  // the popup (Firefox logs one that completes after its page has gone).
  await ff.waitForText('#draft-status', /^Draft saved\.$/);
});

test('invisible text and a declaration too large to send are refused beside their fields', async () => {
  await freshPopup();
  // 50 items of Japanese titles and notes: every field within its own limit, 109 KB in all.
  const items = Array.from({ length: 50 }, (_, i) => ({
    url: `https://github.com/o/r/pull/${i + 1}`,
    title: '日本語'.repeat(66),
    note: '日本語'.repeat(166),
    state: 'in_progress',
  }));
  const draft = { status: 'online', headline: '\u200B', emoji: '\u202E', items };
  await ff.evaluateInExtension((d) => browser.storage.local.set({ draft: { saved_at: new Date().toISOString(), draft: d } }), draft);
  await reopenPopup();
  await ff.click('#declare');
  await ff.waitForText('#declare-status', /^Not declared/);
  for (const [id, message] of [
    ['headline', 'Only invisible characters: type some visible text.'],
    ['emoji', 'Must be a single emoji.'],
    ['items', 'Too much text in all: 109 KB, at most 60 KB. Shorten notes or remove items.'],
  ]) {
    const shown = await ff.evaluateInExtension((i) => {
      const error = document.getElementById(`error-${i}`);
      return { text: error.textContent, visible: !error.hidden };
    }, id);
    assert.deepEqual(shown, { text: message, visible: true }, id);
  }
  assert.equal((await ff.storage('local')).state, undefined);
});

test('the draft survives reopening the popup', async () => {
  await freshPopup();
  await ff.fill('#headline', 'Half-typed thought');
  await ff.waitForText('#draft-status', /^Draft saved\.$/);
  assert.equal((await ff.storage('sync')).draft.draft.headline, 'Half-typed thought');
  await reopenPopup();
  assert.equal(await valueOf('#headline'), 'Half-typed thought');
  assert.equal(await ff.textContent('#draft-status'), 'Unsent changes restored.');
});

/** Ticks or unticks a checkbox with a real click, as a user does. */
async function setChecked(selector, checked) {
  const now = await ff.evaluateInExtension((s) => document.querySelector(s).checked, selector);
  if (now !== checked) await ff.click(selector);
}

test('options page: errors beside invalid fields, nothing lost; then saves valid settings', async () => {
  await ff.evaluateInExtension(() => Promise.all([browser.storage.local.clear(), browser.storage.sync.clear()]));
  await ff.open('options.html');
  await ff.waitForLoader();
  const { invalid, errors, valid, stored, shown } = OPTIONS_VALIDATION;
  for (const [selector, value] of invalid.fill) await ff.fill(selector, value);
  for (const selector of invalid.uncheck) await setChecked(selector, false);
  await ff.click('#save');
  await ff.waitForText('#save-status', /^Not saved/);
  for (const [id, pattern] of errors) {
    const shownError = await ff.evaluateInExtension((i) => {
      const error = document.getElementById(`error-${i}`);
      return {
        text: error.textContent,
        visible: !error.hidden && error.offsetParent !== null,
        invalid: document.getElementById(i).getAttribute('aria-invalid'),
      };
    }, id);
    assert.match(shownError.text, pattern, id);
    assert.equal(shownError.visible, true, `error-${id} visible`);
    assert.equal(shownError.invalid, 'true', `${id} aria-invalid`);
  }
  for (const [selector, value] of invalid.fill) assert.equal(await valueOf(selector), value, `${selector} kept`);
  assert.equal((await ff.storage('sync')).settings, undefined, 'nothing stored');

  for (const [selector, value] of valid.fill) await ff.fill(selector, value);
  for (const selector of valid.check) await setChecked(selector, true);
  await ff.click('#save');
  await ff.waitForText('#save-status', /^Saved\.$/);
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('error-timezone').hidden), true);
  assert.deepEqual((await ff.storage('sync')).settings, stored);
  for (const [selector, value] of shown) assert.equal(await valueOf(selector), value, 'shows what was stored');
});

/** Real key events into the element (WebDriver: \uE007 Enter, \uE009 Control). */
async function keys(selector, text) {
  const id = await ff.find(selector);
  await ff.command('POST', ff.session(`/element/${id}/value`), { text });
}

test('people are picked from the team, a name that fits no one is flagged; Ctrl+Enter declares', async () => {
  await ff.evaluateInExtension(() => Promise.all([browser.storage.local.clear(), browser.storage.sync.clear()]));
  const { connection, team } = eveningLocal();
  await ff.evaluateInExtension((v) => browser.storage.local.set(v), { connection, team });
  await reopenPopup();
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('connect-team').hidden), true);
  await ff.fill('#headline', 'Handing over');
  await ff.click('#add-item');
  await ff.fill('#items-0-url', 'https://github.com/o/r/pull/12');
  // A name that fits no teammate is flagged beside its field once the field is left.
  const flag = () =>
    ff.evaluateInExtension(() => {
      const e = document.getElementById('error-items-0-handoff_to');
      return { text: e.textContent, hidden: e.hidden, invalid: document.getElementById('items-0-handoff_to').getAttribute('aria-invalid') };
    });
  await ff.fill('#items-0-handoff_to', 'Zed');
  await ff.click('#headline');
  assert.deepEqual(await flag(), { text: 'No teammate goes by “Zed”: pick one from the list.', hidden: false, invalid: 'true' });
  await ff.fill('#items-0-handoff_to', 'Shu');
  const offered = await ff.evaluateInExtension(() => {
    const input = document.getElementById('items-0-handoff_to');
    const active = document.getElementById(input.getAttribute('aria-activedescendant'));
    return { expanded: input.getAttribute('aria-expanded'), active: active?.textContent };
  });
  assert.deepEqual(offered, { expanded: 'true', active: 'Shun Ueda @shun-u' });
  await keys('#items-0-handoff_to', '\uE007');
  assert.equal(await valueOf('#items-0-handoff_to'), 'Shun Ueda');
  assert.equal((await flag()).hidden, true, 'the flag goes once a teammate is picked');
  await ff.fill('#cover', 'ana');
  await keys('#cover', '\uE009\uE007');
  await ff.waitForText('#declare-status', /^Declared \d\d:\d\d$/);
  const { state } = await ff.storage('local');
  assert.equal(state.declaration.items[0].handoff_to, 'm-shun');
  assert.equal(state.declaration.cover, 'm-ana');
  assert.equal(await valueOf('#cover'), 'Ana Souza', 'the name is shown, not the id');
});

test('at the popup\'s size, light and dark: work items are rows of one line until expanded; the footer stays in view', async () => {
  await ff.sizePage(380, 600); // the popup's size
  await reopenPopup();
  // Two more rows (after those the form holds already), each closed once its link is in.
  const first = await ff.evaluateInExtension(() => document.querySelectorAll('#items > li').length);
  for (const i of [first, first + 1]) {
    // Scrolled to as a user would: WebDriver's own scrolling leaves it under the footer.
    await ff.evaluateInExtension(() => document.getElementById('add-item').scrollIntoView({ block: 'center' }));
    await ff.click('#add-item');
    await ff.fill(`#items-${i}-url`, `https://github.com/o/r/pull/${i + 1}`);
    await ff.fill(`#items-${i}-title`, `Fix ${i + 1}`);
    await ff.click(`#items-${i}-more`); // "Add a link" opens its row for the link: closed again
  }
  const inView = (s) =>
    ff.evaluateInExtension((sel) => {
      const r = document.querySelector(sel).getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight && r.height > 0;
    }, s);
  for (const scheme of ['light', 'dark']) {
    await setColorScheme(ff, scheme);
    const rows = await ff.evaluateInExtension(() =>
      [...document.querySelectorAll('#items > li')].map((li) => ({ height: li.getBoundingClientRect().height, details: li.querySelector('input[type=url]').checkVisibility() })),
    );
    assert.ok(rows.length >= 2 && rows.every((r) => r.height <= 56 && !r.details), `collapsed rows (${scheme}): ${JSON.stringify(rows)}`);
    await ff.click(`#items-${first}-more`);
    assert.equal(await ff.evaluateInExtension((id) => document.getElementById(id).getAttribute('aria-expanded'), `items-${first}-more`), 'true');
    assert.equal(await valueOf(`#items-${first}-url`), `https://github.com/o/r/pull/${first + 1}`);
    for (const y of [100_000, 0]) {
      await ff.evaluateInExtension((to) => scrollTo(0, to), y);
      for (const s of ['#declare', '#back_at-next', '#back_at-monday', '#back_at-none']) assert.ok(await inView(s), `${s} at scroll ${y} (${scheme})`);
    }
    await ff.click(`#items-${first}-more`);
  }
  await setColorScheme(ff, 'light');
  // The draft written before the page is left: a draft write still in flight when Firefox
  // closes the page's channel logs "CallResult for closed conduit", an error the harness fails.
  await ff.poll(async () => JSON.stringify((await ff.storage('sync', ['draft'])).draft ?? '').includes(`Fix ${first + 2}`), 'the draft saved');
  await new Promise((r) => setTimeout(r, 800)); // past the popup's 500 ms debounce of a last write
});
