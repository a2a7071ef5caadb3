// Inline context on tracker pages in Chromium (dist/chrome): the content-script shim asks the
// worker for a scan plan and render specs and draws badges and the item banner into closed
// shadow roots. Every page is served at its real URL with its site's real CSP header
// (trackers.mjs), from the project's own fixtures (current GitHub, GitLab 16, Jira Cloud,
// Jira Data Center, Linear) and the real saved pages in ../shared/fixtures/pages (skipped with
// a notice when absent). A team cache is seeded in storage.local as the sync code writes it.
//
//   ./build.sh && node --test tests/e2e/inline.test.mjs
//
// Screenshots badges and the banner on a PR page to tests/out/inline.png, and to docs/inline.png
// (the README's) when that is missing or UPDATE_SCREENSHOTS=1.
import assert from 'node:assert/strict';
import { access, copyFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DIST_CHROME, ROOT, launchExtension, poll, waitForLoader } from './harness.mjs';
import { prPage } from './generated-pages.mjs';
import { roster, teamCache } from './team-fixture.mjs';
import {
  LIVE_CHANGE,
  REAL_PAGES,
  RERENDERS,
  SELF_HOSTED,
  SPA_JOURNEYS,
  assertActivity,
  assertBadgesBesideTheirPeople as badgesBesideTheirPeople,
  namesWithBadges,
} from './tracker-pages.mjs';
import {
  badgeNames,
  computedStyle,
  inlineState,
  openCards,
  ownPage,
  routeTrackers,
  sharedPage,
  waitForBadges,
  watchOwnErrors,
} from './trackers.mjs';

let ext;
let site;
let distDir;
const people = roster();
const member = (name) => people.find((p) => p.name === name);

before(async () => {
  // A private copy of the build, so a concurrent ./build.sh cannot swap files mid-run. Its
  // manifest also lists the self-hosted test hosts under host_permissions: an unpacked
  // extension gets those at install, so the options page's permissions.request resolves
  // granted without the browser's prompt, which no test can click. The rest of the flow (the
  // request in the click's gesture, storage, scripting.registerContentScripts) runs as shipped.
  distDir = await mkdtemp(path.join(os.tmpdir(), 'standin-inline-'));
  await cp(DIST_CHROME, distDir, { recursive: true });
  const manifestPath = path.join(distDir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  manifest.host_permissions = [
    ...(manifest.host_permissions ?? []),
    ...new Set(SELF_HOSTED.map(([, base]) => `${new URL(base).origin}/*`)),
  ];
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  ext = await launchExtension({ dir: distDir });
  site = await routeTrackers(ext.context);
  for (const [url, file] of [
    ['https://github.com/acme/widgets/issues/42', 'github/issue-react-2024.html'],
    ['https://github.com/acme/widgets/pulls', 'github/pr-list-react-2024.html'],
  ]) {
    site.page(url, await ownPage(file));
  }
  assert.equal(await ext.workerReady(), true);
  await seedTeam();
});

after(async () => {
  await ext?.close();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

async function seedTeam(list = people) {
  await ext.setStorage('local', { team: teamCache(list) });
}

/** Opens `url` (registered with `body`) in a new tab; returns { tab, errors } (StandIn's only). */
async function open(url, body) {
  if (body) site.page(url, body);
  const tab = await ext.context.newPage();
  const errors = watchOwnErrors(tab);
  await tab.goto(url);
  return { tab, errors };
}

const assertBadgesBesideTheirPeople = (state) => badgesBesideTheirPeople(state, people);

const banner = (state) => state.hosts.find((h) => h.feature === 'banner');

/** Waits until the distinct teammates with badges are `names` (counts vary on real pages). */
async function waitForNames(tab, names, { withBanner } = {}) {
  let last;
  try {
    return await poll(async () => {
      last = await inlineState(tab);
      const ok =
        JSON.stringify(namesWithBadges(last)) === JSON.stringify([...names].sort()) &&
        (withBanner === undefined || Boolean(banner(last)) === withBanner);
      return ok ? last : null;
    }, `badges for ${names.join(', ')}`);
  } catch (err) {
    throw new Error(`${err.message}; got ${JSON.stringify(last && badgeNames(last))}, banner ${Boolean(last && banner(last))}`);
  }
}

describe('own fixtures of the current views', () => {
  test('GitHub React issue: teammates get badges, strangers none, a banner for the declared issue', async () => {
    const url = 'https://github.com/acme/widgets/issues/42';
    const { tab, errors } = await open(url, await ownPage('github/issue-react-2024.html'));
    // ada (author; her avatars beside the name get no second badge), carol, dave.
    let state = await waitForBadges(tab, 3, { banner: true });
    assert.deepEqual(namesWithBadges(state), ['Ada Lovelace', 'Carol Chen', 'Dave Diaz']);
    assertBadgesBesideTheirPeople(state);
    // Cards are drawn when first opened.
    assert.ok(!state.hosts.some((h) => h.text.includes('declared 3 h ago')));
    state = await openCards(tab, state);
    const ada = state.hosts.find((h) => h.labels[0]?.startsWith('Ada'));
    assert.match(ada.labels[0], /^Ada Lovelace: offline, back \w{3} \d\d:\d\d$/);
    assert.match(ada.text, /offline · back/);
    assert.match(ada.text, /Ping Carol for anything urgent/);
    assert.match(ada.text, /declared 3 h ago/);
    const dave = state.hosts.find((h) => h.labels[0]?.startsWith('Dave'));
    assert.equal(dave.labels[0], 'Dave Diaz: no status declared');
    const b = banner(state);
    assert.match(b.text, /Ada Lovelace/);
    assert.match(b.text, /Blocked/);
    assert.match(b.text, /Waiting for the layout fix to land/);
    assert.match(b.text, /handed to Carol Chen/);
    assert.match(b.text, /offline, back \w{3} \d\d:\d\d \(your time\)/);
    assert.ok(!b.tags.includes('script') && !b.tags.includes('img'));
    assert.deepEqual(errors, []);
    await tab.close();
  });

  test('the badge is a named, focusable control whose card opens on focus; layout does not move', async () => {
    const url = 'https://github.com/acme/widgets/issues/42';
    const { tab } = await open(url);
    const state = await waitForBadges(tab, 3, { banner: true });
    const cdp = await tab.context().newCDPSession(tab);
    try {
      const ada = state.hosts.find((h) => h.labels[0]?.startsWith('Ada'));
      const badge = ada.inside.find((e) => e.attributes?.includes('aria-label'));
      const card = ada.inside.find((e) => e.attributes?.[e.attributes.indexOf('class') + 1] === 'card');
      // The accessible name as the browser computes it for assistive technology.
      const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { backendNodeId: badge.backendNodeId, fetchRelatives: false });
      assert.equal(nodes[0].name.value, ada.labels[0]);
      assert.equal(nodes[0].role.value, 'button');
      // Hidden until focused (display: none has no box), shown when focused.
      await assert.rejects(cdp.send('DOM.getBoxModel', { backendNodeId: card.backendNodeId }));
      await cdp.send('DOM.focus', { backendNodeId: badge.backendNodeId });
      const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: card.backendNodeId });
      assert.ok(model.width >= 200 && model.height > 40, `card ${model.width}×${model.height}`);
      // Keyboard: Tab reaches the badges (the host takes focus from the page's view).
      await tab.evaluate(() => document.activeElement?.blur());
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await tab.keyboard.press('Tab');
        reached = await tab.evaluate(() => document.activeElement?.localName === 'standin-inline');
      }
      assert.ok(reached, 'Tab never reached a badge');
    } finally {
      await cdp.detach();
    }
    // Badges are inline boxes of a fixed height; hiding them moves nothing but what follows
    // them on their own line.
    const layout = await tab.evaluate(() => {
      const hosts = [...document.querySelectorAll('standin-inline[data-feature="badges"]')];
      const boxes = hosts.map((h) => h.getBoundingClientRect());
      const tops = () => [...document.querySelectorAll('body *:not(standin-inline)')].map((e) => Math.round(e.getBoundingClientRect().top));
      const before = tops();
      hosts.forEach((h) => (h.style.display = 'none'));
      const without = tops();
      hosts.forEach((h) => (h.style.display = ''));
      return { boxes: boxes.map((b) => ({ w: b.width, h: b.height })), moved: before.filter((t, i) => Math.abs(t - without[i]) > 1).length };
    });
    for (const box of layout.boxes) {
      assert.ok(box.h === 0 && box.w > 20 && box.w <= 220, `badge box ${box.w}×${box.h}`);
    }
    assert.equal(layout.moved, 0, 'badges moved other elements vertically');
    await tab.close();
  });

  test('GitHub React PR list: list authors and assignees, no banner', async () => {
    const { tab, errors } = await open('https://github.com/acme/widgets/pulls', await ownPage('github/pr-list-react-2024.html'));
    // ada (author), carol (assignee avatar), dave (assignee avatar); bob and renovate[bot] are not teammates.
    const state = await waitForBadges(tab, 3, { banner: false });
    assert.deepEqual(namesWithBadges(state), ['Ada Lovelace', 'Carol Chen', 'Dave Diaz']);
    assertBadgesBesideTheirPeople(state);
    assert.deepEqual(errors, []);
    await tab.close();
  });

  test('Jira Cloud: people by account id and by display name; the banner on the issue and on a board with it open', async () => {
    const html = await ownPage('jira/cloud-issue-view.html');
    const { tab, errors } = await open('https://acme.atlassian.net/browse/KEY-1', html);
    const state = await waitForNames(tab, ['Ana Lima', 'Ben Weiss'], { withBanner: true });
    assertBadgesBesideTheirPeople(state);
    assert.match(banner(state).text, /Ana Lima.*In progress/);
    const board = 'https://acme.atlassian.net/jira/software/projects/KEY/boards/1?selectedIssue=KEY-1';
    const other = await open(board, html);
    await waitForNames(other.tab, ['Ana Lima', 'Ben Weiss'], { withBanner: true });
    assert.deepEqual([...errors, ...other.errors], []);
    await tab.close();
    await other.tab.close();
  });

  test('Linear: the issue page and the same issue peeked over a list', async () => {
    const html = await ownPage('linear/issue.html');
    for (const url of ['https://linear.app/acme/issue/ENG-7/fix-the-login-bug', 'https://linear.app/acme/team/ENG/active?peek=ENG-7']) {
      const { tab, errors } = await open(url, html);
      const state = await waitForNames(tab, ['Alice Martin', 'Chen Wu'], { withBanner: true });
      assertBadgesBesideTheirPeople(state);
      assert.match(banner(state).text, /Alice Martin.*Blocked.*handed to Chen Wu.*out of office/);
      assert.deepEqual(errors, []);
      await tab.close();
    }
  });

  test('self-hosted GitLab and Jira Data Center, enabled in options: the content script is registered there', async () => {
    const options = await ext.openPage('options.html');
    for (const [kind, base] of SELF_HOSTED) {
      await options.fill('#tracker_url', base);
      await options.selectOption('#tracker_site', kind);
      await options.click('#tracker-add');
      await options.waitForFunction(() => /Added/.test(document.querySelector('#trackers-status')?.textContent ?? ''));
    }
    assert.equal(await options.locator('#trackers-list li').count(), SELF_HOSTED.length);
    const stored = await ext.storage('local', 'origins');
    assert.deepEqual(stored.origins.map((o) => o.base), SELF_HOSTED.map(([, b]) => b));
    const registered = await poll(async () => {
      const scripts = await ext.evaluateInWorker(() => chrome.scripting.getRegisteredContentScripts());
      const matches = scripts.find((s) => s.id === 'standin-self-hosted')?.matches ?? [];
      return matches.length === 3 ? matches.sort() : null;
    }, 'the self-hosted content script registration');
    assert.deepEqual(registered, ['https://corp.example/*', 'https://gitlab.example.org/*', 'https://jira.corp.example/*']);
    await options.close();

    const mr = await open('https://gitlab.example.org/team/sub/app/-/merge_requests/12', await ownPage('gitlab/mr-overview-16.html'));
    let state = await waitForNames(mr.tab, ['Ana Lima', 'Cleo Ray', 'Eve Park'], { withBanner: true });
    assertBadgesBesideTheirPeople(state);
    assert.match(banner(state).text, /Ana Lima.*Needs review.*Second review welcome/);
    const list = await open('https://corp.example/gitlab/team/app/-/merge_requests', await ownPage('gitlab/mr-list-16.html'));
    state = await waitForNames(list.tab, ['Ana Lima', 'Cleo Ray'], { withBanner: false });
    assertBadgesBesideTheirPeople(state);
    const dc = await open('https://jira.corp.example/jira/browse/KEY-1', await ownPage('jira/dc-issue.html'));
    state = await waitForNames(dc.tab, ['John Doe'], { withBanner: true });
    assertBadgesBesideTheirPeople(state);
    assert.match(banner(state).text, /John Doe.*In progress.*Profiling the query/);
    assert.deepEqual([...mr.errors, ...list.errors, ...dc.errors], []);
    for (const t of [mr.tab, list.tab, dc.tab]) await t.close();
  });

  test('the activity log records the items viewed, with titles, and nothing else', async () => {
    const log = await poll(async () => {
      const { activity } = await ext.storage('local', 'activity');
      return activity?.length >= 4 ? activity : null;
    }, 'activity entries');
    assertActivity(log);
  });
});

describe('real saved pages (../shared/fixtures/pages)', () => {
  for (const [file, url, names, withBanner] of REAL_PAGES) {
    test(`${file} at ${url}`, async (t) => {
      const html = await sharedPage(file);
      if (html === null) return t.skip('../shared/fixtures/pages is absent');
      const { tab, errors } = await open(url, html);
      const state = await waitForNames(tab, names, { withBanner });
      assertBadgesBesideTheirPeople(state);
      assert.deepEqual(errors, [], 'errors from StandIn');
      await tab.close();
    });
  }
});

describe('lifecycle', () => {
  // Tests here change the team cache and dismiss banners; each starts from the full roster.
  beforeEach(async () => {
    await seedTeam();
    await ext.evaluateInWorker(() => chrome.storage.local.remove('dismissed_banners'));
  });

  test('SPA navigation re-decorates: issue → PR list (pushState + DOM swap) → back (popstate)', async () => {
    const issue = await ownPage('github/issue-react-2024.html');
    const list = await ownPage('github/pr-list-react-2024.html');
    const { tab, errors } = await open('https://github.com/acme/widgets/issues/42', issue);
    await waitForBadges(tab, 3, { banner: true });
    // What GitHub's router does: push the URL, then swap the content in (the isolated world
    // sees neither the page's pushState call nor a load). The page's CSP forbids eval, so each
    // step carries its own copy of the swap.
    await tab.evaluate((html) => {
      history.pushState({}, '', '/acme/widgets/pulls');
      const doc = new DOMParser().parseFromString(html, 'text/html');
      document.title = doc.title;
      document.body.replaceWith(doc.body);
    }, list);
    let state = await waitForBadges(tab, 3, { banner: false });
    assert.deepEqual(namesWithBadges(state), ['Ada Lovelace', 'Carol Chen', 'Dave Diaz']);
    assert.ok(state.hosts.every((h) => h.anchor?.attrs['data-hovercard-url'] || h.anchor?.attrs.href?.includes('pulls')));
    // Back: the router restores the issue on popstate.
    await tab.evaluate((html) => {
      addEventListener(
        'popstate',
        () => {
          const doc = new DOMParser().parseFromString(html, 'text/html');
          document.title = doc.title;
          document.body.replaceWith(doc.body);
        },
        { once: true },
      );
      history.back();
    }, issue);
    state = await waitForBadges(tab, 3, { banner: true });
    assertBadgesBesideTheirPeople(state);
    // A Turbo-style visit: the URL changes with replaceState, the content is swapped, then
    // turbo:load.
    await tab.evaluate((html) => {
      history.replaceState({}, '', '/acme/widgets/pulls?q=is%3Aopen');
      const doc = new DOMParser().parseFromString(html, 'text/html');
      document.title = doc.title;
      document.body.replaceWith(doc.body);
      document.dispatchEvent(new Event('turbo:load'));
    }, list);
    state = await waitForBadges(tab, 3, { banner: false });
    assertBadgesBesideTheirPeople(state);
    assert.deepEqual(errors, []);
    await tab.close();
  });

  // Each site's own in-app navigations, then a framework re-render of the whole body: badges
  // and the banner follow, never doubled.
  for (const [name, file, steps] of SPA_JOURNEYS) {
    test(`SPA navigation and re-render on ${name}`, async () => {
      const html = await ownPage(file);
      const [[first, names, withBanner], ...rest] = steps;
      const { tab, errors } = await open(first, html);
      assertBadgesBesideTheirPeople(await waitForNames(tab, names, { withBanner }));
      for (const [url, next, nextBanner] of rest) {
        await tab.evaluate((u) => history.pushState({}, '', u), url);
        assertBadgesBesideTheirPeople(await waitForNames(tab, next, { withBanner: nextBanner }));
      }
      const before = (await inlineState(tab)).hosts.length;
      await tab.evaluate(() => document.body.replaceWith(document.body.cloneNode(true)));
      await new Promise((r) => setTimeout(r, 300));
      const after = await inlineState(tab);
      assertBadgesBesideTheirPeople(after);
      assert.equal(after.hosts.length, before, 'a re-render changed how many badges the page has');
      assert.ok(after.hosts.every((h) => h.mode === 'closed'), 'a shadow-less copy of a host was left');
      assert.deepEqual(errors, []);
      await tab.close();
    });
  }

  test('re-renders never duplicate badges; "load more" decorates the new nodes only', async () => {
    const { tab, errors } = await open(RERENDERS.url, RERENDERS.page());
    assertBadgesBesideTheirPeople(await waitForBadges(tab, RERENDERS.badges));
    for (const step of RERENDERS.steps) {
      await tab.evaluate(step.run, step.arg);
      await new Promise((r) => setTimeout(r, 300));
      assertBadgesBesideTheirPeople(await waitForBadges(tab, step.badges));
    }
    assert.deepEqual(errors, []);
    await tab.close();
  });

  test('badges follow the team cache live; the banner is dismissed per item until declared anew', async () => {
    const { tab, errors } = await open(LIVE_CHANGE.url);
    await waitForBadges(tab, 3, { banner: true });
    // Carol goes out of office; Dave leaves the team.
    const changed = LIVE_CHANGE.changed(people);
    await seedTeam(changed);
    let state = await waitForBadges(tab, 2, { banner: true });
    assert.match(badgeNames(state).find((n) => n.startsWith('Carol')), LIVE_CHANGE.carol);

    // Dismiss: a real click on the banner's button.
    const b = banner(state);
    const button = b.inside.find((e) => e.localName === 'button');
    const cdp = await tab.context().newCDPSession(tab);
    const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: button.backendNodeId });
    await cdp.detach();
    const [x1, y1, , , x3, y3] = model.content;
    await tab.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
    state = await waitForBadges(tab, 2, { banner: false });
    const { dismissed_banners: dismissed } = await ext.storage('local', 'dismissed_banners');
    assert.equal(dismissed[0].item, LIVE_CHANGE.item);
    await tab.reload();
    await waitForBadges(tab, 2, { banner: false });
    // Ada declares the issue again (a newer declaration): the banner is back.
    await seedTeam(LIVE_CHANGE.redeclared(changed));
    await waitForBadges(tab, 2, { banner: true });
    await seedTeam();
    assert.deepEqual(errors, []);
    await tab.close();
  });

  test('badges follow a dark page and the dark colour scheme', async () => {
    const url = 'https://github.com/acme/widgets/pull/8';
    const dark = '<style>body{background:#0d1117;color:#f0f6fc}</style>';
    const { tab } = await open(url, prPage({ number: 8, title: 'Dark', author: 'ada', timeline: [['carol', 'c']], extraHead: dark }));
    let state = await waitForBadges(tab, 3);
    assert.deepEqual(state.hosts.map((h) => h.theme), ['dark', 'dark', 'dark']);
    const badgeOf = (s) => s.hosts.find((h) => h.feature === 'badges').inside.find((e) => e.attributes?.includes('aria-label'));
    assert.equal(await computedStyle(tab, badgeOf(state).backendNodeId, 'background-color'), 'rgb(21, 27, 35)');
    await tab.close();
    // A page without a background of its own follows the OS scheme.
    const plain = await ext.context.newPage();
    await plain.emulateMedia({ colorScheme: 'dark' });
    await plain.goto('https://github.com/acme/widgets/issues/42');
    state = await waitForBadges(plain, 3, { banner: true });
    assert.ok(state.hosts.every((h) => h.theme === null));
    assert.equal(await computedStyle(plain, badgeOf(state).backendNodeId, 'background-color'), 'rgb(21, 27, 35)');
    await plain.emulateMedia({ colorScheme: 'light' });
    assert.equal(await computedStyle(plain, badgeOf(state).backendNodeId, 'background-color'), 'rgb(255, 255, 255)');
    await plain.close();
  });

  test('README screenshot: badges and the banner on a PR page', async () => {
    const url = 'https://github.com/acme/widgets/pull/12';
    const declared = people.map((p) =>
      p.id === 'm-ada'
        ? {
            ...p,
            declaration: {
              ...p.declaration,
              items: [
                {
                  url: 'https://github.com/acme/widgets/pull/12',
                  canonical_ref: '',
                  title: 'Retry exports on upstream timeouts',
                  note: 'Only the retry test is left; Carol knows the flaky part',
                  state: 'needs_review',
                  handoff_to: 'carol',
                },
              ],
            },
          }
        : p,
    );
    await seedTeam(declared);
    const timeline = [['carol', 'c', 'ada'], ['bob', 'c'], ['dave', 'e'], ['erin', 'c']];
    const { tab } = await open(url, prPage({ number: 12, title: 'Retry exports on upstream timeouts', author: 'ada', assignees: ['dave', 'bob'], timeline }));
    await tab.setViewportSize({ width: 1100, height: 640 });
    // ada three times (title line, body header, Carol's mention), carol, dave twice.
    const state = await waitForBadges(tab, 6, { banner: true });
    // Open Ada's card as keyboard focus would.
    const cdp = await tab.context().newCDPSession(tab);
    const ada = state.hosts.find((h) => h.labels[0]?.startsWith('Ada') && h.anchor?.attrs['data-testid'] === 'issue-body-header-author');
    const badge = ada.inside.find((e) => e.attributes?.includes('aria-label'));
    await cdp.send('DOM.focus', { backendNodeId: badge.backendNodeId });
    await cdp.detach();
    const shot = path.join(ROOT, 'tests', 'out', 'inline.png');
    await tab.screenshot({ path: shot });
    const readme = path.join(ROOT, 'docs', 'inline.png');
    const missing = await access(readme).then(() => false, () => true);
    if (missing || process.env.UPDATE_SCREENSHOTS === '1') await copyFile(shot, readme);
    await seedTeam();
    await tab.close();
  });
});
