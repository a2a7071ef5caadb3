// Walks a flow through a page as a user would, counting what it costs (tests/e2e/evening.test.mjs):
// - keyboard: `to(selector)` presses Tab (or Shift+Tab when the target is earlier in the page)
//   until the focus is on the target, each press counted; `press(key)` counts one key; `type`
//   counts nothing (typed text is not counted).
// - mouse: `click(selector)` counts a click, and a scroll first when the target is not wholly
//   inside the viewport (then scrolls it into view, as the user would).
import assert from 'node:assert/strict';

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
          const r = document.querySelector(s).getBoundingClientRect();
          return { top: r.top, bottom: r.bottom, x: r.left + r.width / 2, y: r.top + r.height / 2, h: innerHeight };
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

// The evening of issue 13: Friday 2026-11-27, 16:31 in Berlin (the reminder is due at 16:30 for
// Mon–Fri 09:00–17:00), two items viewed today, seven teammates around the world.
export const EVENING = Date.parse('2026-11-27T15:31:00Z');
const MIN = 60_000;
export const SETTINGS = {
  display_name: 'Bea Berg',
  timezone: 'Europe/Berlin',
  working_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
};
export const TEAMMATES = [
  ['m-shun', 'Shun Ueda', 'shun-u', 'Asia/Tokyo'],
  ['m-maya', 'Maya Cruz', 'mcruz', 'America/Los_Angeles'],
  ['m-ana', 'Ana Souza', 'anasouza', 'America/Sao_Paulo'],
  ['m-priya', 'Priya Nair', 'pnair', 'Asia/Kolkata'],
  ['m-liam', 'Liam Walsh', 'lwalsh', 'Australia/Sydney'],
  ['m-olivia', 'Olivia Brown', 'obrown', 'Europe/London'],
  ['m-noah', 'Noah Reed', 'nreed', 'America/New_York'],
];

/** storage.local for the evening: today's activity and, when `team`, a connection, the roster
 *  and the digest seen (the digest is another view's concern). */
export function eveningStorage({ team = true } = {}) {
  const iso = (ms) => new Date(ms).toISOString();
  const local = {
    activity: [
      {
        url: 'https://github.com/acme/api/pull/7',
        canonical_ref: 'github.com/acme/api/pull/7',
        title: 'Retry exports on timeouts',
        site: 'github',
        viewed_at: iso(EVENING - 40 * MIN),
      },
      {
        url: 'https://acme.atlassian.net/browse/OPS-12',
        canonical_ref: 'acme.atlassian.net/browse/OPS-12',
        title: 'Staging database is slow',
        site: 'jira',
        viewed_at: iso(EVENING - 10 * MIN),
      },
    ],
  };
  if (!team) return local;
  const me = { id: 'm-bea', display_name: 'Bea Berg', handles: {}, timezone: 'Europe/Berlin' };
  const members = { [me.id]: me };
  for (const [id, name, github, timezone] of TEAMMATES) {
    members[id] = { id, display_name: name, handles: { github }, timezone };
  }
  return {
    ...local,
    connection: {
      server: 'https://standin.example.com',
      team: { id: 't1', name: 'Core' },
      member: me,
      connected_at: iso(EVENING - 30 * 24 * 60 * MIN),
    },
    team: { team: { id: 't1', name: 'Core' }, cursor: 1, members, states: {} },
    digest_seen: iso(EVENING),
  };
}
