// seedFrom and globalSetup({ templates }): a namespace per worker seeded from infrastructure code
// (ddbd --seed-requests, docs/seeding.md), through the JS SDK v3 in each worker's region.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeTimeToLiveCommand, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { globalSetup, seedFrom } from '../ddbd.mjs';
import { client } from './client.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SAM = path.join(HERE, '../../../tests/compat/seed_templates/sam-app/template.yaml');

test('globalSetup({ templates, params }) seeds every worker namespace from a SAM template', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbd-seed-'));
  writeFileSync(path.join(dir, 'sessions-staging.jsonl'), '{"sessionId": {"S": "s1"}}\n');
  const teardown = await globalSetup({ workers: 2, templates: [SAM, path.join(dir, 'sessions-staging.jsonl')],
    params: { Stage: 'staging', 'AWS::StackName': 'app' },
    omit: ['UpdateContinuousBackups'] })({});   // (a namespace snapshot holds no table with PITR on)
  try {
    for (const region of ['ddbd-w1', 'ddbd-w2']) {
      const db = client(process.env.DDBD_ENDPOINT, region);
      assert.deepEqual((await db.send(new ListTablesCommand({}))).TableNames, ['app-orders-staging', 'sessions-staging']);
      assert.deepEqual((await db.send(new DescribeTimeToLiveCommand({ TableName: 'app-orders-staging' }))).TimeToLiveDescription,
        { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
      assert.deepEqual((await db.send(new ScanCommand({ TableName: 'sessions-staging' }))).Items, [{ sessionId: { S: 's1' } }]);
    }
    // the default namespace (us-east-1) has none of them: each worker's own were seeded
    const other = client(process.env.DDBD_ENDPOINT, 'us-east-1');
    assert.deepEqual((await other.send(new ListTablesCommand({}))).TableNames, []);
    // a refused template rejects with ddbd's message
    writeFileSync(path.join(dir, 'bad.yaml'), 'Resources: [');
    await assert.rejects(seedFrom(process.env.DDBD_ENDPOINT, 'ddbd-w1', [path.join(dir, 'bad.yaml')]),
      /the seed was refused:[\s\S]*not valid YAML/);
  } finally {
    await teardown();
  }
});
