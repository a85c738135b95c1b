// A table's settings changed from its screen: Time to Live (UpdateTimeToLive), tags (TagResource,
// UntagResource) and Contributor Insights (UpdateContributorInsights). `changed` redraws the screen.
import { call } from './api.js';
import { errorBox, field, guarded, h } from './dom.js';

export function ttlSection(t, ttl, changed) {
  const d = ttl.TimeToLiveDescription || {};
  const on = d.TimeToLiveStatus === 'ENABLED' || d.TimeToLiveStatus === 'ENABLING';
  const attr = h('input', { id: 'ttl-attribute', value: d.AttributeName || 'expires', required: true });
  const box = h('div');
  const set = (Enabled) => guarded(box, async () => {
    await call('UpdateTimeToLive', { TableName: t.TableName, TimeToLiveSpecification: { AttributeName: attr.value.trim(), Enabled } });
    await changed();
  });
  return h('section', { 'aria-labelledby': 'ttl-h' }, h('h2', { id: 'ttl-h' }, 'Time to Live'),
    ttl.error ? errorBox(ttl.error) : h('p', { id: 'ttl-status' }, on ? `On: items expire at the epoch seconds in ${d.AttributeName}.` : 'Off.'),
    h('form', { onsubmit: (e) => { e.preventDefault(); set(!on); } },
      h('div', { class: 'row' }, field('Attribute (a number of epoch seconds)', attr),
        h('button', { type: 'submit', id: 'ttl-toggle' }, on ? 'Turn off' : 'Turn on'))), box);
}

export function tagsSection(t, tags, changed) {
  const key = h('input', { id: 'tag-key', required: true });
  const value = h('input', { id: 'tag-value' });
  const box = h('div');
  const change = (op, input) => guarded(box, async () => {
    await call(op, { ResourceArn: t.TableArn, ...input });
    await changed();
  });
  const list = tags.Tags || [];
  return h('section', { 'aria-labelledby': 'tags-h' }, h('h2', { id: 'tags-h' }, 'Tags'),
    tags.error ? errorBox(tags.error) : list.length === 0 ? h('p', { class: 'note' }, 'No tags.')
      : h('ul', { id: 'tags' }, list.map((x) => h('li', {}, `${x.Key} = ${x.Value} `,
        h('button', { type: 'button', class: 'danger', 'aria-label': `Remove tag ${x.Key}`, onclick: () => change('UntagResource', { TagKeys: [x.Key] }) }, 'Remove')))),
    h('form', { onsubmit: (e) => { e.preventDefault(); change('TagResource', { Tags: [{ Key: key.value, Value: value.value }] }); } },
      h('div', { class: 'row' }, field('Tag key', key), field('Value', value), h('button', { type: 'submit', id: 'add-tag' }, 'Add tag'))), box);
}

export function insightsSection(t, ci, changed) {
  const on = ci.ContributorInsightsStatus === 'ENABLED' || ci.ContributorInsightsStatus === 'ENABLING';
  const box = h('div');
  const toggle = () => guarded(box, async () => {
    await call('UpdateContributorInsights', { TableName: t.TableName, ContributorInsightsAction: on ? 'DISABLE' : 'ENABLE' });
    await changed();
  });
  return h('section', { 'aria-labelledby': 'ci-h' }, h('h2', { id: 'ci-h' }, 'Contributor Insights'),
    ci.error ? errorBox(ci.error) : h('p', { id: 'ci-status' }, on ? 'On: its hot keys show on the Activity screen.' : 'Off.'),
    h('button', { type: 'button', id: 'ci-toggle', onclick: toggle }, on ? 'Turn off' : 'Turn on'), box);
}

/* A global table's replicas (UpdateTable ReplicaUpdates): each with its status, added by region and
   removed. ddbd keeps another region's replica on this server with --namespaces, or on the server
   --region-peer names; without either the API's own error says so. */
export function replicasSection(t, changed) {
  const region = h('input', { id: 'replica-region', required: true, placeholder: 'us-west-2' });
  const box = h('div');
  const update = (change) => guarded(box, async () => {
    await call('UpdateTable', { TableName: t.TableName, ReplicaUpdates: [change] });
    await changed();
  });
  const list = t.Replicas || [];
  return h('section', { 'aria-labelledby': 'replicas-h' }, h('h2', { id: 'replicas-h' }, 'Replicas'),
    list.length === 0 ? h('p', { class: 'note', id: 'replicas' }, 'No replicas.')
      : h('ul', { id: 'replicas' }, list.map((r) => h('li', {}, `${r.RegionName} (${r.ReplicaStatus || 'ACTIVE'}) `,
        h('button', { type: 'button', class: 'danger', 'aria-label': `Remove the replica in ${r.RegionName}`,
          onclick: () => confirm(`Remove the replica in ${r.RegionName}?`) && update({ Delete: { RegionName: r.RegionName } }) }, 'Remove')))),
    h('form', { onsubmit: (e) => { e.preventDefault(); update({ Create: { RegionName: region.value.trim() } }); } },
      h('div', { class: 'row' }, field('Region', region), h('button', { type: 'submit', id: 'add-replica' }, 'Add replica'))), box);
}
