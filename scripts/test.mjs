// `npm test`: typecheck and lint, unit and conformance tests (vitest), then
// the browser end-to-end specs (Playwright), then one summary line over all.
// A test file that fails to load, a suite that reports an error outside its
// tests, or a runner that writes no results counts as a failure: a broken
// file must never read as "0 failed".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Not test-results/: Playwright empties that folder when it starts.
const results = path.join(root, 'test-reports');
fs.mkdirSync(results, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

const unitJson = path.join(results, 'unit-results.json');
const e2eJson = path.join(results, 'e2e-results.json');
fs.rmSync(unitJson, { force: true });
fs.rmSync(e2eJson, { force: true });

// Each entry is one failure that is not a test: it is printed and counted.
const problems = [];
if (run(process.execPath, [path.join(root, 'scripts', 'typecheck.mjs')]) !== 0) problems.push('typecheck failed');
if (run(process.execPath, [path.join(root, 'scripts', 'lint.mjs')]) !== 0) problems.push('lint failed');
const unitStatus = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${unitJson}`]);
const e2eStatus = run(bin('playwright'), ['test']);

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const unit = readJson(unitJson);
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  skipped += unit.numPendingTests + (unit.numTodoTests ?? 0);
  // A file that failed to load has no test results of its own: count the file.
  for (const file of unit.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).every((t) => t.status !== 'failed')) {
      problems.push(`test file did not run: ${path.relative(root, file.name)}: ${String(file.message).split('\n')[0]}`);
    }
  }
} else {
  problems.push('vitest wrote no results');
}
const e2e = readJson(e2eJson);
if (e2e) {
  passed += e2e.stats.expected + (e2e.stats.flaky ?? 0);
  failed += e2e.stats.unexpected;
  skipped += e2e.stats.skipped;
  // Errors outside any test: a spec that fails to import, a hook that throws.
  for (const error of e2e.errors ?? []) {
    problems.push(`e2e error outside a test: ${String(error.message).split('\n')[0]}`);
  }
} else {
  problems.push('playwright wrote no results');
}
// A runner that failed without a failing test to show for it still fails the run.
if (unitStatus !== 0 && failed === 0 && problems.length === 0) problems.push(`vitest exited with ${unitStatus}`);
if (e2eStatus !== 0 && failed === 0 && problems.length === 0) problems.push(`playwright exited with ${e2eStatus}`);
for (const problem of problems) console.error(problem);
failed += problems.length;
console.log(`\nSummary: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
