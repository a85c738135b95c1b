// The Testcontainers module (../testcontainers.mjs) against the Docker image $DDBD_IMAGE (built
// by tests/docker/run.sh), on the host's network (this engine has no bridge), Ryuk disabled
// (its image cannot be pulled offline): ctest docker.testcontainers, after docker.image.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { restore, snapshot } from '../ddbd.mjs';
import { startDdbdContainer } from '../testcontainers.mjs';

const image = process.env.DDBD_IMAGE || 'ddbd';
const client = (endpoint) => new DynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const ids = async (db) => (await db.send(new ScanCommand({ TableName: 'users' }))).Items.map((i) => i.id.S).sort();

test('a container answers the SDK, is ready when started, and restores its snapshots', async () => {
  const t0 = Date.now();
  const { container, endpoint } = await startDdbdContainer({ image, hostNetwork: true });
  console.log(`container ready in ${Date.now() - t0} ms at ${endpoint}`);
  try {
    // on the host's network it listens on loopback only, not on every interface of the host
    // `docker logs` returns what was written so far and exits. (A followed log stream from
    // container.logs() once ended without its data on a loaded CI machine, leaving the test's
    // promise pending with nothing to keep the event loop alive.)
    const out = spawnSync('docker', ['logs', container.getId()], { encoding: 'utf8', timeout: 30000 });
    assert.equal(out.status, 0, out.stderr);
    const logs = out.stdout + out.stderr;
    assert.match(logs, new RegExp(`listening on http://127\\.0\\.0\\.1:${new URL(endpoint).port},`));
    const db = client(endpoint);
    await db.send(new CreateTableCommand({ TableName: 'users', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    await db.send(new PutItemCommand({ TableName: 'users', Item: { id: { S: 'alice' } } }));
    await snapshot(endpoint, 'seed');
    await db.send(new PutItemCommand({ TableName: 'users', Item: { id: { S: 'bob' } } }));
    assert.deepEqual(await ids(db), ['alice', 'bob']);
    await restore(endpoint, 'seed');
    assert.deepEqual(await ids(db), ['alice']);
    await assert.rejects(restore(endpoint, 'nope'),
      { message: 'ddbd POST /ddbd/snapshots/nope/restore: 404 {"message":"no snapshot named nope"}' });
  } finally {
    await container.stop();
  }
  // stopped and removed: nothing answers there any more
  await assert.rejects(fetch(endpoint + '/'));
});
