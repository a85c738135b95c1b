// A table's resource-based policy: shown (GetResourcePolicy), edited as JSON and saved
// (PutResourcePolicy), deleted (DeleteResourcePolicy). Each change names the revision last read
// (ExpectedRevisionId, NO_POLICY when there was none), so a change made meanwhile by someone else is
// refused, as DynamoDB refuses it, rather than overwritten; Reload reads it again.
import { call } from './api.js';
import { field, guarded, h, say } from './dom.js';

function readable(doc) {
  try { return JSON.stringify(JSON.parse(doc), null, 2); } catch { return doc; }
}

export function policySection(t) {
  const box = h('div');
  const status = h('p', { id: 'policy-status' }, 'Reading…');
  const doc = h('textarea', { id: 'policy-json', spellcheck: 'false' });
  const drop = h('button', { type: 'button', class: 'danger', id: 'policy-delete', hidden: true }, 'Delete policy');
  let revision = null;
  const read = () => guarded(box, async () => {
    try {
      const out = await call('GetResourcePolicy', { ResourceArn: t.TableArn });
      revision = out.RevisionId;
      doc.value = readable(out.Policy);
      status.textContent = `Revision ${revision}.`;
    } catch (err) {
      if (err.type !== 'PolicyNotFoundException') throw err;
      revision = 'NO_POLICY';
      doc.value = '';
      status.textContent = 'No policy.';
    }
    drop.hidden = revision === 'NO_POLICY';
  });
  const change = (op, input, done) => guarded(box, async () => {
    await call(op, { ResourceArn: t.TableArn, ExpectedRevisionId: revision, ...input });
    say(done);
    await read();
  });
  drop.addEventListener('click', () => confirm('Delete the table\'s resource policy?') && change('DeleteResourcePolicy', {}, 'Policy deleted'));
  doc.placeholder = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'dynamodb:GetItem', Resource: t.TableArn }] }, null, 2);
  // read when opened: most tables have no policy, and GetResourcePolicy answers that with an error
  // (PolicyNotFoundException) that the browser logs, on every visit of every table
  const section = h('details', { id: 'policy', ontoggle: () => section.open && revision === null && read() },
    h('summary', {}, h('h2', { id: 'policy-h' }, 'Resource policy')), status,
    h('form', { onsubmit: (e) => { e.preventDefault(); change('PutResourcePolicy', { Policy: doc.value }, 'Policy saved'); } },
      field('Policy document (JSON)', doc, 'wide'), h('div', {}, h('button', { type: 'submit', id: 'policy-save' }, 'Save policy'),
        h('button', { type: 'button', class: 'secondary', id: 'policy-reload', onclick: read }, 'Reload'), drop)), box);
  return section;
}
