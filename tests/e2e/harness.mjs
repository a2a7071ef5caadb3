// Browser harness for the Chromium end-to-end tests (node --test tests/e2e/).
//
// Launches Debian's /usr/bin/chromium (new headless, which runs extensions) through
// playwright-core with dist/chrome loaded unpacked. playwright-core downloads no browser; never
// run `npx playwright install`. Build first: ./build.sh.
//
//   const ext = await launchExtension();
//   const site = await serve({ '/': { body: '<title>PR</title>' } });
//   const options = await ext.openPage('options.html');  // a Playwright Page in a tab
//   const tab = await ext.openTab(site.url('/'));
//   const popup = await ext.openPopup(tab);              // the real toolbar popup, over `tab`
//   await popup.fill('#headline', 'On call'); await popup.click('button[type=submit]');
//   await ext.storage('sync');  await ext.badge();
//   ext.assertNoErrors();  await ext.close();
//
// Two ways to see the popup:
// - openPage('popup.html') opens it as an ordinary tab: fine for rendering and forms, but the
//   "current tab" it sees is itself.
// - openPopup(page) clicks the toolbar action for `page`'s tab (CDP Extensions.triggerAction),
//   so the popup gets the activeTab grant for that tab exactly as a user's click gives it.
//   Playwright does not attach to action popups, so it is driven over raw CDP (PopupTarget).
import assert from 'node:assert/strict';
import { access, copyFile, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST_CHROME = path.join(ROOT, 'dist', 'chrome');
export const OUT_DIR = path.join(ROOT, 'tests', 'out');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Starts Chromium with the unpacked extension in `dir` and waits for its service worker.
 * Every page opened through the returned Extension has its console errors and uncaught
 * exceptions recorded in `ext.errors`.
 */
export async function launchExtension({ dir = DIST_CHROME, headless = true } = {}) {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'standin-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless,
    // Playwright adds --disable-extensions by default; drop it rather than rely on the
    // later --disable-extensions-except winning.
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      `--disable-extensions-except=${dir}`,
      `--load-extension=${dir}`,
      // Lets CDP trigger the toolbar action (openPopup). Test profiles only.
      '--enable-unsafe-extension-debugging',
      '--no-sandbox', // runs as root in CI
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const worker =
      context.serviceWorkers().find(isExtensionWorker) ??
      (await context.waitForEvent('serviceworker', { predicate: isExtensionWorker, timeout: 15_000 }));
    const id = new URL(worker.url()).host;
    return new Extension(context, id, userDataDir);
  } catch (err) {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
}

function isExtensionWorker(worker) {
  return worker.url().startsWith('chrome-extension://');
}

export class Extension {
  constructor(context, id, userDataDir) {
    this.context = context;
    this.id = id;
    this.userDataDir = userDataDir;
    /** Console errors and uncaught exceptions of every page and popup opened here. */
    this.errors = [];
    this.popups = [];
    /** Browser-level CDP session, created by the first openPopup. */
    this.browserSession = null;
    // Worker console errors logged before the harness attached are missed: workerReady()
    // is how a test learns that the worker's module failed to start.
    const watchWorker = (worker) => {
      if (!worker.url().startsWith(this.url(''))) return;
      worker.on('console', (msg) => {
        if (msg.type() === 'error') this.errors.push(`service worker: console ${msg.text()}`);
      });
    };
    context.serviceWorkers().forEach(watchWorker);
    context.on('serviceworker', watchWorker);
  }

  /** chrome-extension://<id>/<path> */
  url(file) {
    return `chrome-extension://${this.id}/${file}`;
  }

  /** The extension's current service worker (a new one after Chrome stopped the old one). */
  async worker() {
    const prefix = `chrome-extension://${this.id}/`;
    const current = this.context.serviceWorkers().find((w) => w.url().startsWith(prefix));
    if (current) return current;
    return this.context.waitForEvent('serviceworker', {
      predicate: (w) => w.url().startsWith(prefix),
      timeout: 10_000,
    });
  }

  /** Stops the service worker as Chrome does when it idles; the next event starts it again
   *  (as after an update or a wake-up). `page` is any open page of the profile. */
  async stopWorker(page) {
    const cdp = await this.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
  }

  /** Runs `fn(arg)` in the service worker (where chrome.* is available) and returns its result. */
  async evaluateInWorker(fn, arg) {
    return (await this.worker()).evaluate(fn, arg);
  }

  /** Resolves once the worker's wasm module is instantiated and start_background returned. */
  async workerReady() {
    return this.evaluateInWorker(async () => {
      await globalThis.standinReady;
      return true;
    });
  }

  /** Contents of chrome.storage.<area> ('local' | 'sync' | 'session'), all keys or `keys`. */
  async storage(area = 'local', keys = null) {
    return this.evaluateInWorker(([a, k]) => chrome.storage[a].get(k), [area, keys]);
  }

  async setStorage(area, items) {
    return this.evaluateInWorker(([a, i]) => chrome.storage[a].set(i), [area, items]);
  }

  /** The toolbar badge: { text, title, color } (global, or for one tab id). */
  async badge(tabId) {
    return this.evaluateInWorker(async (id) => {
      const details = id === undefined ? {} : { tabId: id };
      const [text, title, color] = await Promise.all([
        chrome.action.getBadgeText(details),
        chrome.action.getTitle(details),
        chrome.action.getBadgeBackgroundColor(details),
      ]);
      return { text, title, color };
    }, tabId);
  }

  /** Opens an extension page (e.g. 'popup.html') in a new tab; records its errors. */
  async openPage(file, { waitForReady = true } = {}) {
    const page = await this.context.newPage();
    this.watch(page, file);
    await page.goto(this.url(file));
    if (waitForReady) await waitForLoader(page);
    return page;
  }

  /**
   * Opens any URL (e.g. a fixture server's page) in a new tab. Its console errors count too
   * (a content script's land there); pass recordErrors: false for pages whose own scripts
   * are expected to fail, such as saved copies of real sites.
   */
  async openTab(url, { recordErrors = true } = {}) {
    const page = await this.context.newPage();
    if (recordErrors) this.watch(page, url);
    await page.goto(url);
    return page;
  }

  /** Records console errors and uncaught exceptions of a Playwright page. */
  watch(page, label) {
    page.on('pageerror', (err) => this.errors.push(`${label}: uncaught ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.errors.push(`${label}: console ${msg.text()}`);
    });
  }

  /**
   * Clicks the toolbar action while `page` is the active tab, as a user would, and returns the
   * opened popup as a PopupTarget (after its loader finished, unless waitForReady is false).
   */
  async openPopup(page, { waitForReady = true } = {}) {
    await page.bringToFront();
    this.browserSession ??= await this.context.browser().newBrowserCDPSession();
    const browser = this.browserSession;
    const tabTarget = await activeTabTarget(browser, page);
    const { targetInfos: before } = await browser.send('Target.getTargets');
    const popupUrl = this.url('popup.html');
    const known = new Set(before.filter((t) => t.url === popupUrl).map((t) => t.targetId));
    await browser.send('Extensions.triggerAction', { id: this.id, targetId: tabTarget });
    const targetId = await poll(async () => {
      const { targetInfos } = await browser.send('Target.getTargets');
      return targetInfos.find((t) => t.type === 'page' && t.url === popupUrl && !known.has(t.targetId))
        ?.targetId;
    }, 'the action popup to open');
    const popup = await PopupTarget.attach(browser, targetId, (e) => this.errors.push(`popup: ${e}`));
    this.popups.push(popup);
    if (waitForReady) await popup.waitForLoader();
    return popup;
  }

  /** Saves a PNG of a Page or PopupTarget to tests/out/<name>.png and returns its path. */
  async screenshot(target, name) {
    await mkdir(OUT_DIR, { recursive: true });
    const file = path.join(OUT_DIR, `${name}.png`);
    await target.screenshot({ path: file, fullPage: true });
    return file;
  }

  /** Fails the test with every console error / uncaught exception seen so far. */
  assertNoErrors() {
    assert.deepEqual(this.errors, [], 'console errors or uncaught exceptions in extension pages');
  }

  async close() {
    for (const popup of this.popups) await popup.detach().catch(() => {}); // may be closed
    await this.browserSession?.detach().catch(() => {});
    await this.context.close();
    await rm(this.userDataDir, { recursive: true, force: true });
  }
}

/** Launches the extension with `settings` in storage.sync and connects it to `server`'s team
 *  `team` through the worker's `connect` message, as the options page sends it; resolves to
 *  { ext, member } (the connected member). */
export async function launchConnected(server, team, settings) {
  const ext = await launchExtension();
  assert.equal(await ext.workerReady(), true);
  await ext.setStorage('sync', { settings });
  const options = await ext.openPage('options.html');
  const reply = await options.evaluate(
    ([url, invite]) => chrome.runtime.sendMessage({ connect: { server: url, invite } }),
    [server.url, await server.invite(team)],
  );
  assert.ok(reply.connected, JSON.stringify(reply));
  await options.close();
  return { ext, member: reply.connected.member };
}

/** Saves a screenshot of the viewport of `page` (a Page) to tests/out/<name>.png, and to
 *  docs/<name>.png (the README's) when that is missing or UPDATE_SCREENSHOTS=1. */
export async function shoot(page, name) {
  await page.evaluate(() => document.activeElement?.blur());
  await mkdir(OUT_DIR, { recursive: true });
  const shot = path.join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: shot });
  const readme = path.join(ROOT, 'docs', `${name}.png`);
  const missing = await access(readme).then(() => false, () => true);
  if (missing || process.env.UPDATE_SCREENSHOTS === '1') await copyFile(shot, readme);
}

/** Waits until an extension page's loader reports (body[data-standin]); fails on "failed". */
export async function waitForLoader(page, timeout = 10_000) {
  const handle = await page.waitForFunction(() => document.body?.dataset.standin, null, { timeout });
  const state = await handle.jsonValue();
  assert.equal(state, 'ready', `loader of ${page.url()} reported "${state}"`);
}

/** Polls `fn` every 50 ms until it returns a value other than undefined/false/null. */
export async function poll(fn, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The content script's isolated world in `tab` (CDP), to evaluate in as StandIn's shim does. */
export async function contentWorld(ext, tab) {
  const cdp = await tab.context().newCDPSession(tab);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  await cdp.send('Runtime.enable');
  const world = await poll(
    () => contexts.find((c) => c.auxData?.type === 'isolated' && c.origin === ext.url('').slice(0, -1)),
    "the content script's world",
  );
  return {
    async evaluate(expression) {
      const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
        expression,
        contextId: world.id,
        awaitPromise: true,
        returnByValue: true,
      });
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
      return result.value;
    },
    detach: () => cdp.detach(),
  };
}

/**
 * The CDP "tab" target (triggerAction wants one, not the page target) of `page`, which the
 * caller has just brought to the front: the active tab showing the page's URL.
 */
async function activeTabTarget(browser, page) {
  const { targetInfos } = await browser.send('Target.getTargets', { filter: [{}] });
  const tabs = targetInfos.filter((t) => t.type === 'tab' && t.url === page.url());
  const tab = tabs.find((t) => t.embedderData?.tabActive) ?? (tabs.length === 1 ? tabs[0] : undefined);
  if (!tab) throw new Error(`no active tab target showing ${page.url()}`);
  return tab.targetId;
}

/**
 * An action popup driven over raw CDP (non-flattened session on the browser connection).
 * Offers the Page methods tests use: evaluate, fill, click, textContent, waitForSelector,
 * screenshot. fill and click send real input events (trusted, like a user's).
 */
export class PopupTarget {
  static async attach(browser, targetId, onError) {
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: false });
    const target = new PopupTarget(browser, targetId, sessionId, onError);
    // Runtime.enable replays console messages and exceptions logged before we attached.
    await target.send('Runtime.enable');
    await target.send('Page.enable');
    return target;
  }

  constructor(browser, targetId, sessionId, onError) {
    this.browser = browser;
    this.targetId = targetId;
    this.sessionId = sessionId;
    this.nextId = 0;
    this.pending = new Map();
    this.listener = (event) => {
      if (event.sessionId !== sessionId) return;
      const msg = JSON.parse(event.message);
      if (msg.id !== undefined) {
        const waiter = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (!waiter) return;
        if (msg.error) waiter.reject(new Error(`${waiter.method}: ${msg.error.message}`));
        else waiter.resolve(msg.result);
      } else if (msg.method === 'Runtime.exceptionThrown') {
        const d = msg.params.exceptionDetails;
        onError(`uncaught ${d.exception?.description ?? d.text}`);
      } else if (msg.method === 'Runtime.consoleAPICalled' && msg.params.type === 'error') {
        onError(`console ${msg.params.args.map((a) => a.value ?? a.description).join(' ')}`);
      }
    };
    browser.on('Target.receivedMessageFromTarget', this.listener);
  }

  send(method, params = {}) {
    const id = ++this.nextId;
    const reply = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
    const message = JSON.stringify({ id, method, params });
    this.browser.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message }).catch((err) => {
      this.pending.get(id)?.reject(err);
      this.pending.delete(id);
    });
    return reply;
  }

  /** Like page.evaluate: `fn` is serialised and called with the JSON-serialisable `arg`. */
  async evaluate(fn, arg) {
    const expression = `(${fn.toString()})(${JSON.stringify(arg)})`;
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
      userGesture: true,
    });
    if (exceptionDetails) {
      throw new Error(`popup evaluate: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    }
    return result.value;
  }

  async waitForSelector(selector, timeout = 10_000) {
    await poll(() => this.evaluate((s) => document.querySelector(s) !== null, selector), selector, timeout);
  }

  async waitForLoader(timeout = 10_000) {
    const state = await poll(() => this.evaluate(() => document.body?.dataset.standin), 'popup loader', timeout);
    assert.equal(state, 'ready', `popup loader reported "${state}"`);
  }

  async textContent(selector) {
    return this.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
  }

  /** Centre of the element in CSS pixels, scrolled into view. */
  async centre(selector) {
    await this.waitForSelector(selector);
    return this.evaluate((s) => {
      const el = document.querySelector(s);
      el.scrollIntoView({ block: 'center' });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }, selector);
  }

  /** A real left click in the middle of the element. */
  async click(selector) {
    const { x, y } = await this.centre(selector);
    for (const type of ['mousePressed', 'mouseReleased']) {
      await this.send('Input.dispatchMouseEvent', { type, x, y, button: 'left', clickCount: 1 });
    }
  }

  /** Replaces the value of an input/textarea by focusing it, selecting all and typing. */
  async fill(selector, value) {
    await this.waitForSelector(selector);
    await this.evaluate((s) => {
      const el = document.querySelector(s);
      el.focus();
      el.select?.();
    }, selector);
    // insertText fires beforeinput/input like typing; an empty string still deletes the selection.
    if (value === '') await this.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Delete', code: 'Delete', windowsVirtualKeyCode: 46 });
    else await this.send('Input.insertText', { text: value });
    await this.evaluate((s) => document.querySelector(s).dispatchEvent(new Event('change', { bubbles: true })), selector);
  }

  async screenshot({ path: file } = {}) {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
    const bytes = Buffer.from(data, 'base64');
    if (file) await writeFile(file, bytes);
    return bytes;
  }

  async detach() {
    this.browser.off('Target.receivedMessageFromTarget', this.listener);
    await this.browser.send('Target.detachFromTarget', { sessionId: this.sessionId });
  }
}

/**
 * A throwaway HTTP server on 127.0.0.1 for fixture pages. `routes` maps a path to
 * { body, headers? , status? } (headers can carry the real site's CSP). Returns { url, close }.
 */
export async function serve(routes) {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    const route = routes[pathname];
    if (!route && pathname === '/favicon.ico') {
      res.writeHead(204).end(); // else every page logs a 404 console error
      return;
    }
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(route.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...route.headers });
    res.end(route.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: (p = '/') => `http://127.0.0.1:${port}${p}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
