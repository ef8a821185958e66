/**
 * The evidence part of the report: the backup, the GC schedule and DTR's jobs, the storage copy and
 * its verification, the inventories side by side (every difference highlighted: zero is the goal),
 * the pull check, and the inputs the migration ran with (secrets never recorded, so only masked).
 */
import { inputKeys, specOf } from '../config/inputs.js';
import type { ScheduleFact, StepData } from '../steps/step-data.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';
import { esc, facts, section, table, when } from './html.js';
import { diffInventories } from './inventory-diff.js';
import type { ReportModel } from './model.js';

const notYet = '<p class="muted">Not done yet.</p>';
const shownDifferences = 200;

function dataOf(model: ReportModel, id: string): StepData {
  return model.steps.find((s) => s.id === id)?.data ?? {};
}

const num = (n: number): string => `<td class="num">${esc(formatCount(n))}</td>`;
const bytes = (n: number): string => `${esc(formatBytes(n))} <span class="muted">(${esc(formatCount(n))} bytes)</span>`;
const zero = (n: number): string =>
  n === 0 ? `<span class="ok">0</span>` : `<span class="bad">${esc(formatCount(n))}</span>`;

function schedules(list: readonly ScheduleFact[] | undefined): string {
  if (list === undefined) return '<span class="muted">not known yet</span>';
  if (list.length === 0) return 'Never';
  return list.map((s) => `<code>${esc(s.action)}</code> <code>${esc(s.schedule)}</code>`).join('<br>');
}

export function backupSection(model: ReportModel): string {
  const { backup, inventory } = dataOf(model, 'backup');
  if (backup === undefined) return section('backup', 'Backup', notYet);
  return section(
    'backup',
    'Backup',
    facts([
      ['File', `<code>${esc(backup.path)}</code>`],
      ['Size', bytes(backup.bytes)],
      ['sha256', `<code data-sha256>${esc(backup.sha256)}</code>`],
      ['Entries', esc(formatCount(backup.entries))],
      ['Taken with', `<code>docker/dtr:${esc(backup.dtrVersion)}</code>`],
      ...(inventory === undefined
        ? []
        : ([
            [
              'Inventory',
              `${esc(formatCount(inventory.tags))} tags in ${esc(formatCount(inventory.repositories))} repositories, <code>${esc(inventory.file)}</code>`,
            ],
          ] as const)),
    ]),
  );
}

export function gcSection(model: ReportModel): string {
  const disabled = dataOf(model, 'disable-gc').gc;
  const restored = dataOf(model, 'restore-gc').gc;
  const job = dataOf(model, 'onlinegc-blobs').job;
  const jobs = [
    ...(disabled?.jobsWaitedFor ?? []).map((id) => [
      `<td><code>${esc(id)}</code></td>`,
      '<td>GC job running when the migration began</td>',
      '<td class="ok">waited for until it ended</td>',
    ]),
    ...(job === undefined
      ? []
      : [
          [
            `<td><code>${esc(job.id)}</code></td>`,
            `<td><code>${esc(job.action)}</code>, started by the migration</td>`,
            `<td class="${job.status === 'done' ? 'ok' : 'bad'}">${esc(job.status)} after ${esc(formatDuration(job.waitedMs))}</td>`,
          ],
        ]),
  ];
  const after =
    restored === undefined
      ? disabled === undefined
        ? schedules(undefined)
        : `${schedules(disabled.now)} <span class="muted">(while migrating)</span>`
      : `${schedules(restored.now)}${restored.restored === false ? ' <span class="warn">(left off, as asked)</span>' : ''}`;
  return section(
    'gc',
    'Garbage collection and DTR jobs',
    `${facts([
      ['GC schedule before', schedules(disabled?.before)],
      ['GC schedule after', after],
    ])}
${jobs.length === 0 ? '<p class="muted">No DTR job was waited for or started yet.</p>' : table(['Job id', 'What', 'Outcome'], jobs)}`,
  );
}

export function storageSection(model: ReportModel): string {
  const { copy, verification } = dataOf(model, 'migrate-storage');
  if (copy === undefined) return section('storage', 'Storage copy', notYet);
  const rate = copy.durationMs > 0 ? (copy.bytesCopied * 1000) / copy.durationMs : 0;
  const problems = model.storageCheck?.problems ?? [];
  return section(
    'storage',
    'Storage copy and verification',
    `${facts([
      ['From', `<code>${esc(copy.source)}</code>`],
      ['To', `<code>${esc(copy.target)}</code>`],
      ['In the new storage', `${esc(formatCount(copy.files))} files, ${bytes(copy.bytes)}`],
      [
        'Copied by the last run',
        `${esc(formatCount(copy.filesCopied))} files, ${esc(formatBytes(copy.bytesCopied))} in ${esc(formatDuration(copy.durationMs))} (${esc(formatBytes(rate))}/s)`,
      ],
    ])}
${
  verification === undefined
    ? ''
    : `<div class="cards">
<div class="card"><span class="n">${esc(formatCount(verification.filesChecked))}</span>files checked</div>
<div class="card"><span class="n">${esc(formatCount(verification.blobsHashed))}</span>blobs hashed</div>
<div class="card"><span class="n">${esc(formatCount(verification.blobsTrusted))}</span>blobs unchanged since an earlier verify</div>
<div class="card"><span class="n">${esc(formatCount(verification.linksChecked))}</span>links checked</div>
<div class="card"><span class="n">${zero(verification.problems)}</span>problems</div>
</div>`
}
${problems.length === 0 ? '' : `<ul>${problems.map((p) => `<li class="bad">${esc(p.kind)}: <code>${esc(p.path)}</code>${p.detail === undefined ? '' : ` (${esc(p.detail)})`}</li>`).join('')}</ul>`}`,
  );
}

export function inventorySection(model: ReportModel): string {
  const { before, after } = model;
  if (before === undefined) return section('inventory', 'Tags before and after', notYet);
  if (after === undefined)
    return section(
      'inventory',
      'Tags before and after',
      `<p>${esc(formatCount(before.tags.length))} tags in ${esc(formatCount(before.repositories))} repositories before (${when(before.takenAt)}); the inventory after is taken when DTR runs on the new storage.</p>`,
    );
  const diff = diffInventories(before, after);
  const rows = diff.rows.map((row) => {
    const different = row.missing.length + row.changed.length > 0;
    const cells = [
      `<td><code>${esc(row.repository)}</code></td>`,
      num(row.before),
      num(row.after),
      `<td class="num">${zero(row.missing.length)}</td>`,
      `<td class="num">${zero(row.changed.length)}</td>`,
      num(row.added),
    ];
    return `<tr${different ? ' class="diff"' : ''} data-repository="${esc(row.repository)}">${cells.join('')}</tr>`;
  });
  const differences = diff.rows.flatMap((row) => [
    ...row.missing.map(
      (e) => `<li class="bad">lost: <code>${esc(e.repository)}:${esc(e.tag)}</code> <code>${esc(e.digest)}</code></li>`,
    ),
    ...row.changed.map(
      (e) =>
        `<li class="bad">changed: <code>${esc(e.repository)}:${esc(e.tag)}</code> <code>${esc(e.digest)}</code> → <code>${esc(e.now)}</code></li>`,
    ),
  ]);
  return section(
    'inventory',
    'Tags before and after',
    `<div class="cards">
<div class="card"><span class="n" data-tags-before>${esc(formatCount(before.tags.length))}</span>tags before (${when(before.takenAt)})</div>
<div class="card"><span class="n" data-tags-after>${esc(formatCount(after.tags.length))}</span>tags after (${when(after.takenAt)})</div>
<div class="card"><span class="n" data-tags-lost>${zero(diff.missing)}</span>lost</div>
<div class="card"><span class="n" data-tags-changed>${zero(diff.changed)}</span>digest changed</div>
<div class="card"><span class="n">${esc(formatCount(diff.added))}</span>added since</div>
</div>
<table><thead><tr><th>Repository</th><th class="num">Tags before</th><th class="num">Tags after</th><th class="num">Lost</th><th class="num">Changed</th><th class="num">Added</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
${differences.length === 0 ? '' : `<h3>Differences</h3><ul>${differences.slice(0, shownDifferences).join('')}</ul>${differences.length > shownDifferences ? `<p>… and ${esc(formatCount(differences.length - shownDifferences))} more: compare the two inventory files.</p>` : ''}`}`,
  );
}

export function pullCheckSection(model: ReportModel): string {
  const checks = model.steps.flatMap((step) =>
    step.data.pullCheck === undefined ? [] : [{ step: step.title, check: step.data.pullCheck }],
  );
  const mode = model.journal.inputs['pullCheck'];
  if (checks.length === 0)
    return section(
      'pull',
      'Pull check',
      mode === 'none' ? '<p class="warn">No pull check: --pull-check none.</p>' : notYet,
    );
  const rows = checks.map(({ step, check }) => [
    `<td>${esc(step)}</td>`,
    `<td><code>${esc(check.mode)}</code></td>`,
    num(check.manifestsChecked),
    num(check.blobsChecked),
    num(check.blobsFetched),
    `<td class="num">${zero(check.problems)}</td>`,
  ]);
  return section(
    'pull',
    'Pull check',
    `<p>Every tag of the inventory from before, pulled through the registry API (<code>/v2/</code>) as docker would: manifests hashed, blobs present with their size${checks.some((c) => c.check.blobsFetched > 0) ? ', fetched blobs hashed' : ''}.</p>
${table(['After', 'Mode', 'Manifests', 'Blobs', 'Blobs fetched and hashed', 'Problems'], rows)}`,
  );
}

export function inputsSection(model: ReportModel): string {
  const given = model.journal.inputs;
  const rows = inputKeys.flatMap((key) => {
    const spec = specOf(key);
    if (spec.secret === true)
      return [
        [
          `<td><code>${esc(spec.env ?? spec.flag)}</code></td>`,
          `<td>•••• <span class="muted">(a secret: never recorded)</span></td>`,
        ],
      ];
    if (given[key] === undefined) return [];
    return [
      [
        `<td><code>${esc(spec.flag)}</code></td>`,
        `<td><code>${esc(typeof given[key] === 'string' ? given[key] : JSON.stringify(given[key]))}</code></td>`,
      ],
    ];
  });
  return section(
    'inputs',
    'Inputs',
    `<p class="muted">As the journal keeps them: no secret and no per-run consent (a destroy confirmation) is ever written there.</p>
${table(['Input', 'Value'], rows)}`,
  );
}
