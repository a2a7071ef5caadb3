// The driver the shared scenarios (tests/e2e/mirror-scenario.mjs, live-scenario.mjs) take in
// Firefox: the current extension page, the popup at its 380 × 600. `ff` is a function giving
// the launched Firefox (launched in the suite's `before`).
export function pageDriver(ff) {
  return {
    async open(file) {
      await ff().open(file);
      await ff().waitForLoader();
      if (file === 'popup.html') await ff().sizePage(380, 600);
    },
    fill: (selector, text) => ff().fill(selector, text),
    click: (selector) => ff().click(selector),
    text: (selector) => ff().textContent(selector),
    evaluate: (fn, arg) => ff().evaluateInExtension(fn, arg),
  };
}
