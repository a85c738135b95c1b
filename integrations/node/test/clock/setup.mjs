// The clock suite's global setup: one ddbd for the run, its clock as $DDBD_CLOCK says (clock.test.mjs
// runs the suite frozen at a known time, and running), each worker's namespace holding a table with
// TTL. (Named setup.mjs: vitest took './global.mjs' here for test/global.mjs, the other suites'.)
import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { globalSetup } from '../../ddbd.mjs';
import { client } from '../client.mjs';

export default globalSetup({
  clock: process.env.DDBD_CLOCK || 'running',
  async seed(endpoint, region) {
    const db = client(endpoint, region);
    await db.send(new CreateTableCommand({ TableName: 'sessions', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    await db.send(new UpdateTimeToLiveCommand({ TableName: 'sessions',
      TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }));
  },
});
