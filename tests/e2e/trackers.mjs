// Tracker pages for the inline-context tests: served at their real URLs by request routing
// (never from the network), each WITH its site's Content-Security-Policy header, so a test
// passes only where Chrome would run the content script on the real site (DESIGN.md §1: the
// wasm cannot compile in a content script under github.com's policy; the shim must not need it).
//
//   const site = await routeTrackers(ext.context);
//   site.page('https://github.com/acme/widgets/issues/42', html, CSP.github);
//   const tab = await ext.openTab(url);  await waitForBadges(tab, 3);
//   const state = await inlineState(tab);   // hosts, their closed shadow roots' text, anchors
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, poll } from './harness.mjs';

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
 * Routes every http(s) request of the context: registered pages get their HTML and their
 * site's CSP; other documents a 404 (with the CSP); images a 1×1 GIF; scripts registered with
 * `script()` their body; every other subresource an empty 200 (saved pages reference
 * stylesheets and bundles we do not have). Nothing reaches the network.
 */
export async function routeTrackers(context) {
  const pages = new Map();
  const scripts = new Map();
  await context.route(/^https?:\/\//, (route) => {
    const request = route.request();
    const url = request.url().split('#')[0];
    const type = request.resourceType();
    if (type === 'document') {
      const page = pages.get(url);
      const headers = { 'content-security-policy': page?.csp ?? cspFor(url) };
      return route.fulfill({
        status: page ? 200 : 404,
        contentType: 'text/html; charset=utf-8',
        headers,
        body: page?.body ?? '<!doctype html><title>Not found</title>',
      });
    }
    if (type === 'image') return route.fulfill({ contentType: 'image/gif', body: GIF });
    if (type === 'script') {
      return route.fulfill({ contentType: 'application/javascript', body: scripts.get(url) ?? '' });
    }
    if (type === 'stylesheet') return route.fulfill({ contentType: 'text/css', body: '' });
    return route.fulfill({ status: 204, body: '' });
  });
  return {
    page(url, body, csp = cspFor(url)) {
      pages.set(url.split('#')[0], { body, csp });
    },
    script(url, body) {
      scripts.set(url, body);
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
  const cdp = await page.context().newCDPSession(page);
  try {
    for (const host of state.hosts.filter((h) => h.feature === 'badges' && which(h))) {
      await cdp.send('DOM.focus', { backendNodeId: badgeElement(host).backendNodeId });
    }
  } finally {
    await cdp.detach();
  }
  return inlineState(page);
}

/** The badge hosts' accessible names, sorted. */
export function badgeNames(state) {
  return state.hosts
    .filter((h) => h.feature === 'badges')
    .map((h) => h.labels[0])
    .sort();
}
