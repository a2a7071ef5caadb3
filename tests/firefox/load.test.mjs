// Firefox smoke test: dist/firefox installs as a temporary add-on in headless Firefox ESR,
// its background page instantiates the wasm module, and Rust renders the popup and options
// pages (moz-extension:// pages under the manifest's CSP with 'wasm-unsafe-eval').
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchFirefox } from './harness.mjs';

let ff;

before(async () => {
  ff = await launchFirefox();
});

after(async () => {
  await ff?.close();
});

test('popup page renders into #app', async () => {
  await ff.open('popup.html');
  await ff.waitForLoader();
  const rendered = await ff.evaluateInExtension(() => {
    const app = document.getElementById('app');
    return { elements: app.childElementCount, text: app.textContent.trim() };
  });
  assert.ok(rendered.elements > 0, '#app has no elements');
  assert.notEqual(rendered.text, '', '#app shows no text');
  await ff.screenshot('firefox-popup');
});

test('background page instantiates the wasm module and starts', async () => {
  assert.equal(await ff.backgroundReady(), true);
});

test('manifest is the Firefox one: event page, fixed gecko id', async () => {
  const manifest = await ff.evaluateInExtension(() => browser.runtime.getManifest());
  // Firefox resolves the script against the add-on's base URL: this also proves the pinned UUID.
  assert.deepEqual(manifest.background.scripts, [ff.url('background.js')]);
  assert.equal(manifest.browser_specific_settings.gecko.id, 'standin@standin.dev');
});

test('options page renders into #app', async () => {
  await ff.open('options.html');
  await ff.waitForLoader();
  assert.ok(await ff.evaluateInExtension(() => document.getElementById('app').childElementCount > 0));
  await ff.screenshot('firefox-options');
});
