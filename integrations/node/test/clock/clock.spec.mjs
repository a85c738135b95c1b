// The clock through the setup files (clock.test.mjs runs this under vitest and jest): with
// DDBD_CLOCK=frozen@T0 the run's server stands at T0 from the start; on a running one the test
// freezes it, and ddbd-each.mjs lets it run again after the test.
import { DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { clock, ddbdEndpoint } from '../../ddbd.mjs';
import { client } from '../client.mjs';

const { expect, test } = globalThis.test ? globalThis : await import('vitest');   // jest's globals, or vitest's
const T0 = 1700000000000;
const startedFrozen = (process.env.DDBD_CLOCK || 'running') !== 'running';

test('a session expires when a step passes it, with no sleep', async () => {
  const db = client(ddbdEndpoint());
  const c = clock(ddbdEndpoint());
  if (startedFrozen) {
    expect(await c.state()).toMatchObject({ now: T0, frozen: true });
    const { Table } = await db.send(new DescribeTableCommand({ TableName: 'sessions' }));
    expect(Table.CreationDateTime.getTime()).toBe(T0);   // the seed ran on the frozen clock
  } else {
    await c.freeze();
  }
  const start = await c.now();
  const get = async () => (await db.send(new GetItemCommand({ TableName: 'sessions', Key: { id: { S: 's1' } } }))).Item;
  await db.send(new PutItemCommand({ TableName: 'sessions',
    Item: { id: { S: 's1' }, expires: { N: String(Math.floor(start / 1000) + 60) } } }));
  expect(await c.advance(59000)).toBe(start + 59000);
  expect(await get()).toBeTruthy();
  await c.advance(2000);   // past the expiry second: TTL's sweep ran before the step answered
  expect(await get()).toBeUndefined();
});

test('then the clock is as the run started it', async () => {
  expect((await clock(ddbdEndpoint()).state()).frozen).toBe(startedFrozen);
});
