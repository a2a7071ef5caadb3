// Issue 13's evening on the real clock, for Firefox: WebDriver cannot shift an extension page's
// clock before its scripts run (Chromium's tests do, tests/e2e/clock.mjs), so Bob's working day
// is made to end 15 minutes from now in one of the fixture's time zones where it is daytime.
import { SETTINGS } from '../e2e/evening-fixture.mjs';

/** The fixture's zones: at any moment one of them has its clock between 10:00 and 20:00 (no
 *  two are more than 5 hours apart around the globe). */
const ZONES = ['America/Los_Angeles', 'America/New_York', 'America/Sao_Paulo', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney'];

/** `at`'s wall-clock time in `timeZone`, "HH:MM". */
export const clock = (timeZone, at) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);

/** SETTINGS with a working day (every day, from 09:00) that ends 15 minutes after `now`. */
export function reminderDueNow(now = Date.now()) {
  const timezone = ZONES.find((zone) => {
    const hour = Number(clock(zone, now).slice(0, 2));
    return hour >= 10 && hour < 20;
  });
  const end = clock(timezone, now + 15 * 60_000);
  return { ...SETTINGS, timezone, working_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '09:00', end } };
}
