// The console's CSV export neutralises formulas (issue 73, item 9: OWASP's CSV injection). An item's
// string "=HYPERLINK(...)" or "=cmd|' /C calc'!A0" was written as it is, and a spreadsheet opening
// the file ran it. download.js's asCsv is run here as the page runs it (the module, imported in node
// with the one browser global its imports read at load).
import assert from 'node:assert/strict';
import { test } from 'node:test';

globalThis.sessionStorage = { getItem: () => null, setItem() {} };
const { asCsv } = await import('../../server/console/assets/download.js');

test('a cell that a spreadsheet would run opens as text; numbers and plain text are untouched', () => {
  const items = [
    { pk: { S: '=HYPERLINK("https://evil.example","x")' }, n: { N: '-5' }, t: { S: "=cmd|' /C calc'!A0" } },
    { pk: { S: '+1+1' }, n: { N: '3' }, t: { S: '@SUM(A1)' }, b: { B: '+/8=' } },
    { pk: { S: '-2+3' }, n: { N: '1E+2' }, t: { S: '\tx' }, '=name': { S: 'plain' } },
    { pk: { S: 'ok' }, n: { N: '0' }, t: { S: 'a=b' }, l: { L: [{ S: '=x' }] } },
  ];
  const lines = asCsv(items, ['pk']).split('\r\n');
  assert.equal(lines.pop(), '');
  assert.deepEqual(lines, [
    "pk,n,t,b,'=name,l",
    `"'=HYPERLINK(""https://evil.example"",""x"")",-5,'=cmd|' /C calc'!A0,,,`,
    "'+1+1,3,'@SUM(A1),'+/8=,,",
    "'-2+3,1E+2,'\tx,,plain,",
    'ok,0,a=b,,,"[""=x""]"',
  ]);
});
