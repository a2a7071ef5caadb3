// "Since you were away" in Chromium (dist/chrome) against the real team server
// (`standin-server` on a temporary SQLite file, tests/e2e/team-server.mjs): a teammate's
// hand-off shows in the popup's digest and on the badge's count, the user's acknowledgement
// reaches the declarer through the server, and the declarer's popup shows "acknowledged by …"
// on their own item; "Acknowledge all" acknowledges every hand-off waiting, through the server.
// Also the Team view's follow-the-sun timeline.
//
//   ./build.sh && node --test tests/e2e/digest.test.mjs
//
// Real clocks throughout (the server stamps declarations). The user's working hours are the
// four hours around the current UTC time, so the popup opening now is "coming online in your
// working hours": it still opens on the form, the digest behind its chip. The hand-offs and
// what they show are tests/e2e/end-of-day-scenarios.mjs's, which Firefox's digest test shares.
// (The README's picture of the digest is views.test.mjs's.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  acksOn,
  ANN,
  ANN_WAITING,
  annHandoff,
  bobSettings,
  CY,
  CY_HANDOFF,
  CY_REFS,
  CY_WAITING,
  joinAndDeclare,
  PR,
  PR_REF,
  OWN_HANDOFF,
  REMINDER,
} from './end-of-day-scenarios.mjs';
import { launchExtension, poll } from './harness.mjs';
import { TeamServer } from './team-server.mjs';

let ext;
let server;
let ann; // { token, id }

before(async () => {
  server = await TeamServer.start();
  await server.cli('team', 'create', 'Core');
  ext = await launchExtension();
  assert.equal(await ext.workerReady(), true);
  await ext.setStorage('sync', { settings: bobSettings() });
  const page = await ext.openPage('options.html');
  const reply = await page.evaluate(
    ([url, invite]) => chrome.runtime.sendMessage({ connect: { server: url, invite } }),
    [server.url, await server.invite('Core')],
  );
  assert.ok(reply.connected, JSON.stringify(reply));
  await page.close();
  // Ann hands a PR and her cover duty to Bob before going off.
  ann = await joinAndDeclare(server, 'Core', ANN, annHandoff());
});

after(async () => {
  await ext?.close();
  await server?.close();
});

const badgeIs = (text) =>
  poll(async () => {
    const b = await ext.badge();
    return b.text === text ? b : null;
  }, `the badge to show "${text}"`, 20_000);

test("a teammate's hand-off: on the badge, first in the digest, acknowledged through the server", async () => {
  await poll(async () => (await ext.storage('local', ['team'])).team?.states?.[ann.id], "Ann's state in the team cache", 20_000);
  const badge = await badgeIs(ANN_WAITING.badge);
  assert.match(badge.title, ANN_WAITING.title);

  const popup = await ext.openPage('popup.html');
  await popup.setViewportSize({ width: 380, height: 600 });
  // The popup opens on the form; the chip names what waits and opens the digest in its place.
  await popup.locator('#digest-open', { hasText: ANN_WAITING.chip }).waitFor();
  assert.equal(await popup.isVisible('#digest'), false);
  await popup.click('#digest-open');
  await popup.locator('#digest').waitFor();
  assert.equal(await popup.isVisible('#declare-form'), false);
  assert.equal(await popup.isVisible('#digest-open'), false, 'open, so no chip to open it');
  const entry = popup.locator(`li.digest-entry[data-member="${ann.id}"]`);
  assert.equal(await entry.locator('strong').first().textContent(), 'Ann');
  assert.equal(await entry.locator('.headline').textContent(), 'Export retries half done');
  assert.match(await entry.locator('.details').textContent(), /declared less than a minute ago · back \w{3} \d\d:\d\d \(your time\) · now \d\d:\d\d there/);
  assert.equal(await entry.locator(`a[href="${PR}"]`).textContent(), 'Retry exports on timeouts');
  assert.equal(await entry.locator('button.ack').count(), 2, 'the PR and the cover');
  assert.equal(await entry.locator('.cover').textContent(), 'You cover for them. Acknowledge');

  // Acknowledge the PR: the server records it on Ann's declaration.
  await entry.locator(`button.ack[data-item="${PR_REF}"]`).click();
  await popup.locator('#digest-status', { hasText: 'Acknowledged.' }).waitFor();
  await popup.locator(`li.digest-entry[data-member="${ann.id}"] .acked`).first().waitFor();
  assert.match(
    await popup.locator(`li.digest-entry[data-member="${ann.id}"] .acked`).first().textContent(),
    /^Acknowledged \d\d:\d\d$/,
  );
  const bobId = (await ext.storage('local', ['connection'])).connection.member.id;
  assert.deepEqual(await acksOn(server, ann), [[PR_REF, bobId]], 'the declarer sees the acknowledgement');
  await badgeIs('1');

  // The cover too; then nothing waits for the user.
  await popup.locator(`li.digest-entry[data-member="${ann.id}"] .cover button.ack`).click();
  await popup.locator(`li.digest-entry[data-member="${ann.id}"] .cover .acked`).waitFor();
  const cleared = await badgeIs('');
  assert.equal(cleared.title, REMINDER.quietTitle);

  assert.equal(await popup.isVisible('#digest-ack-all'), false, 'nothing left to acknowledge');

  // "Done" goes back to the form; reopening shows the form, the digest one click away.
  await popup.click('#digest-close');
  await popup.locator('#digest').waitFor({ state: 'hidden' });
  await popup.locator('#declare-form').waitFor();
  await poll(async () => (await ext.storage('local', ['digest_seen'])).digest_seen, 'digest_seen to be stored');
  await popup.locator('#digest-open').waitFor();
  await popup.close();
  const again = await ext.openPage('popup.html');
  assert.equal(await again.isVisible('#digest'), false);
  assert.equal(await again.textContent('#digest-open'), 'Since you were away', 'seen, nothing waits');
  await again.click('#digest-open');
  await again.locator('#digest').waitFor();
  await again.close();
});

test('"Acknowledge all": every hand-off waiting is acknowledged on the server in one click', async () => {
  // Cy hands Bob three items and his cover.
  const cy = await joinAndDeclare(server, 'Core', CY, CY_HANDOFF);
  await badgeIs(CY_WAITING.badge);

  const popup = await ext.openPage('popup.html');
  await popup.setViewportSize({ width: 380, height: 600 });
  await popup.locator('#digest-open', { hasText: CY_WAITING.chip }).click();
  await popup.locator('#digest').waitFor();
  // Every hand-off to the user, and the button that acknowledges them all, on the first screen.
  const bottoms = await popup.$$eval('#digest button.ack, #digest-ack-all', (bs) => bs.map((b) => b.getBoundingClientRect().bottom));
  assert.equal(bottoms.length, 5);
  assert.ok(bottoms.every((b) => b <= 600), `within 600 px: ${bottoms}`);
  await popup.click('#digest-ack-all');
  await popup.locator('#digest-status', { hasText: CY_WAITING.done }).waitFor({ timeout: 20_000 });
  assert.equal(await popup.locator(`li.digest-entry[data-member="${cy.id}"] .acked`).count(), 4);
  assert.equal(await popup.isVisible('#digest-ack-all'), false);
  const bobId = (await ext.storage('local', ['connection'])).connection.member.id;
  assert.deepEqual(
    await acksOn(server, cy),
    [...CY_REFS, null].map((item) => [item, bobId]).sort(),
    'Cy sees every acknowledgement',
  );
  await badgeIs('');
  await popup.close();
});

test("the declarer's own hand-off shows who acknowledged it", async () => {
  const page = await ext.openPage('popup.html');
  await page.click('#add-item');
  for (const [selector, value] of OWN_HANDOFF.fill) await page.fill(selector, value);
  await page.click('#declare');
  await page.locator('#declare-status', { hasText: /^Declared / }).waitFor();
  const bobId = (await ext.storage('local', ['connection'])).connection.member.id;
  // Published through the outbox; Ann acknowledges from her side.
  const acked = await OWN_HANDOFF.acknowledge(server, ann, bobId);
  assert.equal(acked.status, 200, JSON.stringify(acked.body));
  // The long poll brings it; the popup shows it under the work items.
  await poll(async () => (await ext.storage('local', ['team'])).team?.states?.[bobId]?.acks?.length, 'the ack in the team cache', 20_000);
  await page.reload();
  await page.locator('#own-acks li').waitFor();
  assert.match(await page.textContent('#own-acks li'), OWN_HANDOFF.shown);
  await page.close();
});

test("the Team view's timeline: everyone's hours in the viewer's day, who is online", async () => {
  const page = await ext.openPage('popup.html');
  await page.click('#tab-team');
  await page.locator('#timeline svg').waitFor();
  const rows = await page.$$eval('#timeline g.tl-row', (gs) =>
    gs.map((g) => ({
      member: g.dataset.member,
      online: g.classList.contains('tl-online'),
      bars: g.querySelectorAll('rect.tl-bar').length,
      title: g.querySelector('title').textContent,
    })),
  );
  const bobId = (await ext.storage('local', ['connection'])).connection.member.id;
  const annRow = rows.find((r) => r.member === ann.id);
  const bobRow = rows.find((r) => r.member === bobId);
  // Ann declared offline: not online, and back at her declared time.
  assert.equal(annRow.online, false);
  assert.match(annRow.title, /^Ann · offline · back \w{3} \d\d:\d\d · 10:00–18:00 Asia\/Kolkata$/);
  // Bob declared (online by default) a moment ago.
  assert.equal(bobRow.online, true);
  assert.equal(await page.locator('#timeline line.tl-now').count(), 1);
  assert.match(await page.textContent('#timeline figcaption'), /in your time \(UTC\)/);
  await ext.screenshot(page, 'timeline');
  await page.close();
});

test('no console errors or uncaught exceptions', () => {
  ext.assertNoErrors();
});
