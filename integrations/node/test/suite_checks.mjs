// What the vitest and the jest suite (vitest.test.mjs, jest.test.mjs) must show, checked the same
// way for both: a run writes one record per test (spec.mjs) to $RECORD.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Runs `argv` in `cwd` with a fresh $RECORD: its exit status, JSON report (on stdout), records, stderr.
export function runSuite(argv, cwd, env = {}) {
  const record = path.join(mkdtempSync(path.join(os.tmpdir(), 'ddbd-suite-')), 'record.jsonl');
  const r = spawnSync(argv[0], argv.slice(1), { cwd, encoding: 'utf8', env: { ...process.env, RECORD: record, ...env } });
  const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  let rows = [];
  try { rows = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l)); } catch { /* none */ }
  return { status: r.status, report, rows, stderr: r.stderr };
}

export const FILES = 8;             // a.spec.mjs .. h.spec.mjs, 3 tests each
const TESTS = FILES * 3;

// Every test passed, the workers sharing one server, each in its own namespace (worker N's region
// ddbd-wN); returns how many workers ran tests.
export function assertSharedServer({ status, report, rows, stderr }) {
  assert.equal(status, 0, stderr);
  assert.equal(report.numPassedTests, TESTS);
  const byWorker = new Map();
  for (const r of rows) {
    byWorker.set(r.worker, new Set([...(byWorker.get(r.worker) || []), `${r.endpoint} ${r.region}`]));
  }
  assert.equal(new Set(rows.map((r) => r.endpoint)).size, 1);                    // one server for the run
  for (const [worker, seen] of byWorker) {                                        // a namespace per worker
    assert.deepEqual([...seen], [`${rows[0].endpoint} ddbd-w${worker}`]);
  }
  return byWorker.size;
}

// Without the restore only each worker's first test passes.
export function assertNoRestoreFails({ status, report, rows }, workers) {
  assert.equal(status, 1);
  assert.equal(report.numPassedTests, new Set(rows.map((r) => r.worker)).size);
  assert.ok(report.numPassedTests <= workers);
  assert.equal(report.numFailedTests, TESTS - report.numPassedTests);
}
