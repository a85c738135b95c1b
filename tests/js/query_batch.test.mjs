// Query, Scan, BatchGetItem and BatchWriteItem through the AWS SDK for JavaScript v3: the SDK's
// paginators (paginateQuery/paginateScan) over Limit pages and 1 MB pages, parallel scan segments,
// BatchWrite/BatchGet through DynamoDBDocumentClient, and DynamoDB's error texts as the SDK sees them.
//
// Starts its own `ddbd --in-memory` ($DDBD_BIN, default build/ddbd of this checkout) on a free loopback
// port and stops it at the end. Run with: node --test tests/js/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CreateTableCommand,
  DynamoDBClient,
  QueryCommand,
  ScanCommand,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  paginateQuery as paginateDocQuery,
} from '@aws-sdk/lib-dynamodb';

import { collect, rejects, startServer, stopServer } from './helpers.mjs';

let server;
let client;
let doc;
let tableSeq = 0;

async function createTable(hash, range) {
  const TableName = `js_qb_${process.pid}_${++tableSeq}`;
  const AttributeDefinitions = [{ AttributeName: hash[0], AttributeType: hash[1] }];
  const KeySchema = [{ AttributeName: hash[0], KeyType: 'HASH' }];
  if (range) {
    AttributeDefinitions.push({ AttributeName: range[0], AttributeType: range[1] });
    KeySchema.push({ AttributeName: range[0], KeyType: 'RANGE' });
  }
  await client.send(new CreateTableCommand({ TableName, AttributeDefinitions, KeySchema, BillingMode: 'PAY_PER_REQUEST' }));
  return TableName;
}

async function batchWriteAll(table, items) {
  for (let i = 0; i < items.length; i += 25) {
    const out = await doc.send(new BatchWriteCommand({
      RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
    }));
    assert.deepEqual(out.UnprocessedItems, {});
  }
}


before(async () => {
  server = await startServer();
  const config = {
    endpoint: `http://127.0.0.1:${server.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  };
  client = new DynamoDBClient(config);
  doc = DynamoDBDocumentClient.from(client);
});

after(async () => {
  client?.destroy();
  if (server) assert.equal(await stopServer(server), 0);
});

describe('Query paging', () => {
  let table;
  const sortKeys = Array.from({ length: 50 }, (_, i) => i * 3 - 70); // -70 .. 77, numeric order

  before(async () => {
    table = await createTable(['pk', 'S'], ['sk', 'N']);
    await batchWriteAll(table, sortKeys.map((sk) => ({ pk: 'p', sk, even: sk % 2 === 0 })));
    await batchWriteAll(table, [{ pk: 'q', sk: 1 }, { pk: 'pp', sk: 1 }]);
  });

  for (const forward of [true, false]) {
    for (const pageSize of [1, 7, 10, 49, 50, 51]) {
      test(`paginateQuery pageSize ${pageSize} ${forward ? 'ascending' : 'descending'}`, async () => {
        const pages = await collect(paginateQuery({ client, pageSize }, {
          TableName: table,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: 'p' } },
          ScanIndexForward: forward,
        }));
        const expected = forward ? sortKeys : [...sortKeys].reverse();
        assert.deepEqual(pages.flatMap((p) => p.Items.map((it) => Number(it.sk.N))), expected);
        // full pages carry LastEvaluatedKey; an exactly full last page is followed by an empty one
        assert.equal(pages.length, Math.floor(expected.length / pageSize) + 1);
        pages.slice(0, -1).forEach((p, i) => {
          assert.equal(p.Count, pageSize);
          assert.equal(p.ScannedCount, pageSize);
          assert.deepEqual(p.LastEvaluatedKey, { pk: { S: 'p' }, sk: { N: String(expected[(i + 1) * pageSize - 1]) } });
        });
        assert.equal(pages.at(-1).LastEvaluatedKey, undefined);
        assert.equal(pages.at(-1).Count, expected.length % pageSize);
      });
    }
  }

  test('paginateQuery with a sort-key range, reversed', async () => {
    const pages = await collect(paginateQuery({ client, pageSize: 4 }, {
      TableName: table,
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':p': { S: 'p' }, ':lo': { N: '-10' }, ':hi': { N: '20' } },
      ScanIndexForward: false,
    }));
    const expected = sortKeys.filter((k) => k >= -10 && k <= 20).reverse();
    assert.deepEqual(pages.flatMap((p) => p.Items.map((it) => Number(it.sk.N))), expected);
  });

  test('document paginateQuery: Limit counts items before the filter', async () => {
    const pages = await collect(paginateDocQuery({ client: doc, pageSize: 8 }, {
      TableName: table,
      KeyConditionExpression: 'pk = :p',
      FilterExpression: 'even = :t',
      ExpressionAttributeValues: { ':p': 'p', ':t': true },
    }));
    assert.equal(pages.length, Math.floor(50 / 8) + 1);
    assert.deepEqual(pages.map((p) => p.ScannedCount), [8, 8, 8, 8, 8, 8, 2]);
    assert.deepEqual(pages.flatMap((p) => p.Items.map((it) => it.sk)), sortKeys.filter((k) => k % 2 === 0));
    assert.equal(pages.reduce((n, p) => n + p.Count, 0), sortKeys.filter((k) => k % 2 === 0).length);
  });

  test('Select COUNT pages keep LastEvaluatedKey', async () => {
    const out = await client.send(new QueryCommand({
      TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } },
      Select: 'COUNT', Limit: 5,
    }));
    assert.equal(out.Items, undefined);
    assert.equal(out.Count, 5);
    assert.deepEqual(out.LastEvaluatedKey, { pk: { S: 'p' }, sk: { N: String(sortKeys[4]) } });
  });

  test('Limit 0 is refused with DynamoDB\'s text', async () => {
    await rejects(client.send(new QueryCommand({
      TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, Limit: 0,
    })), 'ValidationException',
    "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  test('a starting key outside the partition is refused', async () => {
    await rejects(client.send(new QueryCommand({
      TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } },
      ExclusiveStartKey: { pk: { S: 'q' }, sk: { N: '1' } },
    })), 'ValidationException', 'The provided starting key is outside query boundaries based on provided conditions');
  });
});

describe('1 MB pages', () => {
  let queryTable;
  let scanTable;
  const pad = 'x'.repeat(100 * 1024 - 20);

  before(async () => {
    queryTable = await createTable(['pk', 'S'], ['sk', 'S']);
    scanTable = await createTable(['pk', 'S']);
    await batchWriteAll(queryTable, Array.from({ length: 25 }, (_, i) => ({ pk: 'big', sk: String(i).padStart(3, '0'), pad })));
    await batchWriteAll(scanTable, Array.from({ length: 25 }, (_, i) => ({ pk: `s${String(i).padStart(3, '0')}`, pad })));
  });

  test('paginateQuery stops pages at 1 MB (about 10 items of 100 KB)', async () => {
    const pages = await collect(paginateQuery({ client }, {
      TableName: queryTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'big' } },
      ProjectionExpression: 'sk', ReturnConsumedCapacity: 'TOTAL',
    }));
    assert.deepEqual(pages.map((p) => p.Count), [11, 11, 3]);
    assert.deepEqual(pages.flatMap((p) => p.Items.map((it) => it.sk.S)),
      Array.from({ length: 25 }, (_, i) => String(i).padStart(3, '0')));
    assert.deepEqual(pages[0].LastEvaluatedKey, { pk: { S: 'big' }, sk: { S: '010' } });
    // 11 items of ~100 KB read: ceil(bytes / 4096) / 2
    assert.equal(pages[0].ConsumedCapacity.CapacityUnits, 137.5);
  });

  test('paginateScan stops pages at 1 MB and returns every item once', async () => {
    const pages = await collect(paginateScan({ client }, { TableName: scanTable, ProjectionExpression: 'pk' }));
    assert.deepEqual(pages.map((p) => p.ScannedCount), [11, 11, 3]);
    const seen = pages.flatMap((p) => p.Items.map((it) => it.pk.S));
    assert.deepEqual([...seen].sort(), Array.from({ length: 25 }, (_, i) => `s${String(i).padStart(3, '0')}`));
  });
});

describe('Scan paging and segments', () => {
  let table;
  const keys = Array.from({ length: 120 }, (_, i) => `k${String(i).padStart(3, '0')}`);

  before(async () => {
    table = await createTable(['pk', 'S']);
    await batchWriteAll(table, keys.map((pk, i) => ({ pk, n: i })));
  });

  for (const pageSize of [1, 25, 40, 119, 120]) {
    test(`paginateScan pageSize ${pageSize}`, async () => {
      const pages = await collect(paginateScan({ client, pageSize }, { TableName: table }));
      const seen = pages.flatMap((p) => p.Items.map((it) => it.pk.S));
      assert.equal(seen.length, keys.length);
      assert.deepEqual([...seen].sort(), keys);
      assert.equal(pages.length, Math.floor(keys.length / pageSize) + 1);
      assert.equal(pages.at(-1).LastEvaluatedKey, undefined);
    });
  }

  for (const total of [2, 3, 7]) {
    test(`paginateScan over ${total} parallel segments partitions the table`, async () => {
      const seen = [];
      await Promise.all(Array.from({ length: total }, async (_, segment) => {
        const pages = await collect(paginateScan({ client, pageSize: 9 }, { TableName: table, Segment: segment, TotalSegments: total }));
        for (const p of pages) seen.push(...p.Items.map((it) => it.pk.S));
      }));
      assert.deepEqual([...seen].sort(), keys);
    });
  }

  test('TotalSegments above 1000000 is refused', async () => {
    await rejects(client.send(new ScanCommand({ TableName: table, Segment: 0, TotalSegments: 1000001 })),
      'ValidationException',
      "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000");
  });
});

describe('BatchWrite and BatchGet through DynamoDBDocumentClient', () => {
  let users;
  let events;

  before(async () => {
    users = await createTable(['id', 'S']);
    events = await createTable(['user', 'S'], ['at', 'N']);
  });

  test('25 puts over two tables, then 40 gets with projection and ConsistentRead per table', async () => {
    const userItems = Array.from({ length: 15 }, (_, i) => ({ id: `u${i}`, name: `user ${i}`, tags: new Set(['a', `t${i}`]), age: 20 + i }));
    const eventItems = Array.from({ length: 10 }, (_, i) => ({ user: 'u1', at: 1000 + i, kind: i % 2 ? 'click' : 'view', data: { i, list: [i, 'x'] } }));
    const written = await doc.send(new BatchWriteCommand({
      RequestItems: {
        [users]: userItems.map((Item) => ({ PutRequest: { Item } })),
        [events]: eventItems.map((Item) => ({ PutRequest: { Item } })),
      },
      ReturnConsumedCapacity: 'TOTAL',
    }));
    assert.deepEqual(written.UnprocessedItems, {});
    assert.deepEqual(written.ConsumedCapacity.map((c) => [c.TableName, c.CapacityUnits]).sort(),
      [[users, 15], [events, 10]].sort());

    const got = await doc.send(new BatchGetCommand({
      RequestItems: {
        [users]: {
          Keys: Array.from({ length: 20 }, (_, i) => ({ id: `u${i}` })),
          ProjectionExpression: '#n, age',
          ExpressionAttributeNames: { '#n': 'name' },
        },
        [events]: {
          Keys: Array.from({ length: 20 }, (_, i) => ({ user: 'u1', at: 995 + i })),
          ConsistentRead: true,
        },
      },
    }));
    assert.deepEqual(got.UnprocessedKeys, {});
    const byAge = (a, b) => a.age - b.age;
    assert.deepEqual(got.Responses[users].sort(byAge), userItems.map(({ name, age }) => ({ name, age })));
    assert.deepEqual(got.Responses[events].sort((a, b) => a.at - b.at), eventItems);
  });

  test('deletes in a batch, and missing keys are simply absent', async () => {
    const out = await doc.send(new BatchWriteCommand({
      RequestItems: { [users]: [{ DeleteRequest: { Key: { id: 'u0' } } }, { DeleteRequest: { Key: { id: 'nobody' } } }] },
    }));
    assert.deepEqual(out.UnprocessedItems, {});
    const got = await doc.send(new BatchGetCommand({ RequestItems: { [users]: { Keys: [{ id: 'u0' }, { id: 'u2' }] } } }));
    assert.deepEqual(got.Responses[users].map((it) => it.id), ['u2']);
  });

  test('duplicate keys in one BatchWrite are refused', async () => {
    await rejects(doc.send(new BatchWriteCommand({
      RequestItems: { [users]: [{ PutRequest: { Item: { id: 'd' } } }, { DeleteRequest: { Key: { id: 'd' } } }] },
    })), 'ValidationException', 'Provided list of item keys contains duplicates');
  });

  test('more than 100 keys over two tables are refused', async () => {
    await rejects(doc.send(new BatchGetCommand({
      RequestItems: {
        [users]: { Keys: Array.from({ length: 60 }, (_, i) => ({ id: `x${i}` })) },
        [events]: { Keys: Array.from({ length: 41 }, (_, i) => ({ user: 'x', at: i })) },
      },
    })), 'ValidationException', 'Too many items requested for the BatchGetItem call');
  });

  test('a missing table fails the whole BatchWrite', async () => {
    await rejects(doc.send(new BatchWriteCommand({
      RequestItems: { [users]: [{ PutRequest: { Item: { id: 'never' } } }], no_such_table_js: [{ PutRequest: { Item: { id: 'x' } } }] },
    })), 'ResourceNotFoundException', 'Requested resource not found');
    const got = await doc.send(new BatchGetCommand({ RequestItems: { [users]: { Keys: [{ id: 'never' }], ConsistentRead: true } } }));
    assert.deepEqual(got.Responses[users], []);
  });
});
