// Tracker access in headless Firefox ESR, answering Firefox's real permission prompt from the
// browser's privileged context: "Add and allow" shows "Waiting for your permission…" while the
// prompt is open; access withdrawn as about:addons does it (browser.permissions.remove, which
// Firefox allows for the built-in MV3 host permissions too) is named in the options page, the
// popup and the toolbar tooltip; the popup's button asks again, and badges come back.
// The self-hosted host is a local server on 127.0.0.1 serving the project's saved GitHub issue
// page (WebDriver cannot route github.com), so it carries the badges of this test.
//
//   ./build.sh && node --test tests/firefox/access.test.mjs
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { roster, teamCache } from '../e2e/team-fixture.mjs';
import { launchFirefox, ROOT } from './harness.mjs';

const ISSUE = '/acme/widgets/issues/42';
const WAITING = 'Waiting for your permission…';

let ff;
let site;
let base;

before(async () => {
  const page = await readFile(path.join(ROOT, 'tests/fixtures/pages/github/issue-react-2024.html'), 'utf8');
  site = http.createServer((req, res) => {
    res.writeHead(req.url === ISSUE ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === ISSUE ? page : 'not found');
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${site.address().port}`;
  ff = await launchFirefox(); // with Firefox's permission prompts
  await ff.openReady('options.html');
  await ff.evaluateInExtension((cache) => browser.storage.local.set({ team: cache }), teamCache(roster()));
});

after(async () => {
  await ff?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
});

/** Answers the open permission prompt (the doorhanger on the extensions button). */
async function answerPrompt(allow) {
  await ff.poll(
    () =>
      ff.inChrome(`const n = Services.wm.getMostRecentWindow('navigator:browser').PopupNotifications.panel.firstElementChild;
        if (!n) return false;
        (arguments[0] ? n.button : n.secondaryButton).click();
        return true;`, [allow]),
    'the permission prompt',
  );
}

const text = (selector) => ff.textContent(selector).then((t) => t ?? '');
const title = () => ff.evaluateInExtension(() => browser.action.getTitle({}));
const hidden = (id) => ff.evaluateInExtension((i) => document.getElementById(i)?.hidden ?? null, id);
const badges = () => ff.evaluateInExtension(() => document.querySelectorAll('standin-inline').length);

test('"Add and allow" waits for the prompt, says so, and adds once allowed', async () => {
  await ff.fill('#tracker_url', base);
  await ff.evaluateInExtension(() => {
    document.getElementById('tracker_site').value = 'github';
  });
  await ff.click('#tracker-add');
  assert.equal(await text('#trackers-status'), WAITING);
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('trackers-status').getAttribute('role')), 'status');
  await answerPrompt(true);
  await ff.poll(async () => /^Added/.test(await text('#trackers-status')), 'the tracker to be added');
  assert.equal(await hidden('tracker-access'), true, 'nothing is missing yet');
  assert.match(await text('#trackers-built-in'), /^GitHub, GitLab\.com, Jira Cloud and Linear work as they are\.$/);
  await ff.open(`${base}${ISSUE}`);
  await ff.poll(async () => (await badges()) >= 3, 'badges on the self-hosted page', 20_000);
});

test('withdrawn access is named in options, popup and tooltip; the popup asks again and badges return', async () => {
  await ff.open('options.html');
  await ff.waitForLoader();
  assert.doesNotMatch(await title(), /No access/);
  // What about:addons › StandIn › Permissions does.
  const removed = await ff.evaluateInExtension(() =>
    browser.permissions.remove({ origins: ['https://github.com/*', 'http://127.0.0.1/*'] }),
  );
  assert.equal(removed, true);

  await ff.poll(async () => (await hidden('tracker-access')) === false, 'the options page to list the sites');
  const rows = await ff.evaluateInExtension(() =>
    [...document.querySelectorAll('#tracker-access-list li')].map((li) => ({
      name: li.querySelector('span').textContent,
      button: li.querySelector('button').getAttribute('aria-label'),
    })),
  );
  assert.deepEqual(rows, [
    { name: 'GitHub', button: 'Allow access to GitHub' },
    { name: base, button: `Allow access to ${base}` },
  ]);
  assert.equal(
    await text('#trackers-built-in'),
    'GitLab.com, Jira Cloud and Linear work as they are; the others need your permission again (above).',
  );
  // The first line is the state's (and the time of day's: the end-of-day reminder).
  assert.equal((await title()).split('\n')[1], `No access to GitHub and ${base}: open StandIn to allow it.`);

  await ff.open(`${base}${ISSUE}`);
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(await badges(), 0, 'badges without access');

  await ff.open('popup.html');
  await ff.waitForLoader();
  assert.equal(await hidden('access-notice'), false);
  assert.equal(
    await text('#access-notice-text'),
    `StandIn cannot read GitHub and ${base}, so it shows no badges there.`,
  );
  // First in the You tab.
  assert.equal(await ff.evaluateInExtension(() => document.getElementById('declare-form').firstElementChild.id), 'access-notice');

  // Refused once: the line says so and the button stays.
  await ff.click('#access-allow');
  assert.equal(await text('#access-notice-text'), WAITING);
  await answerPrompt(false);
  await ff.poll(async () => /^Not allowed/.test(await text('#access-notice-text')), 'the refusal');
  assert.equal(await hidden('access-notice'), false);

  await ff.click('#access-allow');
  assert.equal(await text('#access-notice-text'), WAITING);
  await answerPrompt(true);
  await ff.poll(async () => (await hidden('access-notice')) === true, 'the notice to go');
  await ff.poll(async () => !/No access/.test(await title()), 'the tooltip to drop the line');
  assert.deepEqual(await ff.storage('local', 'tracker_access'), { tracker_access: { missing: [] } });

  await ff.open(`${base}${ISSUE}`);
  await ff.poll(async () => (await badges()) >= 3, 'badges again', 20_000);
});
