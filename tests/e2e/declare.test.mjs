// The declare flow through the real toolbar popup in Chromium (dist/chrome): declare with a
// work item added by "Add this tab", edit, clear, reject bad input beside its field, keep the
// draft across closing the popup, and the options page. Each test states what it starts from;
// the first three run in order (declare → edit → clear), the rest start from empty storage.
//
//   ./build.sh && node --test tests/e2e/declare.test.mjs
//
// Screenshots the declared popup to tests/out/popup.png, and to docs/popup.png (the README's,
// committed) when that is missing or UPDATE_SCREENSHOTS=1: its clock times differ every run.
import assert from 'node:assert/strict';
import { access, copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchExtension, OUT_DIR, poll, ROOT } from './harness.mjs';
import { hoursFromNow, teamCache } from './team-fixture.mjs';
import { OPTIONS_VALIDATION } from './team-scenarios.mjs';

// The tab "Add this tab" reads: a saved page served at the real GitHub URL (routed, no network).
const PR_URL = 'https://github.com/o/r/pull/12';
const PR_TITLE = 'Fix login #12';

let ext;
let prTab;

before(async () => {
  ext = await launchExtension();
  await ext.context.route('https://github.com/**', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><title>${PR_TITLE}</title><h1>${PR_TITLE}</h1>`,
    }),
  );
  assert.equal(await ext.workerReady(), true);
  prTab = await ext.openTab(PR_URL);
});

after(async () => {
  await ext?.close();
});

async function resetStorage() {
  await ext.evaluateInWorker(() => Promise.all([chrome.storage.local.clear(), chrome.storage.sync.clear()]));
}

/** The real action popup for the fixture PR tab. */
function openPopup() {
  return ext.openPopup(prTab);
}

/** Closes the popup window (as clicking elsewhere does) and waits until it is gone. */
async function closePopup(popup) {
  const { browser, targetId } = popup;
  await popup.detach();
  ext.popups.splice(ext.popups.indexOf(popup), 1);
  await browser.send('Target.closeTarget', { targetId });
  await poll(async () => {
    const { targetInfos } = await browser.send('Target.getTargets');
    return !targetInfos.some((t) => t.targetId === targetId);
  }, 'the popup to close');
}

/** Picks an option of a <select> (or sets a datetime-local value) as a user's change does. */
async function choose(popup, selector, value) {
  await popup.evaluate(([s, v]) => {
    const el = document.querySelector(s);
    el.focus();
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, [selector, value]);
}

const valueOf = (popup, selector) => popup.evaluate((s) => document.querySelector(s).value, selector);

async function waitForText(popup, selector, pattern) {
  return poll(async () => {
    const text = await popup.textContent(selector);
    return pattern.test(text ?? '') ? text : null;
  }, `${selector} to match ${pattern}`);
}

/** Declares and waits for the popup's "Declared 17:42". */
async function declare(popup) {
  await popup.click('#declare');
  return waitForText(popup, '#declare-status', /^Declared \d\d:\d\d · saved on this device only$/);
}

/** The error shown beside a field: its text, whether it is visible, and the control's ARIA. */
function errorBeside(popup, controlId) {
  return popup.evaluate((id) => {
    const control = document.getElementById(id);
    const error = document.getElementById(`error-${id}`);
    return {
      text: error?.textContent ?? null,
      visible: Boolean(error && !error.hidden && error.offsetParent !== null),
      invalid: control?.getAttribute('aria-invalid') ?? null,
      describedBy: (control?.getAttribute('aria-describedby') ?? '').split(' '),
    };
  }, controlId);
}

test('declare through the popup: state and item stored, badge shows it', async () => {
  await resetStorage();
  const popup = await openPopup();
  await choose(popup, '#status', 'offline');
  await popup.fill('#emoji', '🌙');
  await popup.fill('#headline', 'Handing over the login fix');
  assert.equal(await popup.textContent('#headline-count'), '26/80');
  await popup.fill('#note', 'Tests pass locally; CI is slow today.');
  await popup.click('#add-tab');
  await popup.waitForSelector('#items-0-url');
  assert.equal(await valueOf(popup, '#items-0-url'), PR_URL);
  assert.equal(await valueOf(popup, '#items-0-title'), PR_TITLE);
  await choose(popup, '#items-0-state', 'needs_review');
  await popup.click('#items-0-more'); // the link and note are behind the row's ⋯
  await popup.fill('#items-0-note', 'One approval missing');
  await popup.fill('#items-0-handoff_to', 'ana');
  await popup.fill('#blockers', 'Waiting on the staging database');
  await popup.fill('#cover', 'ana');
  await popup.click('#back_at-next');
  assert.match(await valueOf(popup, '#back_at'), /^\d{4}-\d\d-\d\dT09:00$/, 'next working day, 09:00');
  assert.match(await popup.textContent('#back_at-local'), /^\w{3} \d{1,2} \w{3}, 09:00 \(in .+\)$/);

  await declare(popup);

  const { state, history } = await ext.storage('local');
  const d = state.declaration;
  assert.equal(d.status, 'offline');
  assert.equal(d.headline, 'Handing over the login fix');
  assert.equal(d.emoji, '🌙');
  assert.equal(d.cover, 'ana');
  assert.ok(Date.parse(d.back_at) > Date.now(), 'back_at in the future');
  assert.deepEqual(d.items, [
    {
      url: PR_URL,
      canonical_ref: 'github.com/o/r/pull/12',
      title: PR_TITLE,
      note: 'One approval missing',
      state: 'needs_review',
      handoff_to: 'ana',
    },
  ]);
  assert.equal(d.timezone, await popup.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone));
  assert.equal(history.length, 1);
  assert.deepEqual(history[0], state);
  assert.equal((await ext.storage('sync')).draft, undefined, 'declaring clears the draft');

  const badge = await poll(async () => {
    const b = await ext.badge();
    return b.text === 'OFF' ? b : null;
  }, 'the badge to show OFF');
  assert.equal(badge.title, 'StandIn: Offline — 🌙 Handing over the login fix');
  // The popup stays open and usable after declaring.
  assert.equal(await popup.evaluate(() => document.getElementById('clear').hidden), false);
  await closePopup(popup);

  // The README's screenshot: the declared state as the popup shows it on reopening, at the
  // popup's size.
  const page = await ext.openPage('popup.html');
  await page.setViewportSize({ width: 380, height: 600 });
  await page.locator('#items-0-title').waitFor();
  await page.evaluate(() => document.activeElement?.blur());
  // The viewport, what the popup shows: its footer sticks to the bottom edge, so a full-page
  // capture would cut the form under it.
  await mkdir(OUT_DIR, { recursive: true });
  const shot = path.join(OUT_DIR, 'popup.png');
  await page.screenshot({ path: shot });
  const readme = path.join(ROOT, 'docs', 'popup.png');
  const missing = await access(readme).then(() => false, () => true);
  if (missing || process.env.UPDATE_SCREENSHOTS === '1') await copyFile(shot, readme);
  await page.close();
});

test('reopening shows the current state; editing and declaring again updates it', async () => {
  // Starts from the state the previous test declared.
  const popup = await openPopup();
  assert.equal(await valueOf(popup, '#status'), 'offline');
  assert.equal(await valueOf(popup, '#headline'), 'Handing over the login fix');
  assert.equal(await valueOf(popup, '#items-0-title'), PR_TITLE);
  assert.match(await popup.textContent('#declare-status'), /^Declared \d\d:\d\d · saved on this device only$/);
  assert.equal(await popup.evaluate(() => document.getElementById('clear').hidden), false);

  await choose(popup, '#status', 'away');
  await popup.fill('#headline', 'Lunch, back soon');
  await choose(popup, '#expires_at', 'one_day');
  assert.match(await popup.textContent('#expires_at-local'), /\(in 24 h\)$/);
  await declare(popup);

  const { state, history } = await ext.storage('local');
  assert.equal(state.declaration.status, 'away');
  assert.equal(state.declaration.headline, 'Lunch, back soon');
  assert.ok(Math.abs(Date.parse(state.declaration.expires_at) - Date.now() - 86_400_000) < 60_000);
  assert.equal(history.length, 2);
  assert.equal(history[0].declaration.headline, 'Lunch, back soon');
  assert.equal(history[1].declaration.headline, 'Handing over the login fix');
  await poll(async () => (await ext.badge()).text === 'AWAY', 'the badge to show AWAY');
  // The expiry is now a fixed time, shown as such.
  assert.equal(await valueOf(popup, '#expires_at'), 'custom');
  await closePopup(popup);
});

test('clear removes the state and the badge', async () => {
  // Starts from the state the previous test declared.
  const popup = await openPopup();
  await popup.click('#clear');
  await waitForText(popup, '#declare-status', /^Cleared\.$/);
  const local = await ext.storage('local');
  assert.equal(local.state, undefined);
  assert.equal(local.history.length, 2, 'the history is kept');
  const badge = await poll(async () => {
    const b = await ext.badge();
    return b.text === '' ? b : null;
  }, 'the badge to clear');
  assert.equal(badge.title, 'StandIn: no state declared');
  assert.equal(await valueOf(popup, '#headline'), '', 'the form is reset');
  assert.equal(await popup.evaluate(() => document.getElementById('clear').hidden), true);
  await closePopup(popup);
});

test('invalid input shows each error beside its field and stores nothing', async () => {
  await resetStorage();
  const popup = await openPopup();
  await popup.fill('#headline', 'x'.repeat(81));
  assert.equal(await popup.textContent('#headline-count'), '81/80');
  await popup.click('#add-item');
  await popup.fill('#items-0-url', 'javascript:alert(1)');
  await choose(popup, '#back_at', '2020-01-01T09:00');
  await popup.click('#declare');
  await waitForText(popup, '#declare-status', /^Not declared/);

  const expected = {
    headline: 'At most 80 characters (81 given).',
    'items-0-url': 'Must be an http(s) link.',
    back_at: 'Must be in the future.',
  };
  for (const [id, message] of Object.entries(expected)) {
    const e = await errorBeside(popup, id);
    assert.equal(e.text, message, id);
    assert.ok(e.visible, `error-${id} visible`);
    assert.equal(e.invalid, 'true', `${id} aria-invalid`);
    assert.ok(e.describedBy.includes(`error-${id}`), `${id} aria-describedby`);
  }
  assert.equal(await popup.evaluate(() => document.activeElement.id), 'headline', 'focus on the first error');
  const local = await ext.storage('local');
  assert.equal(local.state, undefined);
  assert.equal(local.history, undefined);

  // Fixing the fields clears their errors on the next declare.
  await popup.fill('#headline', 'Fixed');
  await popup.fill('#items-0-url', PR_URL);
  await choose(popup, '#back_at', '');
  await declare(popup);
  assert.equal((await errorBeside(popup, 'headline')).visible, false);
  assert.equal((await errorBeside(popup, 'headline')).invalid, null);
  assert.equal((await ext.storage('local')).state.declaration.headline, 'Fixed');
  await closePopup(popup);
});

test('invisible text and a declaration too large to send are refused beside their fields', async () => {
  await resetStorage();
  // 50 items of Japanese titles and notes: every field within its own limit, 109 KB in all,
  // which the server's 64 KiB request cap would refuse ("Not synced").
  const items = Array.from({ length: 50 }, (_, i) => ({
    url: `https://github.com/o/r/pull/${i + 1}`,
    title: '日本語'.repeat(66),
    note: '日本語'.repeat(166),
    state: 'in_progress',
  }));
  const draft = { status: 'online', headline: '\u200B', emoji: '\u202E', items };
  await ext.setStorage('local', { draft: { saved_at: new Date().toISOString(), draft } });
  const popup = await openPopup();
  await popup.click('#declare');
  await waitForText(popup, '#declare-status', /^Not declared/);
  const expected = {
    headline: /^Only invisible characters: type some visible text\.$/,
    emoji: /^Must be a single emoji\.$/,
    items: /^Too much text in all: 109 KB, at most 60 KB\. Shorten notes or remove items\.$/,
  };
  for (const [id, pattern] of Object.entries(expected)) {
    const e = await errorBeside(popup, id);
    assert.match(e.text ?? '', pattern, id);
    assert.ok(e.visible, `error-${id} visible`);
  }
  assert.equal((await ext.storage('local')).state, undefined, 'nothing was declared');
  await closePopup(popup);
});

test("a teammate's bidi controls stay inside their text in the Team view", async () => {
  await resetStorage();
  const RLO = '\u202E';
  await ext.setStorage('local', {
    connection: {
      server: 'https://standin.example.com',
      team: { id: 't1', name: 'Core' },
      member: { id: 'm-me', display_name: 'Me', timezone: 'UTC' },
      connected_at: new Date().toISOString(),
    },
    team: teamCache([
      {
        id: 'm-eve',
        name: `${RLO}Eve`,
        handles: {},
        declaration: { status: 'away', headline: `${RLO}gnp.exe`, cover: `${RLO}abc`, back_at: hoursFromNow(2) },
      },
    ]),
  });
  const popup = await openPopup();
  await popup.click('#tab-team');
  const row = '#roster li[data-member="m-eve"]';
  await poll(() => popup.evaluate((s) => document.querySelector(s) !== null, row), 'the roster row');
  // The details line shows once the row is open.
  await popup.click(`${row} button.member-line`);
  const layout = await popup.evaluate((s) => {
    const li = document.querySelector(s);
    // "now 10:00 there · cover: ‮abc · declared 3 h ago": where the words are drawn.
    const line = li.querySelector('.details').firstChild;
    const box = (word) => {
      const range = document.createRange();
      const at = line.data.indexOf(word);
      range.setStart(line, at);
      range.setEnd(line, at + word.length);
      return range.getBoundingClientRect();
    };
    const name = li.querySelector('strong bdi');
    const headline = li.querySelector('.headline');
    return {
      cover: box('abc').right,
      declared: box('declared').left,
      name: name && { text: name.textContent, isolation: getComputedStyle(name).unicodeBidi },
      headline: { dir: headline.dir, isolation: getComputedStyle(headline).unicodeBidi },
    };
  }, row);
  // An unclosed override would draw the rest of the line reversed, "declared" left of "abc".
  assert.ok(layout.declared > layout.cover, `"declared" at ${layout.declared}, after "abc" ending at ${layout.cover}`);
  assert.deepEqual(layout.name, { text: `${RLO}Eve\u202C`, isolation: 'isolate' });
  assert.deepEqual(layout.headline, { dir: 'auto', isolation: 'isolate' });
  await closePopup(popup);
});

test('the draft survives closing and reopening the popup', async () => {
  await resetStorage();
  let popup = await openPopup();
  await choose(popup, '#status', 'focus');
  await popup.fill('#headline', 'Half-typed thought');
  await popup.click('#add-tab');
  await popup.waitForSelector('#items-0-url');
  await waitForText(popup, '#draft-status', /^Draft saved\.$/);
  const { draft } = await ext.storage('sync');
  assert.equal(draft.draft.headline, 'Half-typed thought');
  assert.equal(draft.draft.items[0].title, PR_TITLE);
  await closePopup(popup);

  popup = await openPopup();
  assert.equal(await valueOf(popup, '#status'), 'focus');
  assert.equal(await valueOf(popup, '#headline'), 'Half-typed thought');
  assert.equal(await valueOf(popup, '#items-0-url'), PR_URL);
  assert.equal(await popup.textContent('#draft-status'), 'Unsent changes restored.');
  await declare(popup);
  assert.equal((await ext.storage('sync')).draft, undefined);
  await closePopup(popup);
});

test('a draft too large to sync is kept on this device, with a message', async () => {
  await resetStorage();
  let popup = await openPopup();
  const note = 'n'.repeat(1900);
  await popup.fill('#headline', 'Long notes');
  for (let i = 0; i < 5; i += 1) {
    await popup.click('#add-item');
    await popup.fill(`#items-${i}-note`, note);
  }
  await waitForText(popup, '#draft-status', /^Draft too large to sync; it is kept on this device\.$/);
  assert.equal(await popup.evaluate(() => document.getElementById('draft-status').className), 'error');
  assert.equal((await ext.storage('sync')).draft, undefined);
  assert.equal((await ext.storage('local')).draft.draft.items.length, 5);
  await closePopup(popup);

  popup = await openPopup();
  assert.equal(await valueOf(popup, '#items-4-note'), note);
  await closePopup(popup);
});

test('items can be reordered and removed with their buttons', async () => {
  await resetStorage();
  const popup = await openPopup();
  for (const [i, url] of ['https://a.test/1', 'https://b.test/2', 'https://c.test/3'].entries()) {
    await popup.click('#add-item');
    await popup.fill(`#items-${i}-url`, url);
  }
  await popup.click('#items-2-up');
  assert.equal(await popup.evaluate(() => document.activeElement.id), 'items-1-up', 'focus follows the item');
  await popup.click('#items-0-remove');
  const urls = await popup.evaluate(() => [...document.querySelectorAll('input[id$="-url"]')].map((i) => i.value));
  assert.deepEqual(urls, ['https://c.test/3', 'https://b.test/2']);
  await closePopup(popup);
});

test('every control has a visible label; Escape closes the popup', async () => {
  await resetStorage();
  const popup = await openPopup();
  // The first field to fill: Status, or the headline while the end-of-day reminder (whose
  // defaults set the status) shows, as it may at the real time this runs.
  const first = await popup.evaluate(() => (document.getElementById('reminder') ? 'headline' : 'status'));
  assert.equal(await popup.evaluate(() => document.activeElement.id), first, 'focus starts on the first field');
  await popup.click('#add-item');
  const unlabelled = await popup.evaluate(() =>
    [...document.querySelectorAll('#app input, #app select, #app textarea')]
      .filter((c) => c.offsetParent !== null)
      .filter((c) => {
        const label = c.closest('label') ?? document.querySelector(`label[for="${c.id}"]`);
        return !label || label.offsetParent === null || label.textContent.trim() === '';
      })
      .map((c) => c.id || c.outerHTML),
  );
  assert.deepEqual(unlabelled, []);

  const { browser, targetId } = popup;
  await popup.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27 });
  await poll(async () => {
    const { targetInfos } = await browser.send('Target.getTargets');
    return !targetInfos.some((t) => t.targetId === targetId);
  }, 'Escape to close the popup');
  await popup.detach().catch(() => {});
  ext.popups.splice(ext.popups.indexOf(popup), 1);
});

test('options page: errors beside invalid fields, then saves valid settings', async () => {
  await resetStorage();
  const page = await ext.openPage('options.html');
  const browserZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  assert.equal(await page.inputValue('#timezone'), browserZone, 'defaults to the browser zone');
  assert.equal(await page.inputValue('#working_hours-start'), '09:00');

  const { invalid, errors, valid, stored, shown } = OPTIONS_VALIDATION;
  for (const [selector, value] of invalid.fill) await page.fill(selector, value);
  for (const selector of invalid.uncheck) await page.uncheck(selector);
  await page.click('#save');
  await page.locator('#save-status', { hasText: 'Not saved' }).waitFor();
  for (const [id, pattern] of errors) {
    assert.match(await page.textContent(`#error-${id}`), pattern, id);
    assert.equal(await page.isVisible(`#error-${id}`), true, `error-${id} visible`);
    assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true', `${id} aria-invalid`);
  }
  for (const [selector, value] of invalid.fill) assert.equal(await page.inputValue(selector), value, `${selector} kept`);
  assert.equal((await ext.storage('sync')).settings, undefined, 'nothing stored');

  for (const [selector, value] of valid.fill) await page.fill(selector, value);
  for (const selector of valid.check) await page.check(selector);
  await page.click('#save');
  await page.locator('#save-status', { hasText: 'Saved.' }).waitFor();
  assert.equal(await page.isVisible('#error-timezone'), false);
  assert.deepEqual((await ext.storage('sync')).settings, stored);
  for (const [selector, value] of shown) assert.equal(await page.inputValue(selector), value, 'shows what was stored');
  await page.close();
});

test('the popup reads times in the zone and working hours from the options', async () => {
  // Starts from the settings the previous test saved (Asia/Tokyo, Mon–Thu 08:00–16:30).
  const popup = await openPopup();
  assert.match(await popup.textContent('#zone'), /^Asia\/Tokyo$/);
  await popup.click('#back_at-next');
  const value = await valueOf(popup, '#back_at');
  assert.match(value, /T08:00$/);
  const weekday = new Date(`${value.slice(0, 10)}T12:00:00Z`).getUTCDay();
  assert.ok([1, 2, 3, 4].includes(weekday), `a working day (got weekday ${weekday})`);
  await popup.fill('#headline', 'Tokyo hours');
  await declare(popup);
  const { state } = await ext.storage('local');
  assert.equal(state.declaration.timezone, 'Asia/Tokyo');
  // 08:00 in Tokyo (UTC+9, no DST) is 23:00 UTC the day before.
  assert.match(state.declaration.back_at, /T23:00:00Z$/);
  await closePopup(popup);
});

test('settings synced by a newer version (an unknown field) still load', async () => {
  await resetStorage();
  await ext.setStorage('sync', {
    settings: { display_name: 'Ana', timezone: 'Asia/Tokyo', from_a_newer_version: { x: 1 } },
  });
  const page = await ext.openPage('options.html');
  assert.equal(await page.inputValue('#display_name'), 'Ana');
  assert.equal(await page.inputValue('#timezone'), 'Asia/Tokyo');
  await page.close();
});

test('the background checks messages itself: bad requests and invalid declarations', async () => {
  await resetStorage();
  const page = await ext.openPage('options.html');
  const replies = await page.evaluate(async () => ({
    unknown: await chrome.runtime.sendMessage({ launch: 'rockets' }),
    invalid: await chrome.runtime.sendMessage({
      declare: {
        status: 'away',
        headline: '',
        items: [{ url: 'javascript:alert(1)', state: 'done' }],
        timezone: 'UTC',
      },
    }),
  }));
  assert.equal(replies.unknown.error, 'bad_request');
  assert.equal(replies.invalid.error, 'invalid');
  assert.deepEqual(
    replies.invalid.errors.map((e) => e.field),
    ['headline', 'items[0].url'],
  );
  assert.equal((await ext.storage('local')).state, undefined);
  await page.close();
});

test('no console errors or uncaught exceptions', () => {
  ext.assertNoErrors();
});
