// What a module's size costs a browser at start: `WebAssembly.compile` of each shipped module
// (dist/chrome), in headless Chromium, median and fastest of RUNS, with `WebAssembly.instantiate`
// of the compiled module for comparison. Each run compiles different bytes (a custom section
// with the run's number appended, which changes nothing the engine runs), so V8's cache of
// modules compiled from the same bytes cannot answer in its place.
//
//   ./build.sh && node tests/bench/compile.mjs [--runs 25]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { DIST_CHROME } from '../e2e/harness.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const at = process.argv.indexOf('--runs');
const RUNS = at > 0 ? Number(process.argv[at + 1]) : 25;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage();
  const contexts = ['worker', 'pages'];
  const modules = await Promise.all(contexts.map((c) => readFile(path.join(DIST_CHROME, `standin_${c}_bg.wasm`))));
  // The contexts alternate run by run, after one unmeasured compile of each, so neither gets
  // the warm-up or the other's background tier-up to itself.
  const times = await page.evaluate(
    async ({ encoded, runs }) => {
      const decoded = encoded.map((base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
      // A custom section (id 0) named "run", holding the run's number.
      const marked = (module, run) => {
        const payload = [3, ...new TextEncoder().encode('run'), ...new TextEncoder().encode(String(run))];
        const out = new Uint8Array(module.length + 2 + payload.length);
        out.set(module);
        out.set([0, payload.length, ...payload], module.length);
        return out;
      };
      const stubs = (compiled) => {
        // Every import a function that is never called: instantiating runs no Rust code.
        const imports = {};
        for (const { module: name, name: field } of WebAssembly.Module.imports(compiled)) {
          imports[name] ??= {};
          imports[name][field] = () => {};
        }
        return imports;
      };
      const out = decoded.map(() => ({ compile: [], instantiate: [] }));
      for (let run = -1; run < runs; run++) {
        for (const [i, module] of decoded.entries()) {
          const input = marked(module, run);
          let start = performance.now();
          const compiled = await WebAssembly.compile(input);
          const compiledIn = performance.now() - start;
          start = performance.now();
          await WebAssembly.instantiate(compiled, stubs(compiled));
          const instantiatedIn = performance.now() - start;
          if (run < 0) continue;
          out[i].compile.push(compiledIn);
          out[i].instantiate.push(instantiatedIn);
        }
      }
      return out;
    },
    { encoded: modules.map((bytes) => bytes.toString('base64')), runs: RUNS },
  );
  const stats = (list) => {
    const sorted = [...list].sort((a, b) => a - b);
    return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} ms, fastest ${sorted[0].toFixed(2)} ms`;
  };
  for (const [i, context] of contexts.entries()) {
    const { compile, instantiate } = times[i];
    console.log(`${context}: ${(modules[i].length / 1024).toFixed(1)} KiB raw; compile ${stats(compile)}; instantiate ${stats(instantiate)} (${RUNS} runs)`);
  }
} finally {
  await browser.close();
}
