// A table's stream, tailed: every shard read from its latest record (or its oldest, on request)
// once a second with GetRecords, records shown newest first.
import { call } from './api.js';
import { errorBox, field, h, showValue } from './dom.js';

const streams = (op, input) => call(op, input, 'DynamoDBStreams_20120810');
const KEEP = 200;

/* An iterator of `type` for each shard of the stream not in `out` yet (a shard whose iterator ran
   out stays in it, null); new shards are read from their start. */
async function iterators(arn, type, out = new Map()) {
  let start;
  do {
    const d = (await streams('DescribeStream', { StreamArn: arn, ...(start ? { ExclusiveStartShardId: start } : {}) })).StreamDescription;
    for (const s of d.Shards) {
      if (out.has(s.ShardId)) continue;
      out.set(s.ShardId, (await streams('GetShardIterator', { StreamArn: arn, ShardId: s.ShardId, ShardIteratorType: type })).ShardIterator);
    }
    start = d.LastEvaluatedShardId;
  } while (start);
  return out;
}

const image = (m) => (m ? Object.entries(m).map(([k, v]) => `${k}: ${showValue(v)}`).join(', ') : '');

function recordRow(r) {
  const d = r.dynamodb;
  return h('tr', {}, h('td', {}, r.eventName), h('td', {}, d.ApproximateCreationDateTime ? new Date(d.ApproximateCreationDateTime * 1000).toLocaleTimeString() : ''),
    h('td', { class: 'val' }, image(d.Keys)), h('td', { class: 'val' }, image(d.NewImage)), h('td', { class: 'val' }, image(d.OldImage)),
    h('td', { class: 'type' }, d.SequenceNumber));
}

export async function streamScreen(view, name) {
  const box = h('div');
  const body = h('tbody');
  const fromStart = h('input', { type: 'checkbox', id: 'from-start' });
  const count = h('p', { class: 'note', id: 'stream-count' }, 'Waiting for records…');
  view.replaceChildren(h('h1', {}, `Stream of ${name}`), h('p', {}, h('a', { href: `#/table/${encodeURIComponent(name)}` }, 'Table details')),
    field('From the oldest record kept (else from now)', fromStart, 'inline'), box, count,
    h('div', { class: 'scroll' }, h('table', { id: 'stream-records' }, h('thead', {}, h('tr', {},
      ['Event', 'Time', 'Keys', 'New image', 'Old image', 'Sequence'].map((c) => h('th', { scope: 'col' }, c)))), body)));
  let seen = 0;
  let gen = 0;
  const tail = async () => {
    const mine = ++gen;
    body.replaceChildren();
    seen = 0;
    try {
      const t = (await call('DescribeTable', { TableName: name })).Table;
      if (!t.LatestStreamArn) throw new Error('This table has no stream: enable one with UpdateTable (StreamSpecification).');
      const its = await iterators(t.LatestStreamArn, fromStart.checked ? 'TRIM_HORIZON' : 'LATEST');
      while (mine === gen && view.contains(body)) {
        for (const [shard, it] of its) {
          if (!it) continue;
          const out = await streams('GetRecords', { ShardIterator: it });
          its.set(shard, out.NextShardIterator);
          for (const r of out.Records) {
            body.prepend(recordRow(r));
            seen++;
          }
          while (body.children.length > KEEP) body.lastChild.remove();
        }
        count.textContent = `${seen} ${seen === 1 ? 'record' : 'records'} since the tail began${seen > KEEP ? ` (the newest ${KEEP} shown)` : ''}`;
        box.replaceChildren();
        await new Promise((r) => setTimeout(r, 1000));
        if ([...its.values()].some((x) => !x)) await iterators(t.LatestStreamArn, 'TRIM_HORIZON', its);
      }
    } catch (err) {
      if (mine === gen) box.replaceChildren(errorBox(err));
    }
  };
  fromStart.addEventListener('change', tail);
  tail();
}
