// Eventual consistency on demand through the AWS SDK for JavaScript v3 (issue 54, section 1;
// docs/testing.md, "Eventual consistency"): a GSI read-after-write that passes by default, misses
// the write under --index-lag and finds it at the lag's very millisecond on a frozen clock (or at
// once in a strongly consistent read of the table); stale reads (POST /ddbd/consistency) that repeat exactly with the same seed, and
// ConsistentRead reads that never are.
//
// Starts its own servers ($DDBD_BIN) on free loopback ports. Run with:
//   cd tests/js && DDBD_BIN=... node --test consistency.test.mjs
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';

import { clock, consistency } from '../../integrations/node/ddbd.mjs';
import { makeClients, startServer, stopServer } from './helpers.mjs';

const LAG_MS = 3000;
const servers = [];
after(() => Promise.all(servers.map(stopServer)));

async function serve(args) {
  const server = await startServer(['--in-memory', ...args]);
  servers.push(server);
  return { server, ...makeClients(server.endpoint) };
}

async function usersTable(client) {
  await client.send(new CreateTableCommand({
    TableName: 'users',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'email', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [{
      IndexName: 'by_email', KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' },
    }],
  }));
}

const byEmail = async (doc, email) => (await doc.send(new QueryCommand({
  TableName: 'users', IndexName: 'by_email', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': email },
}))).Items;

async function admin(endpoint, body) {
  const res = await fetch(`${endpoint}/ddbd/consistency`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

describe('GSI read-after-write', () => {
  test('finds the new item by default', async () => {
    const { client, doc } = await serve([]);
    await usersTable(client);
    await doc.send(new PutCommand({ TableName: 'users', Item: { id: 'u1', email: 'a@x' } }));
    assert.deepEqual(await byEmail(doc, 'a@x'), [{ id: 'u1', email: 'a@x' }]);
  });

  test('misses it under --index-lag, then finds it exactly at the lag; the table is current', async () => {
    // on a frozen clock (issue 60): the lag ends at its millisecond, however slow the machine
    const { server, client, doc } = await serve(['--index-lag', String(LAG_MS), '--admin', '--clock', 'frozen']);
    const time = clock(server.endpoint);
    await usersTable(client);
    await doc.send(new PutCommand({ TableName: 'users', Item: { id: 'u1', email: 'a@x' } }));
    assert.deepEqual(await byEmail(doc, 'a@x'), []);
    const got = await doc.send(new GetCommand({ TableName: 'users', Key: { id: 'u1' }, ConsistentRead: true }));
    assert.deepEqual(got.Item, { id: 'u1', email: 'a@x' });
    await time.advance(LAG_MS - 1);
    assert.deepEqual(await byEmail(doc, 'a@x'), []);
    await time.advance(1);
    assert.deepEqual(await byEmail(doc, 'a@x'), [{ id: 'u1', email: 'a@x' }]);
  });
});

describe('stale reads', () => {
  async function pattern(endpoint, doc, seed) {
    await doc.send(new PutCommand({ TableName: 'users', Item: { id: 'k', v: 'old' } }));
    await admin(endpoint, { table: 'users', staleReadsMs: 60000, seed });
    await doc.send(new PutCommand({ TableName: 'users', Item: { id: 'k', v: 'new' } }));
    const seen = [];
    for (let i = 0; i < 16; i++) {
      seen.push((await doc.send(new GetCommand({ TableName: 'users', Key: { id: 'k' } }))).Item.v);
      const strong = await doc.send(new GetCommand({ TableName: 'users', Key: { id: 'k' }, ConsistentRead: true }));
      assert.equal(strong.Item.v, 'new');
    }
    await admin(endpoint, { table: 'users' });
    return seen;
  }

  test('repeat exactly with the same seed, on another server too', async () => {
    const a = await serve(['--admin', '--clock', 'frozen']);
    const b = await serve(['--admin', '--clock', 'frozen']);
    await usersTable(a.client);
    await usersTable(b.client);
    const first = await pattern(a.server.endpoint, a.doc, 11);
    assert.ok(first.includes('old') && first.includes('new'), first.join());
    assert.deepEqual(await pattern(a.server.endpoint, a.doc, 11), first);
    assert.deepEqual(await pattern(b.server.endpoint, b.doc, 11), first);
  });
});

describe('integrations/node consistency()', () => {
  test("sets the table of the worker's namespace alone, and turns it off", async () => {
    const { server, client, doc } = await serve(['--admin', '--namespaces']);
    await usersTable(client);
    const state = await consistency(server.endpoint, 'users', { indexLagMs: 60000, seed: 1 }, 'us-east-1');
    assert.deepEqual(state.tables.map((t) => t.table), ['|users']);   // the default namespace's, as the catalog names it
    await doc.send(new PutCommand({ TableName: 'users', Item: { id: 'u1', email: 'a@x' } }));
    assert.deepEqual(await byEmail(doc, 'a@x'), []);
    await consistency(server.endpoint, 'users', {}, 'us-east-1');
    assert.deepEqual(await byEmail(doc, 'a@x'), [{ id: 'u1', email: 'a@x' }]);
  });
});
