/**
 * The CLI in this process: the same `main` bin/dtr-migrate.js calls, with the same arguments and the
 * environment runCli would give the child, on collecting streams that are not terminals (as a script's
 * pipes are not). Docker commands aimed at the mock's docker stand-in run that stand-in in this process
 * (FakeDocker); any other docker binary (a wrapper script, a missing or unexecutable file) is started as
 * a real process with what the CLI's environment would pass on. It gives what runCli gives, so a test can
 * switch between the two without changing an assertion. Only what needs a real process (a signal, a
 * kill, a terminal, the working directory, stdout really closed) stays with runCli.
 */
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ProcessLauncher } from '../../src/docker/docker.js';
import { childEnv, runProcess } from '../../src/docker/run-process.js';
import { main } from '../../src/cli/main.js';
import { cleanEnv, type CliOptions, type CliRun } from './cli.js';
import { FakeDocker } from './fake-docker.js';

/** What the mock DTR names as docker (every mock names the same script). */
const standInBin = fileURLToPath(new URL('../../bin/dtr-mock-docker.js', import.meta.url));

export interface InProcessCliOptions extends Pick<CliOptions, 'env' | 'input'> {
  /** Called with each stdout/stderr chunk as it is written (to act on the mock at a chosen moment). */
  readonly onOutput?: (text: string) => void;
  /** Answers for docker commands by argv; unanswered ones go to the stand-in. @default a FakeDocker with no rows */
  readonly docker?: FakeDocker;
}

class Collected extends Writable {
  text = '';
  constructor(private readonly onText: ((text: string) => void) | undefined) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.onText?.(chunk.toString());
    done();
  }
}

/** Docker as the CLI, run with `env`, would start it; the stand-in in this process. */
function launcherFor(env: NodeJS.ProcessEnv, docker: FakeDocker): ProcessLauncher {
  return (bin, args, options) => {
    // What runProcess hands a child: the passed-on part of the CLI's environment, then the command's own.
    const own = childEnv(env, options.env ?? {});
    return bin === standInBin
      ? docker.launcher(bin, args, { ...options, env: own })
      : runProcess(bin, args, { ...options, env: own });
  };
}

export async function runCliInProcess(args: readonly string[], options: InProcessCliOptions = {}): Promise<CliRun> {
  const env = cleanEnv(options.env);
  const stdout = new Collected(options.onOutput);
  const stderr = new Collected(options.onOutput);
  const stdin = Readable.from(options.input === undefined || options.input === '' ? [] : [options.input]);
  const code = await main(args, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    env,
    launchDocker: launcherFor(env, options.docker ?? new FakeDocker()),
  });
  return { code, signal: null, stdout: stdout.text, stderr: stderr.text, pid: process.pid };
}
