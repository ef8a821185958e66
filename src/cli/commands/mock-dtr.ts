/**
 * `dtr-migrate mock-dtr`: the mock DTR in the foreground, for operators' own CI smoke runs. It prints
 * what a script needs (URL, credentials, the docker stand-in and its environment) and stops cleanly
 * on Ctrl-C or SIGTERM. `--fault` makes it misbehave (mock-dtr/faults.ts), to rehearse failures and
 * the resume that follows them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFaultSpec, faultSpecHelp, parseFaultSpec, type FaultSpec } from '../../mock-dtr/faults.js';
import { startMockDtr } from '../../mock-dtr/server.js';
import { apiGeneration } from '../../mock-dtr/versions.js';
import { MigrateError } from '../../errors.js';
import type { MockDtrFlags } from '../program.js';
import type { CliContext } from '../context.js';

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new MigrateError('USAGE', `${flag} must be a whole number, not "${value}"`, { hint: `Pass ${flag} <n>.` });
  return n;
}

/** `--replicas`: 1 to 9 replicas (the mock's limit), each on its own node. */
export function replicaCount(value: string | undefined): number | undefined {
  const n = integer(value, '--replicas');
  if (n !== undefined && (n < 1 || n > 9))
    throw new MigrateError('USAGE', `--replicas must be 1 to 9, not ${n}`, {
      hint: 'Pass --replicas 3 for a usual HA DTR.',
    });
  return n;
}

function faultSpecs(specs: readonly string[]): FaultSpec[] {
  return specs.map((text) => {
    const spec = parseFaultSpec(text);
    if (typeof spec === 'string')
      throw new MigrateError('USAGE', `--fault ${text}: ${spec}`, { hint: `Faults: ${faultSpecHelp}.` });
    return spec;
  });
}

export async function mockDtrCommand(ctx: CliContext, flags: MockDtrFlags): Promise<number> {
  const faults = faultSpecs(flags.fault ?? []);
  const port = integer(flags.port, '--port');
  const jobDurationMs = integer(flags.jobDurationMs, '--job-duration-ms');
  const replicas = replicaCount(flags.replicas);
  const version = ctx.globals['dtrVersion'] as string | undefined;
  const token = flags.adminToken ?? ctx.env['DTR_TOKEN'];
  const storageDir = flags.storageDir ?? (await mkdtemp(join(tmpdir(), 'dtr-mock-storage-')));
  const mock = await startMockDtr({
    storageDir,
    tls: flags.tls === true,
    ...(port === undefined ? {} : { port }),
    ...(jobDurationMs === undefined ? {} : { jobDurationMs }),
    ...(replicas === undefined ? {} : { replicas }),
    ...(version === undefined ? {} : { version }),
    admin: { username: flags.adminUser ?? 'admin', token: token ?? randomBytes(16).toString('hex') },
    ...(ctx.env['UCP_PASSWORD'] === undefined
      ? {}
      : { ucp: { username: flags.adminUser ?? 'admin', password: ctx.env['UCP_PASSWORD'] } }),
  });
  for (const fault of faults) applyFaultSpec(mock, fault);
  const info = {
    event: 'mock-dtr',
    url: mock.url,
    version: mock.version,
    replicaId: mock.replicaId,
    replicas: mock.state.replicaSettings,
    admin: mock.credentials.admin,
    user: mock.credentials.user,
    ucp: mock.credentials.ucp,
    dockerBin: mock.dockerBin,
    dockerEnv: mock.dockerEnv,
    storageDir,
    faults: flags.fault ?? [],
  };
  if (ctx.json) {
    ctx.events.write(info);
  } else {
    const env = Object.entries(mock.dockerEnv).map(
      ([k, v]) => `export ${k}=${k === 'DTR_MOCK_CA' ? "'<the PEM>'" : v}`,
    );
    ctx.stdout.write(
      [
        `Mock DTR ${mock.version} listening on ${mock.url} (replica ${mock.replicaId})`,
        ...Object.entries(mock.state.replicaSettings).map(
          ([id, r]) => `  replica ${id} on node ${r.node} (ports ${r.HTTPPort}/${r.HTTPSPort})`,
        ),
        `  admin:     ${mock.credentials.admin.username} / token ${mock.credentials.admin.token}`,
        `  non-admin: ${mock.credentials.user.username} / token ${mock.credentials.user.token}`,
        `  UCP:       ${mock.credentials.ucp.username} / password ${mock.credentials.ucp.password}`,
        `  storage:   ${storageDir}`,
        `  API:       as DTR ${apiGeneration(mock.version)}'s API specification; bootstrapper ${mock.state.imageRepository}/dtr:${mock.version}`,
        ...(faults.length === 0 ? [] : [`  faults:    ${(flags.fault ?? []).join(' ')}`]),
        `  docker stand-in: --docker-bin ${mock.dockerBin}, with:`,
        ...env.map((line) => `    ${line}`),
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  }
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await mock.close();
  if (ctx.json) ctx.events.result(true, 0, 'Mock DTR stopped.');
  else ctx.stderr.write('Mock DTR stopped.\n');
  return 0;
}
