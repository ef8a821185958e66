/**
 * Bad input, table-driven, through the CLI's entry point in this process (the arguments, environment and
 * stdin a script would give it; cli-in-process.ts): each row must end with its documented exit code, the
 * cause and the fix on stderr in a line or two, no stack trace, and nothing changed that cannot be
 * resumed (DTR still installed on its storage, the source storage untouched, no step left running).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockDtr } from '../../src/mock-dtr/server.js';
import type { MockDtr } from '../../src/mock-dtr/types.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { longTestMs, stackTrace } from '../helpers/fault-checks.js';
import { listFiles, migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

interface World {
  readonly f: MigrationFixture;
  readonly tls: MockDtr;
  readonly closedPort: number;
  /** A fresh directory for this row (its state dir, config files). */
  readonly dir: string;
}

interface Row {
  readonly name: string;
  /** Arguments after `migrate` and the fixture's flags (the last occurrence of a flag wins). */
  readonly args?: (w: World) => string[] | Promise<string[]>;
  /** The whole argv instead (for commands other than migrate). */
  readonly argv?: (w: World) => string[];
  readonly env?: (w: World) => Record<string, string | undefined>;
  readonly input?: string;
  /** Flags of the fixture to leave out (a missing input). */
  readonly without?: readonly string[];
  readonly code: number;
  readonly cause: RegExp;
  /** @default a `→` hint line */
  readonly hint?: RegExp;
  /** A row that could hang: it must end well within this (the test's own budget). */
  readonly timeoutMs?: number;
  /** Needs a mock of its own (it gets past the preflight and changes DTR's state, or needs another version). */
  readonly own?: Parameters<typeof migrationFixture>[0];
}

const commanderHint = /run dtr-migrate --help for usage/;

const rows: Row[] = [
  // Malformed values
  {
    name: 'a DTR URL without a scheme',
    args: () => ['--dtr-url', 'dtr.example.com'],
    code: 2,
    cause: /--dtr-url.*must be a URL/,
    hint: /→ .*--dtr-url/,
  },
  {
    name: 'an ftp:// DTR URL',
    args: () => ['--dtr-url', 'ftp://127.0.0.1/dtr'],
    code: 2,
    cause: /--dtr-url.*https:\/\/ or http:\/\//,
    hint: /→ .*--dtr-url/,
  },
  {
    name: 'a DTR URL with a space',
    args: () => ['--dtr-url', 'https://dtr example.com'],
    code: 2,
    cause: /--dtr-url.*URL/,
    hint: /→ .*--dtr-url/,
  },
  {
    name: 'a malformed UCP URL',
    args: () => ['--ucp-url', 'ucp:443'],
    code: 2,
    cause: /--ucp-url.*(URL|http)/,
    hint: /→ .*--ucp-url/,
  },
  {
    name: 'a DTR version that is not x.y.z',
    args: () => ['--dtr-version', '2.6'],
    code: 2,
    cause: /--dtr-version.*must be a version such as 2\.6\.4/,
    hint: /→ .*--dtr-version/,
  },
  {
    name: 'a replica id that is not 12 hex digits',
    args: () => ['--replica-id', 'replica-1'],
    code: 2,
    cause: /--replica-id/,
    hint: /→ .*--replica-id/,
  },
  {
    name: 'an NFS URL without nfs://',
    args: () => ['--target-nfs-url', 'nfs:/new-nfs/dtr'],
    code: 2,
    cause: /--target-nfs-url.*nfs:\/\/<host>\/<path>/,
    hint: /→ .*--target-nfs-url/,
  },
  {
    name: '--copy-concurrency 0',
    args: () => ['--copy-concurrency', '0'],
    code: 2,
    cause: /--copy-concurrency/,
    hint: /→ .*--copy-concurrency/,
  },
  {
    name: '--api-timeout 0',
    args: () => ['--api-timeout', '0'],
    code: 2,
    cause: /--api-timeout/,
    hint: /→ .*--api-timeout/,
  },
  {
    name: 'an --api-timeout beyond any timer',
    args: () => ['--api-timeout', '9999999'],
    code: 2,
    cause: /--api-timeout "9999999" must be 3600 \(one hour\) or less/,
    hint: /→ .*--api-timeout/,
  },
  {
    name: '--job-timeout that is not a number',
    args: () => ['--job-timeout', 'soon'],
    code: 2,
    cause: /--job-timeout/,
    hint: /→ .*--job-timeout/,
  },
  {
    name: 'an unknown --pull-check',
    args: () => ['--pull-check', 'everything'],
    code: 2,
    cause: /--pull-check/,
    hint: /→ .*--pull-check.*none.*head/,
  },
  {
    name: 'an unknown --procedure',
    args: () => ['--procedure', 'fastest'],
    code: 2,
    cause: /--procedure/,
    hint: /→ .*--procedure.*best-practice/,
  },
  // The command line itself
  {
    name: 'an unknown flag',
    args: () => ['--dtr-urll', 'https://dtr.example.com'],
    code: 2,
    cause: /unknown option '--dtr-urll'/,
    hint: commanderHint,
  },
  {
    name: 'an unknown command',
    argv: () => ['migrat'],
    code: 2,
    cause: /unknown command 'migrat'/,
    hint: commanderHint,
  },
  {
    name: 'a flag without its value',
    argv: () => ['migrate', '--state-dir'],
    code: 2,
    cause: /option '--state-dir <dir>' argument missing/,
    hint: commanderHint,
  },
  // DTR refuses, or cannot be reached or trusted
  {
    name: 'wrong credentials',
    env: () => ({ DTR_TOKEN: 'not-the-token' }),
    code: 4,
    cause: /DTR rejected the credentials of user "admin"/,
    hint: /→ .*DTR_TOKEN/,
  },
  {
    name: 'a user who is not an admin',
    args: (w) => ['--username', w.f.mock.credentials.user.username],
    env: (w) => ({ DTR_TOKEN: w.f.mock.credentials.user.token }),
    code: 4,
    cause: /user "developer" is not allowed .*a DTR admin is needed/,
    hint: /→ .*--username/,
  },
  {
    name: 'an unreachable DTR (closed port)',
    args: (w) => ['--dtr-url', `http://127.0.0.1:${w.closedPort}`],
    code: 4,
    cause: /cannot reach DTR at .*connection was refused/,
    hint: /→ .*--dtr-url/,
  },
  {
    name: 'a DTR whose certificate is not trusted',
    args: (w) => ['--dtr-url', w.tls.url],
    code: 4,
    cause: /TLS certificate of .* is not trusted/,
    hint: /→ .*--ca-cert/,
  },
  {
    name: 'a --ca-cert file that does not exist',
    args: (w) => ['--ca-cert', join(w.dir, 'no-ca.pem')],
    code: 2,
    cause: /CA certificate .*no-ca\.pem cannot be read/,
    hint: /→ .*--ca-cert/,
  },
  {
    name: '--insecure-tls with --ca-cert',
    args: (w) => ['--ca-cert', join(w.dir, 'ca.pem'), '--insecure-tls'],
    code: 2,
    cause: /--insecure-tls and --ca-cert contradict/,
    hint: /→ .*--insecure-tls/,
  },
  // Versions and replicas
  {
    name: 'an unsupported DTR version',
    own: { version: '3.1.0' },
    code: 2,
    cause: /DTR 3\.1\.0 is not a version dtr-migrate supports/,
    hint: /→ .*--dtr-version/,
  },
  {
    name: 'a DTR version older than 2.5',
    own: { version: '2.4.1' },
    code: 2,
    cause: /DTR 2\.4\.1 is not a version/,
    hint: /→ .*--dtr-version/,
  },
  {
    name: '--dtr-version that differs from the running DTR',
    args: () => ['--dtr-version', '2.7.1'],
    code: 2,
    cause: /--dtr-version is 2\.7\.1, but .* runs DTR 2\.6\.4/,
    hint: /→ .*--dtr-version 2\.6\.4/,
  },
  {
    name: 'a replica id DTR does not have',
    args: () => ['--replica-id', 'abcdefabcdef'],
    code: 2,
    cause: /replica abcdefabcdef is not one of this DTR's replicas/,
    hint: /→ .*--replica-id/,
  },
  {
    name: 'the read-only procedure on 2.6.3',
    args: () => ['--procedure', 'read-only'],
    own: { version: '2.6.3' },
    code: 2,
    cause: /read-only.*2\.6\.4/,
    hint: /→ .*(upgrade|best-practice)/i,
  },
  // Where things go
  {
    name: 'a state dir below a regular file',
    args: async (w) => [...(await aFile(w)), '--state-dir', join(w.dir, 'file', 'state')],
    code: 2,
    cause: /state directory .* (is not a directory|cannot be used)/,
    hint: /→ .*--state-dir/,
  },
  {
    name: 'a state dir that is a file',
    args: async (w) => [...(await aFile(w)), '--state-dir', join(w.dir, 'file')],
    code: 2,
    cause: /state directory .* is not a directory/,
    hint: /→ .*--state-dir/,
  },
  {
    name: 'a state dir in /proc',
    args: () => ['--state-dir', '/proc/dtr-migrate-state'],
    timeoutMs: 10_000,
    code: 2,
    cause: /state directory \/proc\/dtr-migrate-state/,
    hint: /→ .*--state-dir/,
  },
  {
    name: 'a target storage inside the source',
    args: (w) => ['--target-storage', join(w.f.source, 'new-storage')],
    code: 2,
    cause: /inside/,
    hint: /→ .*--target-storage/,
  },
  {
    name: 'a source storage that does not exist',
    args: (w) => ['--source-storage', join(w.dir, 'no-such-storage')],
    code: 2,
    cause: /no-such-storage/,
    hint: /→ .*--source-storage/,
  },
  {
    name: 'a target storage that cannot be written',
    args: () => ['--target-storage', '/proc/dtr-migrate-target'],
    code: 2,
    cause: /target \/proc\/dtr-migrate-target is not writable/,
    hint: /→ .*--target-storage/,
  },
  {
    name: 'the same storage as source and target',
    args: (w) => ['--target-storage', w.f.source],
    code: 2,
    cause: /(same|inside)/,
    hint: /→ .*--target-storage/,
  },
  {
    name: 'both --target-volume and --target-nfs-url',
    args: () => ['--target-volume', 'dtr-new', '--target-nfs-url', 'nfs://new-nfs/dtr'],
    code: 2,
    cause: /--target-volume and --target-nfs-url both name the new storage/,
  },
  // Config files
  {
    name: 'a config file with an unknown key',
    args: async (w) => config(w, 'c.yaml', 'dtrUrll: https://dtr.example.com\n'),
    code: 2,
    cause: /unknown key dtrUrll \(did you mean dtrUrl\?\)/,
    hint: /→ Valid keys: .*dtrUrl/,
  },
  {
    name: 'a config file that confirms the destroy',
    args: async (w) => config(w, 'c.yaml', 'confirmDestroy: 0123456789ab\n'),
    code: 2,
    cause: /confirmDestroy is a consent for one run, never kept in a file: give --confirm-destroy on the command line/,
    hint: /→ Valid keys/,
  },
  {
    name: 'a config file with a wrong type',
    args: async (w) => config(w, 'c.yaml', 'copyConcurrency: many\n'),
    code: 2,
    cause: /copyConcurrency: /,
    hint: /→ Fix copyConcurrency \(parallel file copies\)/,
  },
  {
    name: 'a config file that is not YAML',
    args: async (w) => config(w, 'c.yaml', 'dtrUrl: [https://dtr\n  bad: : :\n'),
    code: 2,
    cause: /is not valid YAML/,
    hint: /→ .*Fix the syntax/,
  },
  {
    name: 'a config file that is not JSON',
    args: async (w) => config(w, 'c.json', '{"dtrUrl": '),
    code: 2,
    cause: /is not valid JSON/,
  },
  {
    name: 'a config file that does not exist',
    args: (w) => ['--config', join(w.dir, 'missing.yaml')],
    code: 2,
    cause: /config file .*missing\.yaml does not exist/,
    hint: /→ .*--config/,
  },
  {
    name: 'a secret in the config file',
    args: async (w) => config(w, 'c.yaml', 'dtrToken: tok-in-a-file-123\n'),
    code: 2,
    cause: /secrets belong in DTR_TOKEN \/ UCP_PASSWORD/,
  },
  {
    name: 'a config file holding a list',
    args: async (w) => config(w, 'c.yaml', '- dtrUrl\n- username\n'),
    code: 2,
    cause: /config file/,
  },
  // Inputs a script must give
  { name: 'no --ucp-url in a script', without: ['--ucp-url'], code: 3, cause: /--ucp-url/, hint: /→ Pass .*--ucp-url/ },
  {
    name: 'no DTR token in a script',
    env: () => ({ DTR_TOKEN: undefined }),
    code: 3,
    cause: /DTR_TOKEN/,
    hint: /→ .*DTR_TOKEN/,
  },
  {
    name: 'no UCP password in a script',
    env: () => ({ UCP_PASSWORD: undefined }),
    code: 3,
    cause: /UCP_PASSWORD/,
    hint: /→ .*UCP_PASSWORD/,
  },
  {
    name: '--password-stdin with empty stdin',
    args: () => ['--password-stdin'],
    env: () => ({ DTR_TOKEN: undefined }),
    input: '',
    code: 2,
    cause: /--password-stdin was given but standard input was empty/,
    hint: /→ .*DTR_TOKEN/,
  },
  // Confirmations
  {
    name: 'a destroy confirmation that does not match',
    args: () => ['--confirm-destroy', '000000000000', '--pull-check', 'none'],
    own: {},
    code: 6,
    cause: /--confirm-destroy "000000000000" does not match replica/,
    hint: /→ .*--confirm-destroy/,
  },
  {
    name: 'reconfigure without --accept-tag-loss',
    args: () => ['--procedure', 'reconfigure'],
    code: 6,
    cause: /erases every tag/,
    hint: /→ .*--accept-tag-loss/,
  },
];

async function aFile(w: World): Promise<string[]> {
  await writeFile(join(w.dir, 'file'), 'not a directory\n');
  return [];
}

async function config(w: World, name: string, text: string): Promise<string[]> {
  await writeFile(join(w.dir, name), text);
  return ['--config', join(w.dir, name)];
}

/** A hang is a failure of its own, not the test's whole budget spent waiting. */
async function endsWithin<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

function without(args: readonly string[], flags: readonly string[]): string[] {
  return args.filter((arg, i) => !flags.includes(arg) && !flags.includes(args[i - 1] ?? ''));
}

let shared: MigrationFixture;
let tls: MockDtr;
let closedPort = 0;
let sourceBefore: Map<string, number>;

beforeAll(async () => {
  shared = await migrationFixture();
  tls = await startMockDtr({ tls: true });
  sourceBefore = await listFiles(shared.source);
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  expect(await listFiles(shared.source)).toEqual(sourceBefore);
  await tls.close();
  await shared.close();
});

describe.concurrent(
  `${rows.length} bad inputs: exit code, cause and fix, nothing changed that cannot be resumed`,
  { timeout: longTestMs },
  () => {
    it.for(rows.map((row, index) => ({ ...row, index })))('$name', async (row, ctx) => {
      const f = row.own === undefined ? shared : await migrationFixture(row.own);
      if (f !== shared) ctx.onTestFinished(() => f.close());
      const dir = join(f.root, `row-${row.index}`);
      await mkdir(dir);
      await writeFile(join(dir, 'ca.pem'), tls.caCertPem ?? '');
      const w: World = { f, tls, closedPort, dir };
      const argv = row.argv?.(w) ?? [
        'migrate',
        ...without(f.args, row.without ?? []),
        '--state-dir',
        join(dir, 'state'),
        '--yes',
        ...((await row.args?.(w)) ?? []),
      ];
      const running = runCliInProcess(argv, { env: { ...f.env, ...row.env?.(w) }, input: row.input ?? '' });
      const run = row.timeoutMs === undefined ? await running : await endsWithin(row.timeoutMs, running);

      expect(run.code, run.stderr).toBe(row.code);
      const errorLines = run.stderr.split('\n').filter((line) => /^(✖ Error:|error:)/.test(line));
      expect(errorLines, run.stderr).toHaveLength(1);
      expect(errorLines[0]).toMatch(row.cause);
      expect(run.stderr).toMatch(row.hint ?? /→ \S/);
      expect(run.stderr).not.toMatch(stackTrace);
      expect(run.stderr + run.stdout).not.toContain(f.env.DTR_TOKEN);

      // Nothing that cannot be resumed: DTR installed on its storage, no step left half-done.
      expect(f.mock.state.installed).toBe(true);
      expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.source });
      const journal = await readFile(join(dir, 'state', 'journal.json'), 'utf8').catch(() => undefined);
      if (journal !== undefined) {
        const steps = (
          JSON.parse(journal) as { steps: Record<string, { status: string; checkpoint?: Record<string, unknown> }> }
        ).steps;
        expect(Object.values(steps).map((s) => s.status)).not.toContain('running');
        expect(steps['restore']?.checkpoint?.['destroyedAt']).toBeUndefined();
      }
    });
  },
);
