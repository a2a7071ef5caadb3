// Tracker pages and what StandIn shows on them: the scenario data both browsers' end-to-end
// suites share (no browser-driving code here). Chromium serves these through request routing
// (tests/e2e/trackers.mjs), Firefox through a local HTTPS proxy (tests/firefox/tracker-proxy.mjs);
// both answer every request with `trackerSite().respond`, so a page gets the same body and the
// same Content-Security-Policy header in either browser.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prPage, timelineItem } from './generated-pages.mjs';
import { hoursFromNow } from './team-fixture.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OWN_PAGES = path.join(ROOT, 'tests', 'fixtures', 'pages');
export const SHARED_PAGES = path.resolve(ROOT, '..', 'shared', 'fixtures', 'pages');

/**
 * Content-Security-Policy headers. GitHub's is github.com's own header (a signed-in PR page,
 * 2025), abridged only in its long connect-src/img-src host lists: default-src 'none', scripts
 * from github.githubassets.com only, no 'unsafe-eval' and no 'wasm-unsafe-eval'. GitLab's is
 * gitlab.com's shape (nonce + 'strict-dynamic'); Jira Cloud's and Linear's are modelled on
 * their published headers; Jira Data Center sends only frame-ancestors by default. None allows
 * 'wasm-unsafe-eval'.
 */
export const CSP = {
  github: [
    "default-src 'none'",
    "base-uri 'self'",
    'child-src github.com/assets-cdn/worker/ github.com/assets/ gist.github.com/assets-cdn/worker/',
    "connect-src 'self' uploads.github.com www.githubstatus.com collector.github.com raw.githubusercontent.com api.github.com github-cloud.s3.amazonaws.com objects-origin.githubusercontent.com *.actions.githubusercontent.com wss://*.actions.githubusercontent.com api.githubcopilot.com",
    'font-src github.githubassets.com',
    "form-action 'self' github.com gist.github.com objects-origin.githubusercontent.com",
    "frame-ancestors 'none'",
    'frame-src viewscreen.githubusercontent.com notebooks.githubusercontent.com',
    "img-src 'self' data: blob: github.githubassets.com media.githubusercontent.com camo.githubusercontent.com identicons.github.com avatars.githubusercontent.com private-avatars.githubusercontent.com github-cloud.s3.amazonaws.com objects.githubusercontent.com user-images.githubusercontent.com/ private-user-images.githubusercontent.com *.githubusercontent.com",
    "manifest-src 'self'",
    'media-src github.com user-images.githubusercontent.com/ secured-user-images.githubusercontent.com/ private-user-images.githubusercontent.com gist.github.com',
    'script-src github.githubassets.com',
    "style-src 'unsafe-inline' github.githubassets.com",
    'upgrade-insecure-requests',
    'worker-src github.com/assets-cdn/worker/ github.com/assets/ gist.github.com/assets-cdn/worker/',
  ].join('; '),
  gitlab: [
    "base-uri 'self'",
    "connect-src 'self' https://gitlab.com wss://gitlab.com https://sentry.gitlab.net https://snowplow.trx.gitlab.net",
    "default-src 'self'",
    "font-src 'self'",
    "form-action 'self' https: http:",
    "frame-ancestors 'self'",
    "img-src 'self' data: blob: http: https:",
    "manifest-src 'self'",
    "media-src 'self' data: blob: http: https:",
    "object-src 'none'",
    "script-src 'strict-dynamic' 'self' 'unsafe-inline' 'unsafe-eval' https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/ 'nonce-c3RhbmRpbi10ZXN0'",
    "style-src 'self' 'unsafe-inline'",
    "worker-src 'self' https://gitlab.com/assets/ blob: data:",
  ].join('; '),
  jiraCloud: [
    "default-src 'self'",
    "script-src 'self' 'nonce-c3RhbmRpbi10ZXN0' 'strict-dynamic' https://*.atl-paas.net",
    "style-src 'self' 'unsafe-inline' https://*.atl-paas.net",
    "img-src 'self' data: blob: https:",
    "connect-src 'self' https: wss:",
    "font-src 'self' data: https://*.atl-paas.net",
    "frame-ancestors 'self'",
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; '),
  jiraDataCenter: "frame-ancestors 'self'",
  linear: [
    "default-src 'self'",
    "script-src 'self' https://static.linear.app",
    "style-src 'self' 'unsafe-inline' https://static.linear.app",
    "img-src 'self' data: blob: https:",
    "connect-src 'self' https://*.linear.app wss://*.linear.app",
    "font-src 'self' https://static.linear.app",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; '),
};

/** The CSP a URL's site sends. */
export function cspFor(url) {
  const { host, pathname } = new URL(url);
  if (host === 'github.com' || host === 'github.example.com') return CSP.github;
  if (host.endsWith('atlassian.net')) return CSP.jiraCloud;
  if (host === 'linear.app') return CSP.linear;
  if (pathname.startsWith('/jira')) return CSP.jiraDataCenter;
  return CSP.gitlab;
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * The tracker sites a test serves: registered pages get their HTML and their site's CSP; other
 * documents a 404 (with the CSP); images a 1×1 GIF; scripts registered with `script()` their
 * body; every other subresource an empty answer (saved pages reference stylesheets and bundles
 * we do not have). `respond(url, type)` takes Playwright's resource types ('document',
 * 'image', 'script', 'stylesheet', anything else).
 */
export function trackerSite() {
  const pages = new Map();
  const scripts = new Map();
  return {
    page(url, body, csp = cspFor(url)) {
      pages.set(url.split('#')[0], { body, csp });
    },
    script(url, body) {
      scripts.set(url, body);
    },
    /** → { status, contentType, headers, body } */
    respond(url, type) {
      url = url.split('#')[0];
      if (type === 'document') {
        const page = pages.get(url);
        return {
          status: page ? 200 : 404,
          contentType: 'text/html; charset=utf-8',
          headers: { 'content-security-policy': page?.csp ?? cspFor(url) },
          body: page?.body ?? '<!doctype html><title>Not found</title>',
        };
      }
      if (type === 'image') return { status: 200, contentType: 'image/gif', headers: {}, body: GIF };
      if (type === 'script') return { status: 200, contentType: 'application/javascript', headers: {}, body: scripts.get(url) ?? '' };
      if (type === 'stylesheet') return { status: 200, contentType: 'text/css', headers: {}, body: '' };
      return { status: 204, contentType: undefined, headers: {}, body: '' };
    },
  };
}

export async function ownPage(name) {
  return readFile(path.join(OWN_PAGES, name), 'utf8');
}

/** A saved real page, or null (with a notice) when ../shared/fixtures is not beside the project. */
export async function sharedPage(name) {
  try {
    return await readFile(path.join(SHARED_PAGES, name), 'utf8');
  } catch (err) {
    console.log(`SKIPPED: real saved page ${name} is not available (${err.code}); ../shared/fixtures is absent`);
    return null;
  }
}

/** Self-hosted origins the tests enable through the options page, as a user would. */
export const SELF_HOSTED = [
  ['gitlab', 'https://gitlab.example.org'],
  ['gitlab', 'https://corp.example/gitlab'],
  ['jira', 'https://jira.corp.example/jira'],
];

/**
 * The real saved pages (../shared/fixtures/pages), each at its real URL: the teammates of
 * team-fixture.mjs's roster that get badges there, and whether the item banner shows.
 */
export const REAL_PAGES = [
  ['github/pr-conversation-octolinker-2021-12.html', 'https://github.com/OctoLinker/testrepo/pull/1', ['Stefan Buck'], true],
  ['github/pr-files-octolinker-2021-12.html', 'https://github.com/OctoLinker/testrepo/pull/1/files', ['Stefan Buck'], true],
  ['github/issue-octolinker-2021-12.html', 'https://github.com/OctoLinker/testrepo/issues/2', ['Stefan Buck'], false],
  ['github/pr-conversation-octolinker-2019-10.html', 'https://github.com/OctoLinker/testrepo/pull/1', ['Stefan Buck'], true],
  ['github/pr-files-octolinker-2019-10.html', 'https://github.com/OctoLinker/testrepo/pull/1/files', ['Stefan Buck'], true],
  ['github/issue-octolinker-2019-10.html', 'https://github.com/OctoLinker/testrepo/issues/2', ['Stefan Buck'], false],
  ['github/pr-conversation-sourcegraph-2019-04.html', 'https://github.com/sourcegraph/sourcegraph/pull/3221', ['Beyang Liu', 'Chris Wendt'], true],
  ['github/pr-files-unified-sourcegraph-2019-04.html', 'https://github.com/sourcegraph/sourcegraph/pull/3257/files', ['Beyang Liu'], false],
  ['gitlab/mr-changes-tab-sourcegraph-2019.html', 'https://gitlab.com/sourcegraph/jsonrpc2/merge_requests/1/diffs', ['Felix Becker'], false],
];

/**
 * The project's own fixtures of the current views: each page at its URLs, the teammates with
 * badges, and the banner as [declarer, what it must also name] (null: no banner). The
 * self-hosted ones need SELF_HOSTED enabled first.
 */
export const OWN_FIXTURES = [
  ['github/issue-react-2024.html', ['https://github.com/acme/widgets/issues/42'], ['Ada Lovelace', 'Carol Chen', 'Dave Diaz'], ['Ada Lovelace', 'Waiting for the layout fix to land', 'Carol Chen']],
  ['github/pr-list-react-2024.html', ['https://github.com/acme/widgets/pulls'], ['Ada Lovelace', 'Carol Chen', 'Dave Diaz'], null],
  [
    'jira/cloud-issue-view.html',
    ['https://acme.atlassian.net/browse/KEY-1', 'https://acme.atlassian.net/jira/software/projects/KEY/boards/1?selectedIssue=KEY-1'],
    ['Ana Lima', 'Ben Weiss'],
    ['Ana Lima'],
  ],
  [
    'linear/issue.html',
    ['https://linear.app/acme/issue/ENG-7/fix-the-login-bug', 'https://linear.app/acme/team/ENG/active?peek=ENG-7'],
    ['Alice Martin', 'Chen Wu'],
    ['Alice Martin', 'Chen Wu'],
  ],
  ['gitlab/mr-overview-16.html', ['https://gitlab.example.org/team/sub/app/-/merge_requests/12'], ['Ana Lima', 'Cleo Ray', 'Eve Park'], ['Ana Lima', 'Second review welcome']],
  ['gitlab/mr-list-16.html', ['https://corp.example/gitlab/team/app/-/merge_requests'], ['Ana Lima', 'Cleo Ray'], null],
  ['jira/dc-issue.html', ['https://jira.corp.example/jira/browse/KEY-1'], ['John Doe'], ['John Doe', 'Profiling the query']],
];

/**
 * Each site's own in-app navigations (the URL pushed, the content swapped or kept): a name,
 * the page, and the steps [url, teammates with badges, banner shown].
 */
export const SPA_JOURNEYS = [
  [
    'GitLab (self-hosted): MR overview → Changes tab',
    'gitlab/mr-overview-16.html',
    [
      ['https://gitlab.example.org/team/sub/app/-/merge_requests/12', ['Ana Lima', 'Cleo Ray', 'Eve Park'], true],
      ['https://gitlab.example.org/team/sub/app/-/merge_requests/12/diffs', ['Ana Lima', 'Cleo Ray', 'Eve Park'], true],
    ],
  ],
  [
    'Jira Cloud: board with the issue open → the issue → the board alone',
    'jira/cloud-issue-view.html',
    [
      ['https://acme.atlassian.net/jira/software/projects/KEY/boards/1?selectedIssue=KEY-1', ['Ana Lima', 'Ben Weiss'], true],
      ['https://acme.atlassian.net/browse/KEY-1', ['Ana Lima', 'Ben Weiss'], true],
      ['https://acme.atlassian.net/jira/software/projects/KEY/boards/1', ['Ana Lima', 'Ben Weiss'], false],
    ],
  ],
  [
    'Linear: issue → peeked over the list → the list alone',
    'linear/issue.html',
    [
      ['https://linear.app/acme/issue/ENG-7/fix-the-login-bug', ['Alice Martin', 'Chen Wu'], true],
      ['https://linear.app/acme/team/ENG/active?peek=ENG-7', ['Alice Martin', 'Chen Wu'], true],
      ['https://linear.app/acme/team/ENG/active', ['Alice Martin', 'Chen Wu'], false],
    ],
  ],
];

/** The badge hosts' accessible names, sorted (of a state as the browsers' `inlineState` read it:
 *  `{ hosts: [{ feature, mode, text, labels, tags, anchor: { tag, attrs, text } }] }`). */
export function badgeNames(state) {
  return state.hosts
    .filter((h) => h.feature === 'badges')
    .map((h) => h.labels[0])
    .sort();
}

/** The distinct teammates with badges. */
export const namesWithBadges = (state) => [...new Set(badgeNames(state).map((l) => l.split(':')[0]))].sort();

/** Every badge sits beside (or in) an element that names the teammate its label names, in a
 *  closed shadow root, and never two beside the same element. */
export function assertBadgesBesideTheirPeople(state, people) {
  for (const host of state.hosts.filter((h) => h.feature === 'badges')) {
    const label = host.labels[0] ?? '';
    const who = people.find((p) => label.startsWith(`${p.name}:`));
    assert.ok(who, `badge "${label}" names no teammate`);
    const anchor = `${JSON.stringify(host.anchor?.attrs ?? {})} ${host.anchor?.text ?? ''}`.toLowerCase();
    const names = [who.name, ...Object.values(who.handles)].map((n) => n.toLowerCase());
    assert.ok(
      names.some((n) => anchor.includes(n)),
      `badge "${label}" sits beside ${anchor.slice(0, 200)}, which does not name ${who.name}`,
    );
    assert.equal(host.mode, 'closed');
  }
  const anchors = state.hosts.filter((h) => h.feature === 'badges').map((h) => h.anchor?.nodeId);
  assert.equal(new Set(anchors).size, anchors.length, 'two badges beside one element');
}

/**
 * What a framework does to a decorated page, step by step, and how many badges there are
 * after each (never doubled): a PR page (ada twice: title line and body header, her avatar
 * none; carol; dave twice: event and assignee), then each step's `run(arg)` in the page.
 */
export const RERENDERS = {
  url: 'https://github.com/acme/widgets/pull/7',
  page: () =>
    prPage({ number: 7, title: 'Retry exports', author: 'ada', assignees: ['dave'], timeline: [['carol', 'c'], ['bob', 'c'], ['dave', 'e'], ['erin', 'c']] }),
  badges: 5,
  steps: [
    {
      // The copy carries a shadow-less clone of our host, which the shim removes.
      what: 'each comment replaced by a fresh copy of itself',
      run: () => {
        for (const c of document.querySelectorAll('.react-issue-comment')) c.replaceWith(c.cloneNode(true));
      },
      badges: 5,
    },
    {
      what: 'one of our hosts dropped, its element kept: put back',
      run: () => document.querySelector('standin-inline[data-feature="badges"]').remove(),
      badges: 5,
    },
    {
      what: 'a comment moved elsewhere: its badge follows it',
      run: () => {
        const comment = document.querySelector('[data-wrapper-timeline-id="c0"]');
        comment.parentNode.append(comment);
      },
      badges: 5,
    },
    {
      what: '"load more": ten new comments, five of them by teammates',
      run: (html) => document.querySelector('[data-testid="issue-timeline"]').insertAdjacentHTML('beforeend', html),
      arg: Array.from({ length: 10 }, (_, i) => timelineItem(100 + i, i % 2 ? 'carol' : 'bob', 'c')).join(''),
      badges: 10,
    },
  ],
};

/**
 * The team changing under an open issue page (github/issue-react-2024.html at
 * https://github.com/acme/widgets/issues/42, 3 badges and Ada's banner): Carol goes out of
 * office and Dave leaves (2 badges); the banner, dismissed, stays away on reload until Ada
 * declares anew (`redeclared`).
 */
export const LIVE_CHANGE = {
  url: 'https://github.com/acme/widgets/issues/42',
  item: 'github.com/acme/widgets/issues/42',
  changed: (people) =>
    people
      .filter((p) => p.id !== 'm-dave')
      .map((p) => (p.id === 'm-carol' ? { ...p, declaration: { status: 'ooo', headline: 'Off', back_at: hoursFromNow(30) } } : p)),
  carol: /^Carol Chen: out of office, back/,
  redeclared: (changed) => changed.map((p) => (p.id === 'm-ada' ? { ...p, declaredAt: hoursFromNow(0.01), version: 2 } : p)),
};

/** The activity log after the own fixtures of GitHub, Jira Cloud and Linear were viewed: one
 *  entry per item with its title, no lists. */
export const ACTIVITY = {
  refs: ['github.com/acme/widgets/issues/42', 'acme.atlassian.net/browse/KEY-1', 'linear.app/acme/issue/ENG-7'],
  notAnItem: /\/pulls$/,
  titles: [['github.com/acme/widgets/issues/42', 'Widget crashes on resize']],
  sites: [['acme.atlassian.net/browse/KEY-1', 'jira']],
};

/** Checks the activity log (storage.local "activity") against ACTIVITY. */
export function assertActivity(log) {
  const refs = log.map((e) => e.canonical_ref);
  for (const ref of ACTIVITY.refs) assert.ok(refs.includes(ref), `${ref} not in ${refs}`);
  assert.ok(!refs.some((r) => ACTIVITY.notAnItem.test(r)), 'a list is no item');
  assert.equal(new Set(refs).size, refs.length, 'one entry per item');
  for (const [ref, title] of ACTIVITY.titles) assert.equal(log.find((e) => e.canonical_ref === ref).title, title);
  for (const [ref, site] of ACTIVITY.sites) assert.equal(log.find((e) => e.canonical_ref === ref).site, site);
}
