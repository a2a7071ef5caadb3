// The evening walk as the form before issue 13 needed it (no picker, no shortcut, no end-of-day
// defaults): Tab to each control, type the names, "Next working day", Declare; and the same
// with the mouse. For comparing builds, e.g. one of the commit before issue 13:
//
//   git worktree add /tmp/old 0cb31cc && (cd /tmp/old && ./build.sh)
//   DIR=/tmp/old/dist/chrome node tests/e2e/evening-walk.mjs
//
// tests/e2e/evening.test.mjs holds the walk of the current form and its limits.
import { launchExtension } from './harness.mjs';
import { openPageAt, setWorkerClock } from './clock.mjs';
import { AT, eveningLocal, SETTINGS } from './evening-fixture.mjs';
import { keyboardWalk, mouseWalk, playwrightDriver } from './walks.mjs';

const ext = await launchExtension(process.env.DIR ? { dir: process.env.DIR } : {});
await ext.workerReady();
async function setup() {
  await ext.evaluateInWorker(() => Promise.all([chrome.storage.local.clear(), chrome.storage.sync.clear()]));
  await setWorkerClock(ext, AT);
  await ext.setStorage('local', eveningLocal());
  await ext.setStorage('sync', { settings: SETTINGS });
  const page = await openPageAt(ext, 'popup.html', AT, { viewport: { width: 380, height: 600 } });
  await page.locator('#reminder').waitFor();
  await page.locator('#suggest-1').waitFor();
  return page;
}
let page = await setup();
console.log('scrollY at open', await page.evaluate(() => scrollY), 'height', await page.evaluate(() => document.documentElement.scrollHeight));
const k = keyboardWalk(playwrightDriver(page));
k.keys = 1; k.log.push('Alt+Shift+S');
await k.to('#headline'); await k.type('Handing over the export retries');
await k.to('#suggest-0'); await k.press('Enter');
await k.to('#suggest-0'); await k.press('Enter');
await k.to('#items-0-handoff_to'); await k.type('Shun');
await k.to('#cover'); await k.type('Ana');
await k.to('#back_at-next'); await k.press('Enter');
await k.to('#declare'); await k.press('Enter');
await page.locator('#declare-status', { hasText: /^Declared/ }).waitFor({timeout: 5000}).catch(async (e) => { console.log('STATUS', await page.textContent('#declare-status')); throw e; });
console.log('keyboard:', k.keys, 'keys,', k.log.filter((x) => x.includes('Tab')).length, 'Tab');
console.log(k.log.join(' '));
await page.close();
page = await setup();
const m = mouseWalk(playwrightDriver(page));
await m.click('#headline'); await m.type('Handing over the export retries');
await m.click('#suggest-0');
await m.click('#suggest-0');
await m.click('#items-0-handoff_to'); await m.type('Shun');
await m.click('#cover'); await m.type('Ana');
await m.click('#back_at-next');
await m.click('#declare');
await page.locator('#declare-status', { hasText: /^Declared/ }).waitFor({timeout: 5000}).catch(async (e) => { console.log('STATUS', await page.textContent('#declare-status')); throw e; });
console.log('mouse:', m.clicks, 'clicks,', m.scrolls, 'scrolls');
console.log(m.log.join(' | '));
await ext.close();
