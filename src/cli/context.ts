/** What every command gets: streams, environment, parsed global options, style and the stop signal. */
import type { Style } from './style.js';

export interface CliContext {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
  /** Commander's options, globals included (camelCase names). */
  readonly globals: Readonly<Record<string, unknown>>;
  readonly json: boolean;
  readonly debug: boolean;
  readonly style: Style;
  readonly signal: AbortSignal;
}
