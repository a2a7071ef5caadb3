// axe-core in Firefox: the same engine, page functions and verdict as Chromium's suite
// (tests/e2e/axe.mjs), run through WebDriver.
//
//   await setColorScheme(ff, 'dark');
//   await assertAccessible(ff, 'the Team tab, dark');
//   const report = await axeOnCopy(ff, host, { focusBadge: true });   // a badge card
//
// axe's source travels in the WebDriver script itself: WebDriver's scripts are not the page's,
// so neither an extension page's CSP nor a tracker's stands in the way, and nothing is added to
// the extension. The colour scheme is Firefox's own setting for web content
// (layout.css.prefers-color-scheme.content-override, which extension pages follow too), set
// from the privileged context, so one browser checks both schemes.
import assert from 'node:assert/strict';
import { AXE_SOURCE, assertAxeClean, axeInPage, axeOnCopyInPage, INLINE_CSS } from '../e2e/axe.mjs';
import { execute } from './inline.mjs';

/** Runs the page function `fn(arg)` in the current page with axe installed. */
async function withAxe(ff, fn, arg) {
  const script = `${AXE_SOURCE}
    ;const done = arguments[arguments.length - 1];
    Promise.resolve().then(() => (${fn})(arguments[0]))
      .then((value) => done({ ok: true, value }), (err) => done({ ok: false, error: String((err && err.stack) || err) }));`;
  const result = await ff.command('POST', ff.session('/execute/async'), { script, args: [arg ?? null] });
  if (!result.ok) throw new Error(`axe in Firefox: ${result.error}`);
  return result.value;
}

/** Makes web content (and extension pages) render in the 'light' or 'dark' colour scheme, and
 *  waits until the current page sees it. */
export async function setColorScheme(ff, scheme) {
  await ff.evaluateInChrome((dark) => Services.prefs.setIntPref('layout.css.prefers-color-scheme.content-override', dark ? 0 : 1), scheme === 'dark');
  await ff.poll(
    () => execute(ff, (s) => matchMedia(`(prefers-color-scheme: ${s})`).matches, scheme),
    `the page in the ${scheme} scheme`,
  );
}

/** Fails with every violation axe-core finds in the current page (or when it checked
 *  nothing); `what` names the view and scheme. */
export async function assertAccessible(ff, what) {
  assertAxeClean(await withAxe(ff, axeInPage), what);
}

/**
 * axe-core on a copy of a StandIn host (`host` of tests/firefox/inline.mjs's inlineState):
 * WebDriver hands out its closed shadow root, whose markup is drawn with the shim's stylesheet
 * into an open root in its place (axeOnCopyInPage). → { violations, passes, elements }.
 */
export async function axeOnCopy(ff, host, { focusBadge = false } = {}) {
  const markup = await execute(
    ff,
    (root, element) => {
      element.setAttribute('data-axe-original', ''); // for axeOnCopyInPage; the shim watches no attributes
      return root.innerHTML;
    },
    host.root,
    host.host,
  );
  assert.ok(markup.length > 0, 'the shadow root is empty');
  return withAxe(ff, axeOnCopyInPage, { markup, css: INLINE_CSS, focusBadge });
}
