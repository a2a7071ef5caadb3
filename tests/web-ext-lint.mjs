// Lints an unpacked Firefox add-on with web-ext (Mozilla's addons-linter) and prints every
// message on one line each: `node tests/web-ext-lint.mjs dist/firefox`. Exit 1 on any error;
// warnings and notices are listed but pass. (web-ext's own text output is a table squeezed to
// 80 columns when not on a terminal, hence this.)
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = process.argv[2] ?? path.join(root, 'dist', 'firefox');
const webExt = path.join(root, 'node_modules', '.bin', 'web-ext');

const stdout = await new Promise((resolve, reject) => {
  execFile(
    webExt,
    ['lint', '--source-dir', sourceDir, '--no-config-discovery', '--output', 'json'],
    { maxBuffer: 16 * 1024 * 1024 },
    // web-ext exits 1 when the linter found errors; the JSON report is printed either way.
    (err, out, stderr) => (out ? resolve(out) : reject(err ?? new Error(stderr))),
  );
});
const report = JSON.parse(stdout);
const { errors, warnings, notices } = report.summary;
console.log(`web-ext lint ${sourceDir}: ${errors} errors, ${warnings} warnings, ${notices} notices`);
for (const kind of ['errors', 'warnings', 'notices']) {
  for (const m of report[kind]) {
    const where = m.file ? ` (${m.file}${m.line ? `:${m.line}` : ''})` : '';
    const description = Array.isArray(m.description) ? m.description.join(' ') : m.description;
    console.log(`  ${kind.slice(0, -1)} ${m.code}${where}: ${m.message.replace(/\.$/, '')} — ${description ?? ''}`.trimEnd());
  }
}
process.exit(errors > 0 ? 1 : 0);
