// "Status everywhere" (issue 15) as both browsers' suites run it (tests/e2e/mirror.test.mjs,
// tests/firefox/mirror.test.mjs): the options page connects GitHub, GitLab and Slack accounts against
// the local contract endpoints of tests/services/ (GitHub's GraphQL checked against its public
// schema; GitLab's Users API and Slack's users.profile.set as documented), then the user declares and clears, and what each
// endpoint recorded is what each service would show. No browser-driving code here: each suite
// calls `mirrorTests` with its driver (after connecting the accounts in its `before`):
//   open(file)            opens an extension page and waits for its loader; later calls act on it
//   fill(selector, text)  click(selector)  text(selector)
//   evaluate(fn, arg)     runs fn(arg) in the current extension page (chrome.* / browser.*)
//   consoleLines()        every console line the extension's pages and worker logged so far
//   colorScheme(scheme)   axe(what)      the page in light or dark; axe-core finds nothing in it
//   canWithdraw           whether the browser can withdraw a permission the extension holds
//   shoot(kind, scheme)   optional: saves the README's screenshot of the page as it stands
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGitHub } from '../services/github.mjs';
import { startGitLab } from '../services/gitlab.mjs';
import { startSlack } from '../services/slack.mjs';
import { PAYLOADS } from './xss-corpus.mjs';

export const TOKENS = {
  github: 'ghp_MirrorAliceToken0123456789abcdefABCD',
  githubNoScope: 'ghp_MirrorNoScopeToken0123456789abcdefAB',
  gitlab: 'glpat-MirrorAliceToken0123456789',
  slack: 'xoxp-1111-2222-3333-MirrorAliceToken0123',
};

/** The endpoints, with Alice's tokens. */
export async function startServices() {
  const github = await startGitHub({
    tokens: {
      [TOKENS.github]: { login: 'octo-alice', scopes: ['user'] },
      [TOKENS.githubNoScope]: { login: 'octo-alice', scopes: ['repo'] },
    },
  });
  const gitlab = await startGitLab({ tokens: { [TOKENS.gitlab]: { username: 'alice', scopes: ['api'] } } });
  const slack = await startSlack({ tokens: { [TOKENS.slack]: { user: 'alice', scopes: ['users.profile:write'] } } });
  return { github, gitlab, slack, close: () => Promise.all([github.close(), gitlab.close(), slack.close()]) };
}

const origin = (url) => new URL(url).origin;

export async function poll(fn, what, timeout = 15_000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Drives the options page: API address and token, Connect; waits for "Connected as …". */
export async function connect(d, service, api, token, login) {
  await d.open('options.html');
  if (await d.evaluate((id) => !document.getElementById(id).hidden, `${service}-joined`)) {
    await d.click(`#${service}-disconnect`);
    await poll(async () => !(await accountOf(d, service)), `${service} disconnected`);
  }
  await d.fill(`#${service}_api`, api);
  await d.fill(`#${service}_token`, token);
  await d.click(`#${service}-connect`);
  let status;
  await poll(async () => {
    status = await d.text(`#${service}-status`);
    return status === `Connected as ${login}`;
  }, `${service} connected as ${login}`).catch((e) => {
    throw new Error(`${e.message}: ${status}`);
  });
  assert.equal(await d.text(`#${service}-connected`), `Connected as ${login}`);
  assert.equal((await accountOf(d, service))?.login, login);
  assert.equal(await d.evaluate((id) => document.getElementById(id).value, `${service}_token`), '', 'the token field is emptied');
}

export const connectGitHub = (d, services, token = TOKENS.github) =>
  connect(d, 'github', origin(services.github.graphqlUrl), token, 'octo-alice');
export const connectGitLab = (d, services) => connect(d, 'gitlab', origin(services.gitlab.apiUrl), TOKENS.gitlab, 'alice');
export const connectSlack = (d, services) => connect(d, 'slack', services.slack.apiUrl, TOKENS.slack, 'alice');

const send = (d, message) => d.evaluate((m) => (globalThis.browser ?? chrome).runtime.sendMessage(m), message);

/** Declares through the worker, as the popup does; returns the reply. */
async function tryDeclare(d, fields) {
  const reply = await send(d, { declare: { status: 'away', headline: 'Lunch', timezone: 'Europe/Berlin', ...fields } });
  replies.push(reply);
  return reply;
}

export async function declare(d, fields) {
  const reply = await tryDeclare(d, fields);
  assert.ok(reply.declared, JSON.stringify(reply));
}

export async function clear(d) {
  const reply = await send(d, 'clear');
  replies.push(reply);
  assert.equal(reply, 'cleared');
}

/** Every reply the scenario got, for the token scan. */
const replies = [];

const accountOf = async (d, service) => ((await d.evaluate(() => (globalThis.browser ?? chrome).storage.local.get('mirrors'))).mirrors ?? []).find((a) => a.service === service);

/** Waits until the account has nothing pending and returns it; its report must be `kind`
 *  (updated, cleared, stopped). */
export async function settled(d, service, kind) {
  let seen;
  const account = await poll(async () => {
    seen = await accountOf(d, service);
    return seen && !seen.pending && seen.report ? seen : null;
  }, `${service}'s mirror to settle`).catch((e) => {
    throw new Error(`${e.message}: ${JSON.stringify(seen)}`);
  });
  assert.equal(account.report, kind, `${service}: ${JSON.stringify(account)}`);
  return account;
}

const chars = (s) => [...s].length;

/** A headline as the service keeps it: whole when it fits, else cut with "…". */
function assertCut(message, headline, limit) {
  const whole = headline.trim();
  if (chars(whole) <= limit) return assert.equal(message, whole);
  assert.ok(chars(message) <= limit, `${chars(message)} > ${limit}`);
  assert.ok(message.endsWith('…'));
  assert.ok(whole.startsWith(message.slice(0, -1)), JSON.stringify(message));
}

/** Declare and clear on GitHub: message, emoji, availability and expiry, then nothing. */
export async function githubDeclareAndClear(d, { github }) {
  const back = new Date(Date.now() + 3 * 3_600_000);
  back.setUTCMilliseconds(0);
  await declare(d, { status: 'ooo', headline: 'Back on Monday', emoji: '🌴', back_at: back.toISOString() });
  await settled(d, 'github', 'updated');
  const shown = github.shown('octo-alice');
  assert.equal(shown.message, 'Back on Monday');
  assert.equal(shown.emoji, '🌴');
  assert.equal(shown.indicatesLimitedAvailability, true);
  assert.equal(new Date(shown.expiresAt).getTime(), back.getTime());
  // Focus is not busy unless the user says so. The emoji comes from the table. 45 letters
  // with a combining accent are 45 characters to the popup and 90 to GitHub: cut, whole
  // letters only.
  const accented = 'e\u0301'.repeat(45);
  await declare(d, { status: 'focus', headline: accented });
  await settled(d, 'github', 'updated');
  const focus = github.shown('octo-alice');
  assert.equal(focus.indicatesLimitedAvailability, false);
  assert.equal(focus.emoji, ':headphones:');
  assertCut(focus.message, accented, 80);
  assert.equal(focus.message, `${'e\u0301'.repeat(39)}…`);
  await clear(d);
  await settled(d, 'github', 'cleared');
  assert.equal(github.shown('octo-alice'), null);
  assert.deepEqual(github.rejected(), []);
}

/** Declare and clear on GitLab: emoji name, busy, the documented clear_status_after. */
export async function gitlabDeclareAndClear(d, { gitlab }) {
  const back = new Date(Date.now() + 2 * 3_600_000);
  await declare(d, { status: 'away', headline: 'At the dentist', emoji: '🚶', back_at: back.toISOString() });
  await settled(d, 'gitlab', 'updated');
  const shown = gitlab.shown('alice');
  assert.equal(shown.message, 'At the dentist');
  assert.equal(shown.emoji, 'walking');
  assert.equal(shown.availability, 'busy');
  const put = gitlab.requests.filter((r) => r.method === 'PUT').at(-1);
  assert.equal(JSON.parse(put.body).clear_status_after, '3_hours', 'the shortest that is not before back-at');
  await clear(d);
  await settled(d, 'gitlab', 'cleared');
  assert.equal(gitlab.shown('alice'), null);
  assert.deepEqual(gitlab.rejected(), []);
}

/** Declare and clear on Slack: text, an emoji name (the declaration's, else the table's),
 *  the expiration in unix seconds. */
export async function slackDeclareAndClear(d, { slack }) {
  const expires = new Date(Date.now() + 90 * 60_000);
  await declare(d, { status: 'away', headline: 'At lunch', emoji: '☕', expires_at: expires.toISOString() });
  await settled(d, 'slack', 'updated');
  assert.deepEqual(slack.shown('alice'), {
    status_text: 'At lunch',
    status_emoji: ':coffee:',
    status_expiration: Math.ceil(expires.getTime() / 1000),
  });
  await declare(d, { status: 'ooo', headline: 'Holiday', emoji: '🦜' });
  await settled(d, 'slack', 'updated');
  assert.equal(slack.shown('alice').status_emoji, ':palm_tree:', 'an emoji without a known name: the table');
  assert.equal(slack.shown('alice').status_expiration, 0);
  await clear(d);
  await settled(d, 'slack', 'cleared');
  assert.equal(slack.shown('alice'), null);
  assert.deepEqual(slack.rejected(), []);
}

const settingsSaved = (d, check) =>
  poll(async () => check((await d.evaluate(() => (globalThis.browser ?? chrome).storage.local.get('mirror_settings'))).mirror_settings), 'the choices saved');

/** The user's choices in the options page: a status one account does not show (it clears
 *  there instead), and the emoji table (an invalid name refused beside its field). */
export async function choices(d, { github, slack }) {
  await d.open('options.html');
  await d.click('#github-mirror-away');
  await d.fill('#emoji-away', 'coffee');
  await d.click('#emoji-focus'); // leaving the field commits it
  await settingsSaved(d, (s) => s?.emoji?.away === 'coffee' && s.off.some((o) => o.service === 'github' && o.status === 'away'));
  assert.equal(await d.text('#mirror-settings-status'), 'Saved.');
  await declare(d, { status: 'away', headline: 'Coffee run' });
  await settled(d, 'github', 'updated');
  await settled(d, 'slack', 'updated');
  assert.equal(github.shown('octo-alice'), null, 'Away is not shown on GitHub: cleared there');
  assert.equal(slack.shown('alice').status_emoji, ':coffee:', 'the edited table');
  await poll(async () => (await d.text('#github-preview')) === 'no status', "GitHub's preview");
  assert.match(await d.text('#slack-preview'), /^:coffee: Coffee run · busy$/);
  await d.fill('#emoji-away', 'Not A Name');
  await d.click('#emoji-focus');
  await poll(async () => (await d.text('#mirror-settings-status')) === 'Saved, except the marked emoji names.', 'the refusal');
  assert.match(await d.text('#error-emoji-away'), /emoji name/);
  await d.click('#github-mirror-away');
  await d.fill('#emoji-away', 'walking');
  await d.click('#emoji-focus');
  await settingsSaved(d, (s) => s?.emoji?.away === 'walking' && s.off.length === 0);
}

/** The popup's line for an account. */
export async function popupLine(d, service) {
  await d.open('popup.html');
  return poll(async () => {
    const text = await d.text(`#mirror-${service}`);
    return text?.startsWith(`${{ github: 'GitHub', gitlab: 'GitLab', slack: 'Slack' }[service]} status`) ? text : null;
  }, `the popup's ${service} line`);
}

/** 429 with Retry-After: retried no earlier than asked, and the popup says when; a newer
 *  declaration replaces the pending one and is what lands. */
export async function rateLimited(d, { github }) {
  github.fail('rate-limited', { times: Infinity, retryAfter: 600 });
  const asked = Date.now();
  await declare(d, { status: 'away', headline: 'First' });
  const account = await poll(async () => {
    const a = await accountOf(d, 'github');
    return a?.report === 'retrying' ? a : null;
  }, 'a retry');
  assert.match(account.why, /rate limited/);
  assert.ok(new Date(account.at).getTime() >= asked + 600_000, 'Retry-After honoured');
  assert.match(await popupLine(d, 'github'), /^GitHub status: rate limited, retrying at \d\d:\d\d$/);
  github.fail(null);
  await declare(d, { status: 'away', headline: 'Second' });
  await settled(d, 'github', 'updated');
  assert.equal(github.shown('octo-alice').message, 'Second');
  assert.equal(github.requests.filter((r) => r.body.includes('"First"')).length, 1, 'the replaced declaration was sent once');
}

/** 401 and 403 stop, are not retried, and say so; hostile answers too. */
export async function refusals(d, { github }) {
  for (const [mode, why] of [
    ['unauthorized', /401/],
    ['forbidden', /403/],
    ['hostile-json', /cannot read/],
    ['oversized', /cannot read/],
    ['oversized-chunked', /cannot read/],
    ['html', /cannot read/],
  ]) {
    github.fail(mode, { times: Infinity });
    const before = github.requests.length;
    await declare(d, { status: 'offline', headline: `After ${mode}` });
    assert.match((await settled(d, 'github', 'stopped')).why, why, mode);
    await new Promise((r) => setTimeout(r, 2_500)); // past the first backoff (2 s)
    assert.equal(github.requests.length, before + 1, `${mode}: not retried`);
    github.fail(null);
  }
  assert.match(await popupLine(d, 'github'), /^GitHub status: not updated: .*cannot read/);
}

/** A token without the user scope connects (viewer needs none) and says what it lacks. */
export async function missingScope(d, services) {
  await connectGitHub(d, services, TOKENS.githubNoScope);
  await declare(d, { status: 'away', headline: 'Scope' });
  assert.equal((await settled(d, 'github', 'stopped')).why, 'the token lacks the user scope');
  await connectGitHub(d, services);
}

/** Every XSS payload as headline reaches GitHub, GitLab and Slack as the same text. */
export async function xssAsPlainData(d, { github, gitlab, slack }) {
  let sent = 0;
  for (const payload of PAYLOADS) {
    const reply = await tryDeclare(d, { status: 'away', headline: payload });
    if (!reply.declared) continue; // invisible or oversized text the form refuses too
    sent += 1;
    await settled(d, 'github', 'updated');
    await settled(d, 'gitlab', 'updated');
    await settled(d, 'slack', 'updated');
    assertCut(github.status('octo-alice').message, payload, 80);
    assertCut(gitlab.status('alice').message, payload, 100);
    assertCut(slack.profile('alice').status_text, payload, 100);
  }
  assert.ok(sent >= 40, `${sent} payloads sent`);
  assert.deepEqual(github.rejected(), []);
  assert.deepEqual(gitlab.rejected(), []);
  assert.deepEqual(slack.rejected(), []);
}

/** Disconnect deletes the token. */
export async function disconnect(d, service) {
  await d.open('options.html');
  await d.click(`#${service}-disconnect`);
  await poll(async () => !(await accountOf(d, service)), `${service} disconnected`);
  const names = await d.evaluate(secretNames);
  assert.ok(!names.includes(service), JSON.stringify(names));
}

/** The names in the worker's secrets store (an extension page shares its origin). */
const secretNames = () =>
  new Promise((resolve, reject) => {
    const open = indexedDB.open('standin');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('secrets')) return resolve([]);
      const keys = db.transaction('secrets').objectStore('secrets').getAllKeys();
      keys.onsuccess = () => resolve(keys.result.map(String));
      keys.onerror = () => reject(keys.error);
    };
  });

/** No token in any storage area, message reply, console line or the pages' text. */
export async function scanForTokens(d) {
  const stored = await d.evaluate(async () => {
    const api = globalThis.browser ?? chrome;
    const areas = {};
    for (const area of ['local', 'sync', 'session']) areas[area] = await api.storage[area]?.get(null);
    return { areas, text: document.documentElement.outerHTML };
  });
  const haystack = JSON.stringify({ stored, replies, console: await d.consoleLines() });
  for (const token of Object.values(TOKENS)) assert.ok(!haystack.includes(token), 'a token leaked');
  assert.ok(haystack.includes('octo-alice'), 'the scan read what the run produced');
}

/** The API's host permission withdrawn (as about:addons does): nothing is sent, the popup says
 *  why, and the pending mirror goes out once the permission is given back by connecting again. */
export async function withdrawnPermission(d, services) {
  await d.open('options.html');
  await d.evaluate(() => (globalThis.browser ?? chrome).permissions.remove({ origins: ['http://127.0.0.1/*'] }));
  const before = services.github.requests.length;
  await declare(d, { status: 'away', headline: 'While withdrawn' });
  await poll(async () => (await accountOf(d, 'github'))?.why === 'permission for 127.0.0.1 withdrawn', 'the withdrawn permission');
  assert.equal(services.github.requests.length, before, 'nothing sent without the permission');
  assert.equal(await popupLine(d, 'github'), 'GitHub status: not updated: permission for 127.0.0.1 withdrawn');
  await connectGitHub(d, services);
  await settled(d, 'github', 'updated');
  assert.equal(services.github.shown('octo-alice').message, 'While withdrawn');
}

/** The options section with three accounts and the popup's account lines, light and dark:
 *  what each shows, axe-core clean. `shoot(kind, scheme)` may save a screenshot of the page
 *  as it stands (the options section or the popup scrolled to its lines). */
export async function screens(d, shoot = async () => {}) {
  const back = new Date(Date.now() + 2 * 3_600_000);
  await declare(d, { status: 'away', headline: 'Reviewing the export PRs', emoji: '🎧', back_at: back.toISOString() });
  for (const service of ['github', 'gitlab', 'slack']) await settled(d, service, 'updated');
  for (const scheme of ['light', 'dark']) {
    await d.open('options.html');
    await d.colorScheme(scheme);
    for (const [service, emoji] of [['github', '🎧'], ['gitlab', ':headphones:'], ['slack', ':headphones:']]) {
      const preview = await d.text(`#${service}-preview`);
      assert.match(preview, new RegExp(`^${emoji} Reviewing the export PRs · busy · until \\d\\d:\\d\\d$`, 'u'), preview);
    }
    await d.axe(`the options page with three accounts, ${scheme}`);
    await shoot('options', scheme);
    await d.open('popup.html');
    await d.colorScheme(scheme);
    for (const label of ['GitHub', 'GitLab', 'Slack']) {
      assert.match(await d.text(`#mirror-${label.toLowerCase()}`), new RegExp(`^${label} status: updated \\d\\d:\\d\\d$`));
    }
    await d.axe(`the popup with its account lines, ${scheme}`);
    await shoot('popup', scheme);
  }
}

/** The tests both suites run, on `driver` once `services()` gives the endpoints. */
export function mirrorTests(driver, services) {
  test('declare and clear reach GitHub, GitLab and Slack as they document', async () => {
    await githubDeclareAndClear(driver, services());
    await gitlabDeclareAndClear(driver, services());
    await slackDeclareAndClear(driver, services());
    assert.match(await popupLine(driver, 'slack'), /^Slack status: cleared \d\d:\d\d$/);
    assert.match(await popupLine(driver, 'github'), /^GitHub status: cleared \d\d:\d\d$/);
  });

  test("each account's statuses and the emoji table are the user's choice", async () => {
    await choices(driver, services());
  });

  test('the options section and the popup lines at 380×600, light and dark: axe-core clean', async () => {
    await screens(driver, driver.shoot);
  });

  test('429 with Retry-After is retried no earlier, and a newer declaration replaces it', async () => {
    await rateLimited(driver, services());
  });

  test('401, 403 and hostile or oversized answers stop and say so', async () => {
    await refusals(driver, services());
    await missingScope(driver, services());
  });

  test('a withdrawn permission stops the mirror until it is given back', { skip: !driver.canWithdraw && 'Chrome cannot withdraw a permission the manifest requires' }, async () => {
    await withdrawnPermission(driver, services());
  });

  test('the XSS corpus reaches the services as plain data', async () => {
    await xssAsPlainData(driver, services());
  });

  test('no token in storage, replies, console or page; disconnect deletes it', async () => {
    await scanForTokens(driver);
    for (const service of ['gitlab', 'slack', 'github']) await disconnect(driver, service);
  });
}
