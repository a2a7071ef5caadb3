// Browser harness for the Firefox smoke tests (node --test tests/firefox/).
//
// Drives Debian's headless firefox-esr through geckodriver (from crates.io: `cargo install
// geckodriver`) with plain WebDriver HTTP calls via fetch(); no Selenium. dist/firefox is
// installed as a temporary add-on, and its internal UUID is pinned with the pref
// extensions.webextensions.uuids so moz-extension://<uuid>/ URLs are known in advance.
// geckodriver needs --allow-system-access for moz-extension:// navigation.
//
//   const ff = await launchFirefox();
//   await ff.open('popup.html'); await ff.waitForLoader();
//   await ff.fill('#headline', 'On call'); await ff.click('button[type=submit]');
//   await ff.evaluateInExtension(() => browser.storage.sync.get(null));
//   await ff.evaluateInChrome(() => PopupNotifications.panel.state);   // the browser's own UI
//   await ff.close();
//
// Every test fails on a console error or warning from StandIn's code (background page, popup,
// options, content script), checked after each test and, after leaving the last page, by
// close(). Two sources, as Firefox keeps them apart: script errors and warnings (uncaught
// exceptions, and Firefox's own messages about the add-on, which name its id) are read from the
// browser console (Services.console, in geckodriver's chrome context); console.warn/error calls
// run in the extension's process, whose console only reaches stdout (the pref
// devtools.console.stdout.content), so those are read from geckodriver's output, where StandIn's
// own start with "StandIn". A test that provokes one on purpose says so with
// ff.allowConsole(/pattern/).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { afterEach } from 'node:test';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readToken } from '../e2e/team-scenarios.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST_FIREFOX = path.join(ROOT, 'dist', 'firefox');
export const OUT_DIR = path.join(ROOT, 'tests', 'out');
/** Must equal GECKO_ID in extension/manifest.mjs. */
export const GECKO_ID = 'standin@standin.dev';
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const GECKODRIVER = process.env.GECKODRIVER ?? 'geckodriver';
/** W3C WebDriver's key for an element reference in JSON. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts geckodriver + headless Firefox (with extra `prefs`, WebDriver `capabilities` and
 *  environment variables `env`) and installs the add-on in `dir` (temporary). */
export async function launchFirefox({ dir = DIST_FIREFOX, prefs = {}, capabilities = {}, env = {} } = {}) {
  const port = await freePort();
  const driver = spawn(GECKODRIVER, ['--port', String(port), '--allow-system-access'], {
    env: { ...process.env, ...env }, // Firefox inherits geckodriver's
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let partial = '';
  const consoleLines = [];
  const keep = (chunk) => {
    log = (log + chunk).slice(-20_000); // the tail is enough to explain a failure
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    consoleLines.push(...lines.filter((line) => /^console\.(warn|error): "StandIn/.test(line)));
  };
  driver.stdout.on('data', keep);
  driver.stderr.on('data', keep);
  const exited = new Promise((resolve) => driver.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  const ff = new Firefox(driver, base, exited, () => log, consoleLines);
  try {
    await ff.waitForDriver();
    const uuid = randomUUID();
    const { sessionId } = await ff.command('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'firefox',
          ...capabilities,
          'moz:firefoxOptions': {
            binary: FIREFOX,
            args: ['-headless'],
            prefs: {
              'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
              // No network chatter: the machine (and CI) reach only package registries.
              'app.update.enabled': false,
              'browser.shell.checkDefaultBrowser': false,
              'datareporting.policy.dataSubmissionEnabled': false,
              'toolkit.telemetry.enabled': false,
              'extensions.update.enabled': false,
              // Console calls of the extension's pages and background to stdout (see above).
              'devtools.console.stdout.content': true,
              ...prefs,
            },
          },
        },
      },
    });
    ff.sessionId = sessionId;
    ff.uuid = uuid;
    const addonId = await ff.command('POST', `/session/${sessionId}/moz/addon/install`, {
      path: dir,
      temporary: true,
    });
    assert.equal(addonId, GECKO_ID, 'installed add-on id');
    live.add(ff);
    return ff;
  } catch (err) {
    await ff.close();
    err.message += `\n--- geckodriver log (tail) ---\n${log}`;
    throw err;
  }
}

/** The Firefox instances open now: each test's console is checked in all of them. */
const live = new Set();

afterEach(async () => {
  for (const ff of live) {
    const problems = await ff.consoleProblems();
    assert.deepEqual(problems, [], 'console errors or warnings from StandIn');
  }
});

/** Connects `ff` to `server`'s team `team` through the options page's form, as a user does,
 *  and waits until it says "Connected to <team> as <name>". */
export async function connectFromOptions(ff, server, team, name) {
  await ff.open('options.html');
  await ff.waitForLoader();
  await ff.fill('#server_url', server.url);
  await ff.fill('#invite', await server.invite(team));
  await ff.click('#connect');
  const connected = new RegExp(`Connected to ${team} as ${name}`);
  await ff.poll(async () => connected.test((await ff.textContent('#team-connected')) ?? ''), 'the connection', 20_000);
}

export class Firefox {
  constructor(driver, base, exited, log, consoleLines = []) {
    this.driver = driver;
    this.base = base;
    this.exited = exited;
    this.log = log;
    this.sessionId = null;
    this.uuid = null;
    this.consoleLines = consoleLines;
    /** Browser console entries already reported (their time and text). */
    this.consoleSeen = new Set();
    // One known entry, not a failure: the popup writes a pending draft as it closes (and the
    // options page saves as asked) even when the page is gone before the answer; Firefox
    // completes the write and logs that its result had no page left to reach. Only a storage
    // write's result: a read or a message still out when a page goes is StandIn's to avoid.
    this.consoleAllowed = [/CallResult for closed conduit .*path:"storage\.(sync|local)\.set"/];
  }

  /** Entries matching `pattern` are expected from here on (a test provokes them). */
  allowConsole(pattern) {
    this.consoleAllowed.push(pattern);
  }

  /** Runs `script` with chrome privileges (Services, Ci) and returns its result. */
  async inChrome(script, args = []) {
    await this.command('POST', this.session('/moz/context'), { context: 'chrome' });
    try {
      return await this.command('POST', this.session('/execute/sync'), { script, args });
    } finally {
      await this.command('POST', this.session('/moz/context'), { context: 'content' });
    }
  }

  /** StandIn's console errors and warnings since the last call, less the allowed ones. */
  async consoleProblems() {
    const entries = await this.inChrome(
      `const [page, id] = arguments;
      return Services.console.getMessageArray()
        .filter((m) => m instanceof Ci.nsIScriptError)
        .filter((m) => m.sourceName.startsWith(page) || m.errorMessage.includes(id))
        .map((m) => ({
          key: m.timeStamp + ' ' + m.errorMessage,
          text: (m.flags & Ci.nsIScriptError.warningFlag ? 'warning: ' : 'error: ') +
            m.errorMessage + ' (' + m.sourceName + ':' + m.lineNumber + ')',
        }));`,
      [this.url(''), GECKO_ID],
    );
    const fresh = entries.filter(({ key }) => !this.consoleSeen.has(key));
    fresh.forEach(({ key }) => this.consoleSeen.add(key));
    const found = [...fresh.map(({ text }) => text), ...this.consoleLines.splice(0)];
    return found.filter((text) => !this.consoleAllowed.some((pattern) => pattern.test(text)));
  }

  async waitForDriver(timeout = 15_000) {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      if (this.driver.exitCode !== null) throw new Error(`geckodriver exited: ${this.log()}`);
      try {
        const res = await fetch(`${this.base}/status`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`geckodriver did not answer within ${timeout} ms: ${this.log()}`);
  }

  /** One WebDriver command; returns `value`, throws WebDriver errors with their message. */
  async command(method, endpoint, body) {
    const res = await fetch(this.base + endpoint, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok || json.value?.error) {
      throw new Error(`WebDriver ${method} ${endpoint}: ${json.value?.error}: ${json.value?.message}`);
    }
    return json.value;
  }

  session(endpoint) {
    return `/session/${this.sessionId}${endpoint}`;
  }

  /** moz-extension://<uuid>/<file> */
  url(file) {
    return `moz-extension://${this.uuid}/${file}`;
  }

  /** Navigates the current tab to an extension page ('popup.html') or any absolute URL. */
  async open(fileOrUrl) {
    const url = /^[a-z-]+:/.test(fileOrUrl) ? fileOrUrl : this.url(fileOrUrl);
    await this.command('POST', this.session('/url'), { url });
  }

  /**
   * Runs `fn(arg)` in the current page (an extension page has `browser.*`); `fn` may be async.
   * Its result must be JSON-serialisable.
   */
  async evaluateInExtension(fn, arg) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn.toString()})(arguments[0]))
        .then((value) => done({ ok: true, value }), (err) => done({ ok: false, error: String(err && err.stack || err) }));`;
    const result = await this.command('POST', this.session('/execute/async'), { script, args: [arg ?? null] });
    if (!result.ok) throw new Error(`evaluateInExtension: ${result.error}`);
    return result.value;
  }

  /**
   * Runs `fn(arg)` like evaluateInExtension, but in Firefox's privileged browser window (the
   * "chrome" context, where its own UI lives: `PopupNotifications`, `gBrowser`), then returns
   * to the page. The permission prompt is answered this way.
   */
  async evaluateInChrome(fn, arg) {
    await this.command('POST', this.session('/moz/context'), { context: 'chrome' });
    try {
      return await this.evaluateInExtension(fn, arg);
    } finally {
      await this.command('POST', this.session('/moz/context'), { context: 'content' });
    }
  }

  /** Waits until the page's loader reports (body[data-standin]) and asserts "ready". */
  async waitForLoader(timeout = 15_000) {
    const state = await this.poll(
      () => this.evaluateInExtension(() => document.body?.dataset.standin ?? null),
      'the page loader',
      timeout,
    );
    assert.equal(state, 'ready', `loader reported "${state}"`);
  }

  /** Resolves once the background page's wasm module is instantiated and started. */
  /** Opens one of StandIn's pages and waits for its loader and for the background page: where
   *  each test file starts. */
  async openReady(file) {
    await this.open(file);
    await this.waitForLoader();
    assert.equal(await this.backgroundReady(), true, 'the background page started');
  }

  async backgroundReady() {
    return this.evaluateInExtension(async () => {
      const background = await browser.runtime.getBackgroundPage();
      await background.standinReady;
      return true;
    });
  }

  async storage(area = 'local', keys = null) {
    return this.evaluateInExtension(([a, k]) => browser.storage[a].get(k), [area, keys]);
  }

  /** The bearer token where the background page keeps it (readToken in
   *  tests/e2e/team-scenarios.mjs; an extension page shares its origin), or undefined. Call it
   *  from an extension page. */
  async token() {
    // WebDriver hands JavaScript's undefined back as null.
    return (await this.evaluateInExtension(readToken)) ?? undefined;
  }

  /** Sizes the window so the page (the viewport) is `width` × `height` CSS pixels: the
   *  popup's 380 × 600, say, is the window less Firefox's own frame. */
  async sizePage(width, height) {
    const frame = await this.evaluateInExtension(() => ({ w: outerWidth - innerWidth, h: outerHeight - innerHeight }));
    await this.command('POST', this.session('/window/rect'), { width: width + frame.w, height: height + frame.h });
  }

  /** Opens a new tab, switches to it and returns its window handle. */
  async newTab() {
    const { handle } = await this.command('POST', this.session('/window/new'), { type: 'tab' });
    await this.switchTo(handle);
    return handle;
  }

  /** Makes the tab with window handle `handle` the one commands go to. */
  async switchTo(handle) {
    await this.command('POST', this.session('/window'), { handle });
  }

  async poll(fn, what, timeout = 10_000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until the text of `selector` matches `pattern`; resolves to the text. */
  async waitForText(selector, pattern, timeout) {
    return this.poll(async () => {
      const text = await this.textContent(selector);
      return pattern.test(text ?? '') ? text : null;
    }, `${selector} to match ${pattern}`, timeout);
  }

  /** The toolbar badge { text, title }; call it from an extension page. */
  async badge() {
    return this.evaluateInExtension(async () => ({
      text: await browser.action.getBadgeText({}),
      title: await browser.action.getTitle({}),
    }));
  }

  /** Waits until the toolbar badge shows `text`; resolves to the badge. */
  async waitForBadge(text, timeout) {
    return this.poll(async () => {
      const b = await this.badge();
      return b.text === text ? b : null;
    }, `the badge to show "${text}"`, timeout);
  }

  async find(selector, timeout = 10_000) {
    const element = await this.poll(
      async () => {
        try {
          return await this.command('POST', this.session('/element'), { using: 'css selector', value: selector });
        } catch (err) {
          if (/no such element/.test(err.message)) return null;
          throw err;
        }
      },
      selector,
      timeout,
    );
    return element[ELEMENT];
  }

  async textContent(selector) {
    return this.evaluateInExtension((s) => document.querySelector(s)?.textContent ?? null, selector);
  }

  async click(selector) {
    const id = await this.find(selector);
    await this.command('POST', this.session(`/element/${id}/click`), {});
  }

  /** Clears the control and types `value` (real key events through WebDriver). */
  async fill(selector, value) {
    const id = await this.find(selector);
    await this.command('POST', this.session(`/element/${id}/clear`), {});
    if (value !== '') await this.command('POST', this.session(`/element/${id}/value`), { text: value });
  }

  /** Saves a PNG of the viewport to tests/out/<name>.png and returns its path. */
  async screenshot(name) {
    await mkdir(OUT_DIR, { recursive: true });
    const file = path.join(OUT_DIR, `${name}.png`);
    const data = await this.command('GET', this.session('/screenshot'));
    await writeFile(file, Buffer.from(data, 'base64'));
    return file;
  }

  /** Leaves the last page (its unload may log too), checks the console, and quits. */
  async close() {
    live.delete(this);
    let problems = [];
    if (this.sessionId) {
      try {
        await this.open('about:blank');
        await new Promise((r) => setTimeout(r, 500));
        problems = await this.consoleProblems();
      } catch {
        // a session that failed to start has no console worth reading
      }
      await this.command('DELETE', this.session('')).catch(() => {});
      this.sessionId = null;
    }
    if (this.driver.exitCode === null) {
      this.driver.kill('SIGTERM');
      await this.exited;
    }
    assert.deepEqual(problems, [], 'console errors or warnings from StandIn when leaving the last page');
  }
}
