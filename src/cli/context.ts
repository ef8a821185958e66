/** What every command gets: streams, environment, parsed global options, style and the stop signal. */
import type { ProcessLauncher } from '../docker/docker.js';
import type { JsonEvents } from './json-events.js';
import type { Style } from './style.js';

export interface CliContext {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
  /** Commander's options, globals included (camelCase names). */
  readonly globals: Readonly<Record<string, unknown>>;
  readonly json: boolean;
  /** Where `--json` lines go (stdout); used only when `json`. */
  readonly events: JsonEvents;
  readonly debug: boolean;
  readonly style: Style;
  readonly signal: AbortSignal;
  /** Starts docker processes; undefined: runProcess (see MainDeps). */
  readonly launchDocker?: ProcessLauncher;
}
