// Items as plain JSON ({"name": "x", "n": 1.5}) beside DynamoDB JSON, numbers kept exact both
// ways: a number is written as its digits and read back as them, never through a JavaScript
// number (12345678901234567890.123456789 stays so). Plain JSON has no binary and no sets: an
// item holding them is edited as DynamoDB JSON.

/* An item (DynamoDB JSON) as plain JSON text. */
export function toPlain(item) {
  const show = (v, pad) => {
    const [type, x] = Object.entries(v)[0];
    const inner = `${pad}  `;
    switch (type) {
      case 'S': return JSON.stringify(x);
      case 'N': return x;
      case 'BOOL': return String(x);
      case 'NULL': return 'null';
      case 'L': return x.length ? `[\n${x.map((y) => inner + show(y, inner)).join(',\n')}\n${pad}]` : '[]';
      case 'M': return members(x, pad);
      default: throw new Error(`plain JSON has no ${type} (binary and sets): edit this item as DynamoDB JSON`);
    }
  };
  const members = (m, pad) => {
    const inner = `${pad}  `;
    const list = Object.entries(m).map(([k, y]) => `${inner}${JSON.stringify(k)}: ${show(y, inner)}`);
    return list.length ? `{\n${list.join(',\n')}\n${pad}}` : '{}';
  };
  return members(item, '');
}

const WS = /\s*/y;
const STR = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LIT = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/* Plain JSON text (an object) as an item in DynamoDB JSON; a SyntaxError names the place. */
export function fromPlain(text) {
  let i = 0;
  const fail = (what) => { throw new SyntaxError(`plain JSON: ${what} at character ${i + 1}`); };
  const ws = () => { WS.lastIndex = i; WS.exec(text); i = WS.lastIndex; };
  const match = (re) => { re.lastIndex = i; const m = re.exec(text); if (m) i = re.lastIndex; return m?.[0]; };
  const expect = (c) => { ws(); if (text[i] !== c) fail(`'${c}' expected`); i++; };
  const list = (close, each) => {
    ws();
    if (text[i] === close) { i++; return; }
    for (;;) {
      each();
      ws();
      if (text[i] === close) { i++; return; }
      expect(',');
    }
  };
  const value = () => {
    ws();
    if (text[i] === '{') {
      i++;
      const m = {};
      list('}', () => { ws(); const k = match(STR) ?? fail('a name expected'); expect(':'); m[JSON.parse(k)] = value(); });
      return { M: m };
    }
    if (text[i] === '[') {
      i++;
      const l = [];
      list(']', () => l.push(value()));
      return { L: l };
    }
    const s = match(STR);
    if (s !== undefined) return { S: JSON.parse(s) };
    const lit = match(LIT) ?? fail('a value expected');
    if (lit === 'true' || lit === 'false') return { BOOL: lit === 'true' };
    return lit === 'null' ? { NULL: true } : { N: lit };
  };
  const v = value();
  ws();
  if (i < text.length) fail('text after the item');
  if (!v.M) fail('an object expected');
  return v.M;
}
