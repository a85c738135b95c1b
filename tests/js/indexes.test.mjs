// Secondary indexes through the AWS SDK for JavaScript v3: CreateTable with GSIs and LSIs and
// DescribeTable's index fields, Query/Scan with IndexName (paginateQuery over an index, the
// LastEvaluatedKey of an index page), what each projection type returns, DynamoDB's errors for
// index reads (GSI consistent reads, ALL_ATTRIBUTES on a non-ALL GSI, unknown index), LSI reads
// fetching from the table, UpdateTable adding a GSI to a table with items, and
// ReturnConsumedCapacity INDEXES / ReturnItemCollectionMetrics SIZE.
//
// Starts its own `ddbd --in-memory` ($DDBD_BIN) on a free loopback port. Run with:
//   cd tests/js && DDBD_BIN=... node --test indexes.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, QueryCommand as DocQueryCommand } from '@aws-sdk/lib-dynamodb';

import { collect, deleteTable, makeClients, rejects, startServer, stopServer } from './helpers.mjs';

let server;
let client;
let doc;
let seq = 0;
const created = [];

function tableName(prefix) {
  const name = `${prefix}_${process.pid}_${++seq}`;
  created.push(name);
  return name;
}


async function batchWriteAll(table, items) {
  for (let i = 0; i < items.length; i += 25) {
    const out = await doc.send(new BatchWriteCommand({
      RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
    }));
    assert.deepEqual(out.UnprocessedItems, {});
  }
}

async function waitIndexActive(table, index) {
  for (let i = 0; i < 6000; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const ix = (Table.GlobalSecondaryIndexes || []).find((g) => g.IndexName === index);
    assert.ok(ix, `index ${index} missing`);
    if (ix.IndexStatus === 'ACTIVE') return Table;
    assert.equal(ix.IndexStatus, 'CREATING');
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`index ${index} never became ACTIVE`);
}

const sortedKeys = (items) => items.map((it) => Object.keys(it).sort());

before(async () => {
  server = await startServer();
  ({ client, doc } = makeClients(server.endpoint));
});

after(async () => {
  for (const name of created) await deleteTable(client, name);
  client?.destroy();
  if (server) assert.equal(await stopServer(server), 0);
});

// Items: 60 in partitions p0..p5; cat c0..c2 on most of them (sparse), num with ties, tag on even ones.
const ITEMS = Array.from({ length: 60 }, (_, i) => {
  const it = { pk: `p${i % 6}`, sk: i, color: `col${i % 4}`, note: `n${i}` };
  if (i % 7 !== 0) it.cat = `c${i % 3}`;
  it.num = (i * 5) % 11;
  if (i % 2 === 0) it.tag = `t${i % 4}`;
  return it;
});

describe('tables with GSIs and LSIs', () => {
  let table;

  before(async () => {
    table = tableName('js_idx');
    const out = await client.send(new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'cat', AttributeType: 'S' }, { AttributeName: 'num', AttributeType: 'N' },
        { AttributeName: 'tag', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [
        { IndexName: 'by_cat', KeySchema: [{ AttributeName: 'cat', KeyType: 'HASH' }, { AttributeName: 'num', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['color'] } },
        { IndexName: 'by_tag', KeySchema: [{ AttributeName: 'tag', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' } },
        { IndexName: 'by_cat_all', KeySchema: [{ AttributeName: 'cat', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' } },
      ],
      LocalSecondaryIndexes: [
        { IndexName: 'by_num', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'num', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'KEYS_ONLY' } },
      ],
    }));
    assert.equal(out.TableDescription.GlobalSecondaryIndexes.length, 3);
    await batchWriteAll(table, ITEMS);
  });

  test('DescribeTable renders GSIs and LSIs as DynamoDB does', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const gsi = Table.GlobalSecondaryIndexes.find((g) => g.IndexName === 'by_cat');
    assert.equal(gsi.IndexStatus, 'ACTIVE');
    assert.equal(gsi.IndexArn, `${Table.TableArn}/index/by_cat`);
    assert.deepEqual(gsi.Projection, { ProjectionType: 'INCLUDE', NonKeyAttributes: ['color'] });
    assert.deepEqual(gsi.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 });
    assert.equal(gsi.ItemCount, ITEMS.filter((it) => it.cat !== undefined).length);
    const [lsi] = Table.LocalSecondaryIndexes;
    assert.equal(lsi.IndexName, 'by_num');
    assert.equal(lsi.IndexArn, `${Table.TableArn}/index/by_num`);
    assert.equal(lsi.IndexStatus, undefined);
    assert.equal(lsi.ProvisionedThroughput, undefined);
    assert.equal(lsi.ItemCount, ITEMS.length);
  });

  for (const pageSize of [1, 3, 7, 50]) {
    for (const forward of [true, false]) {
      test(`paginateQuery on a GSI, pageSize ${pageSize}, ${forward ? 'ascending' : 'descending'}`, async () => {
        const pages = await collect(paginateQuery({ client, pageSize }, {
          TableName: table, IndexName: 'by_cat', ScanIndexForward: forward,
          KeyConditionExpression: 'cat = :c', ExpressionAttributeValues: { ':c': { S: 'c1' } },
        }));
        const want = ITEMS.filter((it) => it.cat === 'c1');
        const got = pages.flatMap((p) => p.Items);
        assert.equal(got.length, want.length);
        assert.deepEqual(got.map((it) => `${it.pk.S}/${it.sk.N}`).sort(), want.map((it) => `${it.pk}/${it.sk}`).sort());
        const nums = got.map((it) => Number(it.num.N));
        assert.deepEqual(nums, [...nums].sort((a, b) => (forward ? a - b : b - a)));
        for (const p of pages.slice(0, -1)) {
          assert.equal(p.Count, pageSize);
          const last = p.Items.at(-1);
          assert.deepEqual(p.LastEvaluatedKey, { cat: last.cat, num: last.num, pk: last.pk, sk: last.sk });
        }
        assert.equal(pages.length, Math.floor(want.length / pageSize) + 1);
      });
    }
  }

  test('projection types decide the attributes returned', async () => {
    const incl = await client.send(new QueryCommand({
      TableName: table, IndexName: 'by_cat', KeyConditionExpression: 'cat = :c',
      ExpressionAttributeValues: { ':c': { S: 'c2' } },
    }));
    assert.ok(incl.Items.length > 0);
    for (const keys of sortedKeys(incl.Items)) assert.deepEqual(keys, ['cat', 'color', 'num', 'pk', 'sk']);
    const keysOnly = await client.send(new QueryCommand({
      TableName: table, IndexName: 'by_tag', KeyConditionExpression: 'tag = :t',
      ExpressionAttributeValues: { ':t': { S: 't2' } },
    }));
    assert.equal(keysOnly.Count, ITEMS.filter((it) => it.tag === 't2').length);
    for (const keys of sortedKeys(keysOnly.Items)) assert.deepEqual(keys, ['pk', 'sk', 'tag']);
    const all = await doc.send(new DocQueryCommand({
      TableName: table, IndexName: 'by_cat_all', KeyConditionExpression: 'cat = :c',
      ExpressionAttributeValues: { ':c': 'c0' },
    }));
    const want = ITEMS.filter((it) => it.cat === 'c0');
    assert.deepEqual(all.Items.map((it) => it.sk).sort((a, b) => a - b), want.map((it) => it.sk).sort((a, b) => a - b));
    for (const it of all.Items) assert.deepEqual(it, ITEMS[it.sk]);
  });

  test('parallel Scan of a GSI covers every entry once', async () => {
    const seen = [];
    for (let segment = 0; segment < 3; segment++) {
      const pages = await collect(paginateScan({ client, pageSize: 4 }, {
        TableName: table, IndexName: 'by_tag', Segment: segment, TotalSegments: 3,
      }));
      seen.push(...pages.flatMap((p) => p.Items.map((it) => `${it.pk.S}/${it.sk.N}`)));
    }
    assert.deepEqual(seen.sort(), ITEMS.filter((it) => it.tag !== undefined).map((it) => `${it.pk}/${it.sk}`).sort());
  });

  test('errors for index reads', async () => {
    await rejects(client.send(new QueryCommand({
      TableName: table, IndexName: 'by_cat', ConsistentRead: true, KeyConditionExpression: 'cat = :c',
      ExpressionAttributeValues: { ':c': { S: 'c1' } },
    })), 'ValidationException', 'Consistent reads are not supported on global secondary indexes');
    await rejects(client.send(new QueryCommand({
      TableName: table, IndexName: 'by_tag', Select: 'ALL_ATTRIBUTES', KeyConditionExpression: 'tag = :t',
      ExpressionAttributeValues: { ':t': { S: 't0' } },
    })), 'ValidationException', 'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not '
      + 'supported for global secondary index by_tag because its projection type is not ALL');
    await rejects(client.send(new ScanCommand({ TableName: table, IndexName: 'nope' })),
      'ValidationException', 'The table does not have the specified index: nope');
    await rejects(client.send(new QueryCommand({
      TableName: table, IndexName: 'by_cat', KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'p1' } },
    })), 'ValidationException', 'Query condition missed key schema element: cat');
    await rejects(client.send(new PutItemCommand({
      TableName: table, Item: { pk: { S: 'bad' }, sk: { N: '1' }, cat: { N: '3' } },
    })), 'ValidationException', 'One or more parameter values were invalid: Type mismatch for Index Key cat '
      + 'Expected: S Actual: N IndexName: by_cat');
  });

  test('LSI reads: strongly consistent, and fetching unprojected attributes from the table', async () => {
    const out = await client.send(new QueryCommand({
      TableName: table, IndexName: 'by_num', ConsistentRead: true, Select: 'ALL_ATTRIBUTES',
      KeyConditionExpression: 'pk = :p AND num >= :n',
      ExpressionAttributeValues: { ':p': { S: 'p3' }, ':n': { N: '5' } },
    }));
    const want = ITEMS.filter((it) => it.pk === 'p3' && it.num >= 5);
    assert.equal(out.Count, want.length);
    for (const it of out.Items) assert.equal(it.note.S, `n${it.sk.N}`);
    const nums = out.Items.map((it) => Number(it.num.N));
    assert.deepEqual(nums, [...nums].sort((a, b) => a - b));
  });

  test('ReturnConsumedCapacity INDEXES and ReturnItemCollectionMetrics SIZE on writes', async () => {
    const put = await client.send(new PutItemCommand({
      TableName: table, Item: { pk: { S: 'cap' }, sk: { N: '1' }, cat: { S: 'cx' }, num: { N: '1' } },
      ReturnConsumedCapacity: 'INDEXES', ReturnItemCollectionMetrics: 'SIZE',
    }));
    assert.deepEqual(put.ConsumedCapacity, {
      TableName: table, CapacityUnits: 4,
      Table: { CapacityUnits: 1 },
      GlobalSecondaryIndexes: { by_cat: { CapacityUnits: 1 }, by_cat_all: { CapacityUnits: 1 } },
      LocalSecondaryIndexes: { by_num: { CapacityUnits: 1 } },
    });
    assert.deepEqual(put.ItemCollectionMetrics, { ItemCollectionKey: { pk: { S: 'cap' } }, SizeEstimateRangeGB: [0, 1] });
    const upd = await client.send(new UpdateItemCommand({
      TableName: table, Key: { pk: { S: 'cap' }, sk: { N: '1' } }, UpdateExpression: 'SET cat = :c',
      ExpressionAttributeValues: { ':c': { S: 'cy' } }, ReturnConsumedCapacity: 'INDEXES',
    }));
    // The GSI key changed: a delete and a put in each GSI; the LSI (KEYS_ONLY on num) is untouched.
    assert.deepEqual(upd.ConsumedCapacity, {
      TableName: table, CapacityUnits: 5,
      Table: { CapacityUnits: 1 },
      GlobalSecondaryIndexes: { by_cat: { CapacityUnits: 2 }, by_cat_all: { CapacityUnits: 2 } },
    });
    const q = await client.send(new QueryCommand({
      TableName: table, IndexName: 'by_cat', KeyConditionExpression: 'cat = :c',
      ExpressionAttributeValues: { ':c': { S: 'cy' } }, ReturnConsumedCapacity: 'INDEXES',
    }));
    assert.deepEqual(q.ConsumedCapacity, {
      TableName: table, CapacityUnits: 0.5, Table: { CapacityUnits: 0 },
      GlobalSecondaryIndexes: { by_cat: { CapacityUnits: 0.5 } },
    });
  });
});

describe('UpdateTable adds a GSI to a table with items', () => {
  test('Create, backfill, query', async () => {
    const table = tableName('js_idx_ut');
    await client.send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }));
    const items = Array.from({ length: 300 }, (_, i) => ({ id: `i${i}`, grp: `g${i % 4}`, rank: i, extra: 'x' }));
    await batchWriteAll(table, items);
    const out = await client.send(new UpdateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'grp', AttributeType: 'S' }, { AttributeName: 'rank', AttributeType: 'N' }],
      GlobalSecondaryIndexUpdates: [{ Create: {
        IndexName: 'by_grp', KeySchema: [{ AttributeName: 'grp', KeyType: 'HASH' }, { AttributeName: 'rank', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      } }],
    }));
    const ix = out.TableDescription.GlobalSecondaryIndexes.find((g) => g.IndexName === 'by_grp');
    assert.equal(ix.IndexStatus, 'CREATING');
    assert.equal(typeof ix.Backfilling, 'boolean');
    const desc = await waitIndexActive(table, 'by_grp');
    assert.equal(desc.GlobalSecondaryIndexes[0].ItemCount, 300);
    const pages = await collect(paginateQuery({ client, pageSize: 10 }, {
      TableName: table, IndexName: 'by_grp', KeyConditionExpression: 'grp = :g',
      ExpressionAttributeValues: { ':g': { S: 'g3' } }, ScanIndexForward: false,
    }));
    const got = pages.flatMap((p) => p.Items);
    assert.deepEqual(got.map((it) => Number(it.rank.N)), items.filter((it) => it.grp === 'g3').map((it) => it.rank).reverse());
    for (const keys of sortedKeys(got)) assert.deepEqual(keys, ['grp', 'id', 'rank']);
  });
});
