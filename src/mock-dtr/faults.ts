/**
 * Injected faults: the next requests matching a fault get it instead of their normal answer, in the
 * order the faults were injected. A fault with only `delayMs` slows the normal answer down; the others
 * replace it (a status, a raw body, or a dropped connection); one with nothing set answers 500.
 */
import { defaultErrorCode, errorReply, type Reply } from './http-util.js';
import type { MockFault } from './types.js';

interface ActiveFault {
  readonly fault: MockFault;
  remaining: number;
}

export type FaultAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'delay'; readonly delayMs: number }
  | { readonly kind: 'reset'; readonly delayMs: number }
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
      return typeof fault.path === 'string' ? fault.path === pathname : new RegExp(fault.path.source, fault.path.flags.replace('g', '')).test(pathname);
    });
    const active = this.#faults[index];
    if (active === undefined) return { kind: 'none' };
    active.remaining -= 1;
    if (active.remaining === 0) this.#faults.splice(index, 1);
    const { fault } = active;
    const delayMs = fault.delayMs ?? 0;
    if (fault.reset === true) return { kind: 'reset', delayMs };
    if (fault.status === undefined && fault.body === undefined && fault.delayMs !== undefined) return { kind: 'delay', delayMs };
    const status = fault.status ?? (fault.body === undefined ? 500 : 200);
    const reply =
      fault.body === undefined
        ? errorReply(status, defaultErrorCode(status), `injected fault: ${status}`)
        : { status, body: fault.body, headers: status === 401 ? { 'www-authenticate': 'Basic realm="dtr"' } : {} };
    return { kind: 'reply', delayMs, reply };
  }
}
