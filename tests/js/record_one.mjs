// Records a PutItem and a GetItem of a missing table through integrations/record/ddbd-record.mjs
// (the JS SDK v3 recorder), for tests/compat/test_record_format.py, which checks its lines against
// proto/record_line.def as it checks ddbd's and the Python recorder's.
// Run: node record_one.mjs ENDPOINT FILE TABLE (the table exists, keyed by pk).
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

import { ddbdRecorder } from '../../integrations/record/ddbd-record.mjs';

const [endpoint, file, TableName] = process.argv.slice(2);
const client = new DynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const recorder = ddbdRecorder(file);
client.middlewareStack.use(recorder);
await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'js' }, n: { N: '1' } } }));
await client.send(new GetItemCommand({ TableName: `${TableName}-missing`, Key: { pk: { S: 'js' } } }))
  .then(() => { throw new Error('GetItem of a missing table succeeded'); }, () => {});
await recorder.close();
