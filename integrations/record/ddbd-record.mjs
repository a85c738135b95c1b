// ddbd-record.mjs: record an AWS SDK for JavaScript v3 DynamoDB client's traffic where it runs, in
// the format of ddbd's --record (docs/record-replay.md), for `ddb replay FILE --endpoint URL [--check]`.
//
//   import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
//   import { ddbdRecorder } from './ddbd-record.mjs';
//
//   const recorder = ddbdRecorder('traffic.jsonl', { sample: 0.1,
//     redact: { key: process.env.KEY, attributes: { email: 'hash', ssn: 'redact' } } }); // KEY: openssl rand -hex 32
//   const client = new DynamoDBClient({});
//   client.middlewareStack.use(recorder);   // a DynamoDBDocumentClient: its own middlewareStack too
//   ...
//   await recorder.close();
//
// A middleware of the deserialize step, below the retries: each HTTP attempt (a retry is one, as
// ddbd sees it) is a line with its request body as sent, its answer's status and body (read whole
// and handed on to the SDK's deserializer as bytes), this machine's time, the client as its
// connection, and monotonic start and end times (what a replay orders requests by). `sample` is the
// fraction of calls recorded; `redact` the rules of ddbd's --record-redact (an object, or the path
// of their JSON file), applied exactly as ddbd applies them. The file is created with mode 0o600 (a
// recording holds items) unless `mode` says otherwise. Node's standard library only.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);
const ITEM_MEMBERS = new Set(['Item', 'Key', 'Keys', 'Items', 'Attributes', 'ExclusiveStartKey', 'LastEvaluatedKey',
  'ItemCollectionKey', 'NewImage', 'OldImage']);
// attribute name -> a condition or an update whose "Value" and "AttributeValueList" are its values
const LEGACY_MEMBERS = new Set(['AttributeUpdates', 'Expected', 'ScanFilter', 'QueryFilter', 'KeyConditions']);
const EXPRESSIONS = ['ConditionExpression', 'KeyConditionExpression', 'FilterExpression', 'UpdateExpression'];
const ORDER = ['keep', 'hash', 'redact', 'drop']; // also the order of strictness
const ACTIONS = new Set(ORDER);
// the docs' example keys: public, so no key at all (ddbd refuses the same: server/api/record/record_redact.c)
// proto/secret_key.h's list
const EXAMPLE_KEYS = new Set(['a secret of your own', 'a secret of 16 characters or more', 'a secret',
  'keep this secret out of the repository']);
const WEAK_KEY = 'redaction rules: "hash" needs a "key" of 16 bytes or more, of 6 different characters or more, not '
  + 'blank and not an example of the docs (without one, a value is found again by hashing guesses; make one: '
  + 'openssl rand -hex 32)';
const SPACE = ' \t\n\v\f\r';
const SEPARATORS = new Set(['OR', 'NOT', 'SET', 'REMOVE', 'ADD', 'DELETE']);

/** ddbd's rule: 16 bytes or more, 6 different bytes or more, not all blank, not a docs' example. */
function keyStrong(key) {
  if (typeof key !== 'string' || EXAMPLE_KEYS.has(key)) return false;
  const raw = Buffer.from(key, 'utf8');
  return raw.length >= 16 && new Set(raw).size >= 6 && !raw.every((c) => SPACE.includes(String.fromCharCode(c)));
}

const wordChar = (c) => /^[A-Za-z0-9_]$/.test(c);
const REDACTED = { S: 'REDACTED', N: '0', B: 'UkVEQUNURUQ=' };

/** Redaction rules: { key, attributes: { NAME | '*': 'hash' | 'redact' | 'drop' | 'keep' } }. */
export class Rules {
  constructor(spec) {
    if (typeof spec === 'string') spec = JSON.parse(fs.readFileSync(spec, 'utf8'));
    if (!spec || typeof spec !== 'object' || !spec.attributes || typeof spec.attributes !== 'object') {
      throw new Error('redaction rules are an object with "attributes": {"NAME": "hash"|"redact"|"drop"|"keep"}');
    }
    for (const k of Object.keys(spec)) {
      if (k !== 'key' && k !== 'attributes') throw new Error(`redaction rules: unknown member "${k}"`);
    }
    for (const [name, act] of Object.entries(spec.attributes)) {
      if (!ACTIONS.has(act)) throw new Error(`redaction rules: attribute "${name}": the action is "hash", "redact", "drop" or "keep"`);
      if (act === 'hash' && !keyStrong(spec.key)) throw new Error(WEAK_KEY);
    }
    this.key = Buffer.from(spec.key ?? '', 'utf8');
    this.names = new Map(Object.entries(spec.attributes).filter(([k]) => k !== '*'));
    this.any = spec.attributes['*'] ?? 'keep';
  }

  rule(name) {
    const n = name.startsWith(':') ? name.slice(1) : name;
    return this.names.has(n) ? this.names.get(n) : this.any;
  }

  named(name) {
    return this.names.has(name) ? this.names.get(name) : this.any;
  }

  /** A placeholder's rule: the strictest of the attributes its request's expressions compare it with,
      wherever they use it; its own name's when none does (ddbd's placeholder_rule). */
  placeholderRule(req, p) {
    const names = req.ExpressionAttributeNames && typeof req.ExpressionAttributeNames === 'object'
      ? req.ExpressionAttributeNames : {};
    let best = -1;
    for (const m of EXPRESSIONS) if (typeof req[m] === 'string') best = Math.max(best, this.scan(req[m], names, p));
    return best >= 0 ? ORDER[best] : this.rule(p);
  }

  /** The strictest rule (an index of ORDER) of the attributes beside p in expression x, or -1. */
  scan(x, names, p) {
    let hasP = false; let most = -1; let best = -1; let between = false;
    const cut = () => {
      if (hasP && most > best) best = most;
      hasP = false; most = -1; between = false;
    };
    const attribute = (tok) => {
      const name = tok.startsWith('#') && typeof names[tok] === 'string' ? names[tok] : tok;
      most = Math.max(most, ORDER.indexOf(this.named(name)));
    };
    const calls = [];
    let prev = '';
    const n = x.length;
    for (let i = 0, j; i < n; i = j) {
      const c = x[i];
      j = i + 1;
      if (c === ':' || c === '#' || wordChar(c)) {
        while (j < n && wordChar(x[j])) j++;
        const tok = x.slice(i, j);
        if (c === ':') {
          hasP ||= tok === p;
          prev = 'v';
        } else if (c === '#') {
          if (prev !== '.') attribute(tok);
          prev = 'n';
        } else {
          let k = j;
          while (k < n && SPACE.includes(x[k])) k++;
          const up = tok.toUpperCase();
          prev = 'n';
          if (up === 'AND') {
            if (between) between = false;
            else cut();
          } else if (SEPARATORS.has(up)) cut();
          else if (up === 'BETWEEN') between = true;
          else if (up === 'IN') prev = 'i';
          else if (k < n && x[k] === '(') prev = 'f';
          else if (prev !== '.' && !/[0-9]/.test(tok[0])) attribute(tok);
        }
      } else if (c === '(') {
        const kind = prev === 'f' || prev === 'i' ? 'c' : 'g';
        calls.push(kind);
        if (kind === 'g') cut();
        prev = '(';
      } else if (c === ')') {
        if (calls.length === 0 || calls.pop() === 'g') cut();
        prev = ')';
      } else if (c === ',') {
        if (calls.length === 0 || calls[calls.length - 1] === 'g') cut();
        prev = ',';
      } else if (!SPACE.includes(c)) prev = c === '.' ? '.' : 'o';
    }
    cut();
    return best;
  }

  legacy(v) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const out = {};
    for (const [name, cond0] of Object.entries(v)) {
      const act = this.named(name);
      if (act === 'drop') continue;
      let cond = cond0;
      if (act !== 'keep' && cond && typeof cond === 'object' && !Array.isArray(cond)) {
        cond = { ...cond };
        if ('Value' in cond) cond.Value = this.value(cond.Value, act);
        if (Array.isArray(cond.AttributeValueList)) cond.AttributeValueList = cond.AttributeValueList.map((e) => this.value(e, act));
      }
      out[name] = cond;
    }
    return out;
  }

  scalar(t, s, act) {
    if (act === 'redact') return REDACTED[t];
    const mac = createHmac('sha256', this.key).update(`${t}:`).update(s, 'utf8').digest();
    if (t === 'S') return mac.subarray(0, 16).toString('hex');
    if (t === 'N') return BigInt(`0x${mac.subarray(0, 7).toString('hex')}`).toString();
    return mac.subarray(0, 16).toString('base64');
  }

  value(av, act) {
    if (!av || typeof av !== 'object' || Array.isArray(av)) return av;
    const keys = Object.keys(av);
    if (keys.length !== 1) return av;
    const t = keys[0];
    let v = av[t];
    if ((t === 'S' || t === 'N' || t === 'B') && typeof v === 'string') return { [t]: this.scalar(t, v, act) };
    if ((t === 'SS' || t === 'NS' || t === 'BS') && Array.isArray(v)) {
      if (act === 'redact' && v.length > 1) v = v.slice(0, 1);
      return { [t]: v.map((e) => (typeof e === 'string' ? this.scalar(t[0], e, act) : e)) };
    }
    if (t === 'L' && Array.isArray(v)) return { L: v.map((e) => this.value(e, act)) };
    if (t === 'M' && v && typeof v === 'object') {
      return { M: Object.fromEntries(Object.entries(v).map(([k, e]) => [k, this.value(e, act)])) };
    }
    return av;
  }

  item(item, req) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
    const out = {};
    for (const [name, av] of Object.entries(item)) {
      const act = req ? this.placeholderRule(req, name) : this.rule(name);
      if (act === 'drop') continue;
      out[name] = act === 'keep' ? av : this.value(av, act);
    }
    return out;
  }

  items(v) {
    if (Array.isArray(v)) return v.map((e) => this.item(e));
    return v && typeof v === 'object' ? this.item(v) : v;
  }

  /** A request's or an answer's body (parsed JSON) with its attribute values rewritten. */
  redact(doc) {
    if (Array.isArray(doc)) return doc.map((e) => this.redact(e));
    if (!doc || typeof doc !== 'object') return doc;
    const out = {};
    for (const [key, v] of Object.entries(doc)) {
      if (ITEM_MEMBERS.has(key)) out[key] = this.items(v);
      else if (key === 'ExpressionAttributeValues') out[key] = this.item(v, doc);
      else if (LEGACY_MEMBERS.has(key)) out[key] = this.legacy(v);
      else if (key === 'Responses' && v && typeof v === 'object' && !Array.isArray(v)) {
        out[key] = Object.fromEntries(Object.entries(v).map(([t, items]) => [t, this.items(items)]));
      } else if (key === 'Parameters' && Array.isArray(v)) {
        out[key] = this.any === 'hash' || this.any === 'redact' ? v.map((p) => this.value(p, this.any)) : v;
      } else out[key] = this.redact(v);
    }
    return out;
  }
}

async function bodyBytes(body) {
  if (body == null) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body);
  const chunks = [];
  for await (const c of body) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

// The region a request was signed for: its SigV4 credential scope (KEY/DATE/REGION/SERVICE/aws4_request).
function signedFor(headers) {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === 'authorization');
  return key ? /Credential=[^/,]+\/\d{8}\/([^/,]+)\//.exec(String(headers[key]))?.[1] : undefined;
}

const micros = () => Number(process.hrtime.bigint() / 1000n);
let clients = 0;

/** A middleware plugin (client.middlewareStack.use(it)) that records to `file`; close() ends the file. */
export function ddbdRecorder(file, { sample = 1, redact, mode = 0o600 } = {}) {
  if (!(sample >= 0 && sample <= 1)) throw new Error('sample is a fraction from 0 to 1');
  const rules = redact !== undefined ? new Rules(redact) : null;
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, mode);
  const conn = `js-${process.pid}-${++clients}`;
  const recorder = { count: 0 };

  const write = (line) => {
    fs.writeSync(fd, `${JSON.stringify(line)}\n`);
    recorder.count++;
  };

  const middleware = (next, context) => async (args) => {
    if (sample < 1 && Math.random() >= sample) return next(args);
    const op = String(context.commandName || '').replace(/Command$/, '');
    const text = typeof args.request?.body === 'string' ? args.request.body : Buffer.from(await bodyBytes(args.request?.body)).toString();
    const start = micros();
    // recorder: the client's times, so a replay knows the order across connections was not observed
    const line = { v: 1, t: 0, conn, start, end: 0, op, recorder: 'ddbd-record.mjs' };
    const region = signedFor(args.request?.headers);
    if (region) line.region = region; // a replay signs it for the same (a global table's regions: their own)
    try { line.request = JSON.parse(text); } catch { line.requestText = text; }
    let result;
    try {
      result = await next(args);
    } catch (e) {
      Object.assign(line, { t: Date.now(), end: micros(), status: 0, outcome: 'lost', error: null, response: null });
      if (rules) finishRedacted(line, rules);
      write(line);
      throw e;
    }
    const { response } = result;
    const bytes = await bodyBytes(response.body);
    response.body = bytes; // the deserializer reads the same bytes
    let answer = null;
    try { answer = bytes.length ? JSON.parse(Buffer.from(bytes).toString()) : null; } catch { answer = null; }
    const status = response.statusCode;
    const error = status >= 400 && answer && typeof answer === 'object' ? String(answer.__type ?? '').split('#').pop() || null : null;
    Object.assign(line, {
      t: Date.now(), end: micros(), status,
      outcome: status < 400 ? 'ok' : THROTTLING.has(error) ? 'throttled' : 'error',
      error, response: answer,
    });
    if (rules) finishRedacted(line, rules);
    write(line);
    return result;
  };

  recorder.applyToStack = (stack) => {
    stack.add(middleware, { step: 'deserialize', priority: 'low', name: `ddbdRecorder-${conn}` });
  };
  recorder.close = async () => { fs.closeSync(fd); };
  return recorder;
}

function finishRedacted(line, rules) {
  if ('request' in line) line.request = rules.redact(line.request);
  else line.requestText = null; // not JSON: the rules cannot read it, so it is left out
  line.response = rules.redact(line.response);
  line.redacted = true;
}
