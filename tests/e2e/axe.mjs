// The axe-core accessibility engine (npm axe-core, pinned in package.json) run in a page, for
// every view the e2e tests show: one helper, so every test checks with the same rules.
//
//   await setColorScheme(page, 'dark');
//   await assertAccessible(page, 'the Team tab, dark');
//
// `page` is a Playwright Page or the harness's PopupTarget (the real toolbar popup). axe is
// evaluated through the DevTools protocol, which the extension pages' CSP does not govern;
// nothing is added to the extension. Only what is shown is checked (axe skips hidden elements),
// so a test opens each view and runs this in each.
//
// What does not depend on the browser is exported for Firefox's suite (tests/firefox/axe.mjs):
// axe's source, the functions that run in the page (`axeInPage`, `axeOnCopyInPage`), the
// shim's stylesheet, and the verdict (`assertAxeClean`: no violation, and rules that ran).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// A function, so both kinds of page evaluate it the same way (they serialise functions); axe's
// bundle defines window.axe when called.
const installAxe = new Function(AXE_SOURCE);

/** The stylesheet the worker sends the shim as the plan's `style`, for copies of its markup. */
export const INLINE_CSS = await readFile(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../extension/inline.css'), 'utf8');

/**
 * Runs in the page, with axe installed: axe-core on the document → { violations: ["rule:
 * selector (summary)"], passes: [rule ids that found something to check] }.
 */
export async function axeInPage() {
  const results = await window.axe.run(document, { resultTypes: ['violations', 'passes'] });
  return {
    violations: results.violations.flatMap((v) =>
      v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${n.failureSummary?.split('\n').slice(1).join(' ').trim()})`),
    ),
    passes: results.passes.filter((p) => p.nodes.length).map((p) => p.id),
  };
}

/**
 * Runs in the page, with axe installed: axe-core on a copy of a StandIn host, which axe (a page
 * script) cannot enter: its closed root's `markup` (read by the test through the browser's
 * automation, which can) drawn with the shim's stylesheet `css` into an OPEN shadow root on a
 * host with the original's attributes, at the original's place (the host marked
 * data-axe-original), the original hidden meanwhile so the copy is what is seen. `focusBadge`
 * opens the copy's card as focus does. → { violations, passes, elements }.
 */
export async function axeOnCopyInPage({ markup, css, focusBadge }) {
  const original = document.querySelector('standin-inline[data-axe-original]');
  original.removeAttribute('data-axe-original');
  const copy = document.createElement('standin-axe-copy');
  for (const a of original.attributes) copy.setAttribute(a.name, a.value);
  const shadow = copy.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  shadow.adoptedStyleSheets = [sheet];
  shadow.innerHTML = markup; // our own copy, in a test page script
  original.style.visibility = 'hidden';
  original.after(copy);
  if (focusBadge) shadow.querySelector('.badge').focus();
  try {
    const result = await window.axe.run(copy, { resultTypes: ['violations', 'passes'] });
    return {
      violations: result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}: ${n.failureSummary}`)),
      passes: result.passes.filter((p) => p.nodes.length).map((p) => p.id),
      elements: shadow.querySelectorAll('*').length,
    };
  } finally {
    copy.remove();
    original.style.visibility = '';
  }
}

/** Fails on any violation in `report` (axeInPage's or axeOnCopyInPage's), and when axe checked
 *  nothing at all; `what` names the view and scheme. */
export function assertAxeClean(report, what) {
  assert.deepEqual(report.violations, [], `axe-core violations in ${what}`);
  assert.ok(report.passes.length > 0, `axe-core ran no rule in ${what}`);
}

/** Makes `page` (a Page or a PopupTarget) render in the 'light' or 'dark' colour scheme. */
export async function setColorScheme(page, scheme) {
  if (page.emulateMedia) return page.emulateMedia({ colorScheme: scheme });
  return page.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: scheme }] });
}

/** Installs axe in `page` (a Page or a PopupTarget) when it is not there yet. */
export async function installAxeIn(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(installAxe);
}

/** Fails with every violation axe-core finds in `page`; `what` names the view and scheme. */
export async function assertAccessible(page, what) {
  await installAxeIn(page);
  assertAxeClean(await page.evaluate(axeInPage), what);
}
