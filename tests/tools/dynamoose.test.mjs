// Dynamoose (npm `dynamoose`) against ddbd: the examples of Dynamoose's own documentation (README,
// guide/Model, guide/Schema, guide/Condition, guide/Query, guide/Scan, guide/Transaction), with
// the table created by the model as Dynamoose does it, and asserts on what each call returns.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DynamoDB } from '@aws-sdk/client-dynamodb';
import dynamoose from 'dynamoose';

import { startServer, stopServer } from '../js/helpers.mjs';

let server;
let ddb;

before(async () => {
  server = await startServer();
  // guide/Dynamoose: "dynamoose.aws.ddb.set(ddb)" with a client pointed at a local endpoint
  ddb = new DynamoDB({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  dynamoose.aws.ddb.set(ddb);
});

after(async () => {
  await stopServer(server);
});

test("README: the Cat model, save and get", async () => {
  // unchanged from Dynamoose's README, apart from awaiting the promises
  const Cat = dynamoose.model('Cat', { id: Number, name: String });
  const garfield = new Cat({ id: 666, name: 'Garfield' });
  await garfield.save();
  const badCat = await Cat.get(666);
  assert.equal(`Never trust a smiling cat. - ${badCat.name}`, 'Never trust a smiling cat. - Garfield');
  // the model made the table, as Dynamoose's "create: true" default does
  const desc = await ddb.describeTable({ TableName: 'Cat' });
  assert.equal(desc.Table.TableStatus, 'ACTIVE');
  assert.deepEqual(desc.Table.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
  assert.deepEqual(desc.Table.AttributeDefinitions, [{ AttributeName: 'id', AttributeType: 'N' }]);
  assert.equal(await Cat.get(667), undefined);
});

// guide/Schema: hashKey, rangeKey, a global index with its own range key, defaults, a set, timestamps
const petSchema = new dynamoose.Schema({
  ownerId: { type: String, hashKey: true },
  name: { type: String, rangeKey: true },
  breed: { type: String, index: { name: 'breedIndex', type: 'global', rangeKey: 'age' } },
  age: Number,
  lives: { type: Number, default: 9 },
  toys: { type: Set, schema: [String] },
  active: Boolean,
}, { timestamps: true });

let Pet;

test('model with schema: table creation with keys and the index', async () => {
  // initialize false and then table().initialize(): the table the model made is waited for here
  Pet = dynamoose.model('Pet', petSchema, { throughput: 'ON_DEMAND', initialize: false });
  await Pet.table().initialize();
  const { Table } = await ddb.describeTable({ TableName: 'Pet' });
  assert.deepEqual(Table.KeySchema, [
    { AttributeName: 'ownerId', KeyType: 'HASH' },
    { AttributeName: 'name', KeyType: 'RANGE' },
  ]);
  assert.equal(Table.BillingModeSummary.BillingMode, 'PAY_PER_REQUEST');
  assert.equal(Table.GlobalSecondaryIndexes.length, 1);
  const gsi = Table.GlobalSecondaryIndexes[0];
  assert.equal(gsi.IndexName, 'breedIndex');
  assert.equal(gsi.IndexStatus, 'ACTIVE');
  assert.deepEqual(gsi.KeySchema, [
    { AttributeName: 'breed', KeyType: 'HASH' },
    { AttributeName: 'age', KeyType: 'RANGE' },
  ]);
  assert.equal(gsi.Projection.ProjectionType, 'ALL');
});

test('create, get, and create refusing to overwrite', async () => {
  const tom = await Pet.create({ ownerId: 'alice', name: 'Tom', breed: 'tabby', age: 3, toys: new Set(['mouse', 'yarn']), active: true });
  assert.equal(tom.lives, 9); // the schema's default
  assert.equal(typeof tom.createdAt, 'number');
  await Pet.create({ ownerId: 'alice', name: 'Felix', breed: 'siamese', age: 5, active: false });
  await Pet.create({ ownerId: 'alice', name: 'Kitty', breed: 'tabby', age: 1, lives: 7, active: true });
  await Pet.create({ ownerId: 'bob', name: 'Salem', breed: 'tabby', age: 8, lives: 8, active: true });
  await new Pet({ ownerId: 'bob', name: 'Luna', breed: 'siamese', age: 2, active: true }).save();

  const got = await Pet.get({ ownerId: 'alice', name: 'Tom' });
  assert.equal(got.breed, 'tabby');
  assert.equal(got.age, 3);
  assert.deepEqual([...got.toys].sort(), ['mouse', 'yarn']);
  assert.equal(new Date(got.createdAt).getTime(), new Date(tom.createdAt).getTime());
  assert.equal(await Pet.get({ ownerId: 'alice', name: 'Nobody' }), undefined);

  // guide/Model: create "will default to setting overwrite to false"
  await assert.rejects(Pet.create({ ownerId: 'alice', name: 'Tom', age: 99 }), (err) => {
    assert.equal(err.name, 'ConditionalCheckFailedException');
    assert.equal(err.message, 'The conditional request failed');
    return true;
  });
  assert.equal((await Pet.get({ ownerId: 'alice', name: 'Tom' })).age, 3);
});

test('update: $SET, $ADD, $REMOVE, and a condition that passes and one that fails', async () => {
  const key = { ownerId: 'alice', name: 'Tom' };
  // guide/Model: "only update the item if the `active` property on the existing item is set to true"
  const condition = new dynamoose.Condition().where('active').eq(true);
  const updated = await Pet.update(key, { $SET: { breed: 'tabby' }, $ADD: { age: 1, toys: ['ball'] } }, { condition });
  assert.equal(updated.age, 4);
  assert.deepEqual([...updated.toys].sort(), ['ball', 'mouse', 'yarn']);
  assert.ok(updated.updatedAt >= updated.createdAt);

  // Felix is not active: the condition fails, DynamoDB's error surfaces, nothing changes
  await assert.rejects(Pet.update({ ownerId: 'alice', name: 'Felix' }, { age: 50 }, { condition }), (err) => {
    assert.equal(err.name, 'ConditionalCheckFailedException');
    assert.equal(err.message, 'The conditional request failed');
    return true;
  });
  assert.equal((await Pet.get({ ownerId: 'alice', name: 'Felix' })).age, 5);

  // guide/Condition: conditions combine; lives < 8 and age between 0 and 10 holds for Kitty only
  const combined = new dynamoose.Condition('lives').lt(8).and().where('age').between(0, 10);
  const kitty = await Pet.update({ ownerId: 'alice', name: 'Kitty' }, { $REMOVE: ['toys'], lives: 6 }, { condition: combined });
  assert.equal(kitty.lives, 6);
  await assert.rejects(Pet.update({ ownerId: 'bob', name: 'Salem' }, { lives: 1 }, { condition: combined }),
    { name: 'ConditionalCheckFailedException' });
});

test('query on the hash key, with a range condition, sorted, limited, and on the index', async () => {
  const alice = await Pet.query('ownerId').eq('alice').exec();
  assert.deepEqual(alice.map((p) => p.name), ['Felix', 'Kitty', 'Tom']); // range key order
  assert.equal(alice.count, 3);

  const desc = await Pet.query('ownerId').eq('alice').where('name').beginsWith('T').exec();
  assert.deepEqual(desc.map((p) => p.name), ['Tom']);

  const backwards = await Pet.query('ownerId').eq('alice').sort('descending').exec();
  assert.deepEqual(backwards.map((p) => p.name), ['Tom', 'Kitty', 'Felix']);

  const firstPage = await Pet.query('ownerId').eq('alice').limit(2).exec();
  assert.equal(firstPage.length, 2);
  assert.deepEqual(firstPage.lastKey, { ownerId: 'alice', name: 'Kitty' });
  const rest = await Pet.query('ownerId').eq('alice').startAt(firstPage.lastKey).exec();
  assert.deepEqual(rest.map((p) => p.name), ['Tom']);

  // the index: Dynamoose picks breedIndex by itself for a query on `breed` ...
  const tabbies = await Pet.query('breed').eq('tabby').exec();
  assert.deepEqual(tabbies.map((p) => p.name), ['Kitty', 'Tom', 'Salem']); // the index's range key (age) order
  // ... or by name, with a range condition on the index's range key and a filter
  const olderTabbies = await Pet.query('breed').eq('tabby').where('age').ge(4).using('breedIndex').exec();
  assert.deepEqual(olderTabbies.map((p) => p.name), ['Tom', 'Salem']);
  const filtered = await Pet.query('breed').eq('tabby').filter('ownerId').eq('bob').using('breedIndex').exec();
  assert.deepEqual(filtered.map((p) => p.name), ['Salem']);
  assert.equal(filtered.count, 1);
  assert.equal((await Pet.query('breed').eq('tabby').count().exec()).count, 3);
});

test('scan with filters', async () => {
  const all = await Pet.scan().exec();
  assert.equal(all.length, 5);
  const older = await Pet.scan('age').gt(3).exec();
  assert.deepEqual(older.map((p) => p.name).sort(), ['Felix', 'Salem', 'Tom']);
  const activeSiamese = await Pet.scan('breed').eq('siamese').and().where('active').eq(true).exec();
  assert.deepEqual(activeSiamese.map((p) => p.name), ['Luna']);
  assert.equal(activeSiamese.count, 1);
  assert.equal(activeSiamese.scannedCount, 5); // what the scan read before the filter
  const withToy = await Pet.scan('toys').contains('ball').exec();
  assert.deepEqual(withToy.map((p) => p.name), ['Tom']);
  const notLive9 = await Pet.scan({ lives: { ne: 9 } }).exec(); // the object form of guide/Condition
  assert.deepEqual(notLive9.map((p) => p.name).sort(), ['Kitty', 'Salem']);
  const some = await Pet.scan().attributes(['name']).limit(2).exec();
  assert.equal(some.length, 2);
  assert.deepEqual(Object.keys(some[0].toJSON()), ['name']);
  assert.ok(some.lastKey);
  assert.equal((await Pet.scan('age').lt(3).count().exec()).count, 2);
});

test('batchGet, batchPut and batchDelete', async () => {
  const pets = await Pet.batchGet([
    { ownerId: 'alice', name: 'Tom' },
    { ownerId: 'bob', name: 'Luna' },
    { ownerId: 'bob', name: 'Nobody' },
  ]);
  assert.deepEqual(pets.map((p) => p.name).sort(), ['Luna', 'Tom']);
  assert.deepEqual(pets.unprocessedKeys, []);

  const put = await Pet.batchPut([
    { ownerId: 'carol', name: 'Mia', breed: 'persian', age: 4 },
    { ownerId: 'carol', name: 'Leo', breed: 'persian', age: 6 },
  ]);
  assert.deepEqual(put, { unprocessedItems: [] });
  assert.equal((await Pet.query('ownerId').eq('carol').exec()).count, 2);
  await Pet.batchDelete([{ ownerId: 'carol', name: 'Mia' }, { ownerId: 'carol', name: 'Leo' }]);
  assert.equal((await Pet.query('ownerId').eq('carol').exec()).count, 0);
});

test('transaction: write and get, and a cancelled one that changes nothing', async () => {
  const Owner = dynamoose.model('Owner', { id: String, balance: Number }, { throughput: 'ON_DEMAND' });
  await Owner.create({ id: 'alice', balance: 100 });

  // guide/Transaction: update, create, delete and a condition check in one call
  await dynamoose.transaction([
    Owner.transaction.update({ id: 'alice' }, { $ADD: { balance: -30 } }),
    Pet.transaction.create({ ownerId: 'alice', name: 'Nala', breed: 'bengal', age: 1 }),
    Pet.transaction.delete({ ownerId: 'bob', name: 'Luna' }),
    Pet.transaction.condition({ ownerId: 'alice', name: 'Tom' }, new dynamoose.Condition('active').eq(true)),
  ]);
  assert.equal((await Owner.get('alice')).balance, 70);
  assert.equal((await Pet.get({ ownerId: 'alice', name: 'Nala' })).breed, 'bengal');
  assert.equal(await Pet.get({ ownerId: 'bob', name: 'Luna' }), undefined);

  // a read transaction answers Items of their models
  const read = await dynamoose.transaction([
    Owner.transaction.get('alice'),
    Pet.transaction.get({ ownerId: 'alice', name: 'Nala' }),
  ]);
  assert.equal(read[0].balance, 70);
  assert.equal(read[1].name, 'Nala');

  // Felix is not active: the whole transaction is cancelled, the balance is untouched
  await assert.rejects(dynamoose.transaction([
    Owner.transaction.update({ id: 'alice' }, { $ADD: { balance: -30 } }),
    Pet.transaction.condition({ ownerId: 'alice', name: 'Felix' }, new dynamoose.Condition('active').eq(true)),
  ]), (err) => {
    assert.equal(err.name, 'TransactionCanceledException');
    assert.match(err.message, /Transaction cancelled, please refer cancellation reasons for specific reasons \[None, ConditionalCheckFailed\]/);
    return true;
  });
  assert.equal((await Owner.get('alice')).balance, 70);

  // Pet.transaction.create refuses an existing key as create does
  await assert.rejects(dynamoose.transaction([
    Pet.transaction.create({ ownerId: 'alice', name: 'Nala', age: 2 }),
  ]), { name: 'TransactionCanceledException' });
});

test('delete', async () => {
  await Pet.delete({ ownerId: 'alice', name: 'Nala' });
  assert.equal(await Pet.get({ ownerId: 'alice', name: 'Nala' }), undefined);
  // a conditional delete that fails leaves the item
  await assert.rejects(Pet.delete({ ownerId: 'alice', name: 'Felix' }, { condition: new dynamoose.Condition('active').eq(true) }),
    { name: 'ConditionalCheckFailedException' });
  assert.ok(await Pet.get({ ownerId: 'alice', name: 'Felix' }));
});
