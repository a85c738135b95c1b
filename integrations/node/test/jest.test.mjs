// Runs the jest suite in test/jest (ddbd.mjs's globalSetup, ddbd-teardown.mjs and ddbd-each.mjs)
// as a user runs it, and checks what it must show: every test passes because each starts from the
// snapshot, the workers share one server in namespaces of their own, and without the restore the
// same tests fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'jest');
const jest = path.join(dir, '../../node_modules/jest/bin/jest.js');

function run(env = {}) {
  const record = path.join(mkdtempSync(path.join(os.tmpdir(), 'ddbd-jest-')), 'record.jsonl');
  const r = spawnSync(process.execPath, ['--experimental-vm-modules', jest, '-c', 'jest.config.mjs', '--json'],
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

test('without the restore, a test sees the tests before it in its namespace', () => {
  const { status, report, rows } = run({ DDBD_NO_RESTORE: '1' });
  assert.equal(status, 1);
  // each worker's first test only
  assert.equal(report.numPassedTests, new Set(rows.map((r) => r.worker)).size);
  assert.ok(report.numPassedTests <= 2);
  assert.equal(report.numFailedTests, 12 - report.numPassedTests);
});

test('the teardown stops the server', () => {
  const { status, rows } = run();
  assert.equal(status, 0);
  return fetch(rows[0].endpoint).then(() => assert.fail('ddbd still answers'), () => {});
});
