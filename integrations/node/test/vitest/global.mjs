import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { globalSetup } from '../../ddbd.mjs';

export const client = (endpoint) => new DynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

export default globalSetup({
  workers: 2,
  async seed(endpoint) {
    const db = client(endpoint);
    await db.send(new CreateTableCommand({ TableName: 'users', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    await db.send(new PutItemCommand({ TableName: 'users', Item: { id: { S: 'alice' } } }));
  },
});
