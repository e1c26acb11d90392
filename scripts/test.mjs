// `npm test`: unit and conformance tests (vitest), then the browser
// end-to-end specs (Playwright), then one summary line over both.
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

const typecheckStatus = run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
if (typecheckStatus !== 0) console.error('typecheck failed');
const unitStatus = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${unitJson}`]);
const e2eStatus = run(bin('playwright'), ['test']);

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

let passed = 0, failed = 0, skipped = 0;
const unit = readJson(unitJson);
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  skipped += unit.numPendingTests + (unit.numTodoTests ?? 0);
} else {
  failed += 1;
  console.error('vitest wrote no results');
}
const e2e = readJson(e2eJson);
if (e2e) {
  passed += e2e.stats.expected + (e2e.stats.flaky ?? 0);
  failed += e2e.stats.unexpected;
  skipped += e2e.stats.skipped;
} else {
  failed += 1;
  console.error('playwright wrote no results');
}
const ok = typecheckStatus === 0 && unitStatus === 0 && e2eStatus === 0 && failed === 0;
if (typecheckStatus !== 0) failed += 1;
console.log(`\nSummary: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(ok ? 0 : 1);
