// A controlled clock for the end-of-day tests (tests/e2e/reminder.test.mjs, digest.test.mjs).
//
// The extension reads the time only through `Date.now()` (js_sys::Date::now in Rust, looked up
// on every call), so a test shifts it from the outside and the extension's code stays as it
// ships: no test-only message, no clock override key in storage.
// - The worker: `setWorkerClock(ext, at)` replaces `Date.now` in the running service worker
//   with one that runs on from `at`. Chrome does not stop a worker that has a debugger
//   attached (Playwright attaches), so the override lasts for the test.
// - Extension pages: `openPageAt(ext, file, at)` installs the same override before the page's
//   scripts run (an init script).
// - Alarms: the worker schedules them with `delayInMinutes`, which Chrome measures on its own
//   (real) clock, so "in 3 s" on the shifted clock is 3 real seconds. An unpacked extension's
//   alarms may fire sooner than 30 s. To skip a long wait (a 30-minute snooze), the test moves
//   the worker's clock ahead and fires the alarm now with `fireAlarmNow`, as the passing time
//   would.
import { waitForLoader } from './harness.mjs';

/** Makes `Date.now()` in the worker return `at` (ms since the epoch) and run on from there. */
export async function setWorkerClock(ext, at) {
  await ext.evaluateInWorker((target) => {
    globalThis.standinRealNow ??= Date.now.bind(Date);
    const offset = target - globalThis.standinRealNow();
    Date.now = () => globalThis.standinRealNow() + offset;
  }, at);
}

/** The alarm `name` as Chrome holds it: { scheduledTime, inMs } (inMs from the real now). */
export async function alarm(ext, name) {
  return ext.evaluateInWorker(async (n) => {
    const a = await chrome.alarms.get(n);
    const real = (globalThis.standinRealNow ?? Date.now)();
    return a ? { scheduledTime: a.scheduledTime, inMs: a.scheduledTime - real } : null;
  }, name);
}

/**
 * Waits until the alarm `name` is due at `at` on the worker's (shifted) clock, within 3 s: the
 * worker re-schedules it after every change it watches, so an earlier one may still be there.
 */
export async function alarmAt(ext, name, at) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = await ext.evaluateInWorker(async (n) => {
      const a = await chrome.alarms.get(n);
      const real = (globalThis.standinRealNow ?? Date.now)();
      return a ? { inMs: a.scheduledTime - real, fakeNow: Date.now() } : null;
    }, name);
    if (found && Math.abs(found.inMs - (at - found.fakeNow)) < 3_000) return found;
    if (Date.now() > deadline) {
      throw new Error(`alarm ${name} not due at ${new Date(at).toISOString()}: ${JSON.stringify(found)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Fires the alarm `name` now (re-created due at the real now), as if its time had come. */
export async function fireAlarmNow(ext, name) {
  await ext.evaluateInWorker(async (n) => {
    const real = (globalThis.standinRealNow ?? Date.now)();
    await chrome.alarms.create(n, { when: real + 50 });
  }, name);
}

/** Opens an extension page in a tab with its `Date.now()` starting at `at`. */
export async function openPageAt(ext, file, at, { viewport } = {}) {
  const page = await ext.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  await page.addInitScript((target) => {
    const real = Date.now.bind(Date);
    const offset = target - real();
    Date.now = () => real() + offset;
  }, at);
  ext.watch(page, file);
  await page.goto(ext.url(file));
  await waitForLoader(page);
  return page;
}
