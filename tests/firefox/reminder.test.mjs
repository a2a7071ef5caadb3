// The end-of-day reminder in headless Firefox ESR (Chromium's: tests/e2e/reminder.test.mjs,
// from the same data in tests/e2e/end-of-day-scenarios.mjs): the alarm is set for work-end
// minus the lead; once due, the toolbar badge shows "EOD" and the notification is created
// without buttons (Firefox's have none: `ext::notification_buttons_supported`); the popup
// offers "Snooze 30 min" and "Skip today" instead, proposes the day's items, and defaults to
// Offline and back the next working day; declaring clears the badge, the notification and
// the reminder; a snooze reminds once more 30 minutes later; a click on the notification
// opens the toolbar popup, or a window with it where Firefox refuses `action.openPopup`; out
// of office and switching it off in the options page suppress it.
//
//   ./build.sh && node --test tests/firefox/reminder.test.mjs
//
// The clock. Chromium's test shifts `Date.now` in the worker and in each page (an init script,
// before the page's code runs); WebDriver has no init script, so here the real clock runs and
// the settings put the end of the working day 45 minutes from now, in a zone where it is late
// afternoon (Etc/GMT±N: no working day crosses midnight, whenever the test runs), with a lead
// of 60 minutes: the reminder has been due for a quarter of an hour. Only the snooze's
// 30-minute wait is skipped by moving the background page's `Date.now` on (it shares the
// extension pages' process: `runtime.getBackgroundPage`), as Chromium's test moves the worker's.
//
// The notification. Headless Firefox has no desktop notifications: it closes each one as it
// is created. tests/firefox/desktop-notifications.mjs stands in for the desktop's service, so
// `notifications.getAll()` answers what Firefox's own API holds (the options StandIn passed, as
// it validated them: it refuses `buttons`) until StandIn clears it, and a test can click it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CARRIED_OVER, declaredState, PROPOSED, REMINDER, reminderStorage } from '../e2e/end-of-day-scenarios.mjs';
import { showNotifications } from './desktop-notifications.mjs';
import { launchFirefox } from './harness.mjs';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The zone where it is 16:xx now (POSIX signs: Etc/GMT-5 is UTC+5); its offset in hours. */
function afternoon(now) {
  let offset = (((16 - new Date(now).getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24; // the Etc/GMT zones span UTC−12 to UTC+14
  return { timezone: offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`, offset };
}

const STARTED = Date.now();
const { timezone, offset } = afternoon(STARTED);
/** An instant as the zone's wall clock, read with the UTC getters. */
const wall = (ms) => new Date(ms + offset * HOUR);
const hhmm = (ms) => wall(ms).toISOString().slice(11, 16);
/** The zone's wall-clock minute `m` (ms since its midnight) of the day of `ms`, as an instant. */
const sameDayAt = (ms, m) => Math.floor((ms + offset * HOUR) / DAY) * DAY + m - offset * HOUR;
/** The working day ends at the first whole minute 45 minutes from now; it began at 09:00. */
const END = Math.ceil((STARTED + 45 * MIN) / MIN) * MIN;
const SHIFT_START = sameDayAt(STARTED, 9 * HOUR);
const LEAD = 60;
const DUE = END - LEAD * MIN;
const TOMORROW_9 = SHIFT_START + DAY;

function settings(lead) {
  return {
    display_name: 'Bob',
    timezone,
    working_hours: { days: ALL_DAYS, start: '09:00', end: hhmm(END) },
    reminder: { enabled: true, lead_minutes: lead },
  };
}

let ff;
let desktop;

before(async () => {
  ff = await launchFirefox();
  desktop = await showNotifications(ff);
  await openPopup({ due: false });
  assert.equal(await ff.backgroundReady(), true);
});

after(() => ff?.close());

/** Empty storage and no notification, then `local` and the settings (whose write makes the
 *  background evaluate the reminder); on the popup page. */
async function start(lead, local = {}) {
  await ff.open('popup.html');
  await ff.waitForLoader();
  await ff.evaluateInExtension(async (id) => {
    await Promise.all([browser.storage.local.clear(), browser.storage.sync.clear(), browser.notifications.clear(id)]);
  }, REMINDER.notification.id);
  await ff.evaluateInExtension(([l, s]) => browser.storage.local.set(l).then(() => browser.storage.sync.set({ settings: s })), [
    local,
    settings(lead),
  ]);
}

/** Opens the popup afresh; resolves once its reminder shows (or, `due: false`, it is loaded). */
async function openPopup({ due = true } = {}) {
  await ff.open('popup.html');
  await ff.waitForLoader();
  if (due) await ff.find('#reminder');
}

/** Firefox's notifications API's own record: { id: options } of those open. */
const notifications = () => ff.evaluateInExtension(() => browser.notifications.getAll());
const stored = async (key) => (await ff.storage('local', [key]))[key];

/** Waits until the reminder's alarm is due at `at` (within 3 s; it is re-set on every change). */
function alarmAt(at) {
  return ff.poll(async () => {
    const alarm = await ff.evaluateInExtension((name) => browser.alarms.get(name), REMINDER.alarm);
    return alarm && Math.abs(alarm.scheduledTime - at) < 3_000 ? alarm : null;
  }, `the alarm at ${new Date(at).toISOString()}`);
}

const visible = (selector) => ff.evaluateInExtension((s) => document.querySelector(s)?.checkVisibility() ?? false, selector);

test('the alarm is set for work-end minus the lead; once due: EOD, a notification without buttons', async () => {
  // A lead of 30 minutes: due in a quarter of an hour, so not yet; the alarm waits for it.
  await start(30, reminderStorage(DUE, SHIFT_START, timezone));
  await alarmAt(END - 30 * MIN);
  assert.equal((await ff.badge()).text, '');
  assert.deepEqual(await notifications(), {});

  // A lead of 60 (saved as the options page does): due a quarter of an hour ago.
  await ff.evaluateInExtension((s) => browser.storage.sync.set({ settings: s }), settings(LEAD));
  const badge = await ff.waitForBadge('EOD');
  assert.match(badge.title, REMINDER.badgeTitle);
  const { id, title, message } = REMINDER.notification;
  const open = await notifications();
  assert.deepEqual(Object.keys(open), [id]);
  const options = Object.fromEntries(Object.entries(open[id]).filter(([, v]) => v !== null));
  // No buttons (Firefox refuses them) and nothing that waits for them (requireInteraction).
  assert.deepEqual(options, { type: 'basic', iconUrl: 'icons/icon-128.png', title, message });
  const shown = (await desktop.shown()).at(-1);
  assert.deepEqual(
    { ...shown, image: shown.image.replace(ff.url(''), '') },
    { name: id, title, text: message, image: 'icons/icon-128.png', closed: false },
    'what the desktop was asked to show',
  );
  assert.equal(Date.parse((await stored('reminder')).notified), DUE, 'notified once, for the time it became due');
});

test('the popup offers snooze and skip, proposes the day\'s items, defaults to the evening; Declare ends it', async () => {
  // Starts from the previous test: the reminder due, its notification open.
  await openPopup();
  assert.equal(await visible('#reminder-snooze'), true);
  assert.equal(await visible('#reminder-skip'), true);
  const form = await ff.evaluateInExtension(() => ({
    status: document.getElementById('status').value,
    back_at: document.getElementById('back_at').value,
    proposed: [...document.querySelectorAll('#suggestions li')].map((li) => li.textContent),
    items: document.querySelectorAll('#items li').length,
  }));
  assert.deepEqual(form, {
    status: 'offline',
    back_at: `${wall(TOMORROW_9).toISOString().slice(0, 10)}T09:00`, // the next working day
    proposed: PROPOSED,
    items: 0,
  });
  await ff.click('#suggest-2');
  const carried = await ff.evaluateInExtension(() =>
    ['url', 'state', 'note'].map((f) => document.getElementById(`items-0-${f}`).value),
  );
  assert.deepEqual(carried, [CARRIED_OVER.url, CARRIED_OVER.state, CARRIED_OVER.note]);
  await ff.click('#suggest-0');
  await ff.fill('#headline', 'Handing over OPS-12');
  await ff.click('#declare');
  await ff.waitForText('#declare-status', /^Declared \d\d:\d\d · saved on this device only$/);
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('reminder')), null, 'the reminder goes');
  const cleared = await ff.waitForBadge('OFF');
  assert.equal(cleared.title, 'StandIn: Offline — Handing over OPS-12');
  await ff.poll(async () => Object.keys(await notifications()).length === 0, 'the notification to go');
  assert.equal((await desktop.shown()).at(-1).closed, true, 'closed on the desktop too');
  const { declaration } = await stored('state');
  assert.equal(Date.parse(declaration.back_at), TOMORROW_9);
  assert.deepEqual(declaration.items.map((i) => i.canonical_ref), ['github.com/acme/api/pull/3', 'acme.atlassian.net/browse/OPS-12']);
  // Next: tomorrow's reminder.
  await alarmAt(DUE + DAY);
});

test('snooze hides it for 30 minutes, then it reminds once more', async () => {
  await start(LEAD);
  await ff.waitForBadge('EOD');
  await openPopup();
  const clicked = Date.now();
  await ff.click('#reminder-snooze');
  const quiet = await ff.waitForBadge('');
  assert.equal(quiet.title, REMINDER.quietTitle);
  const until = Date.parse((await stored('reminder')).snoozed_until);
  assert.ok(until >= clicked + 30 * MIN && until <= Date.now() + 30 * MIN, `snoozed until ${new Date(until).toISOString()}`);
  await ff.waitForText('#reminder-status', new RegExp(`^${REMINDER.snoozed(hhmm(until)).replace('.', '\\.')}$`));
  assert.equal(await visible('#reminder-snooze'), false, 'answered');
  await ff.poll(async () => Object.keys(await notifications()).length === 0, 'the notification to go');
  await alarmAt(until);

  // Thirty minutes later (the background's clock moved on, the alarm's time came).
  await setBackgroundClock(until + 1_000);
  try {
    await ff.evaluateInExtension((name) => browser.alarms.create(name, { when: Date.now() + 50 }), REMINDER.alarm);
    await ff.waitForBadge('EOD');
    assert.deepEqual(Object.keys(await notifications()), [REMINDER.notification.id]);
    assert.equal(Date.parse((await stored('reminder')).notified), until, 'notified for the end of the snooze');
  } finally {
    await setBackgroundClock(null);
  }
});

test('skip ends it for today', async () => {
  await start(LEAD);
  await ff.waitForBadge('EOD');
  await openPopup();
  await ff.click('#reminder-skip');
  await ff.waitForText('#reminder-status', new RegExp(`^${REMINDER.skipped.replace('.', '\\.')}$`));
  await ff.waitForBadge('');
  assert.equal(Date.parse((await stored('reminder')).skipped_shift), SHIFT_START, "today's shift");
  await ff.poll(async () => Object.keys(await notifications()).length === 0, 'the notification to go');
  await alarmAt(DUE + DAY);
  await openPopup({ due: false });
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('reminder')), null);
});

const noAlarm = () =>
  ff.poll(async () => !(await ff.evaluateInExtension((name) => browser.alarms.get(name), REMINDER.alarm)), 'no alarm');

test('out of office suppresses the reminder; switched off in the options, none', async () => {
  await start(LEAD, { state: declaredState('ooo', STARTED - 20 * HOUR, [], timezone) });
  const ooo = await ff.waitForBadge('OOO');
  assert.doesNotMatch(ooo.title, /end of your day/);
  assert.deepEqual(await notifications(), {});
  await noAlarm();
  // Yesterday's declaration was "offline" instead: it does not answer today's reminder.
  await ff.evaluateInExtension((state) => browser.storage.local.set({ state }), declaredState('offline', STARTED - 20 * HOUR, [], timezone));
  await ff.waitForBadge('EOD');

  await ff.open('options.html');
  await ff.waitForLoader();
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('reminder-enabled').checked), true);
  await ff.click('#reminder-enabled');
  await ff.click('#save');
  await ff.waitForText('#save-status', /^Saved\.$/);
  assert.deepEqual((await ff.storage('sync')).settings.reminder, { enabled: false, lead_minutes: LEAD });
  await ff.waitForBadge('OFF');
  await ff.poll(async () => Object.keys(await notifications()).length === 0, 'the notification to go');
  await noAlarm();
});

/** The extension pages open in Firefox's panels (the toolbar popup), by URL. */
const panelPages = () =>
  ff.evaluateInChrome(() =>
    [...document.querySelectorAll('panel')]
      .filter((panel) => panel.state === 'open')
      .flatMap((panel) => [...panel.querySelectorAll('browser')].map((b) => b.currentURI?.spec)),
  );

/** The extension's windows other than the test's, with the URLs of their tabs. */
const otherWindows = () =>
  ff.evaluateInExtension(async () => {
    const here = await browser.windows.getCurrent();
    const windows = await browser.windows.getAll({ populate: true });
    return windows.filter((w) => w.id !== here.id).map((w) => ({ id: w.id, type: w.type, urls: w.tabs.map((t) => t.url) }));
  });

/** Waits until the popup opened for the click (not the test's own page) has loaded: closed
 *  sooner, its pending API calls would resolve after it is gone, which Firefox logs as errors. */
const clickedPopupReady = () =>
  ff.poll(
    () =>
      ff.evaluateInExtension(() =>
        browser.extension
          .getViews()
          .some((view) => view !== window && view.location.pathname === '/popup.html' && view.document.body?.dataset.standin === 'ready'),
      ),
    'the popup to load',
  );

/** A due reminder's notification, clicked on the desktop; resolves once it is gone. */
async function clickNotification() {
  await start(LEAD);
  await ff.waitForBadge('EOD');
  // Notified for these settings (not for the defaults in between, when storage was cleared).
  await ff.poll(async () => Date.parse((await stored('reminder'))?.notified) === DUE, 'the notification for these settings');
  assert.deepEqual(Object.keys(await notifications()), [REMINDER.notification.id]);
  assert.equal(await desktop.click(REMINDER.notification.id), true);
  await ff.poll(async () => Object.keys(await notifications()).length === 0, 'the notification to go');
}

test('a click on the notification opens the toolbar popup; where Firefox refuses that, a window', async () => {
  // Firefox ESR 153 lets an extension open its popup outside a user's gesture
  // (extensions.openPopupWithoutUserGesture.enabled, on by default).
  await clickNotification();
  await ff.poll(async () => (await panelPages()).includes(ff.url('popup.html')), 'the toolbar popup');
  assert.deepEqual(await otherWindows(), []);
  await clickedPopupReady();
  await ff.evaluateInChrome(() => [...document.querySelectorAll('panel')].filter((p) => p.state === 'open').forEach((p) => p.hidePopup()));

  // With that switched off, action.openPopup is refused: the popup comes in a window of its own.
  const PREF = 'extensions.openPopupWithoutUserGesture.enabled';
  await ff.evaluateInChrome((pref) => Services.prefs.setBoolPref(pref, false), PREF);
  try {
    await clickNotification();
    // (A new window's tab has no URL until its page has loaded.)
    const [opened] = await ff.poll(async () => {
      const windows = await otherWindows();
      return windows.some((w) => w.urls.every(Boolean)) ? windows : null;
    }, 'a window with the popup');
    assert.deepEqual({ type: opened.type, urls: opened.urls }, { type: 'popup', urls: [ff.url('popup.html')] });
    assert.deepEqual(await panelPages(), []);
    await clickedPopupReady();
    await ff.evaluateInExtension((id) => browser.windows.remove(id), opened.id);
  } finally {
    await ff.evaluateInChrome((pref) => Services.prefs.clearUserPref(pref), PREF);
  }
});

/** Moves the background page's `Date.now` to `at` and on from there (`null`: the real clock
 *  again), as tests/e2e/clock.mjs's setWorkerClock does in Chromium's worker. */
async function setBackgroundClock(at) {
  await ff.evaluateInExtension(async (target) => {
    const bg = await browser.runtime.getBackgroundPage();
    bg.standinRealNow ??= bg.Date.now.bind(bg.Date);
    const shift = target === null ? 0 : target - bg.standinRealNow();
    bg.Date.now = () => bg.standinRealNow() + shift;
  }, at);
}
