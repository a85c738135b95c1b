import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ddbdRegion } from '../ddbd.mjs';

// the worker's namespace is its region's
export const client = (endpoint, region = ddbdRegion()) => new DynamoDBClient({ endpoint, region, maxAttempts: 1,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
