/**
 * What the docker host tells about DTR, the way the documentation itself finds it: the running version
 * from the DTR_VERSION variable of the dtr-registry container, and where it keeps images from the
 * container's /storage mount. Nothing here is required: a docker host that cannot be asked only means
 * the operator gives --dtr-version.
 */
import { z } from 'zod';
import type { InputResolver } from '../config/resolve.js';
import type { Docker } from '../docker/docker.js';
import { inspectEnvCommand, inspectMountsCommand } from '../docker/dtr-commands.js';
import { registryContainer, storageMountPoint } from '../dtr/facts.js';
import { MigrateError } from '../errors.js';

const envSchema = z.array(z.string());
const mountsSchema = z.array(
  z.object({ Name: z.string().optional(), Source: z.string(), Destination: z.string() }).passthrough(),
);

export interface HostFacts {
  readonly version?: string;
  readonly versionFrom?: string;
  /** The current storage, as the registry container mounts it. */
  readonly storage?: string;
}

export async function detectFromDockerHost(
  docker: Docker,
  inputs: InputResolver,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<HostFacts> {
  const replicaId = inputs.peek('replicaId');
  if (replicaId === undefined) return {};
  const container = registryContainer(replicaId);
  let facts: HostFacts = {};
  try {
    const env = await docker.json(inspectEnvCommand(replicaId), envSchema, {
      signal,
      purpose: `reading the version of ${container}`,
    });
    const version = env.find((v) => v.startsWith('DTR_VERSION='))?.slice('DTR_VERSION='.length);
    if (version !== undefined) facts = { version, versionFrom: `the ${container} container` };
    const mounts = await docker.json(inspectMountsCommand(replicaId), mountsSchema, {
      signal,
      purpose: `reading the storage of ${container}`,
    });
    const storage = mounts.find((m) => m.Destination === storageMountPoint);
    if (storage !== undefined) facts = { ...facts, storage: storage.Name ?? storage.Source };
  } catch (error) {
    log(`could not ask the docker host about ${container}: ${error instanceof Error ? error.message : String(error)}`);
    return facts;
  }
  const given = inputs.peek('dtrVersion');
  if (
    facts.version !== undefined &&
    given !== undefined &&
    given !== facts.version &&
    inputs.origin('dtrVersion') !== 'journal'
  ) {
    throw new MigrateError(
      'USAGE',
      `--dtr-version is ${given}, but ${facts.versionFrom} runs DTR ${facts.version}; the docker/dtr image must match the running DTR`,
      {
        hint: `Pass --dtr-version ${facts.version}, or leave it out.`,
      },
    );
  }
  inputs.detect('dtrVersion', facts.version);
  return facts;
}
