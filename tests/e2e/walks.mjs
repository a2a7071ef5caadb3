// Walks a flow through a page as a user would, counting what it costs (tests/e2e/evening.test.mjs,
// evening-walk.mjs; Firefox's tests/firefox/evening.test.mjs counts the same way through WebDriver
// Actions):
// - keyboard: `to(selector)` presses Tab (or Shift+Tab when the target is earlier in the page)
//   until the focus is on the target, each press counted; `press(key)` counts one key; `type`
//   counts nothing (typed text is not counted).
// - mouse: `click(selector)` counts a click, and a scroll first when the target is not wholly
//   inside the viewport (then scrolls it into view, as the user would).
import assert from 'node:assert/strict';

/** Issue 13's evening as both browsers walk it (tests/e2e/evening.test.mjs,
 *  tests/firefox/evening.test.mjs): what is typed, what the combobox offers for it, the most
 *  keys and clicks it may take, and what the first screen holds (the mouse walk scrolls none). */
export const EVENING_WALK = {
  headline: 'Handing over the export retries',
  handOff: 'Shu', // typed in the second item's hand-off
  handOffPicked: 'Shun Ueda',
  cover: 'Ana',
  coverPicked: 'Ana Souza',
  offered: {
    role: 'combobox',
    expanded: 'true',
    listRole: 'listbox',
    options: ['Shun Ueda @shun-u'],
    active: 'Shun Ueda @shun-u',
    selected: 'true',
  },
  maxKeys: 15,
  maxClicks: 5,
  firstScreen: ['#reminder', '#headline', '#suggestions', '#cover', '#back_at-next', '#declare'],
};

/** Playwright's page as a walk's driver. A driver evaluates a function in the page, presses a
 *  key or chord ('Tab', 'Shift+Tab', 'Control+Enter'), types text into what has the focus, waits
 *  for an element to be there, and clicks it at its centre; tests/firefox/evening.test.mjs makes one of WebDriver
 *  Actions, so both browsers walk and count alike. */
export function playwrightDriver(page) {
  return {
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    press: (key) => page.keyboard.press(key),
    type: (text) => page.keyboard.type(text),
    find: (selector) => page.locator(selector).first().waitFor(),
    async click(selector) {
      const r = await page.evaluate((s) => {
        const box = document.querySelector(s).getBoundingClientRect();
        return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
      }, selector);
      await page.mouse.click(r.x, r.y);
    },
  };
}

/** In the page: what the combobox `id` offers (its ARIA state and options). */
export function comboboxOffer(id) {
  const input = document.getElementById(id);
  const list = document.getElementById(input.getAttribute('aria-controls'));
  const active = document.getElementById(input.getAttribute('aria-activedescendant'));
  return {
    role: input.getAttribute('role'),
    expanded: input.getAttribute('aria-expanded'),
    listRole: list.getAttribute('role'),
    options: [...list.querySelectorAll('[role=option]')].map((o) => o.textContent),
    active: active?.textContent,
    selected: active?.getAttribute('aria-selected'),
  };
}

export function keyboardWalk(driver) {
  const walk = {
    keys: 0,
    log: [],
    async press(key) {
      await driver.press(key);
      walk.keys += 1;
      walk.log.push(key);
    },
    async type(text) {
      await driver.type(text);
      walk.log.push(JSON.stringify(text));
    },
    async to(selector) {
      const earlier = await driver.evaluate((s) => {
        const target = document.querySelector(s);
        const at = document.activeElement;
        if (!target) throw new Error(`no ${s}`);
        if (!at || at === document.body || at === target) return false;
        return Boolean(at.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_PRECEDING);
      }, selector);
      for (let n = 0; ; n += 1) {
        if (await driver.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
        assert.ok(n < 80, `${selector} not reached with the keyboard: ${walk.log.join(' ')}`);
        await walk.press(earlier ? 'Shift+Tab' : 'Tab');
      }
    },
  };
  return walk;
}

export function mouseWalk(driver) {
  const walk = {
    clicks: 0,
    scrolls: 0,
    log: [],
    async click(selector) {
      await driver.find(selector);
      const seen = await driver.evaluate((s) => {
        const e = document.querySelector(s);
        const r = e.getBoundingClientRect();
        // What the sticky footer covers is not in view, unless it is the footer's own.
        const footer = e.closest('.form-footer') ? null : document.querySelector('.form-footer');
        const bottom = footer ? footer.getBoundingClientRect().top : innerHeight;
        return r.top >= 0 && r.bottom <= bottom;
      }, selector);
      if (!seen) {
        walk.scrolls += 1;
        walk.log.push(`scroll to ${selector}`);
        await driver.evaluate((s) => document.querySelector(s).scrollIntoView({ block: 'nearest' }), selector);
      }
      await driver.click(selector);
      walk.clicks += 1;
      walk.log.push(`click ${selector}`);
    },
    async type(text) {
      await driver.type(text);
      walk.log.push(JSON.stringify(text));
    },
  };
  return walk;
}
