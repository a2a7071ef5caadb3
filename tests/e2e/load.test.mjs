// Smoke test: the built extension (dist/chrome) loads in Chromium, the service worker starts
// and instantiates the wasm module, and the popup (as a page and as the real action popup)
// and the options page get rendered by Rust without a console error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchExtension, serve } from './harness.mjs';

let ext;
let site;

before(async () => {
  ext = await launchExtension();
  site = await serve({ '/': { body: '<!doctype html><title>Fixture page</title><p>work item</p>' } });
});

after(async () => {
  await ext?.close();
  await site?.close();
});

test('manifest is the Chrome one, with the wasm CSP', async () => {
  const manifest = await ext.evaluateInWorker(() => chrome.runtime.getManifest());
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.background.service_worker, 'background.js');
  assert.match(manifest.content_security_policy.extension_pages, /'wasm-unsafe-eval'/);
});

test('service worker instantiates the wasm module and starts', async () => {
  assert.equal(await ext.workerReady(), true);
});

test('a runtime message to the worker gets a reply (the loader keeps the channel open)', async () => {
  const page = await ext.openPage('options.html');
  // Rust answers every message, an unknown one included (with an error value). Chrome resolves
  // sendMessage with undefined when no listener kept the channel open and answered.
  const reply = await page.evaluate(async () => {
    try {
      return { replied: true, value: await chrome.runtime.sendMessage({ kind: 'e2e-ping' }) };
    } catch (err) {
      return { replied: false, error: String(err) };
    }
  });
  assert.equal(reply.replied, true, reply.error);
  assert.notEqual(reply.value, undefined, 'the worker did not answer');
  await page.close();
});

test('popup opened as a page renders into #app', async () => {
  const page = await ext.openPage('popup.html');
  const app = await page.locator('#app');
  assert.ok((await app.evaluate((el) => el.childElementCount)) > 0, '#app has no elements');
  assert.notEqual((await app.innerText()).trim(), '', '#app shows no text');
  await ext.screenshot(page, 'popup-page');
  await page.close();
});

test('options page renders into #app', async () => {
  const page = await ext.openPage('options.html');
  assert.ok((await page.locator('#app').evaluate((el) => el.childElementCount)) > 0);
  await ext.screenshot(page, 'options');
  await page.close();
});

test('toolbar action opens the real popup, with activeTab access to the tab', async () => {
  const tab = await ext.openTab(site.url('/'));
  const popup = await ext.openPopup(tab);
  assert.ok((await popup.evaluate(() => document.getElementById('app').childElementCount)) > 0);
  // What "Add this tab" relies on: with only activeTab, the popup sees the tab's URL and title.
  const active = await popup.evaluate(async () => {
    const [t] = await chrome.tabs.query({ active: true, currentWindow: true });
    return { url: t?.url, title: t?.title };
  });
  assert.deepEqual(active, { url: site.url('/'), title: 'Fixture page' });
  await ext.screenshot(popup, 'popup-action');
  await tab.close();
});

test('no console errors or uncaught exceptions', () => {
  ext.assertNoErrors();
});
