/**
 * Docker for in-process tests: a table of answers by argv, tried in order; a command no row answers
 * goes to the mock DTR's docker stand-in, run in this process (the same code bin/dtr-mock-docker.js
 * runs), so the bootstrapper acts on the mock as it would from a real `docker`. Every command is
 * recorded. A failure is a ProcessError, as runProcess gives, so the Docker class explains it the same.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ProcessLauncher } from '../../src/docker/docker.js';
import { ProcessError, type RunResult } from '../../src/docker/run-process.js';
import { runDockerStandIn } from '../../src/mock-dtr/docker-stand-in.js';

export interface DockerAnswer {
  readonly exitCode?: number;
  /** Written to the command's stdout file when it has one (a backup), as docker would. */
  readonly stdout?: string | Buffer;
  readonly stderr?: string;
  /**
   * The docker client dies (as when the run is killed): `before` the command reaches the bootstrapper,
   * or `after` the stand-in ran it to the end, so its effect is in place but nobody saw it finish.
   */
  readonly killed?: 'before' | 'after';
}

export interface DockerRow {
  /** Matches the argv (joined by spaces, the way an operator reads it). */
  readonly when: RegExp;
  /** An answer, or a function of the argv; `'stand-in'` lets the stand-in run it after all (e.g. once a counter passes). */
  readonly answer:
    DockerAnswer | ((args: readonly string[]) => DockerAnswer | 'stand-in' | Promise<DockerAnswer | 'stand-in'>);
}

export class FakeDocker {
  readonly calls: string[][] = [];

  constructor(private readonly rows: DockerRow[] = []) {}

  /** Commands whose argv matches, as lines. */
  commands(matching: RegExp = /./): string[] {
    return this.calls.map((args) => args.join(' ')).filter((line) => matching.test(line));
  }

  launcher: ProcessLauncher = async (bin, args, options) => {
    this.calls.push([...args]);
    const line = args.join(' ');
    const row = this.rows.find((r) => r.when.test(line));
    let answer: DockerAnswer | 'stand-in' = 'stand-in';
    if (row !== undefined) answer = typeof row.answer === 'function' ? await row.answer(args) : row.answer;
    if (answer !== 'stand-in' && answer.killed !== undefined) {
      if (answer.killed === 'after') await standIn(args, options);
      throw new ProcessError('killed', `${bin} was killed by SIGKILL`, undefined, '');
    }
    if (answer !== 'stand-in' && answer.stdout !== undefined && options.stdoutFile !== undefined)
      await writeFile(options.stdoutFile, answer.stdout, { flag: 'a' });
    const result =
      answer === 'stand-in'
        ? await standIn(args, options)
        : {
            exitCode: 0,
            stderr: '',
            ...answer,
            stdout: options.stdoutFile === undefined ? String(answer.stdout ?? '') : '',
          };
    for (const l of result.stderr.split('\n')) if (l !== '') options.onStderrLine?.(l);
    if (result.exitCode !== 0) {
      throw new ProcessError(
        'exited',
        `${bin} exited with code ${result.exitCode}`,
        result.exitCode,
        result.stderr,
        result.stdout,
      );
    }
    return result as RunResult;
  };
}

async function standIn(
  args: readonly string[],
  options: Parameters<ProcessLauncher>[2],
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const file = options.stdoutFile === undefined ? undefined : createWriteStream(options.stdoutFile, { flags: 'a' });
  if (file !== undefined) stdout.pipe(file);
  else stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const stdin = options.stdinFile === undefined ? Readable.from([]) : createReadStream(options.stdinFile);
  const exitCode = await runDockerStandIn(args, { env: { ...options.env }, stdin, stdout, stderr });
  stdout.end();
  stderr.end();
  if (file !== undefined) await finished(file);
  return { exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
