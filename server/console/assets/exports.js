// Exports and imports: a table's exports (ListExports, DescribeExport) and a form to start one
// (ExportTableToPointInTime), with its point-in-time recovery (DescribeContinuousBackups,
// UpdateContinuousBackups); the Imports screen (ListImports, DescribeImport, ImportTable). A list
// with a task in progress reads itself again every second while it is on screen. Buckets are
// --export-dir's directories or --s3-endpoint's (docs/export-import.md).
import { call } from './api.js';
import { field, guarded, h, say } from './dom.js';

const when = (t) => (t ? new Date(t * 1000).toISOString().replace('.000', '') : '');
const select = (id, values) => h('select', { id }, values.map((v) => h('option', { value: v }, v)));
const table = (heads, rows) => h('div', { class: 'scroll' }, h('table', {},
  h('thead', {}, h('tr', {}, heads.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)));

/* Runs `draw` now, and again each second while it says a task is in progress and `el` is on screen. */
async function poll(el, box, draw) {
  const running = await guarded(box, draw);
  if (running) setTimeout(() => { if (document.contains(el)) poll(el, box, draw); }, 1000);
}

/* A time as datetime-local shows it (UTC), and back to epoch seconds. */
const local = (t) => new Date(t * 1000).toISOString().slice(0, 19);
const epoch = (text) => Date.parse(`${text}Z`) / 1000;

function pitrView(t, box) {
  const el = h('div', { id: 'pitr-status' });
  guarded(box, async () => {
    const d = (await call('DescribeContinuousBackups', { TableName: t.TableName })).ContinuousBackupsDescription;
    const p = d.PointInTimeRecoveryDescription || {};
    if (p.PointInTimeRecoveryStatus !== 'ENABLED') {
      el.replaceChildren(h('p', {}, 'Point-in-time recovery: off (an export of an earlier time, or a restore, needs it). ',
        h('button', { type: 'button', id: 'pitr-on', onclick: () => guarded(box, async () => {
          await call('UpdateContinuousBackups', { TableName: t.TableName,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
          el.replaceWith(pitrView(t, box));
        }) }, 'Turn point-in-time recovery on')));
      return;
    }
    // RestoreTableToPointInTime: into a new table, at a time in the window (UTC), or the latest one
    const target = h('input', { id: 'pitr-target', value: `${t.TableName}-restored`, required: true });
    const at = h('input', { id: 'pitr-time', type: 'datetime-local', step: 1, min: local(p.EarliestRestorableDateTime),
      max: local(p.LatestRestorableDateTime) });
    const done = h('p', { class: 'note', role: 'status', id: 'pitr-restore-status' });
    const restore = () => guarded(box, async () => {
      const into = target.value.trim();
      await call('RestoreTableToPointInTime', { SourceTableName: t.TableName, TargetTableName: into,
        ...(at.value ? { RestoreDateTime: epoch(at.value) } : { UseLatestRestorableTime: true }) });
      say(`Restoring ${t.TableName} into ${into}`);
      done.replaceChildren('Restoring into ', h('a', { href: `#/table/${encodeURIComponent(into)}` }, into), '.');
    });
    el.replaceChildren(h('p', {}, `Point-in-time recovery: on. Restorable from ${when(p.EarliestRestorableDateTime)} `
      + `to ${when(p.LatestRestorableDateTime)} (UTC).`),
    h('form', { id: 'pitr-restore-form', onsubmit: (e) => { e.preventDefault(); restore(); } }, h('div', { class: 'row' },
      field('Restore into the new table', target), field('As of (UTC; empty: the latest)', at),
      h('button', { type: 'submit', id: 'pitr-restore' }, 'Restore'))), done);
  });
  return el;
}

/* Every export or import a List call names, each described (their counts and times are in the
   Describe call only), the latest first. */
async function described(list, input, many, describe, arn, one) {
  const out = await call(list, input);
  const all = await Promise.all((out[many] || []).map((s) => call(describe, { [arn]: s[arn] }).then((x) => x[one])));
  return all.sort((a, b) => (b.StartTime || 0) - (a.StartTime || 0));
}
export const exportsOf = (input) => described('ListExports', input, 'ExportSummaries', 'DescribeExport', 'ExportArn', 'ExportDescription');
export const importsOf = (input) => described('ListImports', input, 'ImportSummaryList', 'DescribeImport', 'ImportArn', 'ImportTableDescription');

/* The folder ImportTable reads an export's data from: beside its manifest-summary.json. */
const dataPrefix = (d) => d.ExportManifest?.replace(/manifest-summary\.json$/, 'data/');

/* The table's key as the import form takes it: partition name and type, then sort name and type
   (an export's data is imported into a table keyed like the one it came from). */
function keyParts(t) {
  const type = (n) => t.AttributeDefinitions.find((a) => a.AttributeName === n)?.AttributeType || 'S';
  const of = (kind) => t.KeySchema.find((k) => k.KeyType === kind)?.AttributeName;
  return [of('HASH'), type(of('HASH')), ...(of('RANGE') ? [of('RANGE'), type(of('RANGE'))] : [])];
}

export function exportsSection(t) {
  const box = h('div');
  const list = h('div', { id: 'exports' });
  const bucket = h('input', { id: 'export-bucket', required: true });
  const prefix = h('input', { id: 'export-prefix', placeholder: '(none)' });
  const format = select('export-format', ['DYNAMODB_JSON', 'ION']);
  const draw = async () => {
    const all = await exportsOf({ TableArn: t.TableArn });
    list.replaceChildren(all.length === 0 ? h('p', { class: 'note' }, 'No exports.')
      : table(['Export', 'Status', 'Started', 'Ended', 'Items', 'Bucket', 'Prefix', 'Format', ''], all.map((d) => h('tr', {},
        h('td', {}, d.ExportArn.split('/').pop()), h('td', {}, d.ExportStatus + (d.FailureMessage ? `: ${d.FailureCode} ${d.FailureMessage}` : '')),
        h('td', {}, when(d.StartTime)), h('td', {}, when(d.EndTime)), h('td', {}, String(d.ItemCount ?? '')), h('td', {}, d.S3Bucket),
        h('td', {}, d.S3Prefix || ''), h('td', {}, d.ExportFormat),
        h('td', {}, d.ExportStatus === 'COMPLETED' ? h('a', { href: `#/imports/${[d.S3Bucket, dataPrefix(d), d.ExportFormat, ...keyParts(t)].map(encodeURIComponent).join('/')}` },
          'Import into a new table') : '')))));
    return all.some((d) => d.ExportStatus === 'IN_PROGRESS');
  };
  const start = () => guarded(box, async () => {
    await call('ExportTableToPointInTime', { TableArn: t.TableArn, S3Bucket: bucket.value.trim(),
      ...(prefix.value.trim() ? { S3Prefix: prefix.value.trim() } : {}), ExportFormat: format.value, ExportType: 'FULL_EXPORT' });
    say('Export started');
    poll(list, box, draw);
  });
  poll(list, box, draw);
  return h('section', { 'aria-labelledby': 'exports-h' }, h('h2', { id: 'exports-h' }, 'Exports'), pitrView(t, box),
    h('form', { onsubmit: (e) => { e.preventDefault(); start(); } }, h('div', { class: 'row' }, field('S3 bucket', bucket),
      field('S3 prefix', prefix), field('Format', format), h('button', { type: 'submit', id: 'export-start' }, 'Export now'))), box, list);
}

const TYPES = ['S', 'N', 'B'];

function importForm(box, done, from) {
  const f = {
    bucket: h('input', { id: 'import-bucket', required: true, value: from.bucket }),
    prefix: h('input', { id: 'import-prefix', value: from.prefix }),
    format: select('import-format', ['DYNAMODB_JSON', 'CSV', 'ION']), compression: select('import-compression', ['NONE', 'GZIP', 'ZSTD']),
    name: h('input', { id: 'import-table', required: true }), pk: h('input', { id: 'import-pk', required: true, value: 'pk' }),
    pkType: select('import-pk-type', TYPES), sk: h('input', { id: 'import-sk', placeholder: '(none)' }), skType: select('import-sk-type', TYPES),
  };
  if (from.format) { f.format.value = from.format; f.compression.value = 'GZIP'; } // an export's data files are gzipped
  if (from.pk) [f.pk.value, f.pkType.value, f.sk.value, f.skType.value] = [from.pk, from.pkType || 'S', from.sk || '', from.skType || 'S'];
  const start = () => guarded(box, async () => {
    const keys = [[f.pk.value.trim(), f.pkType.value, 'HASH'], [f.sk.value.trim(), f.skType.value, 'RANGE']].filter(([n]) => n);
    await call('ImportTable', {
      S3BucketSource: { S3Bucket: f.bucket.value.trim(), S3KeyPrefix: f.prefix.value.trim() },
      InputFormat: f.format.value, InputCompressionType: f.compression.value,
      TableCreationParameters: { TableName: f.name.value.trim(), BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
        KeySchema: keys.map(([AttributeName, , KeyType]) => ({ AttributeName, KeyType })) },
    });
    say(`Import into ${f.name.value.trim()} started`);
    done();
  });
  return h('section', { 'aria-labelledby': 'import-h' }, h('h2', { id: 'import-h' }, 'Import into a new table'),
    h('form', { id: 'import-form', onsubmit: (e) => { e.preventDefault(); start(); } },
      h('div', { class: 'row' }, field('S3 bucket', f.bucket), field('Key prefix', f.prefix), field('Format', f.format),
        field('Compression', f.compression)),
      h('div', { class: 'row' }, field('New table', f.name), field('Partition key', f.pk), field('its type', f.pkType),
        field('Sort key', f.sk), field('its type', f.skType)),
      h('button', { type: 'submit', id: 'import-start' }, 'Import')));
}

export function importsScreen(view, bucket = '', prefix = '', format = '', pk = '', pkType = '', sk = '', skType = '') {
  const box = h('div');
  const list = h('div', { id: 'imports' });
  const draw = async () => {
    const all = await importsOf({});
    list.replaceChildren(all.length === 0 ? h('p', { class: 'note' }, 'No imports.')
      : table(['Import', 'Table', 'Status', 'Started', 'Ended', 'Processed', 'Imported', 'Errors', 'Source'], all.map((d) => {
        const name = d.TableArn?.split('/')[1] || '';
        return h('tr', {}, h('td', {}, d.ImportArn.split('/').pop()), h('td', {}, h('a', { href: `#/items/${encodeURIComponent(name)}` }, name)),
          h('td', {}, d.ImportStatus + (d.FailureMessage ? `: ${d.FailureCode} ${d.FailureMessage}` : '')), h('td', {}, when(d.StartTime)),
          h('td', {}, when(d.EndTime)), h('td', {}, String(d.ProcessedItemCount ?? 0)), h('td', {}, String(d.ImportedItemCount ?? 0)),
          h('td', {}, String(d.ErrorCount ?? 0)), h('td', {}, `${d.S3BucketSource?.S3Bucket}/${d.S3BucketSource?.S3KeyPrefix || ''} (${d.InputFormat})`));
      })));
    return all.some((d) => d.ImportStatus === 'IN_PROGRESS');
  };
  view.replaceChildren(h('h1', {}, 'Imports'), importForm(box, () => poll(list, box, draw), { bucket, prefix, format, pk, pkType, sk, skType }), box,
    h('section', { 'aria-labelledby': 'imports-h' }, h('h2', { id: 'imports-h' }, 'Imports'), list,
      h('p', { class: 'note' }, 'Each failed item\'s record (where it was, why) is a line of the server\'s log, ',
        h('code', {}, 'import <id>: item error: ...'), ', as DynamoDB writes it to CloudWatch Logs; the source bucket is only read.')));
  return poll(list, box, draw);
}
