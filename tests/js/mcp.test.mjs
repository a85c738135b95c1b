// The MCP server (docs/mcp.md) through the official MCP client (@modelcontextprotocol/sdk): `ddbd --mcp`
// over stdio (StdioClientTransport spawns it) read-only and with --mcp-allow-writes, and `--mcp-http`'s
// /mcp over streamable HTTP (StreamableHTTPClientTransport, every request SigV4-signed by a custom
// fetch). Asserted: the tool list in each mode and its input schemas, each tool's answer, DynamoDB's
// errors as tool errors (__type and message, the same as the API answers), write tools refused when
// read-only, the limits of scan, query and PartiQL, a snapshot taken and restored, /mcp refused
// unsigned, absent unless enabled, and --mcp-http refused without --auth.
//
// Run: DDBD_BIN=build/ddbd node --test tests/js/mcp.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

import { DDBD_BIN, startServer, stopServer } from './helpers.mjs';

const READ_TOOLS = ['list_tables', 'describe_table', 'get_item', 'query', 'scan', 'execute_statement',
  'list_snapshots', 'list_faults', 'clock', 'read_metrics', 'usage'];
const WRITE_TOOLS = ['put_item', 'delete_item', 'take_snapshot', 'restore_snapshot', 'inject_faults', 'clear_faults'];
const DDB = 'com.amazonaws.dynamodb.v20120810#';
const SVC = 'com.amazon.coral.service#';
const NOT_FOUND = { __type: `${DDB}ResourceNotFoundException`, message: 'Requested resource not found: Table: Nope not found' };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-mcp-'));
// Books: shelf A holds 150 books (more than a call's default of 100), shelf B 3
const SEED = path.join(dir, 'books.json');
fs.writeFileSync(SEED, JSON.stringify([
  {
    TableName: 'Books', BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'shelf', KeyType: 'HASH' }, { AttributeName: 'n', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'shelf', AttributeType: 'S' }, { AttributeName: 'n', AttributeType: 'N' }],
  },
  {
    Books: [...Array(150).keys()].map((i) => ({ PutRequest: { Item: { shelf: { S: 'A' }, n: { N: String(i) } } } }))
      .concat([0, 1, 2].map((i) => ({ PutRequest: { Item: { shelf: { S: 'B' }, n: { N: String(i) }, t: { S: `b${i}` } } } }))),
  },
]));

async function stdioClient(extra = []) {
  const transport = new StdioClientTransport({ command: DDBD_BIN, args: ['--mcp', '--in-memory', '--seed', SEED, ...extra],
    stderr: 'pipe' });
  const client = new Client({ name: 'ddbd-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** tools/call; resolves to { isError, text, json } (json: the text parsed, when it is JSON). */
async function call(client, name, args) {
  const r = await client.callTool({ name, arguments: args });
  assert.equal(r.content.length, 1);
  assert.equal(r.content[0].type, 'text');
  let json;
  try { json = JSON.parse(r.content[0].text); } catch { json = undefined; }
  return { isError: r.isError, text: r.content[0].text, json };
}

const names = (tools) => tools.map((t) => t.name).sort();
const key = (shelf, n) => ({ shelf: { S: shelf }, n: { N: String(n) } });

describe('stdio, read-only (the default)', () => {
  let client;
  before(async () => { client = await stdioClient(); });
  after(async () => { await client.close(); });

  test('initialize negotiates the SDK\'s protocol version and names ddbd', () => {
    assert.deepEqual(client.getServerVersion(), { name: 'ddbd', version: client.getServerVersion().version });
    assert.deepEqual(client.getServerCapabilities(), { tools: { listChanged: false } });
    assert.match(client.getInstructions(), /read-only/);
  });

  test('ping answers', async () => {
    assert.deepEqual(await client.ping(), {});
  });

  test('tools/list offers the read tools only, with JSON Schema inputs', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(names(tools), [...READ_TOOLS].sort());
    const get = tools.find((t) => t.name === 'get_item');
    assert.deepEqual(get.inputSchema.required, ['TableName', 'Key']);
    assert.equal(get.inputSchema.type, 'object');
    assert.equal(get.inputSchema.properties.Key.type, 'object');
    assert.deepEqual(get.annotations, { readOnlyHint: true });
    assert.deepEqual(tools.find((t) => t.name === 'query').inputSchema.required, ['TableName', 'KeyConditionExpression']);
  });

  test('list_tables and describe_table answer as DynamoDB does', async () => {
    assert.deepEqual((await call(client, 'list_tables', {})).json, { TableNames: ['Books'] });
    const d = await call(client, 'describe_table', { TableName: 'Books' });
    assert.equal(d.isError, false);
    assert.equal(d.json.Table.TableName, 'Books');
    assert.equal(d.json.Table.TableStatus, 'ACTIVE');
  });

  test('get_item reads an item, with its consumed capacity', async () => {
    const r = await call(client, 'get_item', { TableName: 'Books', Key: key('B', 1), ReturnConsumedCapacity: 'TOTAL' });
    assert.deepEqual(r.json, { Item: { shelf: { S: 'B' }, n: { N: '1' }, t: { S: 'b1' } },
      ConsumedCapacity: { TableName: 'Books', CapacityUnits: 0.5 } });
  });

  test('DynamoDB errors are tool errors carrying __type and message', async () => {
    assert.deepEqual(await call(client, 'describe_table', { TableName: 'Nope' }),
      { isError: true, text: JSON.stringify(NOT_FOUND), json: NOT_FOUND });
    const bad = await call(client, 'get_item', { TableName: 'Books', Key: { shelf: { S: 'B' } } });
    assert.equal(bad.isError, true);
    assert.deepEqual(bad.json, { __type: 'com.amazon.coral.validate#ValidationException',
      message: 'The provided key element does not match the schema' });
    const noTable = await call(client, 'scan', {});
    assert.deepEqual(noTable.json, { __type: 'com.amazon.coral.validate#ValidationException',
      message: "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null" });
  });

  test('scan returns 100 items by default and pages on', async () => {
    const first = await call(client, 'scan', { TableName: 'Books' });
    assert.equal(first.json.Count, 100);
    assert.ok(first.json.LastEvaluatedKey);
    const rest = await call(client, 'scan', { TableName: 'Books', ExclusiveStartKey: first.json.LastEvaluatedKey, Limit: 1000 });
    assert.equal(rest.json.Count, 53);
    assert.equal(rest.json.LastEvaluatedKey, undefined);
  });

  test('a Limit over 1000 is refused; one DynamoDB refuses is DynamoDB\'s error', async () => {
    for (const tool of ['scan', 'query']) {
      const r = await call(client, tool, { TableName: 'Books', KeyConditionExpression: 'shelf = :s',
        ExpressionAttributeValues: { ':s': { S: 'A' } }, Limit: 1001 });
      assert.deepEqual(r, { isError: true, json: undefined,
        text: `${tool}: Limit is at most 1000 items a call through MCP; page on with ExclusiveStartKey` });
    }
    const zero = await call(client, 'scan', { TableName: 'Books', Limit: 0 });
    assert.deepEqual(zero.json, { __type: 'com.amazon.coral.validate#ValidationException',
      message: "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1" });
  });

  test('query reads one partition, within the limits', async () => {
    const q = { TableName: 'Books', KeyConditionExpression: 'shelf = :s', ExpressionAttributeValues: { ':s': { S: 'A' } } };
    assert.equal((await call(client, 'query', q)).json.Count, 100);
    const five = await call(client, 'query', { ...q, Limit: 5, ScanIndexForward: false });
    assert.deepEqual(five.json.Items.map((i) => i.n.N), ['149', '148', '147', '146', '145']);
    const b = await call(client, 'query', { ...q, ExpressionAttributeValues: { ':s': { S: 'B' } } });
    assert.equal(b.json.Count, 3);
  });

  test('execute_statement runs SELECT, 100 rows by default, and refuses writes', async () => {
    const sel = await call(client, 'execute_statement', { Statement: 'SELECT * FROM "Books" WHERE shelf = ?',
      Parameters: [{ S: 'A' }] });
    assert.equal(sel.json.Items.length, 100);
    assert.ok(sel.json.NextToken);
    const lower = await call(client, 'execute_statement', { Statement: ' \n select t FROM "Books" WHERE shelf = \'B\'' });
    assert.deepEqual(lower.json.Items, [{ t: { S: 'b0' } }, { t: { S: 'b1' } }, { t: { S: 'b2' } }]);
    assert.deepEqual(await call(client, 'execute_statement', { Statement: 'SELECT * FROM "Books"', Limit: 5000 }),
      { isError: true, json: undefined,
        text: 'execute_statement: Limit is at most 1000 items a call through MCP; page on with NextToken' });
    const ins = await call(client, 'execute_statement', { Statement: "INSERT INTO \"Books\" VALUE {'shelf': 'C', 'n': 1}" });
    assert.deepEqual(ins, { isError: true, json: undefined, text: 'execute_statement: this MCP server is read-only and '
      + 'runs SELECT statements only; start ddbd with --mcp-allow-writes to run others' });
    const err = await call(client, 'execute_statement', { Statement: 'SELECT * FROM "Nope"' });
    assert.deepEqual(err.json, { __type: `${DDB}ResourceNotFoundException`, message: 'Requested resource not found' });
  });

  test('write tools are refused with a tool error', async () => {
    for (const tool of WRITE_TOOLS) {
      const r = await call(client, tool, { TableName: 'Books', Item: key('C', 1), Key: key('A', 1), name: 's1' });
      assert.deepEqual(r, { isError: true, json: undefined,
        text: `${tool} changes data, and this MCP server is read-only: start ddbd with --mcp-allow-writes to use it` });
    }
    assert.equal((await call(client, 'scan', { TableName: 'Books', Limit: 1000 })).json.Count, 153);
  });

  test('list_snapshots and read_metrics', async () => {
    assert.deepEqual((await call(client, 'list_snapshots', {})).json, { snapshots: [] });
    const m = await call(client, 'read_metrics', {});
    assert.equal(m.isError, false);
    assert.match(m.text, /^ddbd_tables 1$/m);
  });

  test('usage: the cost report, the same JSON as GET /ddbd/usage (docs/usage.md)', async () => {
    const books = (r) => r.json.tables.find((t) => t.table === 'Books');
    const getItem = (r) => books(r).operations.find((o) => o.operation === 'GetItem') || { readUnits: 0, cost: 0 };
    const before = await call(client, 'usage', {});
    assert.equal(before.isError, false);
    assert.equal(before.json.region, 'us-east-1');
    assert.equal(before.json.prices.tableClasses[0].tableClass, 'STANDARD');
    // one eventually consistent read of a 10-byte item: half a read request unit, $0.125 a million
    assert.equal((await call(client, 'get_item', { TableName: 'Books', Key: key('A', 1) })).isError, false);
    const now = await call(client, 'usage', {});
    assert.equal(getItem(now).readUnits - getItem(before).readUnits, 0.5);
    assert.ok(Math.abs(getItem(now).cost - getItem(before).cost - 0.5 * 0.125e-6) < 1e-15);
    assert.equal(books(now).provisionedAtPeak.targetUtilization, 0.7);
    assert.equal(getItem(now).requests - getItem(before).requests, 1);
    // since: a mark's report (issue 64); none is set here, so the door's 404 is the tool's error
    const since = await call(client, 'usage', { since: 'no such/mark' });
    assert.equal(since.isError, true);
    assert.deepEqual(since.json, { message: 'no usage mark named no such/mark (POST /ddbd/usage/mark {"name": NAME} sets one)' });
  });

  test('clock: get reads the server\'s clock; moving it is refused read-only', async () => {
    const got = await call(client, 'clock', { action: 'get' });
    assert.equal(got.isError, false);
    assert.deepEqual(Object.keys(got.json), ['now', 'offset', 'frozen']);
    assert.equal(got.json.frozen, false);
    for (const action of ['freeze', 'run', 'advance', 'set']) {
      assert.deepEqual(await call(client, 'clock', { action, ms: 1000 }), { isError: true, json: undefined,
        text: 'clock: this MCP server is read-only and only reads the clock ("get"); start ddbd with '
          + '--mcp-allow-writes to move it' });
    }
    assert.equal((await call(client, 'clock', { action: 'get' })).json.frozen, false);
  });

  test('an unknown tool is a JSON-RPC error', async () => {
    await assert.rejects(client.callTool({ name: 'drop_everything', arguments: {} }),
      (e) => e.code === -32602 && /Unknown tool: drop_everything/.test(e.message));
  });
});

test('stdio frames: one answer per line, versions negotiated, JSON-RPC errors, nothing else on stdout', () => {
  const lines = [
    { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {} } },
    { jsonrpc: '2.0', id: 'two', method: 'initialize', params: { protocolVersion: '1999-01-01', capabilities: {} } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 3, method: 'resources/list' },
    { jsonrpc: '1.0', id: 4, method: 'ping' },
    [{ jsonrpc: '2.0', id: 5, method: 'ping' }],
    { jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'scan', arguments: 'Books' } },
  ].map((m) => JSON.stringify(m)).join('\n') + '\n\n';
  const r = spawnSync(DDBD_BIN, ['--mcp', '--in-memory'], { input: lines, encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.split('\n');
  assert.equal(out.pop(), '');
  const answers = out.map((l) => JSON.parse(l));
  assert.deepEqual(answers.map((a) => a.result?.protocolVersion ?? a.error), [
    '2024-11-05', '2025-11-25',
    { code: -32601, message: 'Method not found' },
    { code: -32600, message: 'Invalid Request' },
    { code: -32600, message: 'Invalid Request' },
    { code: -32602, message: 'tools/call: arguments must be an object' },
  ]);
  assert.deepEqual(answers.map((a) => a.id), [1, 'two', 3, null, null, 6]);
  assert.match(r.stderr, /serving MCP on standard input and output \(read-only\)/);
});

describe('stdio, --mcp-allow-writes', () => {
  let client;
  before(async () => { client = await stdioClient(['--mcp-allow-writes']); });
  after(async () => { await client.close(); });

  test('tools/list offers the write tools too', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(names(tools), [...READ_TOOLS, ...WRITE_TOOLS].sort());
    const put = tools.find((t) => t.name === 'put_item');
    assert.deepEqual(put.inputSchema.required, ['TableName', 'Item']);
    assert.deepEqual(put.annotations, { readOnlyHint: false });
  });

  test('put_item, get_item and delete_item, with DynamoDB\'s condition failure', async () => {
    const item = { ...key('C', 7), title: { S: 'Dune' } };
    assert.deepEqual((await call(client, 'put_item', { TableName: 'Books', Item: item })).json, {});
    assert.deepEqual((await call(client, 'get_item', { TableName: 'Books', Key: key('C', 7) })).json, { Item: item });
    const again = await call(client, 'put_item', { TableName: 'Books', Item: item,
      ConditionExpression: 'attribute_not_exists(shelf)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
    assert.deepEqual(again, { isError: true, text: again.text, json: { __type: `${DDB}ConditionalCheckFailedException`,
      message: 'The conditional request failed', Item: item } });
    assert.deepEqual((await call(client, 'delete_item', { TableName: 'Books', Key: key('C', 7), ReturnValues: 'ALL_OLD' })).json,
      { Attributes: item });
    assert.deepEqual((await call(client, 'get_item', { TableName: 'Books', Key: key('C', 7) })).json, {});
    const bad = await call(client, 'put_item', { TableName: 'Books', Item: { shelf: { S: 'C' } } });
    assert.deepEqual(bad.json, { __type: 'com.amazon.coral.validate#ValidationException',
      message: 'One or more parameter values were invalid: Missing the key n in the item' });
  });

  test('inject_faults, list_faults and clear_faults (the agent\'s own calls, in-process, are never faulted)', async () => {
    const set = await call(client, 'inject_faults',
      { faults: [{ operation: 'PutItem', table: 'Books', error: 'InternalServerError', count: 1 }] });
    assert.equal(set.isError, false);
    assert.deepEqual(set.json.faults, [{ operation: 'PutItem', table: 'Books', error: 'InternalServerError', count: 1,
      remaining: 1, probability: 1, injected: 0 }]);
    assert.deepEqual((await call(client, 'put_item', { TableName: 'Books', Item: key('F', 1) })).json, {});
    assert.equal((await call(client, 'list_faults', {})).json.faults[0].remaining, 1);
    await call(client, 'delete_item', { TableName: 'Books', Key: key('F', 1) });
    const bad = await call(client, 'inject_faults', { faults: [{ error: 'Boom' }] });
    assert.deepEqual(bad, { isError: true, text: bad.text, json: { message: "no injected fault is named 'Boom'" } });
    assert.deepEqual((await call(client, 'clear_faults', {})).json.faults, []);
  });

  test('execute_statement runs writes', async () => {
    const ins = await call(client, 'execute_statement', { Statement: "INSERT INTO \"Books\" VALUE {'shelf': 'D', 'n': 1}" });
    assert.deepEqual(ins, { isError: false, text: '{"Items":[]}', json: { Items: [] } });
    const upd = await call(client, 'execute_statement', { Statement: "UPDATE \"Books\" SET t = 'x' WHERE shelf = 'D' AND n = 1" });
    assert.equal(upd.isError, false);
    const dup = await call(client, 'execute_statement', { Statement: "INSERT INTO \"Books\" VALUE {'shelf': 'D', 'n': 1}" });
    assert.deepEqual(dup.json, { __type: `${DDB}DuplicateItemException`, message: 'Duplicate primary key exists in table' });
    await call(client, 'execute_statement', { Statement: "DELETE FROM \"Books\" WHERE shelf = 'D' AND n = 1" });
  });

  test('a snapshot taken and restored undoes the changes since', async () => {
    const taken = await call(client, 'take_snapshot', { name: 'before' });
    assert.equal(taken.isError, false);
    assert.equal(taken.json.name, 'before');
    assert.deepEqual((await call(client, 'list_snapshots', {})).json.snapshots.map((s) => s.name), ['before']);
    assert.deepEqual((await call(client, 'take_snapshot', { name: 'before' })),
      { isError: true, text: '{"message":"snapshot before exists"}', json: { message: 'snapshot before exists' } });
    await call(client, 'put_item', { TableName: 'Books', Item: key('E', 1) });
    await call(client, 'delete_item', { TableName: 'Books', Key: key('B', 0) });
    const restored = await call(client, 'restore_snapshot', { name: 'before' });
    assert.equal(restored.isError, false);
    assert.equal(restored.json.restored, 'before');
    assert.deepEqual((await call(client, 'get_item', { TableName: 'Books', Key: key('E', 1) })).json, {});
    assert.equal((await call(client, 'get_item', { TableName: 'Books', Key: key('B', 0) })).json.Item.t.S, 'b0');
    assert.deepEqual(await call(client, 'restore_snapshot', { name: 'never' }),
      { isError: true, text: '{"message":"no snapshot named never"}', json: { message: 'no snapshot named never' } });
    assert.deepEqual(await call(client, 'take_snapshot', {}),
      { isError: true, json: undefined, text: 'take_snapshot: expected {"name": "<snapshot name>"}' });
  });
});

// The clock tool with writes allowed, on a server started frozen at T0 (issue 60): it stands until
// stepped, the seed's table was made at T0, and each move answers the clock after it.
test('clock: frozen at the start, stepped, set, run and frozen again; bad calls refused', async () => {
  const T0 = 1700000000000;
  const client = await stdioClient(['--mcp-allow-writes', '--clock', `frozen@${T0}`]);
  try {
    const clock = async (args) => (await call(client, 'clock', args)).json;
    assert.deepEqual({ ...(await clock({ action: 'get' })), offset: 0 }, { now: T0, offset: 0, frozen: true });
    const books = (await call(client, 'describe_table', { TableName: 'Books' })).json.Table;
    assert.equal(books.CreationDateTime, T0 / 1000);
    assert.equal((await clock({ action: 'advance', ms: 61000 })).now, T0 + 61000);
    assert.equal((await clock({ action: 'get' })).now, T0 + 61000);   // it stands where the step left it
    assert.equal((await clock({ action: 'set', ms: T0 + 86400000 })).now, T0 + 86400000);
    const ran = await clock({ action: 'run' });
    assert.equal(ran.frozen, false);
    assert.ok(ran.now >= T0 + 86400000);
    const frozen = await clock({ action: 'freeze' });
    assert.equal(frozen.frozen, true);
    assert.equal((await clock({ action: 'get' })).now, frozen.now);
    const expected = 'clock: expected {"action": "get"}, "freeze", "run", "advance" (with "ms") or "set" (with "ms", '
      + 'since the epoch)';
    for (const args of [{}, { action: 'stop' }, { action: 7 }]) {
      assert.deepEqual(await call(client, 'clock', args), { isError: true, json: undefined, text: expected });
    }
    assert.deepEqual(await call(client, 'clock', { action: 'advance', ms: '1000' }),
      { isError: true, json: undefined, text: 'clock: advance wants "ms", a number of milliseconds' });
    const refused = await call(client, 'clock', { action: 'set', ms: -1 });
    assert.deepEqual(refused, { isError: true, text: refused.text, json: { message: 'the clock must stay between '
      + 'the epoch and the end of year 9999 (0 to 253402300799999 ms since the epoch)' } });
    assert.equal((await clock({ action: 'get' })).now, frozen.now);
  } finally {
    await client.close();
  }
});

test('stdio keeps its data in --data-dir like the server: a write survives a restart', async () => {
  const data = path.join(dir, 'data');
  const opts = (more) => ({ command: DDBD_BIN, args: ['--mcp', '--data-dir', data, '--seed', SEED, ...more], stderr: 'pipe' });
  const writer = new Client({ name: 'ddbd-test', version: '1.0.0' });
  await writer.connect(new StdioClientTransport(opts(['--mcp-allow-writes'])));
  assert.deepEqual((await call(writer, 'put_item', { TableName: 'Books', Item: key('Z', 1) })).json, {});
  await writer.close();
  const reader = new Client({ name: 'ddbd-test', version: '1.0.0' });
  await reader.connect(new StdioClientTransport(opts([])));
  assert.deepEqual((await call(reader, 'get_item', { TableName: 'Books', Key: key('Z', 1) })).json, { Item: key('Z', 1) });
  await reader.close();
});

test('stdio on a data directory another ddbd holds says why, not "Connection closed"', async () => {
  const data = path.join(dir, 'held');
  fs.mkdirSync(data);
  const holder = await startServer(['--data-dir', data]);
  try {
    const client = new Client({ name: 'ddbd-test', version: '1.0.0' });
    const transport = new StdioClientTransport({ command: DDBD_BIN, args: ['--mcp', '--data-dir', data], stderr: 'pipe' });
    await assert.rejects(client.connect(transport), (e) => {
      assert.match(e.message, new RegExp(`cannot open ${data}: the data directory ${data} is in use by another process`));
      return true;
    });
    await transport.close();
  } finally {
    assert.equal(await stopServer(holder), 0);
  }
});

// ---- /mcp over streamable HTTP ----

const KEYS = 'AKIDMCP mcpsecret 000000000000 name=agent rights=admin\n'
  + 'AKIDREAD readsecret 000000000000 name=reader allow=read\n';

class Sha256 {
  constructor(secret) { this.h = secret ? crypto.createHmac('sha256', secret) : crypto.createHash('sha256'); }
  update(data) { this.h.update(data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

/** A fetch that signs each request with SigV4 (service dynamodb), as the AWS SDK signs the API's. */
function signedFetch(accessKeyId, secretAccessKey) {
  const signer = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', sha256: Sha256,
    credentials: { accessKeyId, secretAccessKey } });
  return async (url, init = {}) => {
    const u = new URL(url);
    const headers = { host: u.host };
    new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
    const signed = await signer.sign({ method: init.method || 'GET', protocol: u.protocol, hostname: u.hostname,
      port: Number(u.port), path: u.pathname, query: {}, headers, body: init.body });
    delete signed.headers.host;
    return fetch(url, { ...init, headers: signed.headers });
  };
}

async function httpClient(server, accessKeyId, secret) {
  const transport = new StreamableHTTPClientTransport(new URL(`${server.endpoint}/mcp`),
    { fetch: signedFetch(accessKeyId, secret) });
  const client = new Client({ name: 'ddbd-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

describe('/mcp over streamable HTTP, --auth', () => {
  let server;
  let client;
  let reader;
  before(async () => {
    fs.writeFileSync(path.join(dir, 'keys'), KEYS);
    server = await startServer(['--in-memory', '--seed', SEED, '--auth', path.join(dir, 'keys'), '--mcp-http',
      '--mcp-allow-writes']);
    client = await httpClient(server, 'AKIDMCP', 'mcpsecret');
    reader = await httpClient(server, 'AKIDREAD', 'readsecret');
  });
  after(async () => {
    await client?.close();
    await reader?.close();
    await stopServer(server);
  });

  test('a signed client lists the tools and calls them', async () => {
    assert.deepEqual(names((await client.listTools()).tools), [...READ_TOOLS, ...WRITE_TOOLS].sort());
    assert.deepEqual((await call(client, 'list_tables', {})).json, { TableNames: ['Books'] });
    assert.deepEqual((await call(client, 'put_item', { TableName: 'Books', Item: key('H', 1) })).json, {});
    assert.deepEqual((await call(client, 'get_item', { TableName: 'Books', Key: key('H', 1) })).json, { Item: key('H', 1) });
  });

  test('a tool error is what the API answers the same request', async () => {
    const api = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDMCP', secretAccessKey: 'mcpsecret' } });
    const viaApi = await api.send(new DescribeTableCommand({ TableName: 'Nope' })).catch((e) => e);
    const viaMcp = await call(client, 'describe_table', { TableName: 'Nope' });
    assert.deepEqual(viaMcp.json, NOT_FOUND);
    assert.equal(`${DDB}${viaApi.name}`, viaMcp.json.__type);
    assert.equal(viaApi.message, viaMcp.json.message);
  });

  test('the key\'s --auth policy applies to its tools', async () => {
    assert.equal((await call(reader, 'get_item', { TableName: 'Books', Key: key('B', 1) })).json.Item.t.S, 'b1');
    const denied = await call(reader, 'put_item', { TableName: 'Books', Item: key('H', 2) });
    const msg = 'User: arn:aws:iam::000000000000:user/reader is not authorized to perform: dynamodb:PutItem on resource: '
      + 'arn:aws:dynamodb:us-east-1:000000000000:table/Books because no identity-based policy allows the dynamodb:PutItem action';
    assert.deepEqual(denied.json, { __type: `${SVC}AccessDeniedException`, message: msg });
    const api = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDREAD', secretAccessKey: 'readsecret' } });
    await assert.rejects(api.send(new PutItemCommand({ TableName: 'Books', Item: key('H', 2) })),
      (e) => e.name === 'AccessDeniedException' && e.message === msg);
  });

  test('the whole-store tools ask the admin right (docs/security.md, "The doors")', async () => {
    const refusal = (action, path) => ({ __type: `${SVC}AccessDeniedException`,
      message: `User: arn:aws:iam::000000000000:user/reader is not authorized to perform: ${action} on resource: `
        + `arn:aws:ddbd:us-east-1:000000000000:${path} because no identity-based policy allows the ${action} action` });
    for (const [tool, args] of [['take_snapshot', { name: 'r' }], ['restore_snapshot', { name: 'r' }],
      ['list_snapshots', {}], ['list_faults', {}], ['inject_faults', { faults: [] }], ['usage', {}],
      ['clock', { action: 'get' }], ['clock', { action: 'advance', ms: 1000 }]]) {
      const denied = await call(reader, tool, args);
      assert.equal(denied.isError, true);
      assert.deepEqual(denied.json, refusal('ddbd:Admin', '/ddbd/snapshots'));
    }
    assert.deepEqual((await call(reader, 'read_metrics', {})).json, refusal('ddbd:ReadMetrics', '/metrics'));
    const taken = await call(client, 'take_snapshot', { name: 'agent' });
    assert.equal(taken.isError, false);
    assert.equal(taken.json.name, 'agent');
    assert.match((await call(client, 'read_metrics', {})).text, /ddbd_tables 1/);
  });

  test('an unsigned or badly signed request to /mcp is refused as the API refuses it', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const plain = await fetch(`${server.endpoint}/mcp`, { method: 'POST', body,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } });
    assert.equal(plain.status, 400);
    assert.deepEqual(await plain.json(), { __type: `${SVC}MissingAuthenticationTokenException`,
      message: 'Request is missing Authentication Token' });
    const wrong = await signedFetch('AKIDMCP', 'not-the-secret')(`${server.endpoint}/mcp`, { method: 'POST', body,
      headers: { 'content-type': 'application/json' } });
    assert.equal(wrong.status, 400);
    const wrongBody = await wrong.json();
    assert.equal(wrongBody.__type, `${SVC}InvalidSignatureException`);
    assert.match(wrongBody.message, /^The request signature we calculated does not match the signature you provided\./);
    const unknown = await signedFetch('AKIDOTHER', 'x')(`${server.endpoint}/mcp`, { method: 'POST', body,
      headers: { 'content-type': 'application/json' } });
    assert.equal(unknown.status, 400);
    assert.deepEqual(await unknown.json(), { __type: `${SVC}UnrecognizedClientException`,
      message: 'The security token included in the request is invalid.' });
  });

  test('GET /mcp (no SSE stream) is 405; a notification is 202 with no body', async () => {
    const get = await signedFetch('AKIDMCP', 'mcpsecret')(`${server.endpoint}/mcp`, { method: 'GET',
      headers: { accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    const note = await signedFetch('AKIDMCP', 'mcpsecret')(`${server.endpoint}/mcp`, { method: 'POST',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    assert.equal(note.status, 202);
    assert.equal(await note.text(), '');
    const junk = await signedFetch('AKIDMCP', 'mcpsecret')(`${server.endpoint}/mcp`, { method: 'POST',
      headers: { 'content-type': 'application/json' }, body: 'not json' });
    assert.equal(junk.status, 400);
    assert.deepEqual(await junk.json(), { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  });
});

describe('/mcp is absent unless enabled', () => {
  test('a server without --mcp-http answers /mcp 404, as any path but /', async () => {
    fs.writeFileSync(path.join(dir, 'keys'), KEYS);
    for (const args of [['--in-memory'], ['--in-memory', '--auth', path.join(dir, 'keys')]]) {
      const server = await startServer(args);
      try {
        const r = await signedFetch('AKIDMCP', 'mcpsecret')(`${server.endpoint}/mcp`, { method: 'POST',
          headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) });
        assert.equal(r.status, 404);
        assert.equal(await r.text(), '<UnknownOperationException/>\n');
      } finally {
        await stopServer(server);
      }
    }
  });

  test('--mcp-http without --auth, and the MCP options together, refuse to start', () => {
    for (const [args, message] of [
      [['--mcp-http'], 'ddbd: --mcp-http needs --auth FILE: /mcp answers only requests signed with its keys\n'],
      [['--mcp', '--mcp-http', '--auth', path.join(dir, 'keys')],
        'ddbd: --mcp serves standard input and output, --mcp-http the API port: one or the other\n'],
      [['--mcp-allow-writes'], 'ddbd: --mcp-allow-writes goes with --mcp or --mcp-http\n'],
    ]) {
      const r = spawnSync(DDBD_BIN, ['--in-memory', ...args], { encoding: 'utf8', timeout: 5000 });
      assert.equal(r.status, 2);
      assert.equal(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });
});

after(() => { fs.rmSync(dir, { recursive: true, force: true }); });
