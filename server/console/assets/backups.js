// A table's on-demand backups: listed, made, restored into a new table, deleted (ListBackups,
// CreateBackup, RestoreTableFromBackup, DeleteBackup).
import { call } from './api.js';
import { field, guarded, h, say } from './dom.js';

export function backupsSection(name) {
  const box = h('div');
  const list = h('div', { id: 'backups' });
  const backupName = h('input', { id: 'backup-name', value: `${name}-${new Date().toISOString().slice(0, 10)}` });
  const target = h('input', { id: 'restore-target', value: `${name}-restored`, required: true });
  const refresh = () => guarded(box, async () => {
    const out = await call('ListBackups', { TableName: name });
    const rows = (out.BackupSummaries || []).map((b) => h('tr', {}, h('td', {}, b.BackupName), h('td', {}, b.BackupStatus),
      h('td', {}, b.BackupCreationDateTime ? new Date(b.BackupCreationDateTime * 1000).toISOString() : ''),
      h('td', {}, String(b.BackupSizeBytes ?? '')),
      h('td', {}, b.BackupStatus === 'AVAILABLE' ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Restore backup ${b.BackupName}`,
        onclick: () => restore(b) }, 'Restore') : '',
      h('button', { type: 'button', class: 'danger', 'aria-label': `Delete backup ${b.BackupName}`, onclick: () => drop(b) }, 'Delete'))));
    // a backup being made is read again each second while on screen: Restore needs it AVAILABLE
    if ((out.BackupSummaries || []).some((b) => b.BackupStatus === 'CREATING')) {
      setTimeout(() => { if (document.contains(list)) refresh(); }, 1000);
    }
    list.replaceChildren(rows.length === 0 ? h('p', { class: 'note' }, 'No backups.')
      : h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {},
        ['Backup', 'Status', 'Created', 'Bytes', ''].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows))));
  });
  const drop = (b) => guarded(box, async () => {
    if (!confirm(`Delete backup ${b.BackupName}?`)) return;
    await call('DeleteBackup', { BackupArn: b.BackupArn });
    await refresh();
  });
  // into a new table (DynamoDB restores only into a table that does not exist), named in the form
  const restore = (b) => guarded(box, async () => {
    const into = target.value.trim();
    await call('RestoreTableFromBackup', { TargetTableName: into, BackupArn: b.BackupArn });
    say(`Restoring ${b.BackupName} into ${into}`);
    restored.replaceChildren('Restoring into ', h('a', { href: `#/table/${encodeURIComponent(into)}` }, into), '.');
  });
  const restored = h('p', { id: 'restore-status', class: 'note', role: 'status' });
  const create = () => guarded(box, async () => {
    await call('CreateBackup', { TableName: name, BackupName: backupName.value.trim() });
    say('Backup made');
    await refresh();
  });
  refresh();
  return h('section', { 'aria-labelledby': 'backups-h' }, h('h2', { id: 'backups-h' }, 'Backups'),
    h('form', { onsubmit: (e) => { e.preventDefault(); create(); } }, h('div', { class: 'row' }, field('Backup name', backupName),
      h('button', { type: 'submit', id: 'create-backup' }, 'Back up now'))), box, list,
    h('div', { class: 'row' }, field('Restore a backup into the new table', target)), restored);
}
