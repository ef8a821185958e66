/**
 * Turns engine events into the lines a person reads. Shared by the terminal and the plain renderer,
 * so a redirected run and a terminal run say the same things; only the terminal passes a width
 * (lines are then broken to fit it, see style.ts), so logs keep one line per fact.
 */
import type { RunEvent, StepState } from '../runner/io.js';
import type { PlannedAction } from '../runner/step.js';
import { formatDuration } from '../util/format.js';
import { box, wrap, type Style } from './style.js';

export function checklist(steps: readonly StepState[], style: Style, width?: number): string[] {
  const next = steps.findIndex((s) => s.status !== 'verified');
  return steps.flatMap((step, i) => {
    const n = `${i + 1}.`;
    const indent = ' '.repeat(5 + n.length);
    if (step.status === 'verified')
      return wrap(`  ${style.ok} ${n} `, `${step.title} ${style.chalk.dim('(verified)')}`, indent, width);
    if (i === next) {
      const note = step.status === 'pending' ? 'next' : `${step.status} before: resumes here`;
      return wrap(
        `  ${style.next} ${n} `,
        `${style.chalk.bold(step.title)} ${style.chalk.dim(`(${note})`)}`,
        indent,
        width,
      );
    }
    return wrap(
      `  ${style.locked} ${n} `,
      style.chalk.dim(`${step.title} (locked until the steps before are verified)`),
      indent,
      width,
    );
  });
}

export function actionLines(actions: readonly PlannedAction[], style: Style, width?: number): string[] {
  const why = (text: string): string[] => wrap('      ', style.chalk.dim(text), '      ', width);
  return actions.flatMap((a) => {
    switch (a.kind) {
      case 'http':
        return [
          ...wrap(
            '    ',
            `${style.chalk.cyan(`${a.method} ${a.path}`)}${a.body === undefined ? '' : ` ${JSON.stringify(a.body)}`}`,
            '      ',
            width,
          ),
          ...why(a.why),
        ];
      case 'docker':
        // Never shortened: a command is there to be read exactly, and copied.
        return [...wrap('    ', style.chalk.cyan(`$ ${a.command}`), '        ', width, false), ...why(a.why)];
      case 'local':
        return [...wrap('    ', a.description, '      ', width), ...why(a.why)];
      case 'check':
        return wrap(`    ${style.chalk.dim('check:')} `, a.description, '      ', width);
    }
  });
}

/** "Step 2 of 6" when the step is one of the run's, from the order the titles were announced in. */
function position(id: string, titles: ReadonlyMap<string, string>): string {
  const index = [...titles.keys()].indexOf(id);
  return index < 0 ? '' : `Step ${index + 1} of ${titles.size}: `;
}

function welcome(event: Extract<RunEvent, { event: 'run-start' }>, style: Style, width: number | undefined): string[] {
  // A rollback is announced as what it is (its procedure is `rollback-<which>`).
  const what = event.procedure.startsWith('rollback-') ? 'rollback of the storage migration' : 'storage migration';
  const heading = event.resumed
    ? `Resuming the ${what} (${event.procedure})`
    : `${what[0]!.toUpperCase()}${what.slice(1)} (${event.procedure})`;
  return [
    style.chalk.bold(heading),
    style.chalk.dim('Detected before anything changes:'),
    ...event.detected.flatMap((line) => wrap(`  ${style.chalk.dim('·')} `, line, '    ', width)),
    '',
    style.chalk.dim('Steps (each is checked before the next one unlocks):'),
    ...checklist(event.steps, style, width),
    '',
    ...wrap(style.chalk.dim('State (journal, backup, log): '), event.stateDir, '  ', width),
    '',
  ];
}

function confirmDestroy(
  event: Extract<RunEvent, { event: 'confirm-destroy' }>,
  style: Style,
  width: number | undefined,
): string[] {
  const danger = style.chalk.red.bold('!');
  return [
    '',
    ...box(
      [
        {
          title: style.chalk.red.bold('About to destroy'),
          lines: event.willDestroy.map((text) => ({ mark: danger, text })),
        },
        {
          title: style.chalk.green.bold('What protects the data'),
          lines: event.protections.map((text) => ({ mark: style.ok, text })),
        },
      ],
      [
        `Nothing has been destroyed yet. It goes ahead only with the replica id ${style.chalk.bold(event.expect)} (typed at the prompt, or --confirm-destroy in scripts).`,
      ],
      style,
      width,
    ),
    '',
  ];
}

/** Lines for an event, or undefined for events a renderer shows its own way (progress). */
export function eventLines(
  event: RunEvent,
  style: Style,
  titles: ReadonlyMap<string, string>,
  width?: number,
): string[] | undefined {
  const title = (id: string): string => titles.get(id) ?? id;
  switch (event.event) {
    case 'run-start':
      return welcome(event, style, width);
    case 'step-skip':
      return wrap(`${style.skip} `, `${title(event.id)} ${style.chalk.dim(`(${event.reason})`)}`, '  ', width);
    case 'step-plan':
      return [
        ...wrap('', style.chalk.bold(`${position(event.id, titles)}${event.title}`), '  ', width),
        ...wrap('  ', style.chalk.dim(event.purpose), '  ', width),
        ...actionLines(event.actions, style, width),
        '',
      ];
    case 'step-start': {
      const attempt = event.attempt > 1 ? style.chalk.dim(` (attempt ${event.attempt})`) : '';
      return [
        '',
        ...wrap(
          `${style.next} `,
          `${style.chalk.bold(`${position(event.id, titles)}${event.title}`)}${attempt}`,
          '  ',
          width,
        ),
        ...wrap('  ', style.chalk.dim(event.purpose), '  ', width),
      ];
    }
    case 'step-verify':
      return [`  ${style.chalk.dim('checking…')}`];
    case 'step-done':
      return [
        ...wrap(
          `${style.ok} `,
          `${title(event.id)} ${style.chalk.dim(`(${formatDuration(event.durationMs)})`)}`,
          '  ',
          width,
        ),
        ...event.facts.flatMap((fact) => wrap('    ', fact, '      ', width)),
      ];
    case 'step-failed':
      return wrap(`${style.fail} `, `${title(event.id)} ${style.chalk.red('failed')}`, '  ', width);
    case 'confirm-destroy':
      return confirmDestroy(event, style, width);
    case 'notice':
      return wrap(`${event.level === 'warn' ? style.warn : style.chalk.dim('i')} `, event.text, '  ', width);
    case 'plan-estimate':
      return [
        style.chalk.bold('Estimate (measured now; the window of each procedure)'),
        ...event.facts.flatMap((fact) => wrap('  ', fact, '    ', width)),
        '',
      ];
    case 'progress':
      return undefined;
  }
}
