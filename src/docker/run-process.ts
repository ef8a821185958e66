/**
 * The only module that spawns processes. Commands are argument arrays, never shell strings, and
 * secrets travel in the child's environment, never in argv; a child gets only the part of our
 * environment it needs (childEnv). Failures become a `ProcessError` with a
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
  /** Environment the command needs (this is where its secrets go), on top of what `childEnv` passes on. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Pass our whole environment on: for rclone, whose remotes take their credentials from it (AWS_*,
   * RCLONE_*). @default false: only what `childEnv` lets through
   */
  readonly fullEnv?: boolean;
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

/**
 * What a child such as docker gets of our environment: what finds the binaries, the home and config
 * directories, locale and time zone, docker's own variables (DOCKER_HOST, DOCKER_CONFIG, DOCKER_CONTEXT,
 * DOCKER_CERT_PATH, DOCKER_TLS_VERIFY...), SSH_AUTH_SOCK for an ssh:// docker host, proxies and the CA
 * bundle, and DTR_MOCK_* (where the mock DTR's docker stand-in finds its mock; no secret) — plus `own`,
 * what the command itself needs. Never the rest: the DTR token, or any other secret of the operator's shell.
 */
export function childEnv(
  ours: Readonly<Record<string, string | undefined>>,
  own: Readonly<Record<string, string>>,
): Record<string, string> {
  const passed = Object.entries(ours).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && passedOn.test(entry[0]),
  );
  return { ...Object.fromEntries(passed), ...own };
}

const passedOn =
  /^(PATH|HOME|USER|LOGNAME|TMPDIR|TZ|LANG|LC_\w+|XDG_RUNTIME_DIR|XDG_CONFIG_HOME|DOCKER_\w+|SSH_AUTH_SOCK|SSL_CERT_FILE|SSL_CERT_DIR|(http|https|no|all)_proxy|(HTTP|HTTPS|NO|ALL)_PROXY|DTR_MOCK_\w+)$/;

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-stderrTailLines).join('\n');
}

/** Runs `bin args...` and resolves when it exits 0; rejects with a ProcessError otherwise. */
export async function runProcess(bin: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const subprocess = execa(bin, args, {
    env: options.fullEnv === true ? (options.env ?? {}) : childEnv(process.env, options.env ?? {}),
    extendEnv: options.fullEnv === true,
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
