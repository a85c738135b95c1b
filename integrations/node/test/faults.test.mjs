// ddbd.mjs's faults(), listFaults() and clearFaults() against a server startDdbd() runs: the
// SDK sees the injected error, its own retries are counted, and clearing ends them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

import { clearFaults, faults, listFaults, startDdbd } from '../ddbd.mjs';

let server;
const client = (maxAttempts) => new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', maxAttempts,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const put = (c) => c.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'a' } } }));

before(async () => {
  server = await startDdbd();
  await client(1).send(new CreateTableCommand({ TableName: 'orders', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
});
after(async () => { assert.equal(await server.stop(), 0); });

test('two InternalServerErrors, then the SDK\'s third attempt succeeds', async () => {
  const set = await faults(server.endpoint, [{ operation: 'PutItem', table: 'orders', error: 'InternalServerError', count: 2 }]);
  assert.equal(set[0].remaining, 2);
  const out = await put(client(3));
  assert.equal(out.$metadata.attempts, 3);
  assert.equal((await listFaults(server.endpoint))[0].injected, 2);
});

test('a throttle with a seed, then cleared', async () => {
  await faults(server.endpoint, [{ operation: 'PutItem', error: 'ThrottlingException' }], { seed: 1 });
  await assert.rejects(put(client(1)), (e) => e.name === 'ThrottlingException' && e.$metadata.httpStatusCode === 400);
  await clearFaults(server.endpoint);
  assert.deepEqual(await listFaults(server.endpoint), []);
  await put(client(1));
});
