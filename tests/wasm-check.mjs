// Load check for the optimised module, run by build.sh's `check` step:
//   node tests/wasm-check.mjs <module_bg.wasm> <glue.js> <export>...
// Fails (exit 1) when the bytes do not validate or compile in V8 — a wasm-opt without the
// features current Rust emits produces exactly that — or when the wasm-bindgen glue lacks an
// export the extension's loaders import (the browser would refuse the whole module graph).
// Instantiating with the glue's imports happens in the e2e suite, in Chromium.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [wasmPath, gluePath, ...required] = process.argv.slice(2);
if (!wasmPath || !gluePath) {
  console.error('usage: node tests/wasm-check.mjs <module_bg.wasm> <glue.js> <export>...');
  process.exit(2);
}

const problems = [];
const bytes = await readFile(wasmPath);
if (!WebAssembly.validate(bytes)) {
  problems.push(`${wasmPath} does not validate`);
} else {
  const module = await WebAssembly.compile(bytes);
  const imports = WebAssembly.Module.imports(module);
  const exports = WebAssembly.Module.exports(module);
  console.log(`${wasmPath}: valid, ${exports.length} exports, ${imports.length} imports`);
}

// Importing the glue does not run anything: init() is what fetches and instantiates.
const glue = await import(pathToFileURL(gluePath).href);
const missing = required.filter((name) => !(name in glue));
if (missing.length > 0) {
  problems.push(
    `${gluePath} lacks export(s) ${missing.join(', ')} that extension/*.js import; ` +
      'the Rust side (src/wasm/) must #[wasm_bindgen] export them',
  );
}

if (problems.length > 0) {
  for (const p of problems) console.error(`wasm-check: ${p}`);
  process.exit(1);
}
console.log(`glue exports ${required.join(', ')}`);
