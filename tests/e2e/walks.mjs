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

export function keyboardWalk(page) {
  const walk = {
    keys: 0,
    log: [],
    async press(key) {
      await page.keyboard.press(key);
      walk.keys += 1;
      walk.log.push(key);
    },
    async type(text) {
      await page.keyboard.type(text);
      walk.log.push(JSON.stringify(text));
    },
    async to(selector) {
      const earlier = await page.evaluate((s) => {
        const target = document.querySelector(s);
        const at = document.activeElement;
        if (!target) throw new Error(`no ${s}`);
        if (!at || at === document.body || at === target) return false;
        return Boolean(at.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_PRECEDING);
      }, selector);
      for (let n = 0; ; n += 1) {
        if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
        assert.ok(n < 80, `${selector} not reached with the keyboard: ${walk.log.join(' ')}`);
        await walk.press(earlier ? 'Shift+Tab' : 'Tab');
      }
    },
  };
  return walk;
}

export function mouseWalk(page) {
  const walk = {
    clicks: 0,
    scrolls: 0,
    log: [],
    async click(selector) {
      await page.locator(selector).first().waitFor();
      const box = () =>
        page.evaluate((s) => {
          const e = document.querySelector(s);
          const r = e.getBoundingClientRect();
          // What the sticky footer covers is not in view, unless it is the footer's own.
          const footer = e.closest('.form-footer') ? null : document.querySelector('.form-footer');
          const h = footer ? footer.getBoundingClientRect().top : innerHeight;
          return { top: r.top, bottom: r.bottom, x: r.left + r.width / 2, y: r.top + r.height / 2, h };
        }, selector);
      let b = await box();
      if (b.top < 0 || b.bottom > b.h) {
        walk.scrolls += 1;
        walk.log.push(`scroll to ${selector}`);
        await page.evaluate((s) => document.querySelector(s).scrollIntoView({ block: 'nearest' }), selector);
        b = await box();
      }
      await page.mouse.click(b.x, b.y);
      walk.clicks += 1;
      walk.log.push(`click ${selector}`);
    },
    async type(text) {
      await page.keyboard.type(text);
      walk.log.push(JSON.stringify(text));
    },
  };
  return walk;
}
