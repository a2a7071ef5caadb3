// The driver the shared scenarios (mirror-scenario.mjs, live-scenario.mjs) take in Chromium:
// one extension page at a time, the popup at its 380 × 600. `ext` is a function giving the
// launched extension (launched in the suite's `before`).
export function pageDriver(ext) {
  const driver = {
    page: null,
    async open(file) {
      await driver.page?.close();
      driver.page = await ext().openPage(file);
      if (file === 'popup.html') await driver.page.setViewportSize({ width: 380, height: 600 });
    },
    fill: (selector, text) => driver.page.fill(selector, text),
    click: (selector) => driver.page.click(selector),
    text: (selector) => driver.page.textContent(selector),
    evaluate: (fn, arg) => driver.page.evaluate(fn, arg),
  };
  return driver;
}
