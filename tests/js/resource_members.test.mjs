// Every member of the newest SDK models that names a resource is decided by --auth: the one list
// of resource-bearing members (server/api/resources.def, printed by `ddb_spec_dump --resources`)
// must hold every input member, at any depth, whose name says it names a table, index, stream,
// backup, export, import, bulk operation or iterator (…TableName, …Arn, ShardIterator, Statement,
// RequestItems' keys) of every operation ddbd serves, so a new operation or member cannot reach a
// table undecided. A member the list weighs and finds names no resource of this server (a cursor,
// a Kinesis stream's ARN) stands in it as NONE. tests/security/test_authz_matrix.py then sends
// every listed member naming a forbidden table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { DDBD_BIN } from './helpers.mjs';
import { SDK } from './sdk_model.mjs';

const SPEC_DUMP = process.env.DDB_SPEC_DUMP || path.join(path.dirname(DDBD_BIN), 'ddb_spec_dump');
const SPEC = JSON.parse(execFileSync(SPEC_DUMP, { encoding: 'utf8' }));
const LISTED = JSON.parse(execFileSync(SPEC_DUMP, ['--resources'], { encoding: 'utf8' }));

/** A member whose name says it names a resource: its last component. */
const RESOURCE_NAME = /(TableName|IndexName|Arn|^ShardIterator|^Statement)$/;

/*
 * Members that name none of this server's resources though their names end so: an IAM role the
 * caller's auto scaling would assume (ddbd runs no auto scaling, and a role is no table).
 */
const NOT_RESOURCES = /\.?AutoScalingRoleArn$/;

/** The resource members of op's SDK input: "TableName", "TransactItems[].Put.TableName", "RequestItems{}". */
function resourceMembers(op) {
  const out = [];
  for (const [p, kind] of SDK.get(op) ?? new Map()) {
    if (kind !== 'member') continue;
    const last = p.replace(/^.*\./, '');
    if (RESOURCE_NAME.test(last) && !NOT_RESOURCES.test(p)) out.push(p);
    if (p === 'RequestItems') out.push('RequestItems{}');
  }
  return out;
}

/** Whether ddbd's spec refuses the member (or what holds it) whole: it never reaches a handler. */
const refused = (spec, p) => /^refused/.test(spec[p] ?? '');

test('every resource-naming member of every served operation is in the list --auth decides', () => {
  const listed = new Set(LISTED.map((r) => `${r.op}.${r.path}`));
  const missing = Object.keys(SPEC).flatMap((op) => resourceMembers(op)
    .filter((p) => !refused(SPEC[op], p))
    .map((p) => `${op}.${p}`)
    .filter((p) => !listed.has(p)));
  assert.deepEqual(missing, [], `members no --auth decision sees:\n  ${missing.join('\n  ')}`);
});

test('every listed member exists in the SDK model of its operation', () => {
  const unknown = LISTED.filter((r) => {
    const paths = SDK.get(r.op);
    return paths === undefined || !paths.has(r.path.replace(/\{\}$/, ''));
  }).map((r) => `${r.op}.${r.path}`);
  assert.deepEqual(unknown, []);
});
