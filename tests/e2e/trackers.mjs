// Tracker pages for the inline-context tests: served at their real URLs by request routing
// (never from the network), each WITH its site's Content-Security-Policy header, so a test
// passes only where Chrome would run the content script on the real site (DESIGN.md §1: the
// wasm cannot compile in a content script under github.com's policy; the shim must not need it).
//
//   const site = await routeTrackers(ext.context);
//   site.page('https://github.com/acme/widgets/issues/42', html);   // with github.com's CSP
//   const tab = await ext.openTab(url);  await waitForBadges(tab, 3);
//   const state = await inlineState(tab);   // hosts, their closed shadow roots' text, anchors
import { poll } from './harness.mjs';
import { trackerSite } from './tracker-pages.mjs';

export { badgeNames, ownPage, sharedPage } from './tracker-pages.mjs';

/**
 * Routes every http(s) request of the context to a `trackerSite()` (tracker-pages.mjs: the
 * responses the Firefox proxy serves too); returns the site to register pages and scripts on.
 * Nothing reaches the network.
 */
export async function routeTrackers(context) {
  const site = trackerSite();
  await context.route(/^https?:\/\//, (route) => {
    const request = route.request();
    const { status, contentType, headers, body } = site.respond(request.url(), request.resourceType());
    return route.fulfill({ status, contentType, headers, body });
  });
  return site;
}

/**
 * Errors a page reported that come from StandIn (the content script logs and throws with its
 * chrome-extension:// URL; its own messages start with "StandIn"). Saved real pages log their
 * own errors under the real CSP (blocked inline scripts, missing bundles): those are not ours.
 */
export function watchOwnErrors(page) {
  const errors = [];
  const ours = (text, url = '') => /StandIn|chrome-extension:\/\//.test(`${text} ${url}`);
  page.on('pageerror', (err) => {
    if (ours(`${err.message} ${err.stack}`)) errors.push(`uncaught ${err.message}`);
  });
  page.on('console', (msg) => {
    if ((msg.type() === 'error' || msg.type() === 'warning') && ours(msg.text(), msg.location()?.url)) {
      errors.push(`console ${msg.type()}: ${msg.text()}`);
    }
  });
  return errors;
}

/**
 * What StandIn drew on a page, read through CDP with pierce (the shadow roots are closed, so
 * nothing in the page can see inside them; DevTools can): one entry per host with its feature,
 * theme, shadow-root mode, text (as drawn), accessible names (aria-label values), the element it sits
 * beside ("anchor": tag, attributes, text) and its CDP node ids.
 */
export async function inlineState(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const hosts = [];
    let lightElements = 0;
    const walk = (node, parent) => {
      if (node.nodeType === 1) lightElements++;
      if (node.localName === 'standin-inline') {
        hosts.push(describeHost(node, parent));
        return; // its shadow tree is read by describeHost
      }
      for (const child of node.children ?? []) walk(child, node);
      if (node.contentDocument) walk(node.contentDocument, node);
    };
    walk(root, null);
    return { hosts, lightElements };
  } finally {
    await cdp.detach();
  }
}

function attrs(node) {
  const out = {};
  const a = node.attributes ?? [];
  for (let i = 0; i < a.length; i += 2) out[a[i]] = a[i + 1];
  return out;
}

/** The text of a node as drawn: text nodes, and StandIn's text, which its stylesheet draws
 *  from `data-text` as generated content before the element's children. */
function textOf(node) {
  if (node.nodeType === 3) return node.nodeValue;
  return (attrs(node)['data-text'] ?? '') + (node.children ?? []).map(textOf).join('');
}

/** Every element of a (shadow) tree, depth first. */
export function elementsOf(node) {
  const out = [];
  const walk = (n) => {
    if (n.nodeType === 1) out.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  walk(node);
  return out;
}

function describeHost(node, parent) {
  const shadow = node.shadowRoots?.[0];
  const inside = elementsOf(shadow ?? { children: [] });
  const siblings = (parent?.children ?? []).filter((c) => c.nodeType === 1);
  const at = siblings.indexOf(node);
  // Beside its element, or inside it (table cells, list items).
  const prev = at > 0 ? siblings[at - 1] : null;
  const anchor = prev && prev.localName !== 'standin-inline' ? prev : parent;
  const a = attrs(node);
  return {
    feature: a['data-feature'],
    theme: a['data-theme'] ?? null,
    mode: shadow?.shadowRootType,
    text: textOf(shadow ?? { children: [] }),
    labels: inside.map((e) => attrs(e)['aria-label']).filter(Boolean),
    tags: inside.map((e) => e.localName),
    anchor: anchor && { tag: anchor.localName, attrs: attrs(anchor), text: textOf(anchor).trim(), nodeId: anchor.nodeId },
    nodeId: node.nodeId,
    backendNodeId: node.backendNodeId,
    inside,
  };
}

/** Waits until the page shows `count` badges (and, when given, a banner); returns the state. */
export async function waitForBadges(page, count, { banner, timeout = 10_000 } = {}) {
  let last;
  try {
    return await poll(async () => {
      last = await inlineState(page);
      const badges = last.hosts.filter((h) => h.feature === 'badges').length;
      const banners = last.hosts.filter((h) => h.feature === 'banner').length;
      const bannerOk = banner === undefined || banners === (banner ? 1 : 0);
      return badges === count && bannerOk ? last : null;
    }, `${count} badges${banner === undefined ? '' : banner ? ' and a banner' : ' and no banner'}`, timeout);
  } catch (err) {
    const got = last?.hosts.map((h) => `${h.feature}: ${h.labels[0] ?? h.text.slice(0, 60)}`);
    throw new Error(`${err.message}; the page shows ${JSON.stringify(got)}`);
  }
}

/** The computed value of CSS `property` on a node inside a shadow root (by backend node id). */
export async function computedStyle(page, backendNodeId, property) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeIds } = await cdp.send('DOM.pushNodesByBackendIdsToFrontend', { backendNodeIds: [backendNodeId] });
    await cdp.send('CSS.enable');
    const { computedStyle: style } = await cdp.send('CSS.getComputedStyleForNode', { nodeId: nodeIds[0] });
    return style.find((p) => p.name === property)?.value;
  } finally {
    await cdp.detach();
  }
}

/** The element of a host's shadow tree that carries the badge's accessible name. */
export const badgeElement = (host) => host.inside.find((e) => (e.attributes ?? []).includes('aria-label'));

/**
 * Opens badges' cards as the keyboard does (focus; a card is drawn when first wanted) and
 * returns the page's state after: all badges, or those `which` selects.
 */
export async function openCards(page, state, which = () => true) {
  // A host drawn again since `state` was read (the team or an item's live state changed) has
  // new nodes: its badges are focused from a fresh read, twice more at most.
  for (let attempt = 0; ; attempt++) {
    const cdp = await page.context().newCDPSession(page);
    try {
      for (const host of state.hosts.filter((h) => h.feature === 'badges' && which(h))) {
        await cdp.send('DOM.focus', { backendNodeId: badgeElement(host).backendNodeId });
      }
      break;
    } catch (e) {
      if (attempt >= 2 || !/not focusable|No node|Could not find node/i.test(e.message)) throw e;
      state = await inlineState(page);
    } finally {
      await cdp.detach();
    }
  }
  return inlineState(page);
}
