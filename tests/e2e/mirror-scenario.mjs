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
  githubFineGrained: 'github_pat_11MirrorAliceFineGrained0123456789abcdef',
  gitlab: 'glpat-MirrorAliceToken0123456789',
  gitlabNoScope: 'glpat-MirrorNoScopeToken01234567',
  slack: 'xoxp-1111-2222-3333-MirrorAliceToken0123',
  slackNoScope: 'xoxp-1111-2222-3333-MirrorNoScopeToken0',
};

/** The endpoints, with Alice's tokens. */
export async function startServices() {
  const github = await startGitHub({
    tokens: {
      [TOKENS.github]: { login: 'octo-alice', scopes: ['user'] },
      [TOKENS.githubNoScope]: { login: 'octo-alice', scopes: ['repo'] },
      [TOKENS.githubFineGrained]: { login: 'octo-alice', fineGrained: true },
    },
  });
  const gitlab = await startGitLab({
    tokens: {
      [TOKENS.gitlab]: { username: 'alice', scopes: ['api'] },
      [TOKENS.gitlabNoScope]: { username: 'alice', scopes: ['read_api'] },
    },
  });
  const slack = await startSlack({
    tokens: {
      [TOKENS.slack]: { user: 'alice', scopes: ['users.profile:write'] },
      [TOKENS.slackNoScope]: { user: 'alice', scopes: ['identify'] },
    },
  });
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

/** The API address the options page takes for `service`'s endpoint. */
const apiOf = (services, service) =>
  ({ github: origin(services.github.graphqlUrl), gitlab: origin(services.gitlab.apiUrl), slack: services.slack.apiUrl })[service];

/** Connects `service`'s account to its endpoint with `token` (Alice's, with the scope, by default). */
export function connectService(d, services, service, token = TOKENS[service]) {
  return connect(d, service, apiOf(services, service), token, service === 'github' ? 'octo-alice' : 'alice');
}

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

/** Each status on each service, with the default emoji table and Focus not busy, and a
 *  headline of 60 accented letters (120 characters): past each service's length limit. */
export async function eachStatus(d, { github, gitlab, slack }) {
  const table = { online: 'large_green_circle', focus: 'headphones', away: 'walking', offline: 'zzz', ooo: 'palm_tree' };
  for (const [status, emoji] of Object.entries(table)) {
    const busy = !['online', 'focus'].includes(status);
    const headline = `${status} ${'e\u0301'.repeat(60)}`;
    await declare(d, { status, headline });
    for (const service of ['github', 'gitlab', 'slack']) await settled(d, service, 'updated');
    const gh = github.shown('octo-alice');
    assert.equal(gh.emoji, `:${emoji}:`, status);
    assert.equal(gh.indicatesLimitedAvailability, busy, status);
    assertCut(gh.message, headline, 80);
    const gl = gitlab.shown('alice');
    assert.equal(gl.emoji, emoji, status);
    assert.equal(gl.availability, busy ? 'busy' : 'not_set', status);
    assertCut(gl.message, headline, 100);
    const sl = slack.shown('alice');
    assert.equal(sl.status_emoji, `:${emoji}:`, status);
    assertCut(sl.status_text, headline, 100);
  }
  for (const ep of [github, gitlab, slack]) assert.deepEqual(ep.rejected(), []);
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

/** Each service as the failure tests see it: its endpoint, the popup's label, the message it
 *  shows, how the popup words its 401 and 403 (Slack says both with HTTP 200: `invalid_auth`,
 *  `missing_scope`), a token of Alice's without the scope the mirror needs, and the paths a
 *  Connect asks (the token check and, for GitLab, the token's own scopes). */
export const FAILING = [
  {
    service: 'github',
    label: 'GitHub',
    endpoint: (s) => s.github,
    message: (s) => s.github.shown('octo-alice')?.message,
    unauthorized: /\(401\)/,
    forbidden: /\(403\)/,
    scope: 'user',
    noScope: TOKENS.githubNoScope,
    checks: ['/graphql'],
  },
  {
    service: 'gitlab',
    label: 'GitLab',
    endpoint: (s) => s.gitlab,
    message: (s) => s.gitlab.shown('alice')?.message,
    unauthorized: /\(401\)/,
    forbidden: /\(403\)/,
    scope: 'api',
    noScope: TOKENS.gitlabNoScope,
    checks: ['/api/v4/user', '/api/v4/personal_access_tokens/self'],
  },
  {
    service: 'slack',
    label: 'Slack',
    endpoint: (s) => s.slack,
    message: (s) => s.slack.shown('alice')?.status_text,
    unauthorized: /^the token was refused: connect again/,
    forbidden: /^the token lacks the users\.profile:write scope$/,
    scope: 'users.profile:write',
    noScope: TOKENS.slackNoScope,
    checks: ['/api/auth.test'],
  },
];

/** 429 (or the endpoint's failure `mode`, answered `status`) with Retry-After: retried no
 *  earlier than asked, and the popup says when; a newer declaration replaces the pending one
 *  and is what lands. */
export async function rateLimited(d, services, { service, label, endpoint, message }, { mode = 'rate-limited', status = 429 } = {}) {
  const ep = endpoint(services);
  ep.fail(mode, { times: Infinity, retryAfter: 600 });
  const asked = Date.now();
  const [first, second] = [`First-${service}-${status}`, `Second-${service}-${status}`];
  await declare(d, { status: 'away', headline: first });
  const account = await poll(async () => {
    const a = await accountOf(d, service);
    return a?.report === 'retrying' ? a : null;
  }, `a retry on ${service}`);
  assert.match(account.why, /rate limited/);
  assert.ok(new Date(account.at).getTime() >= asked + 600_000, `${service}: Retry-After honoured`);
  assert.match(await popupLine(d, service), new RegExp(`^${label} status: rate limited, retrying at \\d\\d:\\d\\d$`));
  const refused = ep.requests.filter((r) => r.body.includes(first));
  assert.deepEqual(refused.map((r) => r.status), [status], `${service}: the one request, answered ${status}`);
  ep.fail(null);
  await declare(d, { status: 'away', headline: second });
  await settled(d, service, 'updated');
  assert.equal(message(services), second);
  assert.equal(ep.requests.filter((r) => r.body.includes(first)).length, 1, `${service}: the replaced declaration was sent once`);
  assert.deepEqual(ep.rejected(), []);
}

/** 401 and 403 stop, are not retried, and say so; hostile answers too. */
export async function refusals(d, services, { service, label, endpoint, unauthorized, forbidden }) {
  const ep = endpoint(services);
  for (const [mode, why] of [
    ['unauthorized', unauthorized],
    ['forbidden', forbidden],
    ['hostile-json', /cannot read/],
    ['oversized', /cannot read/],
    ['oversized-chunked', /cannot read/],
    ['html', /cannot read/],
  ]) {
    ep.fail(mode, { times: Infinity });
    const before = ep.requests.length;
    await declare(d, { status: 'offline', headline: `After ${mode}` });
    assert.match((await settled(d, service, 'stopped')).why, why, `${service} ${mode}`);
    await new Promise((r) => setTimeout(r, 2_500)); // past the first backoff (2 s)
    assert.equal(ep.requests.length, before + 1, `${service} ${mode}: not retried`);
    ep.fail(null);
  }
  assert.match(await popupLine(d, service), new RegExp(`^${label} status: not updated: ${label} answered with something StandIn cannot read$`));
}

const mirrorsStored = async (d) => (await d.evaluate(() => (globalThis.browser ?? chrome).storage.local.get('mirrors'))).mirrors ?? [];

/** A token without the scope the mirror needs is refused at Connect: the line beside the token
 *  field names the scope, the page is axe-core clean (light and dark), and nothing is kept (no
 *  account, no token, the other accounts as they were, nothing sent but the checks). GitHub's
 *  and Slack's scopes come in X-OAuth-Scopes (the Slack stand-in sends no CORS header at all, so
 *  this also shows that the host permission lets the worker read it), GitLab's from
 *  /personal_access_tokens/self. Then Alice's token with the scope connects as before. */
export async function refusedAtConnect(d, services, { service, endpoint, scope, noScope, checks }) {
  const ep = endpoint(services);
  await disconnect(d, service);
  const before = await mirrorsStored(d);
  const sent = ep.requests.length;
  await d.open('options.html');
  await d.fill(`#${service}_api`, apiOf(services, service));
  await d.fill(`#${service}_token`, noScope);
  await d.click(`#${service}-connect`);
  const refused = 'Not connected: see the marked fields.';
  await poll(async () => (await d.text(`#${service}-status`)) === refused, `${service}'s refusal`).catch(async (e) => {
    throw new Error(`${e.message}: ${await d.text(`#${service}-status`)}`);
  });
  assert.equal(await d.text(`#error-${service}_token`), `This token lacks the ${scope} scope: create one with it.`);
  const field = await d.evaluate((id) => {
    const input = document.getElementById(id);
    return { invalid: input.getAttribute('aria-invalid'), describedBy: input.getAttribute('aria-describedby'), focused: document.activeElement === input };
  }, `${service}_token`);
  assert.deepEqual(field, { invalid: 'true', describedBy: `error-${service}_token`, focused: true });
  assert.equal(await d.evaluate((id) => document.getElementById(id).hidden, `${service}-form`), false, 'the form stays');
  for (const scheme of ['light', 'dark']) {
    await d.colorScheme(scheme);
    await d.axe(`the options page refusing a ${service} token without ${scope}, ${scheme}`);
  }
  await d.colorScheme('light');
  assert.deepEqual(await mirrorsStored(d), before, 'no account added, the others unchanged');
  assert.ok(!(await d.evaluate(secretNames)).includes(service), 'no token kept');
  assert.deepEqual(ep.requests.slice(sent).map((r) => r.path), checks, `${service}: the checks, and no mirror`);
  assert.deepEqual(ep.rejected(), []);
  await connectService(d, services, service);
}

/** A fine-grained GitHub token sends no X-OAuth-Scopes: nothing to judge at Connect, so it
 *  connects, and the first mirror says GitHub refused it (not retried). */
export async function fineGrainedGitHub(d, services) {
  const { github } = services;
  await connectService(d, services, 'github', TOKENS.githubFineGrained);
  await declare(d, { status: 'away', headline: 'Fine-grained' });
  assert.equal((await settled(d, 'github', 'stopped')).why, 'GitHub refused the change');
  assert.equal(github.requests.filter((r) => r.body.includes('Fine-grained')).length, 1, 'not retried');
  await connectService(d, services, 'github');
  assert.deepEqual(github.rejected(), []);
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

/** The APIs' host permission withdrawn (as about:addons does): nothing is sent to any of the
 *  three, each popup line says why, and the pending mirrors go out once the permission is given
 *  back by connecting again (the endpoints share 127.0.0.1, so one grant serves all three). */
export async function withdrawnPermission(d, services) {
  await d.open('options.html');
  await d.evaluate(() => (globalThis.browser ?? chrome).permissions.remove({ origins: ['http://127.0.0.1/*'] }));
  const before = FAILING.map(({ endpoint }) => endpoint(services).requests.length);
  await declare(d, { status: 'away', headline: 'While withdrawn' });
  for (const { service, label, endpoint } of FAILING) {
    await poll(async () => (await accountOf(d, service))?.why === 'permission for 127.0.0.1 withdrawn', `${service}: the withdrawn permission`);
    assert.equal(await popupLine(d, service), `${label} status: not updated: permission for 127.0.0.1 withdrawn`);
  }
  assert.deepEqual(FAILING.map(({ endpoint }) => endpoint(services).requests.length), before, 'nothing sent without the permission');
  await connectService(d, services, 'github');
  for (const { service, message } of FAILING) {
    await settled(d, service, 'updated');
    assert.equal(message(services), 'While withdrawn', service);
  }
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

  test('each status on each service, cut to its length limit', async () => {
    await eachStatus(driver, services());
  });

  test("each account's statuses and the emoji table are the user's choice", async () => {
    await choices(driver, services());
  });

  test('the options section and the popup lines at 380×600, light and dark: axe-core clean', async () => {
    await screens(driver, driver.shoot);
  });

  for (const failing of FAILING) {
    test(`${failing.label}: 429 with Retry-After is retried no earlier, and a newer declaration replaces it`, async () => {
      await rateLimited(driver, services(), failing);
    });

    test(`${failing.label}: 401, 403 and hostile or oversized answers stop and say so`, async () => {
      await refusals(driver, services(), failing);
    });

    test(`${failing.label}: a token without the ${failing.scope} scope is refused at Connect, beside the token field; nothing kept`, async () => {
      await refusedAtConnect(driver, services(), failing);
    });
  }

  test('GitHub: a secondary rate limit answered 403 with Retry-After is retried no earlier, as 429 is', async () => {
    await rateLimited(driver, services(), FAILING.find((f) => f.service === 'github'), { mode: 'rate-limited-403', status: 403 });
  });

  test('GitHub: a fine-grained token (no X-OAuth-Scopes) connects, and its first mirror says GitHub refused it', async () => {
    await fineGrainedGitHub(driver, services());
  });

  test('a withdrawn permission stops the mirror until it is given back', { skip: !driver.canWithdraw && 'Chromium refuses to remove a required permission, and headless Chromium never answers the request for an optional one (see tests/e2e/mirror.test.mjs)' }, async () => {
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
