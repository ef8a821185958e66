/**
 * The only module that spawns processes. Commands are argument arrays, never shell strings, and
 * secrets travel in the child's environment, never in argv. Failures become a `ProcessError` with a
 * `kind` the callers turn into a MigrateError that fits what they were doing.
 */
import { execa } from 'execa';

export type ProcessErrorKind = 'spawn-failed' | 'not-executable' | 'exited' | 'killed' | 'timeout' | 'aborted';

export class ProcessError extends Error {
  constructor(
    readonly kind: ProcessErrorKind,
    message: string,
    readonly exitCode: number | undefined,
    readonly stderrTail: string,
    /** What the process printed before failing (some tools report results with a non-zero exit). */
    readonly stdout = '',
  ) {
    super(message);
    this.name = 'ProcessError';
  }
}

export interface RunOptions {
  /** Extra environment for the child, on top of ours (this is where secrets go). */
  readonly env?: Readonly<Record<string, string>>;
  /** Feed this file to the child's stdin. */
  readonly stdinFile?: string;
  /** Send the child's stdout into this (existing) file instead of capturing it. */
  readonly stdoutFile?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Each line the child writes to stderr, as it comes (for the log file and progress). */
  readonly onStderrLine?: (line: string) => void;
}

export interface RunResult {
  readonly exitCode: number;
  /** Captured stdout (empty when it went to `stdoutFile`). */
  readonly stdout: string;
  readonly stderr: string;
}

const stderrTailLines = 12;

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-stderrTailLines).join('\n');
}

/** Runs `bin args...` and resolves when it exits 0; rejects with a ProcessError otherwise. */
export async function runProcess(bin: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const subprocess = execa(bin, args, {
    env: options.env ?? {},
    extendEnv: true,
    reject: false,
    stdin: options.stdinFile === undefined ? 'ignore' : { file: options.stdinFile },
    stdout: options.stdoutFile === undefined ? 'pipe' : { file: options.stdoutFile },
    stderr: 'pipe',
    ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    forceKillAfterDelay: 5_000,
    stripFinalNewline: false,
  });
  if (options.onStderrLine !== undefined) {
    const onLine = options.onStderrLine;
    let pending = '';
    subprocess.stderr?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    subprocess.stderr?.on('end', () => pending !== '' && onLine(pending));
  }
  const result = await subprocess;
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const code = (result as { code?: string }).code;
  if (code === 'ENOENT') throw new ProcessError('spawn-failed', `${bin} was not found`, undefined, '');
  if (code === 'EACCES') throw new ProcessError('not-executable', `${bin} is not executable`, undefined, '');
  if (result.isCanceled) throw new ProcessError('aborted', `${bin} was stopped`, result.exitCode, tail(stderr));
  if (result.timedOut)
    throw new ProcessError('timeout', `${bin} did not finish in time`, result.exitCode, tail(stderr));
  if (result.isTerminated)
    throw new ProcessError(
      'killed',
      `${bin} was killed by ${result.signal ?? 'a signal'}`,
      result.exitCode,
      tail(stderr),
    );
  if (result.failed && result.exitCode === undefined)
    throw new ProcessError('spawn-failed', `${bin} could not be started`, undefined, tail(stderr));
  if (result.exitCode !== 0)
    throw new ProcessError(
      'exited',
      `${bin} exited with code ${result.exitCode}`,
      result.exitCode,
      tail(stderr),
      stdout,
    );
  return { exitCode: 0, stdout, stderr };
}
