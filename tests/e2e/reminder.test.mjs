// The end-of-day reminder in Chromium (dist/chrome), on a controlled clock (tests/e2e/clock.mjs):
// the badge turns to "EOD" with a notification at work-end minus the lead, and clears once the
// user declares; "Snooze 30 min" and "Skip today" from the popup; out of office suppresses it;
// the popup proposes today's viewed items and yesterday's unfinished ones, adding each only on
// its click.
//
//   ./build.sh && node --test tests/e2e/reminder.test.mjs
//
// The user works Mon–Fri 09:00–17:00 in Europe/Berlin with the default 30-minute lead, so on
// Friday 2026-11-27 the reminder is due at 16:30 Berlin = 15:30 UTC. Screenshots the popup with
// the reminder to tests/out/reminder.png, and to docs/reminder.png (the README's) when that is
// missing or UPDATE_SCREENSHOTS=1. The scenario's data and texts are
// tests/e2e/end-of-day-scenarios.mjs's, which Firefox's reminder test shares.
import assert from 'node:assert/strict';
import { access, copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchExtension, OUT_DIR, poll, ROOT } from './harness.mjs';
import { alarm, alarmAt, fireAlarmNow, openPageAt, setWorkerClock } from './clock.mjs';
import { CARRIED_OVER, declaredState, PROPOSED, REMINDER, reminderStorage } from './end-of-day-scenarios.mjs';

const REMIND_AT = Date.parse('2026-11-27T15:30:00Z'); // Friday 16:30 Berlin
const SHIFT_START = Date.parse('2026-11-27T08:00:00Z'); // Friday 09:00 Berlin
const MONDAY_REMINDER = Date.parse('2026-11-30T15:30:00Z');
const MIN = 60_000;
const SETTINGS = {
  display_name: 'Bob',
  timezone: 'Europe/Berlin',
  working_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
};

let ext;

before(async () => {
  ext = await launchExtension();
  assert.equal(await ext.workerReady(), true);
});

after(async () => {
  await ext?.close();
});

/** Empty storage, the worker's clock at `at`, then the settings (whose write makes the worker
 * evaluate the reminder), plus any other `local` values. */
async function start(at, local = {}) {
  await ext.evaluateInWorker(async (id) => {
    await Promise.all([chrome.storage.local.clear(), chrome.storage.sync.clear()]);
    await chrome.notifications.clear(id);
  }, REMINDER.notification.id);
  await setWorkerClock(ext, at);
  if (Object.keys(local).length) await ext.setStorage('local', local);
  await ext.setStorage('sync', { settings: SETTINGS });
}

const badgeIs = (text) =>
  poll(async () => {
    const b = await ext.badge();
    return b.text === text ? b : null;
  }, `the badge to show "${text}"`);

const notifications = () => ext.evaluateInWorker(() => chrome.notifications.getAll());

test('the badge turns to EOD at work-end minus the lead, then clears on declaring', async () => {
  // Viewed today (Friday), and a declaration from Thursday with one item not done: the popup
  // proposes all three.
  await start(REMIND_AT - 8_000, reminderStorage(REMIND_AT, SHIFT_START, 'Europe/Berlin'));
  // 8 s before: no reminder yet, and an alarm for it, 8 s from now on the real clock.
  const scheduled = await alarmAt(ext, REMINDER.alarm, REMIND_AT);
  assert.ok(scheduled.inMs > 0 && scheduled.inMs <= 8_500, `alarm in ${scheduled.inMs} ms`);
  assert.equal((await ext.badge()).text, '');

  // The alarm fires by itself; the badge and the notification follow.
  const badge = await badgeIs('EOD');
  assert.match(badge.title, REMINDER.badgeTitle);
  assert.deepEqual(Object.keys(await notifications()), [REMINDER.notification.id]);
  const { reminder } = await ext.storage('local', ['reminder']);
  assert.equal(reminder.notified, '2026-11-27T15:30:00Z', 'notified once, for 16:30');

  // The popup opens on the reminder and proposes items; nothing is added without a click.
  const popup = await openPageAt(ext, 'popup.html', REMIND_AT + MIN, { viewport: { width: 380, height: 600 } });
  await popup.locator('#reminder').waitFor();
  assert.equal(await popup.isVisible('#reminder-snooze'), true);
  const proposed = await popup.$$eval('#suggestions li', (lis) => lis.map((li) => li.textContent));
  assert.deepEqual(proposed, PROPOSED);
  assert.equal(await popup.locator('#items li').count(), 0, 'nothing added by itself');
  await popup.evaluate(() => document.activeElement?.blur());
  // What the popup shows at its size (Chrome caps popups at 600 px high).
  await mkdir(OUT_DIR, { recursive: true });
  const shot = path.join(OUT_DIR, 'reminder.png');
  await popup.screenshot({ path: shot });
  const readme = path.join(ROOT, 'docs', 'reminder.png');
  const missing = await access(readme).then(() => false, () => true);
  if (missing || process.env.UPDATE_SCREENSHOTS === '1') await copyFile(shot, readme);

  // One click adds one item; a carried-over item keeps its state and note.
  await popup.click('#suggest-2');
  assert.equal(await popup.inputValue('#items-0-url'), CARRIED_OVER.url);
  assert.equal(await popup.inputValue('#items-0-state'), CARRIED_OVER.state);
  assert.equal(await popup.inputValue('#items-0-note'), CARRIED_OVER.note);
  await popup.click('#suggest-0');
  assert.equal(await popup.inputValue('#items-1-url'), 'https://acme.atlassian.net/browse/OPS-12');
  assert.equal(await popup.locator('#suggestions li').count(), 1, 'added ones are no longer proposed');

  await popup.fill('#headline', 'Handing over OPS-12');
  await popup.click('#declare');
  await popup.locator('#declare-status', { hasText: /^Declared / }).waitFor();
  // Under the reminder the form defaults to Offline (and back the next working day).
  const cleared = await badgeIs('OFF');
  assert.match(cleared.title, /^StandIn: Offline — Handing over OPS-12$/);
  await poll(async () => Object.keys(await notifications()).length === 0, 'the notification to go');
  const { state } = await ext.storage('local', ['state']);
  const declaredAt = Date.parse(state.declared_at);
  assert.ok(declaredAt >= REMIND_AT && declaredAt < REMIND_AT + 2 * MIN, 'stamped on the shifted clock');
  assert.deepEqual(
    state.declaration.items.map((i) => i.canonical_ref),
    ['github.com/acme/api/pull/3', 'acme.atlassian.net/browse/OPS-12'],
  );
  // Next: Monday's reminder.
  await alarmAt(ext, REMINDER.alarm, MONDAY_REMINDER);
  await popup.close();
});

test('snooze hides it for 30 minutes, then it reminds once more; skip ends it for today', async () => {
  await start(REMIND_AT + 10_000);
  await badgeIs('EOD');
  const popup = await openPageAt(ext, 'popup.html', REMIND_AT + 20_000);
  await popup.click('#reminder-snooze');
  await popup.locator('#reminder-status', { hasText: REMINDER.snoozed('17:00') }).waitFor();
  const quiet = await badgeIs('');
  assert.equal(quiet.title, REMINDER.quietTitle);
  assert.equal(Object.keys(await notifications()).length, 0, 'the notification goes with it');
  const { reminder } = await ext.storage('local', ['reminder']);
  const until = Date.parse(reminder.snoozed_until);
  // 30 minutes from the worker's now (16:00:10 and a little, Friday).
  assert.ok(until > REMIND_AT + 30 * MIN + 10_000 && until < REMIND_AT + 31 * MIN, reminder.snoozed_until);
  await alarmAt(ext, REMINDER.alarm, until);
  await popup.close();

  // Thirty minutes later (the clock moved on, the alarm's time came): one more reminder.
  await setWorkerClock(ext, until + 1_000);
  await fireAlarmNow(ext, REMINDER.alarm);
  await badgeIs('EOD');
  assert.deepEqual(Object.keys(await notifications()), [REMINDER.notification.id]);
  const again = (await ext.storage('local', ['reminder'])).reminder;
  assert.equal(Date.parse(again.notified), until, 'notified for the end of the snooze');

  // "Skip today": no reminder until Monday's.
  const popup2 = await openPageAt(ext, 'popup.html', until + 2_000);
  await popup2.click('#reminder-skip');
  await popup2.locator('#reminder-status', { hasText: REMINDER.skipped }).waitFor();
  await badgeIs('');
  const skipped = (await ext.storage('local', ['reminder'])).reminder;
  assert.equal(skipped.skipped_shift, '2026-11-27T08:00:00Z', "Friday's shift");
  await alarmAt(ext, REMINDER.alarm, MONDAY_REMINDER);
  // Reopening the popup today shows no reminder.
  await popup2.close();
  const popup3 = await openPageAt(ext, 'popup.html', until + 3_000);
  assert.equal(await popup3.locator('#reminder').count(), 0);
  await popup3.close();
});

test('out of office suppresses the reminder; a plain old declaration does not', async () => {
  // Out of office since Thursday: Friday 16:31 brings nothing.
  await start(REMIND_AT + MIN, { state: declaredState('ooo', SHIFT_START - 20 * 60 * MIN) });
  const ooo = await badgeIs('OOO');
  assert.doesNotMatch(ooo.title, /end of your day/);
  assert.equal(Object.keys(await notifications()).length, 0);
  assert.equal(await alarm(ext, REMINDER.alarm), null, 'no alarm while out of office');

  // Thursday's declaration was "offline" instead: it does not answer Friday's reminder.
  await ext.setStorage('local', { state: declaredState('offline', SHIFT_START - 20 * 60 * MIN) });
  await badgeIs('EOD');
});

test('no reminder on a day off, and none when switched off in the options', async () => {
  // Saturday 16:30 Berlin.
  await start(REMIND_AT + 24 * 60 * MIN);
  await alarmAt(ext, REMINDER.alarm, MONDAY_REMINDER);
  // The worker schedules the alarm before it redraws the badge (the previous test left "EOD").
  await badgeIs('');

  // Friday again, reminders off (saved through the options page).
  await start(REMIND_AT + MIN);
  await badgeIs('EOD');
  const options = await openPageAt(ext, 'options.html', REMIND_AT + MIN);
  assert.equal(await options.isChecked('#reminder-enabled'), true);
  assert.equal(await options.inputValue('#reminder-lead_minutes'), '30');
  await options.uncheck('#reminder-enabled');
  await options.click('#save');
  await options.locator('#save-status', { hasText: 'Saved.' }).waitFor();
  assert.deepEqual((await ext.storage('sync')).settings.reminder, { enabled: false, lead_minutes: 30 });
  await badgeIs('');
  assert.equal(await alarm(ext, REMINDER.alarm), null);
  // An impossible lead is refused beside its field.
  await options.fill('#reminder-lead_minutes', '500');
  await options.click('#save');
  assert.equal(await options.textContent('#error-reminder-lead_minutes'), 'At most 240 minutes.');
  await options.close();
});

test('no console errors or uncaught exceptions', () => {
  ext.assertNoErrors();
});
