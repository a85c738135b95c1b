// The README's vector search example, as written there (tests/js/readme_vector.test.mjs runs it against
// a private server: ENDPOINT is its address).
import {
  CreateTableCommand, DynamoDBClient, PutItemCommand, SearchVectorsCommand,
} from '@aws-sdk/client-dynamodb';

export async function readmeExample(ENDPOINT) {
  // --- README begin
  const db = new DynamoDBClient({ endpoint: ENDPOINT, region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

  await db.send(new CreateTableCommand({
    TableName: 'Products', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' },
                           { AttributeName: 'category', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    VectorIndexes: [{
      IndexName: 'by-embedding', VectorAttribute: { AttributeName: 'embedding' },
      Dimensions: 3, DistanceFunction: 'COSINE', Projection: { ProjectionType: 'ALL' },
      SearchSchema: [{ AttributeName: 'category', SearchSchemaElementType: 'INLINE_FILTER' }],
    }],
  }));

  const products = [['lamp', 'home', [0.9, 0.1, 0.0]], ['sofa', 'home', [0.7, 0.7, 0.1]],
                    ['kettle', 'kitchen', [0.8, 0.2, 0.1]], ['chair', 'home', [0.1, 0.9, 0.2]]];
  for (const [id, category, v] of products) {
    await db.send(new PutItemCommand({ TableName: 'Products', Item: {
      id: { S: id }, category: { S: category },
      embedding: { L: v.map((x) => ({ N: String(x) })) } } }));
  }

  const { SearchResults } = await db.send(new SearchVectorsCommand({
    TableName: 'Products', IndexName: 'by-embedding', TopK: 2,
    SearchVector: [1, 0, 0].map((x) => ({ N: String(x) })),
    SearchConditionExpression: 'category = :c',
    ExpressionAttributeValues: { ':c': { S: 'home' } },
  }));
  for (const r of SearchResults) console.log(r.Item.id.S, r.Score.toFixed(4));
  // lamp 0.0061
  // sofa 0.2965
  // --- README end
  return SearchResults;
}
