import { globalSetup } from '../../ddbd.mjs';
import { client } from './client.mjs';

export default globalSetup({
  workers: 2,
  async seed(endpoint, region) {
    const db = client(endpoint, region);
    const { CreateTableCommand, PutItemCommand } = await import('@aws-sdk/client-dynamodb');
    await db.send(new CreateTableCommand({ TableName: 'users', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    await db.send(new PutItemCommand({ TableName: 'users', Item: { id: { S: 'alice' } } }));
  },
});
