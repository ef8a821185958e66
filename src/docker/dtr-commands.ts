/**
 * Pure builders of the docker command lines dtr-migrate runs. Nothing here spawns anything.
 *
 * Secrets never go into argv: `-e UCP_PASSWORD` tells the docker client to copy the variable from its
 * own environment into the container, and the bootstrapper reads every option from its environment
 * variable too [doc]. The UCP CA certificate goes the same way (`-e UCP_CA`) to keep argv short.
 */
import { bootstrapperImage, registryContainer, rethinkContainer, volumeOnNode } from '../dtr/facts.js';

export interface UcpConnection {
  readonly url: string;
  readonly username: string;
  /** PEM text of the UCP CA; passed as $UCP_CA. */
  readonly ca?: string;
  readonly insecureTls?: boolean;
}

/**
 * Where DTR keeps image data after a restore or reconfigure: a volume or host path, an NFS URL, or (on
 * DTR 2.6.0 to 2.6.3, where an NFS URL wipes the tags) an NFS-backed docker volume made first on the
 * node and named to DTR as a volume [KB].
 */
export type NewStorage =
  | { readonly kind: 'volume'; readonly volume: string }
  | { readonly kind: 'nfs'; readonly url: string }
  | { readonly kind: 'nfs-volume'; readonly url: string; readonly volume: string };

/** A command to run: argv for the docker binary plus the names of variables it must inherit. */
export interface DockerCommand {
  readonly args: readonly string[];
  /** Environment variables the command needs (values come from our process, never from argv). */
  readonly env: Readonly<Record<string, string>>;
  /** Names of `env` entries to mask when the command is shown. */
  readonly secretEnv: readonly string[];
}

export const ucpPasswordVariable = 'UCP_PASSWORD';
const ucpCaVariable = 'UCP_CA';

function runPrefix(t: BootstrapperTarget, extra: readonly string[] = []): string[] {
  // `-i` without `-t`: restore reads the backup on stdin, which a terminal would break [docs issues].
  const args = ['run', '-i', '--rm', ...extra, '-e', ucpPasswordVariable];
  if (t.ucp.ca !== undefined) args.push('-e', ucpCaVariable);
  args.push(bootstrapperImage(t.repository, t.version));
  return args;
}

function ucpFlags(ucp: UcpConnection): string[] {
  const flags = ['--ucp-url', ucp.url, '--ucp-username', ucp.username];
  if (ucp.insecureTls === true) flags.push('--ucp-insecure-tls');
  return flags;
}

function ucpEnv(ucp: UcpConnection, password: string): Record<string, string> {
  return ucp.ca === undefined
    ? { [ucpPasswordVariable]: password }
    : { [ucpPasswordVariable]: password, [ucpCaVariable]: ucp.ca };
}

function storageFlags(storage: NewStorage): string[] {
  return storage.kind === 'nfs' ? ['--nfs-storage-url', storage.url] : ['--dtr-storage-volume', storage.volume];
}

export interface BootstrapperTarget {
  /** The bootstrapper's repository (`docker/dtr`, `mirantis/dtr`, a mirror's); its tag is `version`. */
  readonly repository: string;
  readonly version: string;
  readonly ucp: UcpConnection;
  readonly ucpPassword: string;
  readonly replicaId: string;
}

/** `docker run -i --rm --log-driver none ... backup`: the tar comes on stdout, logs kept out of it [doc]. */
export function backupCommand(t: BootstrapperTarget): DockerCommand {
  return {
    args: [
      ...runPrefix(t, ['--log-driver', 'none']),
      'backup',
      ...ucpFlags(t.ucp),
      '--existing-replica-id',
      t.replicaId,
    ],
    env: ucpEnv(t.ucp, t.ucpPassword),
    secretEnv: [ucpPasswordVariable],
  };
}

export function destroyCommand(t: BootstrapperTarget): DockerCommand {
  return {
    args: [...runPrefix(t), 'destroy', ...ucpFlags(t.ucp), '--replica-id', t.replicaId],
    env: ucpEnv(t.ucp, t.ucpPassword),
    secretEnv: [ucpPasswordVariable],
  };
}

/**
 * `restore` reads the backup on stdin [doc]; the caller connects the file. `externalUrl` is DTR's own
 * address (`https://<dtrHost>`): every documented restore names it, as without it DTR comes back
 * without single sign-on with UCP [CLI refs].
 */
export function restoreCommand(
  t: BootstrapperTarget,
  storage: NewStorage,
  place: { readonly ucpNode?: string; readonly externalUrl?: string },
): DockerCommand {
  const node = place.ucpNode === undefined ? [] : ['--ucp-node', place.ucpNode];
  const external = place.externalUrl === undefined ? [] : ['--dtr-external-url', place.externalUrl];
  return {
    args: [
      ...runPrefix(t),
      'restore',
      ...ucpFlags(t.ucp),
      ...node,
      '--replica-id',
      t.replicaId,
      ...external,
      ...storageFlags(storage),
    ],
    env: ucpEnv(t.ucp, t.ucpPassword),
    secretEnv: [ucpPasswordVariable],
  };
}

/** A replica that joins a cluster: its own id, node and ports (those it had before, where known). */
export interface JoiningReplica {
  readonly id: string;
  readonly node: string;
  readonly httpPort?: number;
  readonly httpsPort?: number;
}

/**
 * `join` adds a replica to the cluster of `t.replicaId` (`--existing-replica-id`) on its node [CLI refs].
 * Never `--unsafe-join`: a join into an unhealthy cluster is refused, and the run stops to say so.
 */
export function joinCommand(t: BootstrapperTarget, replica: JoiningReplica): DockerCommand {
  const ports = [
    ...(replica.httpPort === undefined ? [] : ['--replica-http-port', String(replica.httpPort)]),
    ...(replica.httpsPort === undefined ? [] : ['--replica-https-port', String(replica.httpsPort)]),
  ];
  return {
    args: [
      ...runPrefix(t),
      'join',
      ...ucpFlags(t.ucp),
      '--ucp-node',
      replica.node,
      '--existing-replica-id',
      t.replicaId,
      '--replica-id',
      replica.id,
      ...ports,
    ],
    env: ucpEnv(t.ucp, t.ucpPassword),
    secretEnv: [ucpPasswordVariable],
  };
}

/**
 * How a reconfigure treats the data already in the new storage:
 * - `migrated`: `--storage-migrated` (2.6.4+ [doc]): it is a copy of the old storage, keep the tags;
 * - `reinitialize`: `--reinitialize-storage` (MSR 2.9 [doc]): start afresh, tags are erased;
 * - `plain`: neither flag (on 2.6.x to 2.8.x this erases the tags; on MSR 2.9 it keeps them if the
 *   storage is an exact copy [doc]).
 */
export type ReconfigureMode = 'migrated' | 'reinitialize' | 'plain';

/**
 * `nfsOptions`: the NFS mount options of the replica named (`--existing-replica-id`), verbatim; they act
 * on that replica only, and only on an NFS storage (dtr/facts.ts, nfsMountOptions).
 */
export function reconfigureCommand(
  t: BootstrapperTarget,
  storage: NewStorage,
  mode: ReconfigureMode,
  nfsOptions?: string,
): DockerCommand {
  const modeFlags =
    mode === 'migrated' ? ['--storage-migrated'] : mode === 'reinitialize' ? ['--reinitialize-storage'] : [];
  const optionFlags = storage.kind === 'nfs' && nfsOptions !== undefined ? ['--nfs-options', nfsOptions] : [];
  return {
    args: [
      ...runPrefix(t),
      'reconfigure',
      ...ucpFlags(t.ucp),
      '--existing-replica-id',
      t.replicaId,
      ...storageFlags(storage),
      ...optionFlags,
      ...modeFlags,
    ],
    env: ucpEnv(t.ucp, t.ucpPassword),
    secretEnv: [ucpPasswordVariable],
  };
}

/** The environment of the registry container: the documented way to learn the running version [doc]. */
export function inspectEnvCommand(replicaId: string): DockerCommand {
  return {
    args: ['container', 'inspect', '--format', '{{json .Config.Env}}', registryContainer(replicaId)],
    env: {},
    secretEnv: [],
  };
}

/** The image the RethinkDB container runs, whose repository names the bootstrapper's [launchpad]. */
export function inspectRethinkImageCommand(replicaId: string): DockerCommand {
  return {
    args: ['container', 'inspect', '--format', '{{json .Config.Image}}', rethinkContainer(replicaId)],
    env: {},
    secretEnv: [],
  };
}

/**
 * The NFS-backed docker volume of the 2.6.0-2.6.3 workaround [KB], made on a DTR node before the
 * restore names it. [choice: `rw`, and NFS options left to docker's defaults]
 */
export function nfsVolumeCreateCommand(volume: string, url: string): DockerCommand {
  const nfs = new URL(url);
  return {
    args: [
      'volume',
      'create',
      '--driver',
      'local',
      '--opt',
      'type=nfs',
      '--opt',
      `o=addr=${nfs.hostname},rw`,
      '--opt',
      `device=:${decodeURIComponent(nfs.pathname)}`,
      volume,
    ],
    env: {},
    secretEnv: [],
  };
}

/** Names of DTR's RethinkDB containers, whose suffix is the replica id [doc]. */
export function listReplicaContainersCommand(): DockerCommand {
  return { args: ['ps', '--all', '--filter', 'name=dtr-rethinkdb-', '--format', '{{.Names}}'], env: {}, secretEnv: [] };
}

/** The registry container's mounts, to see which storage DTR now serves from. */
export function inspectMountsCommand(replicaId: string): DockerCommand {
  return {
    args: ['container', 'inspect', '--format', '{{json .Mounts}}', registryContainer(replicaId)],
    env: {},
    secretEnv: [],
  };
}

/**
 * A volume on one node, through UCP's client bundle, which names volumes `<node>/<volume>` (classic
 * Swarm) [inferred; see facts.ts]: does the storage volume exist there?
 */
export function inspectVolumeOnNodeCommand(node: string, volume: string): DockerCommand {
  return {
    args: ['volume', 'inspect', '--format', '{{json .Name}}', volumeOnNode(node, volume)],
    env: {},
    secretEnv: [],
  };
}

/** A volume's driver options (for NFS: the server address and export path). */
export function inspectVolumeOptionsCommand(volume: string): DockerCommand {
  return { args: ['volume', 'inspect', '--format', '{{json .Options}}', volume], env: {}, secretEnv: [] };
}
