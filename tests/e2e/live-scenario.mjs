// Issue 16, where live item state comes from: a teammate's declared pull request read from the
// viewer's connected GitHub account, as both browsers' suites run it (tests/e2e/live.test.mjs,
// tests/firefox/live.test.mjs). The team server is the real one (team-server.mjs); GitHub is the
// local endpoint of tests/services/github.mjs, which validates every query against GitHub's
// public schema and executes it, so the batched query the worker builds is checked as GitHub
// would check it. No browser-driving code here: each suite passes its driver:
//   open(file)            opens an extension page and waits for its loader
//   fill(selector, text)  click(selector)  text(selector)
//   evaluate(fn, arg)     runs fn(arg) in the current extension page (chrome.* / browser.*)
//   setWorkerClock(at)    makes the worker's Date.now() run on from `at` (ms)
//   openTracker(url)      opens a tracker page (served from `env().site`) in a tab of its own,
//                         leaving the extension page current
//
// Ann declares her PR waiting; Bob, connected to the team and to "GitHub" (a GitHub Enterprise
// Server at the endpoint's origin: the PR lives there), opens the popup; the worker reads the
// PR once; within the minute another popup opening asks nothing; the PR is merged on the
// endpoint; a minute later (the worker's clock moved on) the popup's opening reads it merged,
// by whom and when, over the baseline Bob first saw. Then, with no account for it, Ann's PR on
// github.com is read from the page Bob opens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGitHub } from '../services/github.mjs';
import { connect, poll } from './mirror-scenario.mjs';

/** Bob's storage.sync settings: a display name is what joining a team takes. */
export const BOB = { display_name: 'Bob', handles: { github: 'octo-bob' }, timezone: 'Europe/Berlin', reminder: { enabled: false, lead_minutes: 30 } };

const TOKEN = 'ghp_LiveBobToken0123456789abcdefABCDEFgh';

/** The team server's team Core with Ann, and the GitHub endpoint with Bob's token and Ann's PR
 *  (open, CI running, assigned to her). */
export async function startLive(server) {
  await server.cli('team', 'create', 'Core');
  const joined = await server.api('POST', '/v1/join', {
    body: { invite: await server.invite('Core'), display_name: 'Ann Ito', handles: { github: 'octo-ann' }, timezone: 'Asia/Kolkata' },
  });
  assert.equal(joined.status, 201, JSON.stringify(joined.body));
  const github = await startGitHub({ tokens: { [TOKEN]: { login: 'octo-bob', scopes: ['repo', 'user'] } } });
  const url = `${github.origin}/acme/api/pull/12`;
  github.add({ __typename: 'PullRequest', url, number: 12, title: 'Retry <b>exports</b>', state: 'OPEN', checks: 'PENDING', assignees: ['octo-ann'], labels: ['flaky'] });
  return { ann: { token: joined.body.token, id: joined.body.member.id }, github, url, ref: url.replace(/^https?:\/\//, '') };
}

/** A PR on github.com: no connected account reads it (Bob's GitHub is the endpoint's host). */
export const PAGE_PR = 'https://github.com/acme/api/pull/7';
const PAGE_PR_REF = 'github.com/acme/api/pull/7';

/** PAGE_PR's page in GitHub's server-rendered shape (the real saved pages' markers): merged,
 *  its title with markup in it, one assignee. */
export const MERGED_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Speed up exports by octo-ann · Pull Request #7 · acme/api · GitHub</title></head><body>
<div id="partial-discussion-header"><div class="gh-header-show"><h1 class="gh-header-title">
<span class="js-issue-title markdown-title">Speed up &lt;i&gt;exports&lt;/i&gt;</span> <span class="gh-header-number">#7</span></h1></div>
<div class="gh-header-meta"><span title="Status: Merged" class="State State--merged"><svg aria-hidden="true"></svg> Merged</span>
<a class="author" href="/octo-ann">octo-ann</a> merged 3 commits into main</div></div>
<form aria-label="Select assignees"><span class="css-truncate js-issue-assignees"><a class="assignee" href="/octo-cy"><img alt="@octo-cy" src="/a.png"><span>octo-cy</span></a></span></form>
</body></html>`;

const live = async (d) => (await d.evaluate(() => (globalThis.browser ?? chrome).storage.local.get(['live', 'live_due']))) ?? {};
const queries = (github) => github.requests.filter((r) => r.method === 'POST' && r.path === '/graphql' && r.body.includes('resource(url:'));

export function liveTests(d, env) {
  test('a teammate declares a PR: opening the popup reads it from the connected GitHub account in one validated query', async () => {
    const { github, url, ref, ann, server } = env();
    await connect(d, 'github', github.origin, TOKEN, 'octo-bob');
    const put = await server.api('PUT', '/v1/me/state', {
      token: ann.token,
      headers: { 'if-match': '0' },
      body: { status: 'offline', headline: 'Done for today', timezone: 'Asia/Kolkata', items: [{ url, canonical_ref: ref, title: 'Retry exports', note: 'CI is slow', state: 'waiting' }] },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await poll(async () => (await d.evaluate(() => (globalThis.browser ?? chrome).storage.local.get('team'))).team?.states?.[ann.id]?.state, "Ann's declaration in Bob's team cache", 30_000);

    await d.open('popup.html');
    const key = `${ann.id} ${ref}`;
    const first = await poll(async () => (await live(d)).live?.[key], 'the PR in the live map', 20_000);
    assert.equal(first.current.source, 'github');
    assert.equal(first.current.kind, 'change');
    assert.equal(first.current.lifecycle, 'open');
    assert.equal(first.current.checks, 'pending');
    assert.deepEqual(first.current.assignees, ['octo-ann']);
    assert.deepEqual(first.current.labels, ['flaky']);
    assert.equal(first.current.title, 'Retry <b>exports</b>', 'user text stored as it is, shown as text');
    assert.deepEqual(first.baseline, first.current, 'the first look pins the baseline');
    const [asked] = queries(github);
    const body = JSON.parse(asked.body);
    assert.match(body.query, /^query Items\(\$u0: URI!\) \{ i0: resource\(url: \$u0\) \{ \.\.\.Item \} \}/);
    assert.deepEqual(body.variables, { u0: url });
    assert.match(asked.headers.authorization, /^Bearer ghp_/);
    assert.deepEqual(github.rejected(), [], 'the batched query validates against GitHub\'s schema');

    // Within the minute, opening the popup again asks GitHub nothing.
    await d.open('popup.html');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(queries(github).length, 1);
  });

  test('merged on GitHub: the next refresh, a minute later, stores it merged with who merged it, and the Team view says so', async () => {
    const { github, url, ref, ann } = env();
    // Merged now: after Ann declared it, so it is drift (a merge before her declaration is not).
    const mergedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    github.change(url, { state: 'MERGED', mergedAt, mergedBy: 'octo-bob', checks: 'SUCCESS' });
    const { live_due: due } = await live(d);
    assert.ok(Date.parse(due) > Date.now(), `the next refresh is due later: ${due}`);
    await d.setWorkerClock(Date.parse(due) + 1_000);
    await d.open('popup.html');
    const key = `${ann.id} ${ref}`;
    const merged = await poll(async () => {
      const t = (await live(d)).live?.[key];
      return t?.current.lifecycle === 'merged' ? t : null;
    }, 'the PR merged in the live map', 20_000);
    assert.equal(merged.current.ended_by, 'octo-bob');
    assert.equal(merged.current.ended_at, mergedAt);
    assert.equal(merged.baseline.lifecycle, 'open', 'the baseline stays what Bob first saw');
    assert.equal(queries(github).length, 2);
    assert.deepEqual(github.rejected(), []);
    // What Bob sees after that one refresh: the Team view's row for Ann, opened, says it.
    await d.click('#tab-team');
    const row = `#roster li[data-member="${ann.id}"]`;
    await d.click(`${row} button.member-line`);
    const drift = await poll(async () => {
      const text = await d.text(`${row} .live-drift`).catch(() => null);
      return text && /merged/.test(text) ? text : null;
    }, "the Team view's drift line for Ann's PR", 20_000);
    assert.match(drift, /^merged \S+ by Bob, after Ann Ito declared it waiting$/, drift);
    assert.match(await d.text(`${row} .live-state`), /^Now merged\b/);
    // The account's line has nothing to say: the query did not fail.
    const { mirrors } = await d.evaluate(() => (globalThis.browser ?? chrome).storage.local.get('mirrors'));
    assert.equal(mirrors.find((a) => a.service === 'github').live, undefined);
  });

  test('without an account for it: the PR page Bob opens says what the item is, recorded as the page saw it', async () => {
    const { ann, server, url, ref, site } = env();
    const states = await server.api('GET', '/v1/team/states', { token: ann.token });
    const version = states.body.states.find((s) => s.member_id === ann.id).version;
    const items = [
      { url, canonical_ref: ref, title: 'Retry exports', note: 'CI is slow', state: 'waiting' },
      { url: PAGE_PR, canonical_ref: PAGE_PR_REF, title: 'Speed up exports', note: '', state: 'needs_review' },
    ];
    const put = await server.api('PUT', '/v1/me/state', {
      token: ann.token,
      headers: { 'if-match': String(version) },
      body: { status: 'offline', headline: 'Done for today', timezone: 'Asia/Kolkata', items },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await poll(async () => (await d.evaluate(() => (globalThis.browser ?? chrome).storage.local.get('team'))).team?.states?.[ann.id]?.state?.declaration.items.length === 2, "Ann's two items in Bob's team cache", 30_000);
    site.page(PAGE_PR, MERGED_PAGE);
    await d.openTracker(PAGE_PR);
    const key = `${ann.id} ${PAGE_PR_REF}`;
    const seen = await poll(async () => (await live(d)).live?.[key], "the page's PR in the live map", 20_000);
    assert.equal(seen.current.source, 'page');
    assert.equal(seen.current.lifecycle, 'merged');
    assert.equal(seen.current.title, 'Speed up <i>exports</i>');
    assert.deepEqual(seen.current.assignees, ['octo-cy']);
    // A page says nothing of when or by whom, nor of CI: unknown, not guessed.
    assert.equal(seen.current.ended_by, null);
    assert.equal(seen.current.checks, null);
  });
}
