/**
 * Is --source-storage the storage DTR serves images from? A copy of any other tree copies faithfully
 * and verifies clean, and DTR comes back on it with every tag answering 404. Checked before anything
 * changes and again at the gate, against what DTR itself reports: the /storage mount of the
 * `dtr-registry-<replica>` container (new-storage-check.ts) and, where set, the `storageVolume` or
 * `nfsHost`+`nfsPath` of its settings.
 *
 * How a directory mounted on this machine is compared with what docker and DTR report [choice]:
 * - NFS (a volume whose options say `type=nfs`, or the settings' nfsHost and nfsPath): the NFS mount that
 *   holds --source-storage here (from /proc/self/mountinfo) must name the same server and the same
 *   exported path. Servers are the same when their names are, or when both resolve to a common address.
 * - A host path (a bind mount's source, a volume's mount point, an absolute storageVolume): where it exists
 *   on this machine it must be the same directory, by device and inode, as --source-storage (so it is when
 *   dtr-migrate runs on the DTR node). Where it does not exist here the docker host is another machine,
 *   whose paths cannot be looked at from here: the storage is then judged by its content alone (the
 *   registry layout, and at the gate every tag of the inventory present in it), and the line says so.
 * A volume name alone says nothing about a path here, and is only shown.
 */
import { posix } from 'node:path';
import type { DtrClient } from '../../api/client.js';
import type { Docker } from '../../docker/docker.js';
import { registryContainer, storageMountPoint } from '../../dtr/facts.js';
import { MigrateError, isMigrateError } from '../../errors.js';
import { nfsLocationOf, sameDirectory, sameHost } from '../../storage/identity.js';
import { servedStorage } from './new-storage-check.js';

export interface StorageWitnesses {
  readonly docker: Docker;
  readonly api: DtrClient;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

type Witness =
  | { readonly by: string; readonly kind: 'nfs'; readonly host: string; readonly path: string }
  | { readonly by: string; readonly kind: 'path'; readonly path: string };

const describe = (w: Witness): string => (w.kind === 'nfs' ? `NFS ${w.host}:${w.path}` : w.path);

/** What DTR says it serves from: its registry container's mount (if the docker host answers) and its settings. */
async function witnesses(w: StorageWitnesses, replicaId: string): Promise<Witness[]> {
  const found: Witness[] = [];
  const container = registryContainer(replicaId);
  try {
    const served = await servedStorage(w.docker, replicaId, w.signal);
    const by = `${container} mounts ${served?.shown ?? ''} at ${storageMountPoint}`;
    if (served?.nfs !== undefined) found.push({ by, kind: 'nfs', ...served.nfs });
    else if (served !== undefined) found.push({ by, kind: 'path', path: served.hostPath });
  } catch (error) {
    if (!isMigrateError(error) || (error.code !== 'DOCKER_FAILED' && error.code !== 'DOCKER_MISSING')) throw error;
    w.log(`could not ask the docker host which storage ${container} mounts: ${error.message}`);
  }
  const settings = await w.api.getSettings();
  if (settings.nfsHost && settings.nfsPath)
    found.push({ by: "DTR's settings name", kind: 'nfs', host: settings.nfsHost, path: settings.nfsPath });
  else if (settings.storageVolume?.startsWith('/') === true)
    found.push({ by: "DTR's settings name", kind: 'path', path: settings.storageVolume });
  return found;
}

/** True or false where the witness can be compared with `source` here; undefined where it cannot. */
async function matches(source: string, witness: Witness): Promise<boolean | undefined> {
  if (witness.kind === 'path') return sameDirectory(source, witness.path);
  const here = await nfsLocationOf(source);
  if (here === undefined) return false;
  return posix.normalize(here.path) === posix.normalize(witness.path) && (await sameHost(here.host, witness.host));
}

/**
 * Throws STORAGE_INVALID unless `source` is what DTR serves images from, wherever that can be told from
 * here; returns the line that says how it was told.
 */
export async function checkSourceIsDtrs(w: StorageWitnesses, replicaId: string, source: string): Promise<string> {
  const said = await witnesses(w, replicaId);
  const compared: Witness[] = [];
  for (const witness of said) {
    const same = await matches(source, witness);
    if (same === undefined) continue;
    if (!same) {
      throw new MigrateError(
        'STORAGE_INVALID',
        `--source-storage ${source} is not the storage DTR serves images from: ${witness.by} ${describe(witness)}; nothing was changed`,
        {
          hint: `Pass --source-storage with the directory where DTR's storage (${describe(witness)}) is mounted on this machine.`,
        },
      );
    }
    compared.push(witness);
  }
  if (compared.length > 0)
    return `old storage ${source} is the one DTR serves images from (${compared.map((c) => `${c.by} ${describe(c)}`).join('; ')})`;
  const where =
    said.length === 0 ? 'DTR did not say where its storage is' : `${describe(said[0]!)} is not visible here`;
  return `old storage ${source}: ${where}, so it is judged by its content (registry layout, every tag present)`;
}
