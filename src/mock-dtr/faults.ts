/**
 * Injected faults.
 * - HTTP (`mock.injectFault`): the next requests matching a fault get it instead of their normal answer,
 *   in the order the faults were injected. A fault with only `delayMs` (or `onMatch`) slows the normal answer
 *   down (or only observes it); the others replace it (a status, a raw body, a dropped connection, or the
 *   normal answer cut off half-way through its body);
 *   one with nothing set answers 500.
 *   A delay on `/_mock/bootstrapper/backup` makes a slow backup stream.
 * - The bootstrapper and jobs (`setBootstrapperFaults`, `setJobFaults` on `mock.state`): a backup that
 *   exits 1 or writes a truncated tar, a destroy that fails before or half-way, a restore that fails,
 *   jobs that end errored or canceled or never end. bootstrapper.ts and jobs.ts consult them.
 * - `parseFaultSpec` reads the `--fault` flag of `dtr-migrate mock-dtr` into one of the above.
 */
import { defaultErrorCode, errorReply, type Reply } from './http-util.js';
import type { MockState } from './state.js';
import type { MockBootstrapperFaults, MockDtr, MockFault, MockJobFault, MockJobFaults } from './types.js';

interface ActiveFault {
  readonly fault: MockFault;
  remaining: number;
}

export type FaultAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'delay'; readonly delayMs: number }
  | { readonly kind: 'reset'; readonly delayMs: number }
  | { readonly kind: 'cut'; readonly delayMs: number }
  | { readonly kind: 'reply'; readonly delayMs: number; readonly reply: Reply };

export class FaultQueue {
  readonly #faults: ActiveFault[] = [];

  add(fault: MockFault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError('fault.times must be a positive integer');
    this.#faults.push({ fault, remaining: times });
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** Takes one use of the first fault matching the request. */
  take(method: string, pathname: string): FaultAction {
    const index = this.#faults.findIndex(({ fault }) => {
      if (fault.method !== undefined && fault.method.toUpperCase() !== method) return false;
      return typeof fault.path === 'string'
        ? fault.path === pathname
        : new RegExp(fault.path.source, fault.path.flags.replace('g', '')).test(pathname);
    });
    const active = this.#faults[index];
    if (active === undefined) return { kind: 'none' };
    active.remaining -= 1;
    if (active.remaining === 0) this.#faults.splice(index, 1);
    const { fault } = active;
    fault.onMatch?.(method, pathname);
    const delayMs = fault.delayMs ?? 0;
    if (fault.reset === true) return { kind: 'reset', delayMs };
    if (fault.cut === true) return { kind: 'cut', delayMs };
    if (
      fault.status === undefined &&
      fault.body === undefined &&
      (fault.delayMs !== undefined || fault.onMatch !== undefined)
    )
      return { kind: 'delay', delayMs };
    const status = fault.status ?? (fault.body === undefined ? 500 : 200);
    const reply =
      fault.body === undefined
        ? errorReply(status, defaultErrorCode(status), `injected fault: ${status}`)
        : { status, body: fault.body, headers: status === 401 ? { 'www-authenticate': 'Basic realm="dtr"' } : {} };
    return { kind: 'reply', delayMs, reply };
  }
}

/*
 * Faults of the mock's processes rather than its HTTP answers: the bootstrapper (reached by the docker
 * stand-in through /_mock/bootstrapper/...) and DTR's jobs. They are kept per mock state, beside it
 * rather than in it, so the state stays plain data that tests can inspect and compare.
 */

export type FaultyBootstrapperCommand = 'backup' | 'destroy' | 'restore' | 'join';

interface CountedFault<T> {
  readonly fault: T;
  /** Infinity: until cleared. */
  remaining: number;
}

interface StateFaults {
  readonly bootstrapper: Map<FaultyBootstrapperCommand, CountedFault<string>>;
  job?: CountedFault<MockJobFaults>;
}

const faultsByState = new WeakMap<MockState, StateFaults>();

function faultsOf(state: MockState): StateFaults {
  let faults = faultsByState.get(state);
  if (faults === undefined) {
    faults = { bootstrapper: new Map() };
    faultsByState.set(state, faults);
  }
  return faults;
}

function countOf(times: number | undefined): number {
  if (times === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(times) || times < 1) throw new RangeError('fault times must be a positive integer');
  return times;
}

function take<T>(counted: CountedFault<T> | undefined, drop: () => void): T | undefined {
  if (counted === undefined) return undefined;
  counted.remaining -= 1;
  if (counted.remaining <= 0) drop();
  return counted.fault;
}

/** Replaces the bootstrapper's faults (`undefined` clears them). */
export function setBootstrapperFaults(state: MockState, faults: MockBootstrapperFaults | undefined): void {
  const map = faultsOf(state).bootstrapper;
  map.clear();
  if (faults === undefined) return;
  const remaining = countOf(faults.times);
  for (const command of ['backup', 'destroy', 'restore', 'join'] as const) {
    const fault = faults[command];
    if (fault !== undefined) map.set(command, { fault, remaining });
  }
}

/** Adds (or replaces) the fault of one bootstrapper command. */
export function addBootstrapperFault<C extends FaultyBootstrapperCommand>(
  state: MockState,
  command: C,
  fault: NonNullable<MockBootstrapperFaults[C]>,
  times?: number,
): void {
  faultsOf(state).bootstrapper.set(command, { fault, remaining: countOf(times) });
}

/** For bootstrapper.ts: the fault this run of `command` gets, if any (one use is taken). */
export function takeBootstrapperFault<C extends FaultyBootstrapperCommand>(
  state: MockState,
  command: C,
): MockBootstrapperFaults[C] | undefined {
  const map = faultsOf(state).bootstrapper;
  return take(map.get(command), () => map.delete(command)) as MockBootstrapperFaults[C] | undefined;
}

/** Sets how the next jobs end (`undefined` clears it). Jobs that already exist are left as they are. */
export function setJobFaults(state: MockState, faults: MockJobFaults | undefined): void {
  const all = faultsOf(state);
  if (faults === undefined) delete all.job;
  else all.job = { fault: faults, remaining: countOf(faults.times) };
}

/** For jobs.ts: the fault a new job of `action` gets, if any (one use is taken). */
export function takeJobFault(state: MockState, action: string): MockJobFaults | undefined {
  const all = faultsOf(state);
  if (all.job === undefined || (all.job.fault.action !== undefined && all.job.fault.action !== action))
    return undefined;
  return take(all.job, () => delete all.job);
}

/** Clears every bootstrapper and job fault of this state (HTTP faults are cleared with `mock.clearFaults()`). */
export function clearStateFaults(state: MockState): void {
  faultsByState.delete(state);
}

/** A fault as `dtr-migrate mock-dtr --fault` gives it. */
export type FaultSpec =
  | {
      readonly kind: 'bootstrapper';
      readonly command: FaultyBootstrapperCommand;
      readonly fault: string;
      readonly times?: number;
    }
  | { readonly kind: 'job'; readonly fault: MockJobFaults }
  | { readonly kind: 'http'; readonly fault: MockFault };

export const faultSpecHelp = [
  'backup=exit|truncate|slow, destroy=fail|half, restore=fail, join=fail|half, job=errored|canceled|never,',
  'http=<status>|reset|cut|malformed|slow with path=<path or prefix*>; options: times=<n>, ms=<n> (slow), method=<M>, action=<job action>',
].join(' ');

const bootstrapperKinds: Record<FaultyBootstrapperCommand, readonly string[]> = {
  backup: ['exit', 'truncate'],
  destroy: ['fail', 'half'],
  restore: ['fail'],
  join: ['fail', 'half'],
};
const jobKinds: readonly string[] = ['errored', 'canceled', 'never'];
const slowDefaultMs = 5_000;

function pathPattern(path: string): string | RegExp {
  if (!path.endsWith('*')) return path;
  return new RegExp(`^${path.slice(0, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
}

/** Parses `target=kind[,key=value...]`; a string is the reason it is refused. */
export function parseFaultSpec(text: string): FaultSpec | string {
  const [head = '', ...rest] = text.split(',');
  const [target = '', kind = ''] = head.split('=', 2);
  const options = new Map<string, string>();
  for (const item of rest) {
    const eq = item.indexOf('=');
    if (eq < 1) return `"${item}" is not key=value`;
    options.set(item.slice(0, eq), item.slice(eq + 1));
  }
  const known = new Set(['times', 'ms', 'path', 'method', 'action']);
  const unknown = [...options.keys()].find((key) => !known.has(key));
  if (unknown !== undefined) return `unknown option ${unknown}`;
  const number = (key: string): number | string | undefined => {
    const raw = options.get(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    return Number.isInteger(n) && n > 0 ? n : `${key} must be a positive whole number, not "${raw}"`;
  };
  const times = number('times');
  const ms = number('ms');
  if (typeof times === 'string') return times;
  if (typeof ms === 'string') return ms;
  const withTimes = times === undefined ? {} : { times };
  if (target === 'backup' && kind === 'slow') {
    return {
      kind: 'http',
      fault: { method: 'POST', path: '/_mock/bootstrapper/backup', delayMs: ms ?? slowDefaultMs, ...withTimes },
    };
  }
  if (target === 'backup' || target === 'destroy' || target === 'restore' || target === 'join') {
    if (!bootstrapperKinds[target].includes(kind))
      return `${target}= takes ${bootstrapperKinds[target].join(' or ')}${target === 'backup' ? ' or slow' : ''}, not "${kind}"`;
    return { kind: 'bootstrapper', command: target, fault: kind, ...withTimes };
  }
  if (target === 'job') {
    if (!jobKinds.includes(kind)) return `job= takes ${jobKinds.join(', ')}, not "${kind}"`;
    const action = options.get('action');
    return {
      kind: 'job',
      fault: { outcome: kind as MockJobFault, ...(action === undefined ? {} : { action }), ...withTimes },
    };
  }
  if (target === 'http') {
    const path = options.get('path');
    if (path === undefined || !path.startsWith('/'))
      return 'http= needs path=/api/v0/... (a trailing * matches a prefix)';
    const method = options.get('method')?.toUpperCase();
    const base = { path: pathPattern(path), ...(method === undefined ? {} : { method }), ...withTimes };
    if (kind === 'reset') return { kind: 'http', fault: { ...base, reset: true } };
    if (kind === 'cut') return { kind: 'http', fault: { ...base, cut: true } };
    if (kind === 'malformed') return { kind: 'http', fault: { ...base, status: 200, body: '{"truncated": ' } };
    if (kind === 'slow') return { kind: 'http', fault: { ...base, delayMs: ms ?? slowDefaultMs } };
    const status = Number(kind);
    if (!Number.isInteger(status) || status < 400 || status > 599)
      return `http= takes an HTTP error status (400-599), reset, cut, malformed or slow, not "${kind}"`;
    return { kind: 'http', fault: { ...base, status, ...(ms === undefined ? {} : { delayMs: ms }) } };
  }
  return `unknown fault "${head}"`;
}

/** Puts a parsed fault into effect on a running mock. */
export function applyFaultSpec(mock: Pick<MockDtr, 'state' | 'injectFault'>, spec: FaultSpec): void {
  if (spec.kind === 'http') mock.injectFault(spec.fault);
  else if (spec.kind === 'job') setJobFaults(mock.state, spec.fault);
  else addBootstrapperFault(mock.state, spec.command, spec.fault as never, spec.times);
}
