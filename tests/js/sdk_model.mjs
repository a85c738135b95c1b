// The input shapes of the newest SDK models, walked into member paths, and their exceptions'
// members: what sdk_members.test.mjs, resource_members.test.mjs and error_members.test.mjs hold
// ddbd's lists against. The schemas are those
// @aws-sdk/client-dynamodb and @aws-sdk/client-dynamodb-streams export (their
// dist-es/schemas/schemas_0.js). Paths: a list's member is "X[]", a map's value "X{}":
// "CreateTable.KeySchema[].AttributeName".
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as streams from '@aws-sdk/client-dynamodb-streams';

const LIST = 64;
const MAP = 128;

/** A schema reference resolved: the SDK writes members as thunks (() => Shape$) or type codes. */
const resolve = (s) => (typeof s === 'function' ? s() : s);

/** Every member path under `schema` into `out` (path -> kind); stops at AttributeValue. */
function walk(schema, at, out) {
  const s = resolve(schema);
  if (typeof s === 'number') {
    if (s & MAP) walk(s & ~MAP, `${at}{}`, out);
    else if (s & LIST) walk(s & ~LIST, `${at}[]`, out);
    return;
  }
  if (!Array.isArray(s)) return;
  const [kind, , name] = s;
  if (name === 'AttributeValue') {
    out.set(at, 'attr');
  } else if (kind === 3 || kind === 4) { // a structure, a union
    s[4].forEach((member, i) => {
      const p = at ? `${at}.${member}` : member;
      out.set(p, 'member');
      walk(s[5][i], p, out);
    });
  } else if (kind === 1) { // a list: [1, ns, name, traits, member]
    walk(s[4], `${at}[]`, out);
  } else if (kind === 2) { // a map: [2, ns, name, traits, key, value]
    walk(s[5], `${at}{}`, out);
  }
}

/** op name -> Map(path -> kind) of its input, from one client package's exported schemas. */
export function sdkInputs(pkg) {
  const ops = new Map();
  for (const [key, s] of Object.entries(pkg)) {
    if (!key.endsWith('$') || !Array.isArray(s) || s[0] !== 9) continue;
    const paths = new Map();
    walk(s[4], '', paths);
    ops.set(s[2], paths);
  }
  return ops;
}

/** op name -> Map(path -> kind) of every operation of both services. */
export const SDK = new Map([...sdkInputs(dynamodb), ...sdkInputs(streams)]);

/**
 * exception name -> its members in the model's spelling, of one client package (an error shape
 * is [-3, ns, name, traits, members, types]); the SDK's synthetic service exception is not
 * DynamoDB's.
 */
export function sdkErrors(pkg) {
  const errors = new Map();
  for (const [key, s] of Object.entries(pkg)) {
    if (!key.endsWith('$') || !Array.isArray(s) || s[0] !== -3 || s[1].startsWith('smithy.')) continue;
    errors.set(s[2], [...s[4]]);
  }
  return errors;
}

/** exception name -> [{ service, members }], one entry per service that models it. */
export const SDK_ERRORS = new Map();
for (const [service, pkg] of [['dynamodb', dynamodb], ['dynamodbstreams', streams]]) {
  for (const [name, members] of sdkErrors(pkg)) {
    SDK_ERRORS.set(name, [...(SDK_ERRORS.get(name) ?? []), { service, members }]);
  }
}
