// The XSS corpus both browsers' end-to-end suites render (tests/e2e/xss.test.mjs,
// tests/firefox/xss.test.mjs): hostile strings for every text field of a declaration and for
// members' names and zones, as a compromised or buggy server could deliver them, and what
// StandIn's shadow roots may contain.
import assert from 'node:assert/strict';
import { prPage } from './generated-pages.mjs';
import { hoursFromNow, teamCache } from './team-fixture.mjs';

/** At least 50 payloads: markup, event handlers, script URLs, CSS, bidi, size, invisible text. */
export const PAYLOADS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=1">',
  '<svg onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '"><script>window.__xss=1</script>',
  "'><img src=x onerror=window.__xss=1>",
  '<body onload=alert(1)>',
  '<a href="javascript:alert(1)">click me</a>',
  'javascript:alert(1)',
  'JaVaScRiPt:window.__xss=1',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<style>*{display:none!important}</style>',
  '<style>body{background:url("javascript:alert(1)")}</style>',
  '</style><script>alert(1)</script>',
  '" style="position:fixed;inset:0;z-index:2147483647;background:red',
  "' onmouseover='window.__xss=1",
  '" onfocus="window.__xss=1" autofocus="',
  'expression(alert(1))',
  'url(javascript:alert(1))',
  '@import "https://evil.example/x.css";',
  '}</style><script>alert(1)</script>',
  '<div style="width:100000px;height:100000px">big</div>',
  '\u202Egnp.exe', // RTL override
  '\u202Bright-to-left embedding \u202C then more',
  '\u2066isolate\u2069 \u200Fmark \u061C arabic mark',
  '\u200B\u200C\u200D\uFEFF zero width \u2060 joiner',
  '\u0000null\u0007bell\u001b[31mansi\u009b',
  'A'.repeat(10_000),
  'W'.repeat(400),
  '🙂'.repeat(500),
  '👨‍👩‍👧‍👦'.repeat(200),
  'e\u0301'.repeat(3000),
  'Z\u0334\u0321\u0322\u031b\u0317\u0318\u0319\u031c\u031d\u031e\u031f\u0320\u0323\u0324\u0325\u0326\u0329\u032a\u032b\u032c'.repeat(50),
  '{{constructor.constructor("window.__xss=1")()}}',
  '${window.__xss=1}',
  '<template><script>alert(1)</script></template>',
  '<!--<script>alert(1)//-->',
  '<![CDATA[<script>alert(1)</script>]]>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '%3Cscript%3Ealert(1)%3C/script%3E',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<input autofocus onfocus=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror="alert(1)"></video>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<link rel=stylesheet href="https://evil.example/x.css">',
  '<standin-inline data-feature="badges">fake badge</standin-inline>',
  '\n\n\n\n\nnew\r\nlines\n\n\n',
  'https://evil.example/"><script>alert(1)</script>',
  'https://github.com/acme/widgets/pull/99?"><img src=x onerror=alert(1)>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
  '<a href="https://evil.example" target="_top">phish</a>',
];

export const PR = 'https://github.com/acme/widgets/pull/99';
const TAGS = new Set(['a', 'bdi', 'button', 'div', 'em', 'li', 'p', 'small', 'span', 'strong', 'time', 'ul']);
// The render whitelist, and the shim's own data-text (the text its stylesheet draws).
const ATTRS = new Set(['class', 'role', 'tabindex', 'aria-label', 'aria-hidden', 'title', 'datetime', 'dir', 'href', 'target', 'rel', 'data-action', 'data-text']);

/** One teammate per payload (login u<n>), the payload in every text field they have. */
export function hostileTeam() {
  return teamCache(
    PAYLOADS.map((p, n) => ({
      id: `x${n}`,
      name: p,
      handles: { github: `u${n}` },
      timezone: n % 2 ? p : 'Europe/Berlin',
      declaration: {
        status: ['online', 'focus', 'away', 'offline', 'ooo'][n % 5],
        headline: p,
        emoji: p,
        note: p,
        blockers: p,
        cover: p,
        back_at: hoursFromNow(1 + (n % 30)),
        expires_at: n % 7 === 0 ? hoursFromNow(-1) : undefined,
        timezone: p,
        items: [
          { url: PR, canonical_ref: p, title: p, note: p, state: 'blocked', handoff_to: p },
          { url: p, canonical_ref: p, title: p, note: p, state: 'waiting', handoff_to: `u${(n + 1) % PAYLOADS.length}` },
        ],
      },
    })),
  );
}

/** The PR page at `PR`: one comment by each hostile teammate (login u<n>). */
export function hostilePage() {
  const timeline = PAYLOADS.map((_, n) => [`u${n}`, 'c']);
  return prPage({ number: 99, title: 'Hostile declarations', author: 'zoe', timeline });
}

/** The user's own state with the payloads in its fields (the popup shows it in its form). */
export function hostileOwnState() {
  const p = PAYLOADS;
  return {
    declaration: {
      status: 'away',
      headline: p[0],
      emoji: p[1],
      note: p.slice(0, 30).join('\n'),
      items: [{ url: 'javascript:alert(1)', canonical_ref: p[2], title: p[3], note: p[4], state: 'blocked', handoff_to: p[5] }],
      blockers: p[6],
      cover: p[7],
      timezone: p[8],
    },
    declared_at: new Date().toISOString(),
    version: 0,
  };
}

/** Runs in the popup: what of the payloads ran or became elements there. */
export function probePopup() {
  return {
    xss: String(window.__xss),
    scripts: document.querySelectorAll('script:not([src])').length,
    injected: document.querySelectorAll('img[onerror], iframe, object, embed, svg[onload], standin-inline').length,
    headline: document.querySelector('#headline')?.value,
    text: document.body.textContent,
  };
}

/** Nothing ran or was injected, and the payloads did reach the popup, as text. */
export function assertPopupSafe(probe) {
  assert.deepEqual(
    { xss: probe.xss, scripts: probe.scripts, injected: probe.injected },
    { xss: 'undefined', scripts: 0, injected: 0 },
  );
  assert.ok(probe.headline === PAYLOADS[0] || probe.text.includes(PAYLOADS[0]), 'the popup did not show the payload');
}

/** StandIn's shadow trees (a browser's `inlineState`) hold closed roots of whitelisted tags and
 *  attributes, http(s) links only (the declared PR's among them), and the banner shows markup
 *  payloads as text. */
export function assertShadowTreesSafe(state) {
  let links = 0;
  for (const host of state.hosts) {
    assert.equal(host.mode, 'closed');
    for (const el of host.inside) {
      assert.ok(TAGS.has(el.localName), `<${el.localName}> in a shadow root`);
      const a = el.attributes ?? [];
      for (let i = 0; i < a.length; i += 2) {
        assert.ok(ATTRS.has(a[i]), `attribute ${a[i]} on <${el.localName}>`);
        if (a[i] === 'href') {
          assert.match(a[i + 1], /^https?:\/\//i);
          links++;
        }
      }
    }
  }
  assert.ok(links > 0, 'the declared PR links are links');
  const banner = state.hosts.find((h) => h.feature === 'banner');
  for (const p of ['<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=1">', 'javascript:alert(1)']) {
    assert.ok(banner.text.includes(p), `banner lacks ${p} as text`);
  }
}

const SECRET = 'TOPSECRET-7f3a';
const NOTE = 'NOTESECRET-91c2';
const PROBE_SCRIPT = 'https://github.githubassets.com/assets/probe.js';

/**
 * A hostile page script (served from a host GitHub's CSP allows, as a compromised bundle would
 * be) tries to read the team cache and StandIn's shadow roots: it forces shadow roots open,
 * watches for hosts, listens for messages and asks the extension directly. Then the page's own
 * reach (text search, selection, copy, hit testing, as `reach` in the page) must find nothing
 * of StandIn's while the user's cards show the secrets.
 */
export const PROBE = {
  secrets: [SECRET, NOTE],
  url: 'https://github.com/acme/widgets/pull/100',
  scriptUrl: PROBE_SCRIPT,
  team: () =>
    teamCache([
      { id: 's', name: 'Sam Secret', handles: { github: 'u0' }, declaration: { status: 'away', headline: SECRET, note: NOTE, back_at: hoursFromNow(2) } },
    ]),
  /** u0: title line, body header, comment: 3 badges. */
  page: () => prPage({ number: 100, title: 'Probe', author: 'u0', timeline: [['u0', 'c']], extraHead: `<script src="${PROBE_SCRIPT}"></script>` }),
  badges: 3,
  /** The probe script; `extensionId` is whom it asks (Chromium's runtime.sendMessage form). */
  script: (extensionId) => `(() => {
      const found = [];
      const probe = (window.__probe = { found, roots: [], messages: [] });
      probe.chrome = typeof chrome === 'undefined' ? 'undefined' : Object.keys(chrome).join(',');
      probe.storage = [globalThis.chrome, globalThis.browser].some((ns) => ns && ns.storage) ? 'present' : 'absent';
      // Force shadow roots open and keep them: the page's prototypes are not the shim's.
      const attach = Element.prototype.attachShadow;
      Element.prototype.attachShadow = function (init) {
        const root = attach.call(this, { ...init, mode: 'open' });
        probe.roots.push(root);
        return root;
      };
      addEventListener('message', (e) => probe.messages.push(String(JSON.stringify(e.data))));
      new MutationObserver(() => {
        for (const host of document.querySelectorAll('standin-inline')) {
          found.push(host.shadowRoot === null ? 'closed' : host.shadowRoot.textContent);
        }
      }).observe(document.documentElement, { childList: true, subtree: true });
      try {
        chrome.runtime.sendMessage('${extensionId}', { plan: { url: location.href } }, (r) => (probe.reply = r));
      } catch (e) {
        probe.sendError = String(e && e.message);
      }
    })();`,
  /** In the page: text search (window.find reaches into closed shadow trees, so it could
   *  spell a badge out letter by letter), selection, copy and hit testing from `box` on. */
  reach: ([secrets, box]) => {
    const found = (text) => {
      getSelection().removeAllRanges();
      return window.find(text, true, false, true);
    };
    const selected = [];
    getSelection().selectAllChildren(document.body);
    selected.push(getSelection().toString());
    document.execCommand('selectAll');
    selected.push(getSelection().toString());
    const range = document.createRange();
    range.selectNodeContents(document.documentElement);
    selected.push(range.toString());
    document.addEventListener('copy', (e) => selected.push(getSelection().toString(), e.clipboardData?.getData('text/plain') ?? ''));
    document.execCommand('copy');
    const hits = [];
    for (let dx = 0; dx < 300; dx += 10) {
      for (let dy = -8; dy < 200; dy += 10) {
        // Chromium's caretRangeFromPoint; Firefox has only the standard caretPositionFromPoint.
        const node = document.caretRangeFromPoint
          ? document.caretRangeFromPoint(box.x + dx, box.y + dy)?.startContainer
          : document.caretPositionFromPoint(box.x + dx, box.y + dy)?.offsetNode;
        if (node) hits.push(node.textContent);
      }
    }
    return {
      pageText: found('Retries the export'),
      find: Object.fromEntries([...secrets, '· back', 'Sam Secret'].map((t) => [t, found(t)])),
      selected: selected.join('\n'),
      hits: hits.join('\n'),
    };
  },
  /** In the page, after `reach`: what the probe script collected. */
  collected: () => ({
    ...window.__probe,
    roots: window.__probe.roots.length,
    inText: document.body.innerText.includes('TOPSECRET') || document.documentElement.outerHTML.includes('TOPSECRET'),
  }),
};

/** `reach` and `collected` found nothing of StandIn's (and the page's own text). */
export function assertProbeFoundNothing(reach, probe) {
  assert.equal(reach.pageText, true, "window.find finds the page's own text");
  assert.deepEqual(reach.find, { [SECRET]: false, [NOTE]: false, '· back': false, 'Sam Secret': false }, 'window.find reads StandIn');
  for (const text of [SECRET, NOTE, 'Sam Secret']) {
    assert.ok(!reach.selected.includes(text), `selection or copy reads ${text}`);
    assert.ok(!reach.hits.includes(text), `hit testing reads ${text}`);
  }
  assert.ok(reach.hits.length > 0, 'hit testing found nothing at all');
  assert.equal(probe.storage, 'absent');
  assert.equal(probe.roots, 0, 'the page saw a shadow root being attached');
  assert.ok(probe.found.length > 0 && probe.found.every((f) => f === 'closed'), JSON.stringify(probe.found));
  assert.equal(probe.inText, false);
  assert.ok(!probe.messages.some((m) => m.includes('TOPSECRET')));
  assert.ok(probe.reply === undefined, 'the page got an answer from the extension');
}
