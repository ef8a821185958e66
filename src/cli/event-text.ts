/**
 * Turns engine events into the lines a person reads. Shared by the terminal and the plain renderer,
 * so a redirected run and a terminal run say the same things.
 */
import type { RunEvent, StepState } from '../engine/events.js';
import type { PlannedAction } from '../engine/step.js';
import { formatDuration } from '../format.js';
import type { Style } from './style.js';

export function checklist(steps: readonly StepState[], style: Style): string[] {
  const next = steps.findIndex((s) => s.status !== 'verified');
  return steps.map((step, i) => {
    const n = `${i + 1}.`;
    if (step.status === 'verified') return `  ${style.ok} ${n} ${step.title} ${style.chalk.dim('(verified)')}`;
    if (i === next) {
      const note = step.status === 'pending' ? 'next' : `${step.status} before: resumes here`;
      return `  ${style.next} ${n} ${style.chalk.bold(step.title)} ${style.chalk.dim(`(${note})`)}`;
    }
    return `  ${style.locked} ${n} ${style.chalk.dim(`${step.title} (locked until the steps before are verified)`)}`;
  });
}

export function actionLines(actions: readonly PlannedAction[], style: Style): string[] {
  return actions.flatMap((a) => {
    switch (a.kind) {
      case 'http':
        return [`    ${style.chalk.cyan(`${a.method} ${a.path}`)}${a.body === undefined ? '' : ` ${JSON.stringify(a.body)}`}`, `      ${style.chalk.dim(a.why)}`];
      case 'docker':
        return [`    ${style.chalk.cyan(`$ ${a.command}`)}`, `      ${style.chalk.dim(a.why)}`];
      case 'local':
        return [`    ${a.description}`, `      ${style.chalk.dim(a.why)}`];
      case 'check':
        return [`    ${style.chalk.dim('check:')} ${a.description}`];
    }
  });
}

/** Lines for an event, or undefined for events a renderer shows its own way (progress). */
export function eventLines(event: RunEvent, style: Style, titles: ReadonlyMap<string, string>): string[] | undefined {
  const title = (id: string): string => titles.get(id) ?? id;
  switch (event.event) {
    case 'run-start':
      return [
        style.chalk.bold(event.resumed ? `Resuming the storage migration (${event.procedure})` : `Storage migration (${event.procedure})`),
        ...event.detected.map((line) => `  ${style.chalk.dim('·')} ${line}`),
        '',
        ...checklist(event.steps, style),
        style.chalk.dim(`  state: ${event.stateDir}`),
        '',
      ];
    case 'step-skip':
      return [`${style.skip} ${title(event.id)} ${style.chalk.dim(`(${event.reason})`)}`];
    case 'step-plan':
      return [style.chalk.bold(`${event.title}`), `  ${style.chalk.dim(event.purpose)}`, ...actionLines(event.actions, style), ''];
    case 'step-start':
      return [`${style.next} ${style.chalk.bold(event.title)}${event.attempt > 1 ? style.chalk.dim(` (attempt ${event.attempt})`) : ''}`];
    case 'step-verify':
      return [`  ${style.chalk.dim('checking…')}`];
    case 'step-done':
      return [`${style.ok} ${title(event.id)} ${style.chalk.dim(formatDuration(event.durationMs))}`, ...event.facts.map((f) => `    ${f}`)];
    case 'step-failed':
      return [`${style.fail} ${title(event.id)} ${style.chalk.red('failed')}`];
    case 'confirm-destroy':
      return [
        '',
        style.chalk.red.bold('About to destroy:'),
        ...event.willDestroy.map((l) => `  - ${l}`),
        style.chalk.green.bold('What protects the data:'),
        ...event.protections.map((l) => `  ${style.ok} ${l}`),
        '',
      ];
    case 'notice':
      return [`${event.level === 'warn' ? style.warn : style.chalk.dim('i')} ${event.text}`];
    case 'progress':
      return undefined;
  }
}
