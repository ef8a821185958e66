/**
 * Runs docker commands built by dtr-commands.ts and turns process failures into MigrateErrors that
 * name the docker binary flag. Steps use this through `ctx.docker`, never runProcess directly.
 */
import type { z } from 'zod';
import { MigrateError, isMigrateError } from '../errors.js';
import type { DockerCommand } from './dtr-commands.js';
import { ProcessError, runProcess, type RunOptions, type RunResult } from './run-process.js';

export interface DockerRunOptions {
  readonly stdinFile?: string;
  readonly stdoutFile?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** What the command is for, used in error messages ("the backup", "destroy"). */
  readonly purpose: string;
}

/** The docker command line as an operator could type it, with secret variables masked. */
export function formatCommand(bin: string, command: DockerCommand): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);
  const env = Object.keys(command.env)
    .filter((name) => command.secretEnv.includes(name))
    .map((name) => `${name}=****`);
  return [...env, bin, ...command.args.map(quote)].join(' ');
}

/** The line with the values of the command's secret variables replaced by ****. */
function maskedFor(command: DockerCommand, line: string): string {
  let out = line;
  for (const name of command.secretEnv) {
    const value = command.env[name];
    if (value !== undefined && value.length >= 4) out = out.split(value).join('****');
  }
  return out;
}

export interface DockerLog {
  (line: string): void;
}

/** What starts a docker process: runProcess, or in tests a table of answers (test/helpers/fake-docker.ts). */
export type ProcessLauncher = (bin: string, args: readonly string[], options: RunOptions) => Promise<RunResult>;

/** Told each line a docker command writes to stderr (its secrets masked), with the command's purpose. */
export type DockerLineListener = (line: string, purpose: string) => void;

export class Docker {
  constructor(
    readonly bin: string,
    private readonly log: DockerLog,
    /** Extra environment for every docker process (e.g. the mock DTR's address in a rehearsal). */
    private readonly baseEnv: Readonly<Record<string, string>> = {},
    /** Where `log` writes, named in the hint of a failed command. */
    private readonly logFile?: string,
    private readonly launch: ProcessLauncher = runProcess,
    private readonly onLine?: DockerLineListener,
  ) {}

  /** The same docker, telling `onLine` what every command it runs writes (a step's phase line). */
  reporting(onLine: DockerLineListener): Docker {
    return new Docker(this.bin, this.log, this.baseEnv, this.logFile, this.launch, onLine);
  }

  describe(command: DockerCommand): string {
    return formatCommand(this.bin, command);
  }

  async run(command: DockerCommand, options: DockerRunOptions): Promise<RunResult> {
    this.log(`$ ${this.describe(command)}`);
    try {
      return await this.launch(this.bin, command.args, {
        env: { ...this.baseEnv, ...command.env },
        onStderrLine: (line) => {
          this.log(`  ${line}`);
          this.onLine?.(maskedFor(command, line), options.purpose);
        },
        ...(options.stdinFile === undefined ? {} : { stdinFile: options.stdinFile }),
        ...(options.stdoutFile === undefined ? {} : { stdoutFile: options.stdoutFile }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    } catch (error) {
      throw this.explain(error, options.purpose);
    }
  }

  /** Runs a command whose stdout is JSON and validates it. */
  async json<T>(command: DockerCommand, schema: z.ZodType<T>, options: DockerRunOptions): Promise<T> {
    const { stdout } = await this.run(command, options);
    let value: unknown;
    try {
      value = JSON.parse(stdout);
    } catch {
      throw new MigrateError('DOCKER_FAILED', `${options.purpose}: docker printed something that is not JSON`, {
        details: [stdout.slice(0, 500)],
      });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new MigrateError('DOCKER_FAILED', `${options.purpose}: docker's answer has an unexpected shape`, {
        details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
    }
    return parsed.data;
  }

  /**
   * Did the command end on its own with a failure (a non-zero exit)? Not when the docker client was
   * killed or timed out: then the container it started may still be at work.
   */
  static failedOnItsOwn(error: unknown): boolean {
    return (
      isMigrateError(error) &&
      error.code === 'DOCKER_FAILED' &&
      error.cause instanceof ProcessError &&
      error.cause.kind === 'exited'
    );
  }

  private explain(error: unknown, purpose: string): unknown {
    if (!(error instanceof ProcessError)) return error;
    switch (error.kind) {
      case 'spawn-failed':
        return new MigrateError('DOCKER_MISSING', `${purpose} needs docker, but "${this.bin}" was not found`, {
          hint: 'Install the docker client or point --docker-bin at it.',
        });
      case 'not-executable':
        return new MigrateError('DOCKER_MISSING', `${purpose} needs docker, but "${this.bin}" is not executable`, {
          hint: `chmod +x ${this.bin}, or point --docker-bin at a working docker client.`,
        });
      case 'aborted':
        return new MigrateError('INTERRUPTED', `${purpose} was interrupted`);
      default: {
        const last =
          error.stderrTail
            .split('\n')
            .filter((l) => l.trim() !== '')
            .at(-1) ?? '';
        return new MigrateError(
          'DOCKER_FAILED',
          `${purpose} failed: ${error.message}${last === '' ? '' : `: ${last.trim()}`}`,
          {
            hint: `The full output is in ${this.logFile ?? 'the log file'}; fix the cause and run the same command again to resume.`,
            details: error.stderrTail === '' ? [] : error.stderrTail.split('\n'),
            cause: error,
          },
        );
      }
    }
  }
}
