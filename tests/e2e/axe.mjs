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
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// A function, so both kinds of page evaluate it the same way (they serialise functions); axe's
// bundle defines window.axe when called.
const installAxe = new Function(AXE_SOURCE);

/** Makes `page` (a Page or a PopupTarget) render in the 'light' or 'dark' colour scheme. */
export async function setColorScheme(page, scheme) {
  if (page.emulateMedia) return page.emulateMedia({ colorScheme: scheme });
  return page.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: scheme }] });
}

/** axe-core's violations in `page`: "rule: selector (summary)" lines. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(installAxe);
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      nodes: v.nodes.map((n) => `${n.target.join(' ')} (${n.failureSummary?.split('\n').slice(1).join(' ').trim()})`),
    }));
  });
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n}`));
}

/** Fails with every violation axe-core finds in `page`; `what` names the view and scheme. */
export async function assertAccessible(page, what) {
  assert.deepEqual(await axeViolations(page), [], `axe-core violations in ${what}`);
}
