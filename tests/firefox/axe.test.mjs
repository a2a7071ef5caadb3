// axe-core in headless Firefox ESR, light and dark: the popup on the evening of issue 13
// (tests/e2e/evening-fixture.mjs: four hand-offs for Bob, seven teammates) with the end-of-day
// reminder showing, its digest and its Team tab (a row open too), and the options page. The
// same engine, page functions and verdict as Chromium's views.test.mjs (tests/e2e/axe.mjs);
// the badge card and the banner are checked in tests/firefox/banner.test.mjs.
//
//   ./build.sh && node --test tests/firefox/axe.test.mjs
//
// The reminder on the real clock: Firefox has no way to shift an extension page's clock before
// its scripts run, so Bob's working day is made to end 15 minutes from now in one of the
// fixture's time zones where it is daytime now (the reminder's lead is 30 minutes).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eveningLocal } from '../e2e/evening-fixture.mjs';
import { assertAccessible, setColorScheme } from './axe.mjs';
import { reminderDueNow } from './evening-clock.mjs';
import { launchFirefox } from './harness.mjs';

let ff;

before(async () => {
  ff = await launchFirefox();
  await ff.openReady('popup.html');
  await ff.sizePage(380, 600); // the popup's size
  await ff.evaluateInExtension(
    ([local, settings]) => Promise.all([browser.storage.local.set(local), browser.storage.sync.set({ settings })]),
    [eveningLocal(), reminderDueNow()],
  );
});

after(async () => {
  await ff?.close();
});

const shown = (selector) =>
  ff.poll(() => ff.evaluateInExtension((s) => document.querySelector(s)?.checkVisibility() ?? false, selector), selector);

for (const scheme of ['light', 'dark']) {
  test(`${scheme}: axe-core finds nothing in the popup: You with the reminder, the digest, the Team tab`, async () => {
    await ff.open('popup.html');
    await ff.waitForLoader();
    await setColorScheme(ff, scheme);
    await shown('#reminder');
    await shown('#digest-open');
    await assertAccessible(ff, `the popup at end of day (the form and the reminder), ${scheme}`);

    await ff.click('#digest-open');
    await shown('#digest');
    await assertAccessible(ff, `the digest, ${scheme}`);
    await ff.click('li.digest-entry[data-member="m-olivia"] button.entry-line');
    await shown('li.digest-entry[data-member="m-olivia"] .details');
    await assertAccessible(ff, `the digest with an entry expanded, ${scheme}`);
    await ff.click('#digest-close');

    await ff.click('#tab-team');
    await shown('#timeline svg');
    await assertAccessible(ff, `the Team tab, ${scheme}`);
    await ff.click('#roster li[data-member="m-shun"] button.member-line');
    await shown('#roster li[data-member="m-shun"] .items');
    await assertAccessible(ff, `the Team tab with a row open, ${scheme}`);
  });

  test(`${scheme}: axe-core finds nothing in the options page`, async () => {
    await ff.open('options.html');
    await ff.waitForLoader();
    await setColorScheme(ff, scheme);
    await assertAccessible(ff, `the options page, ${scheme}`);
  });
}
