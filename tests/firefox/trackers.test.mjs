// Tracker pages in headless Firefox ESR, at their real URLs with their sites' CSP headers
// (tracker-proxy.mjs: a local HTTPS proxy with a run-time certificate, the same responses as
// the Chromium routes): badges, cards and the item banner on the project's own fixtures
// (GitHub, Jira Cloud, Linear, and self-hosted GitLab and Jira Data Center enabled in options)
// and on the real saved pages in ../shared/fixtures/pages (skipped with a notice when absent);
// SPA navigation; the activity log; and badges following a teammate's change on the real team
// server, with the token never reaching the tab's content-script world. The
// scenarios and what they expect are tests/e2e/tracker-pages.mjs's, shared with Chromium.
//
//   ./build.sh && node --test tests/firefox/trackers.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { prPage } from '../e2e/generated-pages.mjs';
import { roster, teamCache } from '../e2e/team-fixture.mjs';
import { TeamServer } from '../e2e/team-server.mjs';
import {
  ACTIVITY,
  OWN_FIXTURES,
  REAL_PAGES,
  SELF_HOSTED,
  SPA_JOURNEYS,
  assertActivity,
  assertBadgesBesideTheirPeople,
  ownPage,
  sharedPage,
  trackerSite,
} from '../e2e/tracker-pages.mjs';
import { launchFirefox } from './harness.mjs';
import { banner, execute, inlineState, openCards, waitForNames } from './inline.mjs';
import { startTrackerProxy } from './tracker-proxy.mjs';

const people = roster();
const site = trackerSite();
let proxy;
let ff;

before(async () => {
  proxy = await startTrackerProxy(site);
  // Adding a self-hosted tracker and connecting ask for a host permission; headless Firefox
  // shows no prompt to accept, so optional permissions are granted without one.
  ff = await launchFirefox({
    ...proxy.firefox,
    prefs: { ...proxy.firefox.prefs, 'extensions.webextOptionalPermissionPrompts': false },
  });
  await ff.openReady('options.html');
  // The self-hosted origins, added in options as a user does.
  for (const [kind, base] of SELF_HOSTED) {
    await ff.fill('#tracker_url', base);
    await ff.evaluateInExtension((k) => {
      const select = document.getElementById('tracker_site');
      select.value = k;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    }, kind);
    await ff.click('#tracker-add');
    await ff.poll(async () => /Added/.test((await ff.textContent('#trackers-status')) ?? ''), `${base} to be added`, 15_000);
    await ff.evaluateInExtension(() => (document.getElementById('trackers-status').textContent = ''));
  }
  await ff.evaluateInExtension((cache) => browser.storage.local.set({ team: cache }), teamCache(people));
});

after(async () => {
  await ff?.close();
  await proxy?.close();
});

/** Serves `body` at `url` (when given) and opens it in the tab. */
async function open(url, body) {
  if (body !== undefined) site.page(url, body);
  await ff.open(url);
}

describe('own fixtures of the current views', () => {
  for (const [file, urls, names, expected] of OWN_FIXTURES) {
    test(`${file}: badges for ${names.join(', ')}${expected ? ', and the banner' : ''}`, async () => {
      const html = await ownPage(file);
      for (const url of urls) {
        await open(url, html);
        const state = await waitForNames(ff, names, { withBanner: Boolean(expected) });
        assertBadgesBesideTheirPeople(state, people);
        for (const text of expected ?? []) assert.ok(banner(state).text.includes(text), `the banner lacks "${text}": ${banner(state).text}`);
      }
    });
  }

  test("GitHub's CSP is in force, and the cards are drawn when first focused", async () => {
    await open('https://github.com/acme/widgets/issues/42');
    let state = await waitForNames(ff, ['Ada Lovelace', 'Carol Chen', 'Dave Diaz'], { withBanner: true });
    // The header reached Firefox: an inline script the page adds does not run.
    const ran = await execute(ff, () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.append(s);
      return window.__inlineRan === true;
    });
    assert.equal(ran, false, 'an inline script ran under GitHub CSP');
    const note = people.find((p) => p.id === 'm-ada').declaration.note;
    assert.ok(!state.hosts.some((h) => h.text.includes(note)), 'a card was drawn before it was opened');
    state = await openCards(ff, state);
    const ada = state.hosts.find((h) => h.labels[0]?.startsWith('Ada Lovelace:'));
    assert.ok(ada.text.includes(note), ada.text);
    assert.ok(ada.text.includes('Done for today'), ada.text);
    assert.equal(state.hosts.find((h) => h.labels[0]?.startsWith('Dave'))?.labels[0], 'Dave Diaz: no status declared');
  });

  test('the activity log records the items viewed, with titles, and nothing else', async () => {
    await ff.open('options.html');
    await ff.waitForLoader();
    const log = await ff.poll(async () => {
      const { activity } = await ff.storage('local', ['activity']);
      return activity?.length >= ACTIVITY.refs.length ? activity : null;
    }, 'activity entries');
    assertActivity(log);
  });
});

describe('real saved pages (../shared/fixtures/pages)', () => {
  for (const [file, url, names, withBanner] of REAL_PAGES) {
    test(`${file} at ${url}`, async (t) => {
      const html = await sharedPage(file);
      if (html === null) return t.skip('../shared/fixtures/pages is absent');
      await open(url, html);
      assertBadgesBesideTheirPeople(await waitForNames(ff, names, { withBanner }), people);
    });
  }
});

describe('SPA navigation', () => {
  /** GitHub's router as a page script runs it: the URL pushed (or replaced, then Turbo's
   *  event), the body swapped. */
  const swap = (html, url, how) =>
    execute(
      ff,
      (h, u, w) => {
        if (w === 'replace') history.replaceState({}, '', u);
        else history.pushState({}, '', u);
        const doc = new DOMParser().parseFromString(h, 'text/html');
        document.title = doc.title;
        document.body.replaceWith(doc.body);
        if (w === 'replace') document.dispatchEvent(new Event('turbo:load'));
      },
      html,
      url,
      how,
    );

  test('GitHub: issue → PR list (pushState) → back (popstate) → Turbo visit (replaceState)', async () => {
    const issue = await ownPage('github/issue-react-2024.html');
    const list = await ownPage('github/pr-list-react-2024.html');
    const names = ['Ada Lovelace', 'Carol Chen', 'Dave Diaz'];
    await open('https://github.com/acme/widgets/issues/42', issue);
    await waitForNames(ff, names, { withBanner: true });
    await swap(list, '/acme/widgets/pulls', 'push');
    assertBadgesBesideTheirPeople(await waitForNames(ff, names, { withBanner: false }), people);
    await execute(
      ff,
      (h) => {
        addEventListener(
          'popstate',
          () => {
            const doc = new DOMParser().parseFromString(h, 'text/html');
            document.title = doc.title;
            document.body.replaceWith(doc.body);
          },
          { once: true },
        );
        history.back();
      },
      issue,
    );
    assertBadgesBesideTheirPeople(await waitForNames(ff, names, { withBanner: true }), people);
    await swap(list, '/acme/widgets/pulls?q=is%3Aopen', 'replace');
    assertBadgesBesideTheirPeople(await waitForNames(ff, names, { withBanner: false }), people);
  });

  for (const [name, file, steps] of SPA_JOURNEYS) {
    test(`${name}, then a re-render of the whole body`, async () => {
      const [[first, names, withBanner], ...rest] = steps;
      await open(first, await ownPage(file));
      assertBadgesBesideTheirPeople(await waitForNames(ff, names, { withBanner }), people);
      for (const [url, next, nextBanner] of rest) {
        await execute(ff, (u) => history.pushState({}, '', u), url);
        assertBadgesBesideTheirPeople(await waitForNames(ff, next, { withBanner: nextBanner }), people);
      }
      const before = (await inlineState(ff)).hosts.length;
      await execute(ff, () => document.body.replaceWith(document.body.cloneNode(true)));
      await new Promise((r) => setTimeout(r, 300));
      const state = await inlineState(ff);
      assertBadgesBesideTheirPeople(state, people);
      assert.equal(state.hosts.length, before, 'a re-render changed how many badges the page has');
    });
  }
});

/**
 * Runs in the GitHub tab's content-script world, through scripting.executeScript from the
 * extension page in the current tab: Firefox runs it in the same sandbox as the shim's content
 * script (it sees the shim's run-once mark), with the same APIs a compromised renderer of that
 * tab could use. `watch` starts recording storage.onChanged there; otherwise it resolves to
 * what the world reads: all of storage.local, the changes it saw, and the mark.
 */
function inContentWorld(url, watch) {
  return ff.evaluateInExtension(
    async ([u, w]) => {
      const [tab] = await browser.tabs.query({ url: u });
      const func = w
        ? () => {
            globalThis.__seen = [];
            browser.storage.onChanged.addListener((changes, area) => globalThis.__seen.push(`${area} ${JSON.stringify(changes)}`));
            return { shim: globalThis[Symbol.for('standin.shim')] === true };
          }
        : async () => ({
            shim: globalThis[Symbol.for('standin.shim')] === true,
            all: await browser.storage.local.get(null).then((v) => JSON.stringify(v), (e) => `refused: ${e.message}`),
            changes: globalThis.__seen.join('\n'),
          });
      const [{ result }] = await browser.scripting.executeScript({ target: { tabId: tab.id }, func });
      return result;
    },
    [url, watch],
  );
}

test("badges follow a teammate's change on the real team server (time printed); the token never reaches the tab's content-script world", async () => {
  const server = await TeamServer.start();
  const url = 'https://github.com/acme/widgets/pull/5';
  try {
    await server.cli('team', 'create', 'Core');
    // The GitHub tab is open before this browser connects; the extension's pages in a second tab.
    await open(url, prPage({ number: 5, title: 'Retry exports', author: 'tess', timeline: [['tess', 'c']] }));
    const pageTab = await ff.command('GET', ff.session('/window'));
    const extensionTab = await ff.newTab();
    await ff.open('options.html');
    await ff.waitForLoader();
    assert.deepEqual(await inContentWorld(url, true), { shim: true }, "not the shim's world");
    await ff.evaluateInExtension(() => browser.storage.sync.set({ settings: { display_name: 'Fox', timezone: 'UTC' } }));
    await ff.open('options.html');
    await ff.waitForLoader();
    await ff.fill('#server_url', server.url);
    await ff.fill('#invite', await server.invite('Core'));
    await ff.click('#connect');
    await ff.poll(async () => /Connected to Core as Fox/.test((await ff.textContent('#team-connected')) ?? ''), 'the connection', 20_000);

    const joined = await server.api('POST', '/v1/join', {
      body: { invite: await server.invite('Core'), display_name: 'Tess Tide', handles: { github: 'tess' }, timezone: 'UTC' },
    });
    assert.equal(joined.status, 201);
    await ff.switchTo(pageTab);
    const label = async () => (await inlineState(ff)).hosts.find((h) => h.feature === 'badges')?.labels[0];
    assert.equal(await ff.poll(label, "Tess's badge", 20_000), 'Tess Tide: no status declared');

    const started = Date.now();
    const put = await server.api('PUT', '/v1/me/state', {
      token: joined.body.token,
      headers: { 'if-match': '0' },
      body: { status: 'focus', headline: 'Deep in the export bug', timezone: 'UTC' },
    });
    assert.equal(put.status, 200);
    await ff.poll(async () => /^Tess Tide: focus/.test((await label()) ?? ''), 'the badge to follow her declaration', 10_000);
    const took = Date.now() - started;
    console.log(`# Firefox: a teammate's PUT /v1/me/state → her badge on an open GitHub page redrawn: ${took} ms`);
    assert.ok(took < 5_000, `took ${took} ms`);

    // Firefox opens storage.local to every content script and cannot close it: the token is
    // kept out of it, so neither a read nor a change there carries it.
    await ff.switchTo(extensionTab);
    const seen = await inContentWorld(url, false);
    const token = await ff.token();
    assert.match(token ?? '', /\S{20,}/);
    assert.equal(seen.shim, true);
    assert.match(seen.all, /"connection"/, 'the world reads storage.local');
    assert.match(seen.changes, /^local .*"team"/m, 'the world saw the team change');
    for (const text of [seen.all, seen.changes]) {
      assert.doesNotMatch(text, /"token"/);
      assert.equal(text.includes(token), false, 'the token reached the content-script world');
    }
    assert.equal((await server.api('GET', '/v1/me', { token })).status, 200, 'the background page authenticates with it');
    await ff.command('DELETE', ff.session('/window'));
    await ff.switchTo(pageTab);
  } finally {
    await server.close();
  }
});

test('no request left for a host the proxy does not serve', () => {
  assert.deepEqual(proxy.unexpected, []);
});
