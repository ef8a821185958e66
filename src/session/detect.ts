/**
 * What the docker host tells about DTR, the way the documentation itself finds it: the running version
 * from the DTR_VERSION variable of the dtr-registry container, where it keeps images from the
 * container's /storage mount, and (as launchpad does) the bootstrapper's repository from the image the
 * dtr-rethinkdb container runs. Then the cross-check with what DTR's API said (preflight.ts): a version
 * or storage that disagrees means --dtr-url and the docker host are not talking about the same DTR.
 * Nothing here is required: a docker host that cannot be asked only means the API's version is used, or
 * the operator gives --dtr-version.
 */
import { z } from 'zod';
import type { InputResolver } from '../config/resolve.js';
import type { Docker } from '../docker/docker.js';
import { inspectEnvCommand, inspectMountsCommand, inspectRethinkImageCommand } from '../docker/dtr-commands.js';
import {
  apiPaths,
  bootstrapperRepositoryOf,
  nfsVolume,
  registryContainer,
  rethinkContainer,
  storageMountPoint,
} from '../dtr/facts.js';
import { MigrateError } from '../errors.js';
import type { ApiStorage, Findings } from './preflight.js';

const envSchema = z.array(z.string());
const mountsSchema = z.array(
  z.object({ Name: z.string().optional(), Source: z.string(), Destination: z.string() }).passthrough(),
);

export interface HostFacts {
  readonly version?: string;
  readonly versionFrom?: string;
  /** The current storage, as the registry container mounts it. */
  readonly storage?: string;
  /** Where the docker host's storage and the one DTR's settings name differ. */
  readonly storageMismatch?: string;
}

interface Mount {
  readonly Name?: string | undefined;
  readonly Source: string;
}

/** Where the mount and the settings disagree; only what both name can be compared. */
function storageDisagreement(mount: Mount, named: ApiStorage | undefined, replicaId: string): string | undefined {
  if (named === undefined) return undefined;
  const shown = mount.Name ?? mount.Source;
  if (named.kind === 'nfs')
    return mount.Name === nfsVolume(replicaId)
      ? undefined
      : `DTR's settings name NFS ${named.host}:${named.path}, but its registry container mounts ${shown}`;
  return mount.Name === named.volume || mount.Source === named.volume
    ? undefined
    : `DTR's settings name the storage ${named.volume}, but its registry container mounts ${shown}`;
}

export async function detectFromDockerHost(
  docker: Docker,
  inputs: InputResolver,
  signal: AbortSignal,
  log: (line: string) => void,
  api: Pick<Findings, 'apiVersion' | 'storage' | 'dtrUrl'>,
): Promise<HostFacts> {
  const replicaId = inputs.peek('replicaId');
  let facts: HostFacts = {};
  if (replicaId !== undefined) {
    const container = registryContainer(replicaId);
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
      if (storage !== undefined) {
        const mismatch = storageDisagreement(storage, api.storage, replicaId);
        facts = {
          ...facts,
          storage: storage.Name ?? storage.Source,
          ...(mismatch === undefined ? {} : { storageMismatch: mismatch }),
        };
      }
      const image = await docker.json(inspectRethinkImageCommand(replicaId), z.string(), {
        signal,
        purpose: `reading the image of ${rethinkContainer(replicaId)}`,
      });
      inputs.detect('bootstrapperImage', bootstrapperRepositoryOf(image));
    } catch (error) {
      log(
        `could not ask the docker host about ${container}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if (facts.version !== undefined && api.apiVersion !== undefined && facts.version !== api.apiVersion) {
    throw new MigrateError(
      'USAGE',
      `DTR at ${api.dtrUrl} reports version ${api.apiVersion} (${apiPaths.docs}), but ${facts.versionFrom} on the docker host runs DTR ${facts.version}: --dtr-url and the docker host are not the same DTR`,
      {
        hint: 'Point --dtr-url and the docker client (DOCKER_HOST, or the client bundle of the UCP cluster running this DTR) at the same DTR.',
      },
    );
  }
  const running = facts.version ?? api.apiVersion;
  const from = facts.versionFrom ?? `DTR's API (${apiPaths.docs})`;
  const given = inputs.peek('dtrVersion');
  if (running !== undefined && given !== undefined && given !== running && inputs.origin('dtrVersion') !== 'journal') {
    throw new MigrateError(
      'USAGE',
      `--dtr-version is ${given}, but ${from} runs DTR ${running}; the bootstrapper image must match the running DTR`,
      {
        hint: `Pass --dtr-version ${running}, or leave it out.`,
      },
    );
  }
  inputs.detect('dtrVersion', running);
  return facts.version === undefined && running !== undefined
    ? { ...facts, version: running, versionFrom: from }
    : facts;
}
