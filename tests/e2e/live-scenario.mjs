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
//   select(selector, value)  chooses an option of a <select>
//   openTracker(url)      opens a tracker page (served from `env().site`, or the GitHub endpoint's
//                         origin) in a tab of its own, leaving the extension page current
//   bannerText(url)       the text StandIn's item banner draws in `url`'s tab (its closed shadow
//                         root, read as the browser's tools read it), or null with none drawn
//
// Ann declares her PR waiting; Bob, connected to the team and to "GitHub" (a GitHub Enterprise
// Server at the endpoint's origin: the PR lives there), opens the popup; the worker reads the
// PR once; within the minute another popup opening asks nothing; the PR is merged on the
// endpoint; a minute later (the worker's clock moved on) the popup's opening reads it merged,
// by whom and when, over the baseline Bob first saw. The PR's page, open in a tab of its own
// (the endpoint's origin added in options as a self-hosted GitHub, as a user adds one), says
// open with no drift before, and after that one refresh its banner says what the Team view
// says, redrawn in place. Then, with no account for it, Ann's PR on github.com is read from
// the page Bob opens.
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
  // Its web page beside the API, as GitHub Enterprise serves it: as it stood before the merge.
  github.page(new URL(url).pathname, githubPrPage({ repo: 'acme/api', number: 12, title: 'Retry &lt;b&gt;exports&lt;/b&gt;', state: 'Open', author: 'octo-ann', assignee: 'octo-ann', action: 'wants to merge 1 commit into main' }));
  return { ann: { token: joined.body.token, id: joined.body.member.id }, github, url, ref: url.replace(/^https?:\/\//, '') };
}

/** A PR on github.com: no connected account reads it (Bob's GitHub is the endpoint's host). */
export const PAGE_PR = 'https://github.com/acme/api/pull/7';
const PAGE_PR_REF = 'github.com/acme/api/pull/7';

/** A pull request's page in GitHub's server-rendered shape (the real saved pages' markers):
 *  its state label (`state`: Open, Merged, …), its title (HTML: markup in it escaped), author and
 *  one assignee. Nothing in it asks its server for more (no favicon, no avatar), so the
 *  endpoint serving it sees only the page's own request. */
function githubPrPage({ repo, number, title, state, author, assignee, action }) {
  const plain = title.replace(/&lt;\/?\w+&gt;/g, '');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>${plain} by ${author} · Pull Request #${number} · ${repo} · GitHub</title></head><body>
<div id="partial-discussion-header"><div class="gh-header-show"><h1 class="gh-header-title">
<span class="js-issue-title markdown-title">${title}</span> <span class="gh-header-number">#${number}</span></h1></div>
<div class="gh-header-meta"><span title="Status: ${state}" class="State State--${state.toLowerCase()}"><svg aria-hidden="true"></svg> ${state}</span>
<a class="author" href="/${author}">${author}</a> ${action}</div></div>
<form aria-label="Select assignees"><span class="css-truncate js-issue-assignees"><a class="assignee" href="/${assignee}"><img alt="@${assignee}" src="data:,"><span>${assignee}</span></a></span></form>
</body></html>`;
}

/** PAGE_PR's page: merged, its title with markup in it, one assignee. */
export const MERGED_PAGE = githubPrPage({ repo: 'acme/api', number: 7, title: 'Speed up &lt;i&gt;exports&lt;/i&gt;', state: 'Merged', author: 'octo-ann', assignee: 'octo-cy', action: 'merged 3 commits into main' });

const live = async (d) => (await d.evaluate(() => (globalThis.browser ?? chrome).storage.local.get(['live', 'live_due']))) ?? {};
const queries = (github) => github.requests.filter((r) => r.method === 'POST' && r.path === '/graphql' && r.body.includes('resource(url:'));

/** Waits until the banner in `url`'s tab says `want`; returns its text. */
async function bannerShows(d, url, want, what) {
  let text = null;
  try {
    return await poll(async () => {
      text = await d.bannerText(url);
      return text && want.test(text) ? text : null;
    }, what, 20_000);
  } catch (e) {
    throw new Error(`${e.message}; it shows ${JSON.stringify(text)}`);
  }
}

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

    // Nor does a worker started again within the minute: it reads when the next refresh is due
    // from storage. (Only where the driver can stop the worker: Chromium's DevTools can.)
    if (d.restartWorker) {
      await d.restartWorker();
      await d.open('popup.html');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(queries(github).length, 1, 'a restarted worker waits for the stored minute');
    }
  });

  test("the PR's page, its GitHub added in options as a user adds one: the banner says it is open, and nothing changed", async () => {
    const { github, url } = env();
    await d.open('options.html');
    await d.fill('#tracker_url', github.origin);
    await d.select('#tracker_site', 'github');
    await d.click('#tracker-add');
    // The loopback build holds http://127.0.0.1/* already: granted with no prompt to answer.
    await poll(async () => /^Added\b/.test((await d.text('#trackers-status')) ?? ''), 'the self-hosted GitHub added', 15_000);
    await poll(async () => {
      const scripts = await d.evaluate(() => (globalThis.browser ?? chrome).scripting.getRegisteredContentScripts());
      return scripts.some((s) => s.matches.includes('http://127.0.0.1/*'));
    }, 'the content script registered for the endpoint\'s origin', 15_000);
    await d.openTracker(url);
    const open = await bannerShows(d, url, /Now open\b/, 'the banner with the PR open');
    assert.match(open, /Now open · CI running · assigned to Ann Ito · “Retry <b>exports<\/b>” · labels: flaky · /, open);
    assert.doesNotMatch(open, /declared it|merged/, 'no drift yet');
    const served = github.requests.filter((r) => r.method === 'GET' && r.path === new URL(url).pathname);
    assert.deepEqual(served.map((r) => r.status), [200], 'the page came from the endpoint, once');
    assert.deepEqual(github.rejected(), []);
  });

  test('merged on GitHub: the next refresh, a minute later, stores it merged with who merged it, and the Team view and the banner say so', async () => {
    const { github, url, ref, ann } = env();
    const asked = queries(github).length;
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
    assert.equal(queries(github).length, asked + 1, 'one refresh');
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
    // The PR's page, left open and not reloaded, was drawn again from the same refresh. Only
    // the API knows who merged it: the page still says "Open" and names no merger.
    const banner = await bannerShows(d, url, /merged \S+ by Bob, after Ann Ito declared it waiting/, "the banner's drift line");
    assert.match(banner, /Now merged · “Retry <b>exports<\/b>” · labels: flaky · GitHub \S+merged \S+ by Bob, after Ann Ito declared it waiting/, banner);
    assert.equal(github.requests.filter((r) => r.method === 'GET' && r.path === new URL(url).pathname).length, 1, 'the page was not loaded again');
    assert.equal(queries(github).length, asked + 1, 'still the one refresh');
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
