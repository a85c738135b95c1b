import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ddbdRegion, globalSetup } from '../../ddbd.mjs';

// the worker's namespace is its region's
export const client = (endpoint, region = ddbdRegion()) => new DynamoDBClient({ endpoint, region, maxAttempts: 1,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

export default globalSetup({
  workers: 2,
  async seed(endpoint, region) {
    const db = client(endpoint, region);
    await db.send(new CreateTableCommand({ TableName: 'users', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    await db.send(new PutItemCommand({ TableName: 'users', Item: { id: { S: 'alice' } } }));
  },
});
