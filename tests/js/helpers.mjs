// Shared helpers for the JavaScript SDK v3 suites (tests/js/*.test.mjs): start a private
// `ddbd --in-memory` ($DDBD_BIN, default build/ddbd of this checkout) on a free loopback port, build
// DynamoDBClient / DynamoDBDocumentClient against it, create and drop tables, stop the server;
// sleep and collect a paginator's pages (once here, not copied into each suite).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';

import {
  CreateBackupCommand, CreateTableCommand, DeleteTableCommand, DescribeBackupCommand, DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const DDBD_BIN = process.env.DDBD_BIN || new URL('../../build/ddbd', import.meta.url).pathname;

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

// The storage arguments of a server started without arguments of its own: `--in-memory`, or
// $DDBD_STORE_ARGS (tests/rados/run.sh: a RADOS gateway's --backend rados --rados-conf ... --rados-pool ...).
export const STORE_ARGS = (process.env.DDBD_STORE_ARGS || '--in-memory').split(/\s+/).filter(Boolean);
// How many servers a suite that supports it starts on one store: $DDBD_GATEWAYS (RADOS gateways on one
// pool namespace, tests/rados/run.sh) when $DDBD_STORE_ARGS names a shared store, else 1.
export const GATEWAYS = process.env.DDBD_STORE_ARGS ? Math.max(1, Number(process.env.DDBD_GATEWAYS || 1)) : 1;

/** An object whose send() hands each command to the next of `clients` in turn (gateways of one store);
 * objects made with one `shared` take turns together: each request goes to the gateway after the last one's. */
export function inTurn(clients, shared = { turn: 0 }) {
  return { send: (command) => clients[shared.turn++ % clients.length].send(command) };
}

/** Starts ddbd; resolves to { proc, port, endpoint, stderr() }. */
export async function startServer(extraArgs = STORE_ARGS) {
  // a server of a test running beside this one may take the free port first: then another
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOn(await freePort(), extraArgs);
    } catch (e) {
      if (attempt === 3 || !/Address already in use/.test(e.message)) throw e;
    }
  }
}

async function startServerOn(port, extraArgs) {
  const proc = spawn(DDBD_BIN, ['--host', '127.0.0.1', '--port', String(port), ...extraArgs],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`ddbd exited (${proc.exitCode ?? proc.signalCode}): ${stderr}`);
    }
    if (await healthy(port)) {
      return { proc, port, endpoint: `http://127.0.0.1:${port}`, stderr: () => stderr };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  proc.kill('SIGKILL');
  throw new Error(`ddbd did not answer on port ${port}: ${stderr}`);
}

/** Stops the server with SIGTERM; resolves to its exit code (null with a signal name if killed). */
export function stopServer(server) {
  return new Promise((resolve) => {
    if (!server || server.proc.exitCode !== null || server.proc.signalCode !== null) {
      resolve(server ? (server.proc.exitCode ?? server.proc.signalCode) : null);
      return;
    }
    const timer = setTimeout(() => server.proc.kill('SIGKILL'), 10000);
    server.proc.once('exit', (code, signal) => { clearTimeout(timer); resolve(code ?? signal); });
    server.proc.kill('SIGTERM');
  });
}

/** A low-level client and a DocumentClient for `endpoint` (no retries, fixed credentials). */
export function makeClients(endpoint, docOptions = {}) {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  const doc = DynamoDBDocumentClient.from(client, docOptions);
  return { client, doc };
}

let tableSeq = 0;

/** Creates a PAY_PER_REQUEST table; hash/range are [name, type]. Resolves to its name. */
export async function createTable(client, prefix, hash = ['pk', 'S'], range = null) {
  const TableName = `${prefix}_${process.pid}_${++tableSeq}`;
  const AttributeDefinitions = [{ AttributeName: hash[0], AttributeType: hash[1] }];
  const KeySchema = [{ AttributeName: hash[0], KeyType: 'HASH' }];
  if (range) {
    AttributeDefinitions.push({ AttributeName: range[0], AttributeType: range[1] });
    KeySchema.push({ AttributeName: range[0], KeyType: 'RANGE' });
  }
  await client.send(new CreateTableCommand({
    TableName, AttributeDefinitions, KeySchema, BillingMode: 'PAY_PER_REQUEST',
  }));
  return TableName;
}

/** Creates a backup of TableName and resolves to its ARN once it is AVAILABLE (a CREATING backup
 *  cannot be restored: BackupInUseException). */
export async function createBackup(client, TableName, BackupName) {
  const { BackupDetails } = await client.send(new CreateBackupCommand({ TableName, BackupName }));
  for (let i = 0; i < 500; i++) {
    const d = await client.send(new DescribeBackupCommand({ BackupArn: BackupDetails.BackupArn }));
    if (d.BackupDescription.BackupDetails.BackupStatus === 'AVAILABLE') return BackupDetails.BackupArn;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`backup of ${TableName} never AVAILABLE`);
}

export async function deleteTable(client, TableName) {
  try {
    await client.send(new DeleteTableCommand({ TableName }));
  } catch {
    // the server may already be gone
  }
}

/** Asserts that `promise` rejects with DynamoDB error `name` and `message` (HTTP 400); `check` sees the error. */
export async function rejects(promise, name, message, check = () => {}) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name);
    assert.equal(err.message, message);
    assert.equal(err.$metadata.httpStatusCode, 400);
    check(err);
    return true;
  });
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every page of an SDK paginator (paginateQuery, paginateScan, ...), in order. */
export async function collect(paginator) {
  const pages = [];
  for await (const page of paginator) pages.push(page);
  return pages;
}
