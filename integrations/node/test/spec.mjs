// The specs' body, for the vitest and the jest suite: every test changes the store and expects the
// seed's state alone, so a test that follows another in the same namespace fails unless the
// restore happened.
import { appendFileSync } from 'node:fs';
import {
  CreateTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand, ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { ddbdEndpoint, ddbdRegion } from '../ddbd.mjs';
import { client } from './client.mjs';

const { expect, test } = globalThis.test ? globalThis : await import('vitest');   // jest's globals, or vitest's

export function specs(file) {
  for (const n of [1, 2, 3]) {
    test(`${file} ${n} starts from the seed`, async () => {
      const db = client(ddbdEndpoint());
      expect((await db.send(new ListTablesCommand({}))).TableNames).toEqual(['users']);
      expect((await db.send(new ScanCommand({ TableName: 'users' }))).Items.map((i) => i.id.S)).toEqual(['alice']);
      await db.send(new PutItemCommand({ TableName: 'users', Item: { id: { S: `${file}-${n}` } } }));
      await db.send(new CreateTableCommand({ TableName: 'extra', BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }] }));
      appendFileSync(process.env.RECORD, JSON.stringify({ worker: process.env.VITEST_POOL_ID || process.env.JEST_WORKER_ID, endpoint: ddbdEndpoint(),
        region: ddbdRegion() }) + '\n');
      await new Promise((r) => setTimeout(r, 200));   // so that both workers take files, one restoring meanwhile
      // the other worker's restores left this worker's namespace alone
      const mine = await db.send(new GetItemCommand({ TableName: 'users', Key: { id: { S: `${file}-${n}` } } }));
      expect(mine.Item).toBeTruthy();
      expect((await db.send(new ListTablesCommand({}))).TableNames).toEqual(['extra', 'users']);
    });
  }
}
