/**
 * The first part of the report: what was migrated and how it went (the verdict, DTR and the procedure),
 * the steps on a time line and in a table, how long DTR was unavailable or read-only, and the runs.
 */
import { procedures, type ProcedureId } from '../dtr/procedures.js';
import { formatDuration } from '../util/format.js';
import { esc, facts, section, table, when } from './html.js';
import { outcomeOf, spanMs, type ReportModel, type TimeWindow } from './model.js';
import { timelineSvg } from './timeline.js';

const verdicts = {
  complete: ['ok', 'Complete: every step verified.'],
  failed: ['bad', 'Stopped: a step failed or was interrupted. Run the same command to resume.'],
  'in progress': ['warn', 'In progress: the steps below are not all verified yet.'],
  'not started': ['warn', 'Not started: no step has run yet.'],
} as const;

const downColour = '#b42318';
const readOnlyColour = '#a15c07';

function procedureTitle(id: string): string {
  return id in procedures ? `${id}: ${procedures[id as ProcedureId].title}` : id;
}

function windowText(window: TimeWindow | undefined, what: string, none: string): string {
  if (window === undefined) return `<span class="muted">${esc(none)}</span>`;
  if (window.to === undefined) return `${esc(what)} since ${when(window.from)}, <span class="warn">not over yet</span>`;
  return `<strong>${esc(formatDuration(spanMs({ from: window.from, to: window.to })))}</strong> ${esc(what)}, from ${when(window.from)} to ${when(window.to)}`;
}

export function headerSection(model: ReportModel): string {
  const { journal, lastRun } = model;
  const outcome = outcomeOf(model.steps);
  const [kind, sentence] = verdicts[outcome];
  const detected = lastRun?.detected ?? {};
  const replicas = (detected['replicas'] ?? {}) as Record<string, string>;
  const replicaText =
    Object.keys(replicas).length === 0
      ? esc(journal.inputs['replicaId'] ?? 'not known')
      : Object.entries(replicas)
          .map(([id, health]) => `<code>${esc(id)}</code> ${esc(health)}`)
          .join(', ');
  return `<header>
<h1>DTR storage migration report</h1>
<p class="sub">${esc(journal.inputs['dtrUrl'] ?? detected['dtrUrl'] ?? '')}</p>
<div class="verdict ${kind}" data-outcome="${esc(outcome)}">${esc(sentence)}</div>
${facts([
  ['DTR', `<code>${esc(journal.inputs['dtrUrl'] ?? detected['dtrUrl'] ?? 'not known')}</code>`],
  ['Version', esc(journal.inputs['dtrVersion'] ?? detected['dtrVersion'] ?? 'not known')],
  ['Replicas', replicaText],
  ['Storage before', esc(detected['storage'] ?? journal.inputs['sourceStorage'] ?? 'not known')],
  ['Procedure', esc(procedureTitle(journal.procedure))],
  ['Started', when(journal.createdAt)],
  ['Last change', when(journal.updatedAt)],
  ['State directory', `<code>${esc(model.stateDir)}</code>`],
])}
</header>`;
}

export function stepsSection(model: ReportModel): string {
  const windows = [
    ...(model.unavailable === undefined
      ? []
      : [{ window: model.unavailable, label: 'DTR unavailable', colour: downColour }]),
    ...(model.readOnly === undefined ? [] : [{ window: model.readOnly, label: 'read-only', colour: readOnlyColour }]),
  ];
  const rows = model.steps.map((step, i) => {
    const { record } = step;
    const status = record.status === 'verified' ? 'ok' : record.status === 'pending' ? 'muted' : 'bad';
    const notes = [
      ...(record.facts ?? []).map((fact) => `<li>${esc(fact)}</li>`),
      ...(record.error === undefined || record.status === 'verified'
        ? []
        : [
            `<li class="bad">${esc(record.error.message)}${record.error.hint === undefined ? '' : ` (${esc(record.error.hint)})`}</li>`,
          ]),
    ];
    return [
      `<td class="num">${i + 1}</td>`,
      `<td data-step="${esc(step.id)}"><strong>${esc(step.title)}</strong><br><code>${esc(step.id)}</code></td>`,
      `<td class="${status}">${esc(record.status)}</td>`,
      `<td>${when(record.startedAt)}</td>`,
      `<td>${when(record.endedAt)}</td>`,
      `<td class="num">${record.durationMs === undefined ? '' : esc(formatDuration(record.durationMs))}</td>`,
      `<td class="num">${record.attempts}</td>`,
      `<td>${notes.length === 0 ? '' : `<ul>${notes.join('')}</ul>`}</td>`,
    ];
  });
  return section(
    'steps',
    'Steps',
    `${timelineSvg(model.steps, windows, Date.parse(model.generatedAt))}
${table(['#', 'Step', 'State', 'Started', 'Ended', 'Took', 'Attempts', 'What was checked'], rows)}
<h3>Availability</h3>
${facts([
  ['DTR unavailable', windowText(model.unavailable, 'unavailable', 'DTR was not taken down')],
  ['Read-only', windowText(model.readOnly, 'read-only (pushes refused, pulls worked)', 'never read-only')],
])}`,
  );
}

export function runsSection(model: ReportModel): string {
  const runs = model.journal.runs ?? [];
  if (runs.length === 0) return '';
  const rows = runs.map((run, i) => [
    `<td class="num">${i + 1}</td>`,
    `<td>${when(run.startedAt)}</td>`,
    `<td>${esc(run.toolVersion ?? 'not noted')}</td>`,
    `<td>${esc(run.detected['dtrVersion'] ?? '')}</td>`,
  ]);
  return section('runs', 'Runs', table(['#', 'Started', 'dtr-migrate', 'DTR version'], rows));
}
