// The popup's views in headless Firefox ESR, on the evening of issue 13
// (tests/e2e/evening-fixture.mjs, on the real clock: only what holds on any date is checked),
// with the window sized so the page is 600 px high: the popup opens on the form with the
// digest's chip; the chip opens the digest in place of the form, its hand-offs on the first
// screen and the other entries one line each; the Team tab's rows (5 or more on the first
// screen, in the timeline's order, out of office drawn as absent) open on a click.
//
//   ./build.sh && node --test tests/firefox/views.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eveningLocal, SETTINGS } from '../e2e/evening-fixture.mjs';
import { launchFirefox } from './harness.mjs';

let ff;

before(async () => {
  ff = await launchFirefox();
  await ff.openReady('popup.html');
  await ff.sizePage(380, 600);
  await ff.evaluateInExtension(
    ([local, settings]) => Promise.all([browser.storage.local.set(local), browser.storage.sync.set({ settings })]),
    [eveningLocal(), SETTINGS],
  );
});

after(async () => {
  await ff?.close();
});

test('the popup opens on the form; the chip opens the digest in its place, hand-offs on the first screen', async () => {
  await ff.open('popup.html');
  await ff.waitForLoader();
  const opened = await ff.evaluateInExtension(() => ({
    height: innerHeight,
    scrollTop: document.scrollingElement.scrollTop,
    form: !document.getElementById('declare-form').hidden,
    digest: !document.getElementById('digest').hidden,
    chip: document.getElementById('digest-open').textContent,
  }));
  assert.deepEqual(opened, { height: 600, scrollTop: 0, form: true, digest: false, chip: '4 hand-offs for you' });
  await ff.click('#digest-open');
  const digest = await ff.poll(
    () =>
      ff.evaluateInExtension(() => {
        if (document.getElementById('digest').hidden) return null;
        return {
          form: !document.getElementById('declare-form').hidden,
          focus: document.activeElement?.id,
          acks: [...document.querySelectorAll('#digest button.ack')].map((b) => b.getBoundingClientRect().bottom),
          first: [...document.querySelectorAll('li.digest-entry')].slice(0, 2).map((li) => li.dataset.member),
          lines: [...document.querySelectorAll('li.digest-entry')]
            .filter((li) => !li.querySelector('.handoffs'))
            .map((li) => li.getBoundingClientRect().height),
        };
      }),
    'the digest',
  );
  assert.equal(digest.form, false);
  assert.equal(digest.focus, 'digest-title');
  assert.deepEqual(digest.first.sort(), ['m-ana', 'm-shun']);
  assert.equal(digest.acks.length, 4);
  assert.ok(digest.acks.every((b) => b <= 600), `hand-offs within 600 px: ${digest.acks}`);
  assert.equal(digest.lines.length, 5);
  assert.ok(digest.lines.every((h) => h <= 40), `one line each: ${digest.lines}`);
  await ff.screenshot('firefox-digest');
  await ff.click('#digest-close');
  await ff.poll(() => ff.evaluateInExtension(() => !document.getElementById('declare-form').hidden), 'the form again');
});

test('the Team tab: 5 or more teammates on the first screen, in the timeline\'s order; a row opens on a click', async () => {
  await ff.open('popup.html');
  await ff.waitForLoader();
  await ff.click('#tab-team');
  const team = await ff.poll(
    () =>
      ff.evaluateInExtension(() => {
        if (!document.querySelector('#timeline svg')) return null;
        const rows = [...document.querySelectorAll('#roster li.member')];
        return {
          ids: rows.map((li) => li.dataset.member),
          onScreen: rows.filter((li) => li.getBoundingClientRect().bottom <= 600).length,
          absent: rows.filter((li) => li.classList.contains('absent')).map((li) => li.dataset.member),
          timeline: [...document.querySelectorAll('#timeline g.tl-row')].map((g) => g.dataset.member),
          priyaBars: document.querySelectorAll('#timeline g.tl-row[data-member="m-priya"] rect').length,
        };
      }),
    'the Team tab',
  );
  assert.ok(team.onScreen >= 5, `${team.onScreen} teammates in 600 px`);
  assert.deepEqual(team.ids, team.timeline);
  assert.deepEqual(team.absent, ['m-priya']);
  assert.equal(team.priyaBars, 0);
  await ff.click('#roster li[data-member="m-shun"] button.member-line');
  const open = await ff.evaluateInExtension(() => {
    const li = document.querySelector('#roster li[data-member="m-shun"]');
    return {
      expanded: li.querySelector('button.member-line').getAttribute('aria-expanded'),
      items: li.querySelectorAll('.items li').length,
      blockers: li.querySelector('.blockers')?.checkVisibility() ?? false,
    };
  });
  assert.deepEqual(open, { expanded: 'true', items: 3, blockers: true });
  await ff.screenshot('firefox-team');
});
