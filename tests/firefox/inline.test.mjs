// The inline context in headless Firefox ESR, on a GitHub Enterprise host the user added in
// options (a local server on 127.0.0.1 serving the project's saved GitHub issue page, since
// WebDriver cannot route github.com): teammates get badges, the page's own scripts cannot find
// StandIn's text with window.find or a selection, and elements named after the shim's globals
// do not switch it off.
//
//   ./build.sh && node --test tests/firefox/inline.test.mjs
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { roster, teamCache } from '../e2e/team-fixture.mjs';
import { launchFirefox, ROOT } from './harness.mjs';

const ISSUE = '/acme/widgets/issues/42';
// Named like the shim's run-once mark and the extension namespaces: DOM clobbering.
const CLOBBERS = '<div id="__standinShim"></div><img name="__standinShim"><form name="__standinShim"></form><a id="browser"></a><div id="chrome"></div>';

let ff;
let site;
let base;

before(async () => {
  const html = await readFile(path.join(ROOT, 'tests/fixtures/pages/github/issue-react-2024.html'), 'utf8');
  const page = html.replace(/<body([^>]*)>/, `<body$1>${CLOBBERS}`);
  site = http.createServer((req, res) => {
    res.writeHead(req.url === ISSUE ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === ISSUE ? page : 'not found');
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${site.address().port}`;
  // Adding a tracker asks for its host permission; headless Firefox shows no prompt to accept.
  ff = await launchFirefox({ prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  await ff.openReady('options.html');
  await ff.evaluateInExtension((cache) => browser.storage.local.set({ team: cache }), teamCache(roster()));
});

after(async () => {
  await ff?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
});

test('badges on a self-hosted GitHub page; its scripts find none of their text; clobbering changes nothing', async () => {
  await ff.fill('#tracker_url', base);
  await ff.evaluateInExtension(() => {
    const kind = document.getElementById('tracker_site');
    kind.value = 'github';
    kind.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await ff.click('#tracker-add');
  await ff.poll(async () => /Added/.test((await ff.textContent('#trackers-status')) ?? ''), 'the tracker to be added', 15_000);

  await ff.open(`${base}${ISSUE}`);
  // Ada (author), Carol (commenter) and Dave (assignee) are teammates on this page.
  const hosts = await ff.poll(async () => {
    const n = await ff.evaluateInExtension(() => document.querySelectorAll('standin-inline').length);
    return n >= 3 ? n : null;
  }, 'the badges on the page (despite the clobbering elements)', 20_000);
  assert.ok(hosts >= 3);

  // As a page script: Ada's badge says "offline · back …", Carol's "focus".
  const found = await ff.evaluateInExtension(() => {
    const probe = (text) => {
      getSelection().removeAllRanges();
      return window.find(text, false, false, true);
    };
    getSelection().selectAllChildren(document.body);
    const selected = getSelection().toString();
    return { offline: probe('offline'), back: probe('· back'), focus: probe('focus'), selected };
  });
  assert.deepEqual(
    { offline: found.offline, back: found.back, focus: found.focus },
    { offline: false, back: false, focus: false },
    'window.find reached StandIn text',
  );
  assert.doesNotMatch(found.selected, /offline|· back/i, 'a selection of the page carried StandIn text');
});

test('scrolled past 100 px, the item banner is one line of at most 32 px', async () => {
  // Still on the issue from the test above. Ada declares it at this host (the roster's copy
  // names github.com), so its banner is drawn. The page gets tall enough to scroll (a page
  // script's spacer); the banner's host box is in the page's DOM, so its size is measured from
  // there (its content stays closed).
  const here = roster().map((p) =>
    p.id === 'm-ada' ? { ...p, declaration: { ...p.declaration, items: p.declaration.items.map((i) => ({ ...i, url: `${base}${ISSUE}` })) } } : p,
  );
  const issue = await ff.evaluateInExtension(() => location.href);
  // Loaded before it is left: a page left while its first storage reads are out logs Firefox's
  // "Promise resolved after context unloaded", as any extension page closed that early would.
  await ff.open('options.html');
  await ff.waitForLoader();
  await ff.evaluateInExtension((cache) => browser.storage.local.set({ team: cache }), teamCache(here));
  await ff.open(issue);
  const box = () =>
    ff.evaluateInExtension(() => {
      const host = document.querySelector('standin-inline[data-feature="banner"]');
      return host ? host.getBoundingClientRect().height : null;
    });
  const top = await ff.poll(async () => ((await box()) > 0 ? box() : null), 'the item banner', 20_000);
  assert.ok(top > 32, `unscrolled, the banner shows everything (${top} px)`);
  await ff.evaluateInExtension(() => {
    const spacer = document.createElement('div');
    spacer.style.height = '4000px';
    document.body.append(spacer);
    window.scrollTo(0, 400);
  });
  const collapsed = await ff.poll(async () => {
    const h = await box();
    return h !== null && h <= 32 ? h : null;
  }, 'the banner collapsed to one line');
  assert.ok(collapsed > 16, `${collapsed} px`);
  await ff.evaluateInExtension(() => window.scrollTo(0, 0));
  await ff.poll(async () => ((await box()) === top ? true : null), 'the banner whole again at the top');
});
