// A declaration going from one real browser to another: two headless Firefox ESR instances
// (two profiles, each with the built add-on) join the real standin-server, Ann through the
// invite link an admin hands out, Bo by typing; Ann's declaration reaches Bo's team cache
// through the long poll and shows in his popup's Team tab. Firefox's permission prompt is
// tests/firefox/team.test.mjs's; here the server's permission is granted without one.
//
//   ./build.sh && node --test tests/firefox/two-browsers.test.mjs
//
// Prints the propagation time: from the click on Declare in Ann's popup to the change of the
// team cache in Bo's storage (both clocks are this machine's), a figure, not an assertion.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TeamServer } from '../e2e/team-server.mjs';
import { launchFirefox } from './harness.mjs';

const TEAM = 'Core';
const NO_PROMPT = { prefs: { 'extensions.webextOptionalPermissionPrompts': false } };

let server;
let ann;
let bo;

before(async () => {
  server = await TeamServer.start();
  await server.cli('team', 'create', TEAM);
  [ann, bo] = await Promise.all([launchFirefox(NO_PROMPT), launchFirefox(NO_PROMPT)]);
  for (const ff of [ann, bo]) {
    await ff.openReady('options.html');
  }
});

after(async () => {
  await Promise.all([ann?.close(), bo?.close()]);
  await server?.close();
});

function waitForText(ff, selector, pattern, timeout) {
  return ff.poll(async () => {
    const text = await ff.textContent(selector);
    return pattern.test(text ?? '') ? text : null;
  }, `${selector} to match ${pattern}`, timeout);
}

const value = (ff, id) => ff.evaluateInExtension((i) => document.getElementById(i).value, id);

test('two teammates join, one through the invite link, one by typing', async () => {
  const invite = await server.invite(TEAM);
  await ann.open(`options.html?server=${encodeURIComponent(server.url)}&invite=${encodeURIComponent(invite)}`);
  await ann.waitForLoader();
  assert.equal(await value(ann, 'server_url'), server.url);
  assert.equal(await value(ann, 'invite'), invite);
  // Without a display name the server would refuse the profile: said beside the name.
  await ann.click('#connect');
  await waitForText(ann, '#error-display_name', /display name/);
  await ann.fill('#display_name', 'Ann');
  await ann.fill('#timezone', 'Europe/Berlin');
  await ann.fill('#handles-github', 'ann-gh');
  await ann.click('#save');
  await waitForText(ann, '#save-status', /Saved\./);
  await ann.click('#connect');
  await waitForText(ann, '#team-connected', new RegExp(`Connected to ${TEAM} as Ann`), 20_000);

  await bo.evaluateInExtension(() => browser.storage.sync.set({ settings: { display_name: 'Bo', timezone: 'Asia/Tokyo' } }));
  await bo.open('options.html');
  await bo.waitForLoader();
  await bo.fill('#server_url', ` ${server.url}/ `);
  await bo.fill('#invite', await server.invite(TEAM));
  await bo.click('#connect');
  await waitForText(bo, '#team-connected', new RegExp(`Connected to ${TEAM} as Bo`), 20_000);

  const me = await server.api('GET', '/v1/me', { token: await ann.token() });
  assert.equal(me.status, 200);
  assert.deepEqual(
    [me.body.member.display_name, me.body.member.handles.github, me.body.member.timezone],
    ['Ann', 'ann-gh', 'Europe/Berlin'],
  );
  // Each background page fetched the roster: both teammates are in both caches.
  for (const ff of [ann, bo]) {
    await ff.poll(async () => Object.keys((await ff.storage('local', ['team'])).team?.members ?? {}).length === 2, 'the roster');
  }
});

test("Ann declares; Bo's team cache and Team tab show it (propagation time printed)", async () => {
  // Starts from both connected, nobody declared.
  const annId = (await ann.storage('local', ['connection'])).connection.member.id;
  const headline = `Reviewing the login fix ${Date.now()}`;
  // Bo's options page stays open and notes when his team cache first holds the headline.
  await bo.evaluateInExtension((wanted) => {
    window.__seenAt = null;
    window.__noteTeam = (changes, area) => {
      if (area === 'local' && changes.team && JSON.stringify(changes.team.newValue ?? {}).includes(wanted)) {
        window.__seenAt ??= Date.now();
      }
    };
    browser.storage.onChanged.addListener(window.__noteTeam);
  }, headline);

  await ann.open('popup.html');
  await ann.waitForLoader();
  await ann.evaluateInExtension(() => {
    document.getElementById('declare').addEventListener('click', () => (window.__clickedAt = Date.now()), { capture: true });
  });
  await ann.fill('#headline', headline);
  await ann.click('#declare');
  await waitForText(ann, '#sync-status', /^Synced \d\d:\d\d$/, 15_000);
  const clickedAt = await ann.evaluateInExtension(() => window.__clickedAt);
  const seenAt = await bo.poll(() => bo.evaluateInExtension(() => window.__seenAt), "Bo's team cache update", 30_000);
  // Removed before the page is left, as StandIn's pages do theirs: Firefox logs "sendRemoveListener
  // on closed conduit" for an extension-API listener a leaving page still has
  // (docs/architecture.md), and this one is the test's.
  await bo.evaluateInExtension(() => browser.storage.onChanged.removeListener(window.__noteTeam));
  console.log(`# Firefox → Firefox: Ann's click on Declare → Bo's storage.local "team" updated: ${seenAt - clickedAt} ms`);

  const { team } = await bo.storage('local', ['team']);
  assert.equal(team.states[annId].state.declaration.headline, headline);
  assert.equal(team.states[annId].version, 1);

  await bo.open('popup.html');
  await bo.waitForLoader();
  await bo.click('#tab-team');
  await waitForText(bo, '#team-status', new RegExp(`^${TEAM}$`));
  const row = await bo.textContent(`#roster li[data-member="${annId}"]`);
  assert.match(row, /^Ann/);
  assert.match(row, /Online/);
  assert.ok(row.includes(headline), row);
  assert.match(row, /now \d\d:\d\d there/);
  assert.match(row, /declared less than a minute ago/);
  assert.match(await bo.textContent('#roster'), /Bo \(you\)No state/);
});
