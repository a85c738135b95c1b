// PartiQL through the AWS SDK for JavaScript v3: ExecuteStatement (INSERT with Parameters, SELECT by
// key and as a filtered scan, Limit + NextToken paging, UPDATE ... SET/REMOVE ... RETURNING ALL NEW *,
// DELETE ... RETURNING ALL OLD *), DynamoDBDocumentClient's ExecuteStatement with native Parameters,
// BatchExecuteStatement (per-statement errors) and ExecuteTransaction (cancellation reasons), each
// error with DynamoDB's exact name, message and status, and ReturnValuesOnConditionCheckFailure
// putting the old item on ConditionalCheckFailedException.Item (which Debian's boto3 cannot send).
//
// Starts its own `ddbd --in-memory` ($DDBD_BIN, default build/ddbd of this checkout) on a free loopback
// port and stops it at the end. Run with: node --test tests/js/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchExecuteStatementCommand,
  ConditionalCheckFailedException,
  DuplicateItemException,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  ResourceNotFoundException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { ExecuteStatementCommand as DocExecuteStatementCommand } from '@aws-sdk/lib-dynamodb';

import { createTable, deleteTable, makeClients, rejects, startServer, stopServer } from './helpers.mjs';

const CCF_MESSAGE = 'The conditional request failed';
const DUPLICATE_MESSAGE = 'Duplicate primary key exists in table';
const CANCELLED = 'Transaction cancelled, please refer cancellation reasons for specific reasons ';

let server;
let client;
let doc;
let table;    // pk (S)
let ranged;   // pk (S), sk (N)
let scanned;  // pk (S), exactly the SEEDED items: what a scan must return
let keySeq = 0;

const SEEDED = [0, 1, 2, 3, 4, 5].map((a) => ({ pk: { S: `s${a}` }, a: { N: String(a) } }));

function newKey() {
  return `k${process.pid}_${++keySeq}`;
}

/** Runs one statement through the low-level client; resolves to the output without $metadata. */
async function run(Statement, Parameters, extra = {}) {
  const { $metadata, ...out } = await client.send(new ExecuteStatementCommand({ Statement, Parameters, ...extra }));
  assert.equal($metadata.httpStatusCode, 200);
  return out;
}

async function select(pk) {
  return (await run(`SELECT * FROM "${table}" WHERE pk = ?`, [{ S: pk }], { ConsistentRead: true })).Items;
}

const byPk = (a, b) => (a.pk.S < b.pk.S ? -1 : a.pk.S > b.pk.S ? 1 : 0);

/** Every page of `Statement`, following NextToken. */
async function allPages(Statement, Parameters, Limit) {
  const pages = [];
  let NextToken;
  do {
    const out = await run(Statement, Parameters, { Limit, ...(NextToken ? { NextToken } : {}) });
    pages.push(out);
    NextToken = out.NextToken;
    assert.ok(pages.length < 50, 'NextToken never ran out');
  } while (NextToken);
  return pages;
}

before(async () => {
  server = await startServer();
  ({ client, doc } = makeClients(server.endpoint));
  table = await createTable(client, 'js_pq');
  ranged = await createTable(client, 'js_pqr', ['pk', 'S'], ['sk', 'N']);
  scanned = await createTable(client, 'js_pqs');
  const { Responses } = await client.send(new BatchExecuteStatementCommand({
    Statements: SEEDED.map((item) => ({
      Statement: `INSERT INTO "${scanned}" VALUE {'pk': ?, 'a': ?}`, Parameters: [item.pk, item.a],
    })),
  }));
  assert.deepEqual(Responses, SEEDED.map(() => ({ TableName: scanned })));
  for (const sk of [5, 3, 1, 4, 2]) {
    await run(`INSERT INTO "${ranged}" VALUE {'pk': 'p', 'sk': ?, 'v': ?}`, [{ N: String(sk) }, { S: `v${sk}` }]);
  }
  await run(`INSERT INTO "${ranged}" VALUE {'pk': 'other', 'sk': 1}`);
});

after(async () => {
  await deleteTable(client, table);
  await deleteTable(client, ranged);
  await deleteTable(client, scanned);
  client?.destroy();
  const code = await stopServer(server);
  assert.equal(code, 0, `ddbd did not exit 0 on SIGTERM (${code}): ${server?.stderr()}`);
});

describe('ExecuteStatement', () => {
  test('INSERT with Parameters, then SELECT by key', async () => {
    const pk = newKey();
    const out = await run(`INSERT INTO "${table}" VALUE {'pk': ?, 'n': ?, 'tags': ?, 'm': ?, 'l': [1, 'two']}`,
      [{ S: pk }, { N: '1.50' }, { SS: ['a', 'b'] }, { M: { flag: { BOOL: true } } }]);
    assert.deepEqual(out, { Items: [] });
    const [item, ...rest] = await select(pk);
    assert.deepEqual(rest, []);
    item.tags.SS.sort();
    assert.deepEqual(item, {
      pk: { S: pk },
      n: { N: '1.5' },
      tags: { SS: ['a', 'b'] },
      m: { M: { flag: { BOOL: true } } },
      l: { L: [{ N: '1' }, { S: 'two' }] },
    });
    assert.deepEqual(await select(newKey()), []);
  });

  test('DynamoDBDocumentClient: native Parameters and Items', async () => {
    const pk = newKey();
    await doc.send(new DocExecuteStatementCommand({
      Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'n': ?, 'm': ?}`,
      Parameters: [pk, 7, { deep: [1, 'two'] }],
    }));
    const out = await doc.send(new DocExecuteStatementCommand({
      Statement: `SELECT * FROM "${table}" WHERE pk = ?`, Parameters: [pk], ConsistentRead: true,
    }));
    assert.deepEqual(out.Items, [{ pk, n: 7, m: { deep: [1, 'two'] } }]);
  });

  test('INSERT of an existing key: DuplicateItemException, the item unchanged', async () => {
    const pk = newKey();
    await run(`INSERT INTO "${table}" VALUE {'pk': ?, 'v': 'first'}`, [{ S: pk }]);
    await rejects(client.send(new ExecuteStatementCommand({
      Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'v': 'second'}`, Parameters: [{ S: pk }],
    })), 'DuplicateItemException', DUPLICATE_MESSAGE, (err) => {
      assert.ok(err instanceof DuplicateItemException);
    });
    assert.deepEqual(await select(pk), [{ pk: { S: pk }, v: { S: 'first' } }]);
  });

  test('SELECT with a non-key filter scans the table, with a projection', async () => {
    const out = await run(`SELECT pk, a FROM "${scanned}" WHERE a >= ?`, [{ N: '3' }]);
    assert.equal(out.NextToken, undefined);
    assert.deepEqual(out.Items.sort(byPk), SEEDED.filter((it) => Number(it.a.N) >= 3));
    const none = await run(`SELECT * FROM "${scanned}" WHERE a > 100`);
    assert.deepEqual(none, { Items: [] });
  });

  test('Limit + NextToken page a whole-table scan: every item once', async () => {
    const pages = await allPages(`SELECT * FROM "${scanned}"`, undefined, 4);
    assert.deepEqual(pages.map((p) => p.Items.length), [4, 2]);
    assert.equal(typeof pages[0].NextToken, 'string');
    assert.deepEqual(pages.flatMap((p) => p.Items).sort(byPk), SEEDED);
  });

  test('Limit + NextToken page a filtered scan: Limit counts items read, every match once', async () => {
    const pages = await allPages(`SELECT * FROM "${scanned}" WHERE a >= ? AND a <= ?`, [{ N: '1' }, { N: '4' }], 2);
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    for (const p of pages) assert.ok(p.Items.length <= 2);
    const got = pages.flatMap((p) => p.Items).sort(byPk);
    assert.deepEqual(got, SEEDED.slice(1, 5));
  });

  test('Limit + NextToken page one partition in sort-key order, ascending and descending', async () => {
    let pages = await allPages(`SELECT * FROM "${ranged}" WHERE pk = ?`, [{ S: 'p' }], 2);
    assert.deepEqual(pages.map((p) => p.Items.map((it) => Number(it.sk.N))), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(pages[2].Items, [{ pk: { S: 'p' }, sk: { N: '5' }, v: { S: 'v5' } }]);
    pages = await allPages(`SELECT sk FROM "${ranged}" WHERE pk = 'p' ORDER BY sk DESC`, undefined, 3);
    assert.deepEqual(pages.map((p) => p.Items), [
      [{ sk: { N: '5' } }, { sk: { N: '4' } }, { sk: { N: '3' } }],
      [{ sk: { N: '2' } }, { sk: { N: '1' } }],
    ]);
  });

  test('UPDATE with SET and REMOVE, RETURNING ALL NEW *', async () => {
    const pk = newKey();
    await run(`INSERT INTO "${table}" VALUE {'pk': ?, 'n': 1, 'gone': 'x', 'keep': 'k'}`, [{ S: pk }]);
    const out = await run(`UPDATE "${table}" SET n = n + ? SET s = 'new' REMOVE gone WHERE pk = ? RETURNING ALL NEW *`,
      [{ N: '5' }, { S: pk }]);
    const updated = { pk: { S: pk }, n: { N: '6' }, keep: { S: 'k' }, s: { S: 'new' } };
    assert.deepEqual(out, { Items: [updated] });
    assert.deepEqual(await select(pk), [updated]);
  });

  test('DELETE RETURNING ALL OLD *; a missing item deletes nothing', async () => {
    const pk = newKey();
    await run(`INSERT INTO "${table}" VALUE {'pk': ?, 'v': 'old', 'n': 3}`, [{ S: pk }]);
    const out = await run(`DELETE FROM "${table}" WHERE pk = ? RETURNING ALL OLD *`, [{ S: pk }]);
    assert.deepEqual(out, { Items: [{ pk: { S: pk }, v: { S: 'old' }, n: { N: '3' } }] });
    assert.deepEqual(await select(pk), []);
    assert.deepEqual(await run(`DELETE FROM "${table}" WHERE pk = ? RETURNING ALL OLD *`, [{ S: pk }]), { Items: [] });
  });

  test('UPDATE of a missing item: ConditionalCheckFailedException, nothing created', async () => {
    const pk = newKey();
    await rejects(client.send(new ExecuteStatementCommand({
      Statement: `UPDATE "${table}" SET v = 1 WHERE pk = ?`, Parameters: [{ S: pk }],
    })), 'ConditionalCheckFailedException', CCF_MESSAGE, (err) => {
      assert.ok(err instanceof ConditionalCheckFailedException);
      assert.equal(err.Item, undefined);
    });
    assert.deepEqual(await select(pk), []);
  });

  test('ReturnValuesOnConditionCheckFailure ALL_OLD: the old item on the error', async () => {
    const pk = newKey();
    await run(`INSERT INTO "${table}" VALUE {'pk': ?, 'a': 1, 's': 'x'}`, [{ S: pk }]);
    const old = { pk: { S: pk }, a: { N: '1' }, s: { S: 'x' } };
    const statement = `UPDATE "${table}" SET a = 2 WHERE pk = '${pk}' AND a = 99`;
    await rejects(client.send(new ExecuteStatementCommand({
      Statement: statement, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })), 'ConditionalCheckFailedException', CCF_MESSAGE, (err) => {
      assert.ok(err instanceof ConditionalCheckFailedException);
      assert.deepEqual(err.Item, old);
    });
    await rejects(client.send(new ExecuteStatementCommand({ Statement: statement })),
      'ConditionalCheckFailedException', CCF_MESSAGE, (err) => assert.equal(err.Item, undefined));
    assert.deepEqual(await select(pk), [old]);
  });

  test('a malformed statement: ValidationException "Unexpected term"', async () => {
    await rejects(client.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${table}" WHERE` })),
      'ValidationException', "Statement wasn't well formed, can't be processed: Unexpected term");
  });

  test('UPDATE without the whole key: ValidationException', async () => {
    await rejects(client.send(new ExecuteStatementCommand({ Statement: `UPDATE "${ranged}" SET v = 'x' WHERE pk = 'p'` })),
      'ValidationException', 'Where clause does not contain a mandatory equality on all key attributes');
    const out = await run(`SELECT * FROM "${ranged}" WHERE pk = 'p' AND sk = 1`);
    assert.deepEqual(out.Items, [{ pk: { S: 'p' }, sk: { N: '1' }, v: { S: 'v1' } }]);
  });

  test('a missing table: ResourceNotFoundException, for reads and writes', async () => {
    const missing = `js_pq_missing_${process.pid}`;
    for (const Statement of [`SELECT * FROM "${missing}" WHERE pk = 'a'`, `INSERT INTO "${missing}" VALUE {'pk': 'a'}`]) {
      await rejects(client.send(new ExecuteStatementCommand({ Statement })),
        'ResourceNotFoundException', 'Requested resource not found', (err) => {
          assert.ok(err instanceof ResourceNotFoundException);
        });
    }
  });
});

describe('BatchExecuteStatement', () => {
  test('reads by key around a failing statement: the failure answers only its own slot', async () => {
    const out = await client.send(new BatchExecuteStatementCommand({
      Statements: [
        { Statement: `SELECT * FROM "${scanned}" WHERE pk = ?`, Parameters: [{ S: 's1' }] },
        { Statement: `SELECT * FROM "${scanned}" WHERE a = 2` },
        { Statement: `SELECT pk FROM "${scanned}" WHERE pk = 's4'`, ConsistentRead: true },
        { Statement: `SELECT * FROM "${scanned}" WHERE pk = 'absent'` },
      ],
    }));
    assert.deepEqual(out.Responses, [
      { TableName: scanned, Item: SEEDED[1] },
      {
        Error: {
          Code: 'ValidationError',
          Message: 'Select statements within BatchExecuteStatement must specify the primary key in the where clause.',
        },
      },
      { TableName: scanned, Item: { pk: { S: 's4' } } },
      { TableName: scanned },
    ]);
  });
});

describe('ExecuteTransaction', () => {
  test('two writes commit together', async () => {
    const [k1, k2] = [newKey(), newKey()];
    await run(`INSERT INTO "${table}" VALUE {'pk': ?, 'n': 1}`, [{ S: k2 }]);
    const { $metadata, ...out } = await client.send(new ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'v': 'new'}`, Parameters: [{ S: k1 }] },
        { Statement: `UPDATE "${table}" SET n = n + 1 WHERE pk = ?`, Parameters: [{ S: k2 }] },
      ],
    }));
    assert.equal($metadata.httpStatusCode, 200);
    assert.deepEqual(out, { Responses: [] });
    assert.deepEqual(await select(k1), [{ pk: { S: k1 }, v: { S: 'new' } }]);
    assert.deepEqual(await select(k2), [{ pk: { S: k2 }, n: { N: '2' } }]);
  });

  test('a duplicate INSERT cancels the transaction: reasons [DuplicateItem, None], nothing written', async () => {
    const [dup, fresh] = [newKey(), newKey()];
    await run(`INSERT INTO "${table}" VALUE {'pk': ?, 'v': 'first'}`, [{ S: dup }]);
    await rejects(client.send(new ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'v': 'second'}`, Parameters: [{ S: dup }] },
        { Statement: `INSERT INTO "${table}" VALUE {'pk': ?}`, Parameters: [{ S: fresh }] },
      ],
    })), 'TransactionCanceledException', `${CANCELLED}[DuplicateItem, None]`, (err) => {
      assert.ok(err instanceof TransactionCanceledException);
      assert.deepEqual(err.CancellationReasons, [
        { Code: 'DuplicateItem', Message: DUPLICATE_MESSAGE },
        { Code: 'None' },
      ]);
    });
    assert.deepEqual(await select(dup), [{ pk: { S: dup }, v: { S: 'first' } }]);
    assert.deepEqual(await select(fresh), []);
  });

  test('a statement\'s ReturnValuesOnConditionCheckFailure ALL_OLD puts the item on its reason', async () => {
    const pk = newKey();
    await run(`INSERT INTO "${table}" VALUE {'pk': ?, 'a': 1}`, [{ S: pk }]);
    const update = `UPDATE "${table}" SET a = 2 WHERE pk = '${pk}' AND a = 99`;
    await rejects(client.send(new ExecuteTransactionCommand({
      TransactStatements: [{ Statement: update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }],
    })), 'TransactionCanceledException', `${CANCELLED}[ConditionalCheckFailed]`, (err) => {
      assert.deepEqual(err.CancellationReasons, [{
        Code: 'ConditionalCheckFailed', Message: CCF_MESSAGE, Item: { pk: { S: pk }, a: { N: '1' } },
      }]);
    });
    await rejects(client.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: update }] })),
      'TransactionCanceledException', `${CANCELLED}[ConditionalCheckFailed]`, (err) => {
        assert.deepEqual(err.CancellationReasons, [{ Code: 'ConditionalCheckFailed', Message: CCF_MESSAGE }]);
      });
  });
});
