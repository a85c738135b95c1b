// The vitest and the jest suite's global setup: one ddbd for the run, a namespace for each worker
// the runner may start (its config says how many), each seeded with the same table and item and
// saved as a snapshot (ddbd.mjs).
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { globalSetup } from '../ddbd.mjs';
import { client } from './client.mjs';

export default globalSetup({
  async seed(endpoint, region) {
    const db = client(endpoint, region);
    await db.send(new CreateTableCommand({ TableName: 'users', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    await db.send(new PutItemCommand({ TableName: 'users', Item: { id: { S: 'alice' } } }));
  },
});
