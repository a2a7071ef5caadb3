// StandIn content script: a small, generic shim. It knows no site and decides nothing; the
// background worker's Rust does (DESIGN.md §1 "Where the wasm runs": wasm cannot compile here,
// github.com's CSP lacks 'wasm-unsafe-eval'). The protocol is documented in src/features/mod.rs:
//
//   on load and on every SPA navigation      → {plan: {url}}      ← {features, plan, context_rules, report_view, style}
//   run the scan plan over the document       → {render: {url, descriptors (JSON text), full: true}}  ← {rendered: {specs, mounts}}
//                                                (identical descriptors once, the other elements in `also`)
//   the page adds nodes (one batched observer) → {render: {…, full: false}} for the new elements only
//   the worker says the team changed           → {render: {…all descriptors…, full: true, fresh: true}}
//   once per page when report_view            → {viewed: {url, title}}
//   a [data-action] control is pressed          → {act: {url, action}} with the spec's `action` as
//                                                the worker sent it, then a full render
//   the page scrolls past 100 px (or back)     → data-scrolled on page-level hosts (the banner's
//                                                stylesheet makes it one line)
//
// A mount is {feature, element, spec}: `element` is a descriptor index (null: the page) and
// `spec` an index into `specs`, trees of {tag, attrs, text, children, lazy} drawn into closed
// shadow roots this script owns (a `lazy` element gets its content when the user first points
// at or focuses its host: badge cards are rarely opened and pages have hundreds of badges).
// Tags and attribute names are checked against the same whitelist Rust uses (src/render.rs),
// href must be http(s), and text is never HTML: it goes into the TEXT attribute and the
// stylesheet draws it (`[data-text]::before { content: attr(data-text) }`). Generated content
// is no DOM text, so the page's text search (window.find), selection and copy cannot reach it
// even inside a closed shadow root, while the user sees it and the accessibility tree has it
// (docs/architecture.md, "StandIn's text is drawn by CSS").
//
// This script reads no storage: the worker tells it when the team changed ({team_changed}).
(() => {
  'use strict';
  // The page's DOM can shadow globals here: an element with id="browser" (or, for img and
  // form, that name) is `globalThis.browser`, and Chrome even hangs its API on an element with
  // id="chrome". So the namespace is whichever has a working runtime, and the run-once mark
  // has a symbol key, which no element name can be.
  const ext = [globalThis.browser, globalThis.chrome].find((ns) => typeof ns?.runtime?.connect === 'function');
  const RAN = Symbol.for('standin.shim');
  // The manifest's script and a registered one may both match a page: run once. (The mark
  // lives in the extension's isolated world; the page cannot see or set it.)
  if (globalThis[RAN] || !ext?.runtime?.id) return;
  globalThis[RAN] = true;

  const HOST = 'standin-inline';
  const TEXT = 'data-text'; // what the stylesheet draws as the element's text
  const TAGS = new Set(['a', 'bdi', 'button', 'div', 'em', 'li', 'p', 'small', 'span', 'strong', 'time', 'ul']);
  const ATTRS = new Set(['class', 'role', 'tabindex', 'aria-label', 'aria-hidden', 'title', 'datetime', 'dir', 'href', 'target', 'rel', 'data-action']);
  const MAX_DEPTH = 12;
  // Drawing yields to the page after this long, so no task of ours grows long.
  const SLICE_MS = 30;
  // Longest wait for a page's load event before scanning anyway.
  const LOAD_WAIT_MS = 3000;
  // More added subtrees than this in one batch: one scan of the document is cheaper (each
  // subtree costs a query per rule; a heavy PR page answers a whole-document query per rule in
  // about the time of 400 small ones).
  const MAX_ROOTS = 400;
  // A badge goes after its element, except where a sibling would break the structure.
  const INSIDE = new Set(['TD', 'TH', 'TR', 'LI', 'DT', 'DD', 'OPTION']);

  // Scrolled this far, a page-level host (the banner) gets data-scrolled: its stylesheet decides
  // what that means (one line of at most 32 px).
  const SCROLLED_PX = 100;

  const shadows = new WeakMap(); // host → its closed shadow root
  const actions = new WeakMap(); // control → the action its spec carries, sent back as is
  const deferred = new WeakMap(); // shadow root → [element, spec] of lazy parts not drawn yet
  const ours = new WeakSet(); // every host this script created
  let sheet = null; // one constructed stylesheet for every shadow root
  let run = null; // the current page: replaced on every navigation
  let runs = 0;
  let scrolled = false;

  /** The page's URL without its fragment: #anchors are no navigation. */
  const pageUrl = () => location.href.split('#')[0];

  /** One request to the worker, over a port of its own, answered by one message on it (null
   *  when there is no answer). A port rather than runtime.sendMessage: the page may go away
   *  (a navigation, a reload) at any moment, and Firefox logs an error for every extension
   *  promise that settles after its page left ("Promise resolved while context is inactive"),
   *  whereas a message arriving on the port of a page that left is dropped silently. */
  function ask(message) {
    return new Promise((resolve) => {
      let port;
      try {
        port = ext.runtime.connect();
      } catch (err) {
        // The extension was reloaded or updated: this copy of the script is orphaned.
        if (!ext.runtime?.id) stop();
        else console.warn('StandIn:', err?.message ?? err);
        return resolve(null);
      }
      port.onMessage.addListener((reply) => {
        port.disconnect();
        if (reply && reply.error) {
          console.warn('StandIn:', reply.error, reply.message);
          return resolve(null);
        }
        resolve(reply);
      });
      // No answer: the worker stopped meanwhile, or the extension went away.
      port.onDisconnect.addListener(() => {
        if (!ext.runtime?.id) stop();
        resolve(null);
      });
      port.postMessage(message);
    });
  }

  // ---- lifecycle -------------------------------------------------------------------------

  async function start() {
    teardown();
    const r = (run = {
      id: ++runs,
      url: pageUrl(),
      plan: null,
      style: '',
      theme: undefined, // 'dark', 'light' or null (the OS decides), read once the page has loaded
      index: new WeakMap(), // element → descriptor index (the per-page "seen" mark)
      elements: [], // index → WeakRef(element)
      descriptors: [], // everything sent, for full re-renders
      context: [], // descriptors resent with every batch (plan.context_rules)
      hosts: new Map(), // `${feature}:${element ?? 'page'}` → { host, element }
      pending: [], // added nodes not scanned yet
      removals: false, // the page removed nodes: hosts may be orphaned or misplaced
      scheduled: 0,
      fullSeq: 0,
      observer: null,
    });
    // One batched observer per page: new nodes (infinite scroll, "load more", re-renders),
    // removed ones (a re-render may drop our host or the element beside it), and a URL changed
    // by a navigation no event announced.
    r.observer = new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node.nodeType === 1 && !ours.has(node)) r.pending.push(node);
        }
        if (record.removedNodes.length) r.removals = true;
      }
      // Our own hosts arriving are no work: no frame callback for them.
      if (r.pending.length || r.removals) schedule(r);
    });
    r.observer.observe(document.documentElement, { childList: true, subtree: true });

    // Ask now (a stopped worker starts meanwhile) and scan at the page's first idle moment or
    // its load event, whichever comes first: on a page that waits for the network after it is
    // parsed, the scan then delays nothing and the worker matches meanwhile; `render` draws
    // once the page has loaded.
    const reply = await ask({ plan: { url: location.href } });
    if (run !== r || !reply?.plan) return;
    const { plan, context_rules: contextRules, report_view: reportView, style } = reply.plan;
    r.style = style;
    if (!plan) return;
    await idle();
    if (run !== r) return;
    r.plan = plan;
    r.contextRules = new Set(contextRules);
    r.pending = []; // the full scan covers them
    await render(r, collect(r, null), true);
    if (run === r && reportView) ask({ viewed: { url: location.href, title: document.title } });
  }

  /** The page's next idle moment before the load event (it is waiting for the network), or
   *  the load event, whichever comes first; at once after it (an SPA navigation). */
  function idle() {
    if (document.readyState === 'complete') return Promise.resolve();
    return Promise.race([new Promise((resolve) => requestIdleCallback(resolve)), loaded()]);
  }

  /** Resolves at the load event (at once after it); a page whose load never ends is not
   *  waited for beyond a few seconds. */
  function loaded() {
    if (document.readyState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      addEventListener('load', resolve, { once: true });
      setTimeout(resolve, LOAD_WAIT_MS);
    });
  }

  function teardown() {
    if (!run) return;
    run.observer.disconnect();
    if (run.scheduled) cancelAnimationFrame(run.scheduled);
    for (const { host } of run.hosts.values()) host.remove();
    run = null;
  }

  function stop() {
    teardown();
    removeEventListener('popstate', navigated);
    document.removeEventListener('scroll', onScroll, { capture: true });
    document.removeEventListener('turbo:load', navigated);
    document.removeEventListener('turbo:render', navigated);
    globalThis.navigation?.removeEventListener('currententrychange', navigated);
    ext.runtime.onMessage?.removeListener(told);
  }

  /** Any hint of a soft navigation: start over when the URL is not the one decorated. */
  function navigated() {
    if (!run || run.url !== pageUrl()) start();
  }

  /** The worker's word that the team changed (tabs.sendMessage: only our extension sends). */
  function told(message, sender) {
    if (sender?.id === ext.runtime.id && message?.team_changed === true && run?.plan) rerender(run);
  }

  function schedule(r) {
    if (!r.scheduled) r.scheduled = requestAnimationFrame(() => flush(r));
  }

  /** One batch of mutations: navigation check, repairs, then the new nodes. */
  function flush(r) {
    r.scheduled = 0;
    if (run !== r) return;
    if (pageUrl() !== r.url) return void start();
    if (r.removals) repair(r);
    if (!r.plan || !r.pending.length) return;
    let roots = r.pending;
    r.pending = [];
    if (roots.length > MAX_ROOTS) roots = [document.documentElement];
    sweep(roots);
    const descriptors = collect(r, roots);
    if (descriptors.length) render(r, descriptors, false);
  }

  // ---- scanning ----------------------------------------------------------------------------

  /** Runs the plan over the document (roots = null) or over added subtrees; describes each
   *  element once per page, with every rule that matches it in the pass that first finds it. */
  function collect(r, roots) {
    const fresh = new Set();
    const out = [];
    for (const rule of r.plan.rules) {
      const found = roots ? within(roots, rule.selector) : document.querySelectorAll(rule.selector);
      for (const el of found) {
        let index = r.index.get(el);
        if (index === undefined) {
          index = r.elements.length;
          r.elements.push(new WeakRef(el));
          r.index.set(el, index);
          fresh.add(index);
        } else if (!fresh.has(index)) {
          continue; // described in an earlier pass
        }
        const d = describe(el, rule, index, r.plan.text_limit);
        out.push(d);
        r.descriptors.push(d);
        if (r.contextRules.has(rule.id)) r.context.push(d);
      }
    }
    return out;
  }

  /** Removes copies of our hosts a page re-render cloned along with their surroundings
   *  (cloneNode copies the element, not its shadow root: an empty box with our name). */
  function sweep(roots) {
    for (const root of roots) {
      if (root.localName === HOST) root.remove();
      else for (const copy of root.querySelectorAll(HOST)) if (!ours.has(copy)) copy.remove();
    }
  }

  /** Matches of `selector` in and under each root, each element once. */
  function within(roots, selector) {
    const found = new Set();
    for (const root of roots) {
      if (!root.isConnected) continue;
      if (root.matches(selector)) found.add(root);
      for (const el of root.querySelectorAll(selector)) found.add(el);
    }
    return found;
  }

  function describe(el, rule, index, textLimit) {
    const d = { rule: rule.id, index, attrs: read(el, rule.attrs) };
    if (rule.text) d.text = el.textContent.trim().slice(0, textLimit);
    if (rule.inner) {
      const inner = el.querySelector(rule.inner.selector);
      if (inner) d.inner = read(inner, rule.inner.attrs);
    }
    return d;
  }

  /** Identical descriptors (a person's link in each of their comments) once, with the other
   *  elements' indices in `also`: the worker reads each once and answers for every element. */
  function grouped(batch) {
    const first = new Map();
    const out = [];
    for (const d of batch) {
      const key = JSON.stringify([d.rule, d.attrs, d.text, d.inner]);
      const same = first.get(key);
      if (same) (same.also ??= []).push(d.index);
      else {
        const copy = { ...d }; // `d` stays as collected, for later full renders
        first.set(key, copy);
        out.push(copy);
      }
    }
    return out;
  }

  function read(el, names) {
    const attrs = {};
    for (const name of names) {
      const value = el.getAttribute(name);
      if (value !== null) attrs[name] = value;
    }
    return attrs;
  }

  // ---- rendering ---------------------------------------------------------------------------

  async function render(r, descriptors, full, fresh = false) {
    const batch = full ? descriptors : [...r.context, ...descriptors];
    const seq = full ? ++r.fullSeq : r.fullSeq;
    // As JSON text: one string into the wasm module beats a thousand objects field by field.
    const asked = ask({ render: { url: location.href, descriptors: JSON.stringify(grouped(batch)), full, fresh } });
    // Drawing waits for the load event: work of ours before it would delay it. The page's
    // stylesheets, loaded by then, decide its background; read while the worker matches.
    await loaded();
    if (r.theme === undefined) r.theme = pageTheme();
    const reply = await asked;
    // A stale answer: another page by now, or a newer full render asked for.
    if (run !== r || !reply?.rendered || (full && seq !== r.fullSeq)) return;
    await apply(r, reply.rendered, full ? new Set(batch.map((d) => d.index)) : null);
  }

  /** Everything again, from what storage holds now (the team cache changed, an action was
   *  taken). */
  function rerender(r) {
    r.descriptors = r.descriptors.filter((d) => r.elements[d.index]?.deref()?.isConnected);
    render(r, r.descriptors, true, true);
  }

  /** Draws the mounts, in slices that leave the page responsive; a full render also removes
   *  what it no longer returns for the elements it asked about (`asked`) and for the page. */
  async function apply(r, { specs, mounts }, asked) {
    const keep = new Set();
    // Each spec as text once: a host already showing it is left as it is, so a render that
    // changes nothing (the worker re-renders every tab when the team or an item's live state
    // changes) keeps the reader's focus and the cards they opened.
    const texts = [];
    let slice = performance.now();
    for (const m of mounts) {
      if (performance.now() - slice > SLICE_MS) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (run !== r) return;
        slice = performance.now();
      }
      const key = `${m.feature}:${m.element ?? 'page'}`;
      const element = m.element === null ? null : r.elements[m.element]?.deref();
      if (m.element !== null && !element?.isConnected) continue;
      keep.add(key);
      let entry = r.hosts.get(key);
      if (!entry) {
        entry = { host: createHost(r, m.feature), element };
        r.hosts.set(key, entry);
        place(entry);
      }
      const text = (texts[m.spec] ??= JSON.stringify(specs[m.spec]));
      if (entry.drawn !== text) {
        draw(entry.host, specs[m.spec]);
        entry.drawn = text;
      }
    }
    if (!asked) return;
    for (const [key, entry] of r.hosts) {
      const forPage = entry.element === null;
      if (keep.has(key) || (!forPage && !asked.has(r.index.get(entry.element)))) continue;
      entry.host.remove();
      r.hosts.delete(key);
    }
  }

  function place({ host, element }) {
    if (!element) host.toggleAttribute('data-scrolled', scrolled);
    if (!element) document.body.prepend(host);
    else if (INSIDE.has(element.tagName)) element.append(host);
    else element.after(host);
  }

  /** After the page removed nodes: a host whose element is gone goes too (the re-rendered
   *  element is new and gets its own), a host the page dropped or separated from its element
   *  is put back beside it. */
  function repair(r) {
    r.removals = false;
    for (const [key, entry] of r.hosts) {
      const { host, element } = entry;
      if (element === null) {
        if (!host.isConnected) place(entry);
      } else if (!element.isConnected) {
        host.remove();
        r.hosts.delete(key);
      } else if (host.parentNode !== element && host.previousSibling !== element) {
        place(entry);
      }
    }
  }

  function createHost(r, feature) {
    const host = document.createElement(HOST);
    host.setAttribute('data-feature', feature);
    if (r.theme) host.setAttribute('data-theme', r.theme);
    const shadow = host.attachShadow({ mode: 'closed' });
    adoptStyle(shadow, r.style);
    shadow.addEventListener('click', (event) => {
      const control = event.target.closest?.('[data-action]');
      const action = control && actions.get(control);
      if (action === undefined || run !== r) return;
      event.preventDefault();
      control.disabled = true; // one click, one request
      ask({ act: { url: location.href, action } }).then(() => {
        if (run === r) rerender(r);
      });
    });
    // Lazy parts (a badge's card) are drawn when first wanted.
    const expand = () => {
      for (const [el, spec] of deferred.get(shadow) ?? []) fill(el, spec, 0);
      deferred.delete(shadow);
    };
    shadow.addEventListener('focusin', expand);
    shadow.addEventListener('mouseover', expand);
    shadows.set(host, shadow);
    ours.add(host);
    return host;
  }

  function adoptStyle(shadow, css) {
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
      }
      shadow.adoptedStyleSheets = [sheet];
    } catch {
      // Firefox's content-script wrappers may refuse adoptedStyleSheets: a <style> does it.
      const style = document.createElement('style');
      style.textContent = css;
      shadow.append(style);
    }
  }

  function draw(host, spec) {
    const shadow = shadows.get(host);
    const lazy = [];
    const el = build(spec, 0, lazy);
    deferred.set(shadow, lazy);
    const keep = [...shadow.children].filter((c) => c.localName === 'style');
    shadow.replaceChildren(...keep, ...(el ? [el] : []));
  }

  /** A spec as DOM: whitelisted tags and attributes, text as text; anything else is dropped.
   *  Lazy elements are created empty and listed in `lazy` with their spec. */
  function build(spec, depth, lazy) {
    if (!spec || typeof spec !== 'object' || depth > MAX_DEPTH || !TAGS.has(spec.tag)) return null;
    const el = document.createElement(spec.tag);
    for (const [name, value] of Object.entries(spec.attrs ?? {})) {
      if (!ATTRS.has(name) || typeof value !== 'string') continue;
      if (name === 'href' && !/^https?:\/\//i.test(value)) continue;
      el.setAttribute(name, value);
    }
    if (spec.action !== undefined && el.hasAttribute('data-action')) actions.set(el, spec.action);
    if (spec.lazy === true && lazy) lazy.push([el, spec]);
    else fill(el, spec, depth, lazy);
    return el;
  }

  function fill(el, spec, depth, lazy) {
    if (typeof spec.text === 'string') el.setAttribute(TEXT, spec.text);
    for (const child of Array.isArray(spec.children) ? spec.children : []) {
      const c = build(child, depth + 1, lazy);
      if (c) el.append(c);
    }
  }

  /** 'dark' or 'light' from the page's own background; null lets the OS scheme decide. */
  function pageTheme() {
    for (const el of [document.body, document.documentElement]) {
      if (!el) continue;
      const rgba = getComputedStyle(el).backgroundColor.match(/[\d.]+/g)?.map(Number);
      if (!rgba || rgba.length < 3 || rgba[3] === 0) continue;
      const luminance = 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2];
      return luminance < 128 ? 'dark' : 'light';
    }
    return null;
  }

  /** The window, or an element at least half the viewport tall (the app's own scroller, as on
   *  Jira and Linear), scrolled past SCROLLED_PX: the page-level hosts are told when that flips. */
  function onScroll(event) {
    const target = event.target;
    const main = target instanceof Element && target.clientHeight > innerHeight / 2;
    const now = Math.max(scrollY, main ? target.scrollTop : 0) > SCROLLED_PX;
    if (now === scrolled) return;
    scrolled = now;
    for (const { host, element } of run?.hosts.values() ?? []) {
      if (element === null) host.toggleAttribute('data-scrolled', now);
    }
  }

  // ---- wiring --------------------------------------------------------------------------------

  // Soft navigations: the Navigation API sees pushState/replaceState from any world (the patch
  // a page script could add to history.pushState is invisible in this isolated world); GitHub's
  // Turbo announces its renders; back/forward fire popstate. The observer's URL check catches
  // whatever none of them report.
  globalThis.navigation?.addEventListener('currententrychange', navigated);
  addEventListener('popstate', navigated);
  // Capture: an element's scroll event does not bubble.
  document.addEventListener('scroll', onScroll, { capture: true, passive: true });
  document.addEventListener('turbo:load', navigated);
  document.addEventListener('turbo:render', navigated);
  ext.runtime.onMessage?.addListener(told);
  start();
})();
