// What StandIn drew on a tracker page in Firefox, read through WebDriver: the state has the
// shape of tests/e2e/trackers.mjs's CDP reading, so the shared expectations of
// tests/e2e/tracker-pages.mjs apply to both browsers. WebDriver's Get Element Shadow Root
// hands out closed shadow roots too (as DevTools does in Chromium); nothing in the page can.
//
//   const state = await waitForNames(ff, ['Ada Lovelace'], { withBanner: true });
//   await openCards(ff, state);   // focus, as the keyboard does; cards are drawn on first focus
import { badgeNames, namesWithBadges } from '../e2e/tracker-pages.mjs';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** Runs `fn(...args)` in the current page's window (element and shadow-root references in
 *  `args` arrive as nodes); its result must be JSON or nodes. */
export function execute(ff, fn, ...args) {
  return ff.command('POST', ff.session('/execute/sync'), { script: `return (${fn})(...arguments);`, args });
}

/** Hosts with their feature, theme, shadow-root mode, text as drawn, accessible names, tags,
 *  elements (tag + attribute pairs) and the element each sits beside. */
export async function inlineState(ff) {
  const hosts = await execute(ff, () =>
    [...document.querySelectorAll('standin-inline')].map((host) => {
      let anchor = host.previousElementSibling;
      if (!anchor || anchor.localName === 'standin-inline') anchor = host.parentElement;
      const attrs = (e) => Object.fromEntries([...e.attributes].map((a) => [a.name, a.value]));
      return {
        host,
        anchorRef: anchor,
        feature: host.dataset.feature,
        theme: host.dataset.theme ?? null,
        anchor: anchor && { tag: anchor.localName, attrs: attrs(anchor), text: anchor.textContent.trim() },
      };
    }),
  );
  const roots = await Promise.all(hosts.map((h) => ff.command('GET', ff.session(`/element/${h.host[ELEMENT]}/shadow`))));
  const inside = await execute(
    ff,
    (all) =>
      all.map((root) => {
        // StandIn's text: text nodes and `data-text`, which its stylesheet draws before the children.
        const textOf = (n) =>
          n.nodeType === 3 ? n.nodeValue : (n.getAttribute?.('data-text') ?? '') + [...n.childNodes].map(textOf).join('');
        const elements = [...root.querySelectorAll('*')];
        return {
          mode: root.mode,
          text: textOf(root),
          labels: elements.map((e) => e.getAttribute('aria-label')).filter(Boolean),
          tags: elements.map((e) => e.localName),
          inside: elements.map((e) => ({ localName: e.localName, attributes: [...e.attributes].flatMap((a) => [a.name, a.value]) })),
        };
      }),
    roots,
  );
  return {
    hosts: hosts.map((h, i) => ({
      ...h,
      ...inside[i],
      root: roots[i],
      anchor: h.anchor && { ...h.anchor, nodeId: h.anchorRef?.[ELEMENT] },
    })),
  };
}

export const banner = (state) => state.hosts.find((h) => h.feature === 'banner');

/** inlineState, or null when StandIn redrew the page while it was being read (a host removed
 *  between two WebDriver commands is a stale reference): a poll then reads again. */
async function stateBetweenRedraws(ff) {
  try {
    return await inlineState(ff);
  } catch (err) {
    if (/stale element reference|detached shadow root/.test(err.message)) return null;
    throw err;
  }
}

/** Polls the page's state until `fits(state)` and the banner is shown or not (when
 *  `withBanner` is given); returns the state, or fails naming what it last saw. */
async function waitForState(ff, what, fits, { withBanner, timeout = 15_000 } = {}) {
  let last;
  try {
    return await ff.poll(
      async () => {
        const state = await stateBetweenRedraws(ff);
        if (!state) return null;
        last = state;
        return fits(state) && (withBanner === undefined || Boolean(banner(state)) === withBanner) ? state : null;
      },
      what,
      timeout,
    );
  } catch (err) {
    throw new Error(`${err.message}; got ${JSON.stringify(last && badgeNames(last))}, banner ${Boolean(last && banner(last))}`);
  }
}

/** Waits until the distinct teammates with badges are `names` (and the banner is shown or
 *  not, when `withBanner` is given); returns the state. */
export function waitForNames(ff, names, options = {}) {
  const want = JSON.stringify([...names].sort());
  return waitForState(ff, `badges for ${names.join(', ')}`, (state) => JSON.stringify(namesWithBadges(state)) === want, options);
}

/** Focuses the badges `which` selects (all by default), as the keyboard would, and returns
 *  the state after. */
export async function openCards(ff, state, which = () => true) {
  const roots = state.hosts.filter((h) => h.feature === 'badges' && which(h)).map((h) => h.root);
  await execute(ff, (all) => all.forEach((root) => root.querySelector('[aria-label]').focus()), roots);
  return inlineState(ff);
}

/** Waits until the page has `count` badges (and the banner or not, when `banner` is given);
 *  returns the state. */
export function waitForBadges(ff, count, { banner: withBanner, timeout } = {}) {
  const badges = (state) => state.hosts.filter((h) => h.feature === 'badges').length;
  return waitForState(ff, `${count} badges`, (state) => badges(state) === count, { withBanner, timeout });
}

/** The WebDriver id of the first element matching `selector` in a shadow root of the state
 *  (Find Element From Shadow Root, which reaches closed roots as a user's input does). */
export async function findInShadow(ff, root, selector) {
  const id = Object.values(root)[0];
  const element = await ff.command('POST', ff.session(`/shadow/${id}/element`), { using: 'css selector', value: selector });
  return element[ELEMENT];
}

/** Presses and releases `key` (a WebDriver key code, e.g. '\uE004' for Tab) through the
 *  browser's input, as a keyboard does. */
export async function pressKey(ff, key) {
  await ff.command('POST', ff.session('/actions'), {
    actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: key }, { type: 'keyUp', value: key }] }],
  });
}
