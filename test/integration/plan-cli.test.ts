/**
 * `plan --out` and `migrate --plan` through the CLI's own entry point (main), in this process, against
 * the rehearsal's mock DTR and sample storage: the human plan shows bytes, free space and a duration
 * per procedure; the --json stream keeps to schema/events.schema.json; the saved plan is applied.
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { buildProgram, type CommandHandlers } from '../../src/cli/program.js';
import { cleanEnv } from '../helpers/cli.js';
import { expectValidStream } from '../helpers/event-schema.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture;
beforeEach(async () => {
  f = await migrationFixture({ jobDurationMs: 30 });
  // The docker child inherits this process's environment (main's env is the CLI's inputs only).
  Object.assign(process.env, f.mock.dockerEnv);
});
afterEach(async () => {
  for (const name of Object.keys(f.mock.dockerEnv)) delete process.env[name];
  await f.close();
});

async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const text = (stream: PassThrough): (() => string) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return () => Buffer.concat(chunks).toString('utf8');
  };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = text(stdout);
  const err = text(stderr);
  const code = await main(args, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: process.stdin,
    env: cleanEnv({ ...f.env, XDG_CACHE_HOME: join(f.root, 'cache') }),
  });
  return { code, stdout: out(), stderr: err() };
}

it('plan --out prints the estimate per procedure and saves a plan that migrate --plan applies', async () => {
  const file = join(f.root, 'plan.json');
  const plan = await cli(['plan', ...f.args, '--out', file]);
  expect(plan.code).toBe(0);
  const shown = plan.stdout + plan.stderr;
  expect(shown).toMatch(/to copy: \d+ files, [\d.]+ KiB \(the source holds \d+ files/);
  expect(shown).toMatch(/free on the new storage: [\d.]+ [KMGT]iB/);
  expect(shown).toMatch(/copy about .+, verify about /);
  for (const id of ['best-practice', 'read-only', 'reconfigure']) expect(shown).toMatch(new RegExp(`${id}: .+ in all`));
  expect(plan.stdout).toContain(`dtr-migrate migrate --plan ${file}`);

  // The plan fixes the inputs: only the secrets (environment) and this run's consents are given.
  const run = await cli(['migrate', '--plan', file, '--yes', '--confirm-destroy', f.mock.replicaId, '--json']);
  const events = expectValidStream(run.stdout);
  expect(events.at(-1)?.['error']).toBeUndefined();
  expect(events.at(-1)).toMatchObject({ event: 'result', ok: true, exitCode: 0, procedure: 'best-practice' });
  expect(run.code).toBe(0);
});

it('plan --json carries the estimate as fields, valid against the event schema', async () => {
  const run = await cli(['plan', ...f.args, '--json', '--out', join(f.root, 'p.json')]);
  expect(run.code).toBe(0);
  const events = expectValidStream(run.stdout);
  const estimate = events.find((e) => e.event === 'plan-estimate');
  expect(estimate?.['data']).toMatchObject({ bytesToCopy: expect.any(Number), targetFreeBytes: expect.any(Number) });
  expect(events.at(-1)).toMatchObject({ event: 'result', plan: join(f.root, 'p.json') });
});

it('plan with an input missing exits 3, names it, and writes no plan', async () => {
  const file = join(f.root, 'plan.json');
  const args = f.args.filter((arg, i) => arg !== '--ucp-url' && f.args[i - 1] !== '--ucp-url');
  const run = await cli(['plan', ...args, '--out', file]);
  expect(run.code).toBe(3);
  expect(run.stderr).toContain('--ucp-url');
  await expect(import('node:fs/promises').then((fs) => fs.stat(file))).rejects.toThrow(/ENOENT/);
});

it('names --out in plan --help and --plan in migrate --help, and applies a plan only in its own state directory', async () => {
  const program = buildProgram({} as CommandHandlers, () => undefined);
  const help = (name: string): string => program.commands.find((c) => c.name() === name)?.helpInformation() ?? '';
  expect(help('plan')).toContain('--out <plan.json>');
  expect(help('migrate')).toContain('--plan <plan.json>');
  const file = join(f.root, 'plan.json');
  expect((await cli(['plan', ...f.args, '--out', file])).code).toBe(0);
  const elsewhere = await cli(['migrate', '--plan', file, '--state-dir', join(f.root, 'other'), '--yes']);
  expect(elsewhere.code).toBe(2);
  expect(elsewhere.stderr).toContain('the plan was made for the migration in');
});
