/**
 * Runs the real CLI (bin/dtr-migrate.js, compiled dist/) as a subprocess, as an operator's script would.
 * CI variables are cleared so the child decides interactivity itself, and colour is off unless asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = fileURLToPath(new URL('../../bin/dtr-migrate.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number | undefined;
}

export interface CliOptions {
  readonly env?: Record<string, string | undefined>;
  readonly input?: string;
  readonly cwd?: string;
  /** Called with the child once it runs (to kill it at a chosen moment). */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Called with each stderr/stdout chunk as it arrives. */
  readonly onOutput?: (text: string, child: ChildProcess) => void;
  readonly timeoutMs?: number;
}

export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      name === 'CI' ||
      name.startsWith('DTR_') ||
      name.startsWith('UCP_') ||
      name === 'FORCE_COLOR' ||
      name.startsWith('VITEST')
    )
      delete env[name];
  }
  env['NO_COLOR'] = '1';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onOutput?.(chunk.toString(), child);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onOutput?.(chunk.toString(), child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid });
    });
    options.onSpawn?.(child);
    child.stdin.end(options.input ?? '');
  });
}

/** The NDJSON events of a --json run. */
export function jsonEvents(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * For a --json run watched while it runs (onOutput chunks, stdout and stderr mixed): returns a function
 * that takes each chunk and gives the first line whose `event` is `name`, once it has arrived whole.
 */
export function firstEvent(name: string): (chunk: string) => Record<string, unknown> | undefined {
  let buffered = '';
  return (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n').slice(0, -1);
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line) as Record<string, unknown>;
      if (event['event'] === name) return event;
    }
    return undefined;
  };
}
