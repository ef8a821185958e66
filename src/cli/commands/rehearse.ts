/**
 * `dtr-migrate rehearse`: a whole migration against the built-in mock DTR, in a temporary directory:
 * a source storage with sample images in the real registry layout, an empty target, the docker
 * stand-in as docker. Afterwards it checks what an operator would: every tag is still there with the
 * same digest, and the new storage holds every file. DTR_TOKEN and UCP_PASSWORD, when set, become the
 * mock's credentials, so anyone can check with their own values that a run leaks neither.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DtrClient } from '../../api/client.js';
import { optionName, type InputKey } from '../../config/inputs.js';
import { startMockDtr } from '../../mock-dtr/server.js';
import { createSampleRegistry } from '../../mock-dtr/sample-registry.js';
import { MigrateError } from '../../errors.js';
import { formatBytes, formatCount } from '../../util/format.js';
import { createPathStorageEngine } from '../../storage/index.js';
import type { CliContext } from '../context.js';
import { rehearsalInputs } from '../rehearsal-inputs.js';
import { reportFailure } from '../errors-out.js';
import { migrateCommand } from './migrate.js';
import { replicaCount } from './mock-dtr.js';

function replicaLine(replicas: Readonly<Record<string, { node: string }>>): string {
  const all = Object.entries(replicas).map(([id, r]) => `${id} on ${r.node}`);
  return all.length === 1 ? `replica ${all[0] ?? ''}` : `${all.length} replicas: ${all.join(', ')}`;
}

type TagMap = Map<string, string>;

/** Every repository:tag → digest, read through the DTR API as an operator's script would. */
async function tagsOf(url: string, username: string, token: string, caCertFile: string | undefined): Promise<TagMap> {
  const client = new DtrClient({
    baseUrl: url,
    username,
    secret: token,
    ...(caCertFile === undefined ? {} : { caCertFile }),
  });
  const tags: TagMap = new Map();
  try {
    for await (const repo of client.repositories()) {
      for await (const tag of client.tags(repo.namespace, repo.name))
        tags.set(`${repo.namespace}/${repo.name}:${tag.name}`, tag.digest);
    }
  } finally {
    await client.close();
  }
  return tags;
}

function compareTags(before: TagMap, after: TagMap): string[] {
  const lost = [...before].filter(([name, digest]) => after.get(name) !== digest).map(([name]) => name);
  if (lost.length > 0) {
    throw new MigrateError(
      'VERIFY_FAILED',
      `rehearsal: ${lost.length} tag(s) lost or changed: ${lost.slice(0, 5).join(', ')}`,
      {
        hint: 'This is a bug in dtr-migrate or its mock; please report it with the log file.',
      },
    );
  }
  return [`Rehearsal check: all ${formatCount(before.size)} tags present after the migration, same digests.`];
}

function passThrough(ctx: CliContext, keys: readonly InputKey[]): Partial<Record<InputKey, unknown>> {
  return Object.fromEntries(
    keys.map((key) => [key, ctx.globals[optionName(key)]]).filter(([, value]) => value !== undefined),
  );
}

export async function rehearseCommand(
  ctx: CliContext,
  options: { keep: boolean; tls: boolean; dtrVersion?: string; replicas?: string },
): Promise<number> {
  let replicas: number | undefined;
  try {
    replicas = replicaCount(options.replicas);
  } catch (error) {
    return reportFailure(ctx, error);
  }
  if (ctx.globals['stateDir'] !== undefined) {
    return reportFailure(
      ctx,
      new MigrateError(
        'USAGE',
        'rehearse keeps its journal, backup and log in its own temporary directory: --state-dir is not used',
        {
          hint: 'Drop --state-dir; add --keep to keep the rehearsal directory afterwards.',
        },
      ),
    );
  }
  const root = await mkdtemp(join(tmpdir(), 'dtr-migrate-rehearsal-'));
  const source = join(root, 'source-storage');
  const target = join(root, 'target-storage');
  await mkdir(target, { recursive: true });
  const sample = await createSampleRegistry(source, {});
  const token = ctx.env['DTR_TOKEN'] || randomBytes(16).toString('hex');
  const ucpPassword = ctx.env['UCP_PASSWORD'] || randomBytes(16).toString('hex');
  const mock = await startMockDtr({
    storageDir: source,
    tls: options.tls,
    version: options.dtrVersion ?? '2.6.4',
    admin: { username: 'admin', token },
    ucp: { username: 'admin', password: ucpPassword },
    repositories: sample.repositories,
    ...(replicas === undefined ? {} : { replicas }),
  });
  try {
    let caFile: string | undefined;
    if (mock.caCertPem !== undefined) {
      caFile = join(root, 'mock-ca.pem');
      await writeFile(caFile, mock.caCertPem);
    }
    const before = await tagsOf(mock.url, 'admin', token, caFile);
    if (!ctx.json) {
      ctx.stderr.write(
        `Rehearsal in ${root}\n  mock DTR ${mock.version} at ${mock.url}, ${replicaLine(mock.state.replicaSettings)}\n  source storage: ${formatCount(sample.files)} files, ${formatBytes(sample.bytes)}, ${formatCount(before.size)} tags\n\n`,
      );
    }
    const yes = ctx.globals['yes'] === true;
    return await migrateCommand(
      ctx,
      { dryRun: false },
      {
        stateDir: join(root, 'state'),
        dockerEnv: { ...mock.dockerEnv },
        // Its verify ledgers go with the rest of the rehearsal, not into the operator's cache.
        storage: createPathStorageEngine({ ledgerDir: join(root, 'ledgers') }),
        yes,
        sources: {
          flags: {
            dtrUrl: mock.url,
            username: 'admin',
            ucpUrl: mock.url,
            ucpUsername: 'admin',
            dtrVersion: mock.version,
            dockerBin: mock.dockerBin,
            sourceStorage: source,
            targetStorage: target,
            // Over plain HTTP the bootstrapper still wants one of --ucp-ca or --ucp-insecure-tls.
            ...(caFile === undefined ? { ucpInsecureTls: true } : { caCert: caFile, ucpCa: caFile }),
            ...(yes ? { confirmDestroy: mock.replicaId } : {}),
            // The operator's choices pass through; everything else belongs to the rehearsal.
            ...passThrough(ctx, rehearsalInputs),
          },
          env: { DTR_TOKEN: token, UCP_PASSWORD: ucpPassword },
          config: {},
        },
        afterRun: async (result) => {
          const after = await tagsOf(mock.url, 'admin', token, caFile);
          // The reconfigure procedure erases tags by design, and the operator accepted it.
          if (result.procedure === 'reconfigure')
            return [
              `Rehearsal check: ${formatCount(before.size - after.size)} of ${formatCount(before.size)} tags erased, as accepted with the reconfigure procedure.`,
            ];
          return compareTags(before, after);
        },
      },
    );
  } finally {
    await mock.close();
    if (options.keep) ctx.stderr.write(`Kept the rehearsal directory: ${root}\n`);
    else {
      await rm(root, { recursive: true, force: true });
      if (!ctx.json)
        ctx.stderr.write(`Removed the rehearsal directory ${root}, its report with it (keep them with --keep).\n`);
    }
  }
}
