// The README's sample Slack post: docs/slack-sample.json (the Block Kit message the server's
// Slack format makes for its sample event, kept equal to it by server/tests/webhook_formats.rs)
// drawn by tests/e2e/slack-preview.html, an imitation of Slack's message layout, and
// screenshotted to tests/out/slack-sample.png, and to docs/slack-sample.png when that is
// missing or UPDATE_SCREENSHOTS=1. It is a rendering of StandIn's real output, not Slack.
//
//   node --test tests/e2e/slack-sample.test.mjs
//
// Only Chromium: the picture is documentation, not an extension feature.
import assert from 'node:assert/strict';
import { access, copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { OUT_DIR, ROOT } from './harness.mjs';

/** Block Kit's blocks as DOM, user text only through textContent (runs in the page). */
function drawBlocks(message) {
  const decode = (s) => s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  // mrkdwn as Slack shows it: `<url|label>` links and `*bold*`; entities decoded.
  const mrkdwn = (text, into) => {
    for (const part of text.split(/(<[^<>]*>)/)) {
      const link = /^<(https:\/\/[^|>]+)\|([^>]*)>$/.exec(part);
      if (link) {
        const a = document.createElement('a');
        a.href = link[1];
        a.textContent = decode(link[2]);
        into.append(a);
        continue;
      }
      for (const [i, piece] of part.split(/\*([^*\n]+)\*/).entries()) {
        const node = i % 2 ? document.createElement('b') : document.createTextNode('');
        node.textContent = decode(piece);
        into.append(node);
      }
    }
  };
  const text = (object, into) =>
    object.type === 'mrkdwn' ? mrkdwn(object.text, into) : (into.textContent = decode(object.text));
  const root = document.getElementById('blocks');
  for (const block of message.blocks) {
    const el = document.createElement('div');
    el.className = block.fields ? 'fields' : block.type;
    if (block.type === 'header' || block.text) text(block.text, el);
    for (const field of block.fields ?? []) {
      const cell = document.createElement('div');
      text(field, cell);
      el.append(cell);
    }
    for (const element of block.elements ?? []) text(element, el);
    root.append(el);
  }
}

test('the README shows the Block Kit message StandIn sends for its sample event', async () => {
  const message = JSON.parse(await readFile(path.join(ROOT, 'docs', 'slack-sample.json'), 'utf8'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 700, height: 400 } });
    await page.setContent(await readFile(path.join(ROOT, 'tests', 'e2e', 'slack-preview.html'), 'utf8'));
    await page.evaluate(drawBlocks, message);
    assert.equal(await page.textContent('.header'), 'Ana Lima is out of office');
    const link = page.locator('#blocks a');
    assert.equal(await link.getAttribute('href'), 'https://github.com/acme/api/pull/42');
    assert.equal(await link.textContent(), 'Rate-limit the export endpoint');
    assert.match(await page.textContent('.fields'), /^Back\nMon 7 Dec 2026, \d\d:\d\d Asia\/Tokyo \(Mon 7 Dec, \d\d:\d\d UTC\)Cover\nBob Stone$/);
    await mkdir(OUT_DIR, { recursive: true });
    const shot = path.join(OUT_DIR, 'slack-sample.png');
    await page.locator('#message').screenshot({ path: shot });
    const readme = path.join(ROOT, 'docs', 'slack-sample.png');
    const missing = await access(readme).then(() => false, () => true);
    if (missing || process.env.UPDATE_SCREENSHOTS === '1') await copyFile(shot, readme);
  } finally {
    await browser.close();
  }
});
