// "Since you were away" in headless Firefox ESR against the real team server (Chromium's:
// tests/e2e/digest.test.mjs, from the same data in tests/e2e/end-of-day-scenarios.mjs): a
// teammate's hand-offs show on the toolbar badge and first in the digest behind its chip; each
// Acknowledge, and "Acknowledge all", reaches the declarer through the server, and the badge
// clears; the declarer's own popup shows who acknowledged their hand-off. Real clocks; the
// server's permission is granted without Firefox's prompt (tests/firefox/team.test.mjs answers
// the prompt itself).
//
//   ./build.sh && node --test tests/firefox/digest.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as eod from '../e2e/end-of-day-scenarios.mjs';
import { TeamServer } from '../e2e/team-server.mjs';
import { launchFirefox } from './harness.mjs';

const TEAM = 'Core';
const SYNC_MS = 20_000;

let ff;
let server;
let ann; // { token, id }
let bobId;

before(async () => {
  server = await TeamServer.start();
  await server.cli('team', 'create', TEAM);
  ff = await launchFirefox({ prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  await ff.openReady('options.html');
  await ff.evaluateInExtension((s) => browser.storage.sync.set({ settings: s }), eod.bobSettings());
  await ff.open('options.html');
  await ff.waitForLoader();
  await ff.fill('#server_url', server.url);
  await ff.fill('#invite', await server.invite(TEAM));
  await ff.click('#connect');
  await ff.waitForText('#team-connected', new RegExp(`Connected to ${TEAM} as Bob`), SYNC_MS);
  bobId = (await ff.storage('local', ['connection'])).connection.member.id;
  // Ann hands a PR and her cover duty to Bob before going off.
  ann = await eod.joinAndDeclare(server, TEAM, eod.ANN, eod.annHandoff());
});

after(async () => {
  await ff?.close();
  await server?.close();
});

/** Opens the popup and the digest behind its chip, which must read `chip`. */
async function openDigest(chip) {
  await ff.open('popup.html');
  await ff.waitForLoader();
  await ff.waitForText('#digest-open', new RegExp(`^${chip}$`));
  const closed = await ff.evaluateInExtension(() => [document.getElementById('digest').hidden, document.getElementById('declare-form').hidden]);
  assert.deepEqual(closed, [true, false], 'the popup opens on the form');
  await ff.click('#digest-open');
  await ff.poll(() => ff.evaluateInExtension(() => !document.getElementById('digest').hidden), 'the digest');
}

test("a teammate's hand-offs: on the badge, first in the digest, each acknowledged through the server", async () => {
  const badge = await ff.waitForBadge(eod.ANN_WAITING.badge, SYNC_MS);
  assert.match(badge.title, eod.ANN_WAITING.title);
  await openDigest(eod.ANN_WAITING.chip);
  const entry = `li.digest-entry[data-member="${ann.id}"]`;
  const shown = await ff.evaluateInExtension((e) => ({
    form: !document.getElementById('declare-form').hidden,
    first: document.querySelector('li.digest-entry')?.dataset.member,
    name: document.querySelector(`${e} strong`).textContent,
    headline: document.querySelector(`${e} .headline`).textContent,
    acks: document.querySelectorAll(`${e} button.ack`).length,
    cover: document.querySelector(`${e} .cover`).textContent,
  }), entry);
  assert.deepEqual(shown, {
    form: false,
    first: ann.id,
    name: 'Ann',
    headline: 'Export retries half done',
    acks: 2, // the PR and the cover
    cover: 'You cover for them. Acknowledge',
  });

  await ff.click(`${entry} button.ack[data-item="${eod.PR_REF}"]`);
  await ff.waitForText('#digest-status', /^Acknowledged\.$/);
  await ff.waitForText(`${entry} .acked`, /^Acknowledged \d\d:\d\d$/);
  assert.deepEqual(await eod.acksOn(server, ann), [[eod.PR_REF, bobId]], 'the declarer sees the acknowledgement');
  await ff.waitForBadge('1');

  await ff.click(`${entry} .cover button.ack`);
  await ff.waitForText(`${entry} .cover .acked`, /^Acknowledged \d\d:\d\d$/);
  assert.deepEqual(await eod.acksOn(server, ann), [[null, bobId], [eod.PR_REF, bobId]]);
  const cleared = await ff.waitForBadge('');
  assert.equal(cleared.title, eod.REMINDER.quietTitle);
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('digest-ack-all').checkVisibility()), false, 'nothing left');
});

test('"Acknowledge all": every hand-off waiting is acknowledged on the server in one click', async () => {
  const cy = await eod.joinAndDeclare(server, TEAM, eod.CY, eod.CY_HANDOFF);
  await ff.waitForBadge(eod.CY_WAITING.badge, SYNC_MS);
  await openDigest(eod.CY_WAITING.chip);
  await ff.click('#digest-ack-all');
  await ff.waitForText('#digest-status', new RegExp(`^${eod.CY_WAITING.done.replace('.', '\\.')}$`), SYNC_MS);
  assert.equal(await ff.evaluateInExtension((id) => document.querySelectorAll(`li.digest-entry[data-member="${id}"] .acked`).length, cy.id), 4);
  assert.deepEqual(await eod.acksOn(server, cy), [...eod.CY_REFS, null].map((item) => [item, bobId]).sort(), 'Cy sees every acknowledgement');
  await ff.waitForBadge('');
});

test("the declarer's own hand-off shows who acknowledged it", async () => {
  await ff.open('popup.html');
  await ff.waitForLoader();
  await ff.click('#add-item');
  for (const [selector, value] of eod.OWN_HANDOFF.fill) await ff.fill(selector, value);
  await ff.click('#declare');
  await ff.waitForText('#declare-status', /^Declared /);
  const acked = await eod.OWN_HANDOFF.acknowledge(server, ann, bobId);
  assert.equal(acked.status, 200, JSON.stringify(acked.body));
  // The long poll brings it; the popup shows it under the work items.
  await ff.poll(async () => (await ff.storage('local', ['team'])).team?.states?.[bobId]?.acks?.length, 'the ack in the team cache', SYNC_MS);
  await ff.open('popup.html');
  await ff.waitForLoader();
  await ff.waitForText('#own-acks li', eod.OWN_HANDOFF.shown);
});
