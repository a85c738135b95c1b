// Runs the vitest suite in test/vitest (ddbd.mjs's globalSetup and ddbd-each.mjs) as a user runs
// it, and checks what it must show: every test passes because each starts from the snapshot, the
// workers share one server in namespaces of their own, and without the restore the same tests fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'vitest');
const vitest = path.join(dir, '../../node_modules/.bin/vitest');

function run(env = {}) {
  const record = path.join(mkdtempSync(path.join(os.tmpdir(), 'ddbd-vitest-')), 'record.jsonl');
  const r = spawnSync(vitest, ['run', '--config', 'vitest.config.mjs', '--reporter', 'json'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, RECORD: record, ...env } });
  const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  let rows = [];
  try { rows = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l)); } catch { /* none */ }
  return { status: r.status, report, rows, stderr: r.stderr };
}

test('every test starts from the snapshot, the workers sharing one server in their own namespaces', () => {
  const { status, report, rows, stderr } = run();
  assert.equal(status, 0, stderr);
  assert.equal(report.numPassedTests, 12);
  const byWorker = new Map();
  for (const r of rows) {
    byWorker.set(r.worker, new Set([...(byWorker.get(r.worker) || []), `${r.endpoint} ${r.region}`]));
  }
  assert.deepEqual([...byWorker.keys()].sort(), ['1', '2']);
  assert.equal(new Set(rows.map((r) => r.endpoint)).size, 1);                    // one server for the run
  assert.deepEqual([...byWorker.get('1')], [`${rows[0].endpoint} ddbd-w1`]);      // a namespace per worker
  assert.deepEqual([...byWorker.get('2')], [`${rows[0].endpoint} ddbd-w2`]);
});

test('a whole-store restore on the shared server would reset the other worker mid-test', () => {
  const { status, report } = run({ DDBD_WHOLE_STORE: '1' });
  assert.equal(status, 1);
  assert.ok(report.numFailedTests >= 1);
});

test('without the restore, a test sees the tests before it in its namespace', () => {
  const { status, report, rows } = run({ DDBD_NO_RESTORE: '1' });
  assert.equal(status, 1);
  // each worker's first test only
  assert.equal(report.numPassedTests, new Set(rows.map((r) => r.worker)).size);
  assert.ok(report.numPassedTests <= 2);
  assert.equal(report.numFailedTests, 12 - report.numPassedTests);
});

test('a missing binary fails the run saying so', () => {
  const r = spawnSync(vitest, ['run', '--config', 'vitest.config.mjs'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, DDBD_BIN: '/nonexistent/ddbd' } });
  assert.equal(r.status, 1);
  assert.match(r.stdout + r.stderr, /ddbd did not start: spawn \/nonexistent\/ddbd ENOENT/);
});
