/**
 * Builds what every bootstrapper command needs from the resolved inputs: UCP connection, UCP password
 * (kept in the environment, see docker/dtr-commands.ts), image repository and version, replica id.
 */
import type { InputKey, ResolvedInputs } from '../../config/inputs.js';
import {
  restoreCommand,
  type BootstrapperTarget,
  type DockerCommand,
  type NewStorage,
} from '../../docker/dtr-commands.js';
import { defaultBootstrapperRepository, nfsUrlWipesTags, nfsWorkaroundVolume } from '../../dtr/facts.js';
import type { Certificates } from '../step.js';

/** The inputs every bootstrapper command is built from (bootstrapperTarget). */
export const bootstrapperInputs: readonly InputKey[] = [
  'ucpUrl',
  'ucpUsername',
  'ucpPassword',
  'ucpCa',
  'ucpInsecureTls',
  'dtrVersion',
  'bootstrapperImage',
  'replicaId',
  'dockerBin',
];

/** The inputs that name the new storage (newStorage). */
export const newStorageInputs: readonly InputKey[] = ['targetStorage', 'targetVolume', 'targetNfsUrl'];

/**
 * The inputs of the gate in front of a destroy or a wiping reconfigure (protections.ts and
 * storage-evidence.ts): both storages, the operator's confirmation and the two counts an operator may
 * accept.
 */
export const destroyGateInputs: readonly InputKey[] = [
  'sourceStorage',
  ...newStorageInputs,
  'confirmDestroy',
  'acceptMissingTags',
  'acceptForeignFiles',
];

/** The fields planning may show before every input is known. */
const placeholder = (value: string | undefined, name: string): string => value ?? `<${name}>`;

/** `certificates` holds the --ucp-ca PEM the session read (and checked) before any change. */
export function bootstrapperTarget(inputs: Partial<ResolvedInputs>, certificates: Certificates): BootstrapperTarget {
  const ca = certificates.ucpCa;
  const version = placeholder(inputs.dtrVersion, 'dtr-version');
  return {
    repository: inputs.bootstrapperImage ?? defaultBootstrapperRepository(version),
    version,
    replicaId: placeholder(inputs.replicaId, 'replica-id'),
    ucpPassword: inputs.ucpPassword ?? '',
    ucp: {
      url: placeholder(inputs.ucpUrl, 'ucp-url'),
      username: placeholder(inputs.ucpUsername, 'ucp-username'),
      ...(ca === undefined ? {} : { ca }),
      insecureTls: inputs.ucpInsecureTls === true,
    },
  };
}

/**
 * How DTR is told where the new storage is: an NFS URL, or a volume / host path (default: the target
 * path). On DTR 2.6.0 to 2.6.3 an NFS URL would wipe the tags, so the NFS export is given as an
 * NFS-backed docker volume instead, the documented workaround [KB].
 */
export function newStorage(inputs: Partial<ResolvedInputs>): NewStorage {
  const url = inputs.targetNfsUrl;
  if (url !== undefined) {
    const wipes = inputs.dtrVersion !== undefined && nfsUrlWipesTags(inputs.dtrVersion);
    return wipes ? { kind: 'nfs-volume', url, volume: nfsWorkaroundVolume } : { kind: 'nfs', url };
  }
  return { kind: 'volume', volume: inputs.targetVolume ?? placeholder(inputs.targetStorage, 'target-storage') };
}

export function describeNewStorage(storage: NewStorage): string {
  switch (storage.kind) {
    case 'nfs':
      return `NFS ${storage.url}`;
    case 'nfs-volume':
      return `volume ${storage.volume} (NFS ${storage.url})`;
    case 'volume':
      return `volume ${storage.volume}`;
  }
}

/**
 * How these inputs name the new storage to DTR, if that differs from `copiedAs`, the name the copy was
 * made and verified for (migrate-storage's `dtrStorage`; absent in journals of earlier versions).
 */
export function renamedStorage(copiedAs: unknown, inputs: Partial<ResolvedInputs>): string | undefined {
  if (typeof copiedAs !== 'string') return undefined;
  const named = describeNewStorage(newStorage(inputs));
  return named === copiedAs ? undefined : named;
}

/** How a step that destroys or restarts a replica asks for it: its id typed, or `--confirm-destroy <id>`. */
export function replicaConfirmation(
  ctx: { readonly inputs: Pick<ResolvedInputs, 'replicaId' | 'confirmDestroy'> },
  action: string,
): { subject: string; prompt: string; given: string | undefined; flag: string } {
  const id = ctx.inputs.replicaId;
  return {
    subject: `replica ${id}`,
    prompt: `Type the replica id ${id} ${action}`,
    given: ctx.inputs.confirmDestroy,
    flag: '--confirm-destroy',
  };
}

/**
 * The bootstrapper's restore of `backup` onto `storage`: on the replica's node (--ucp-node, when known) and
 * under DTR's address as recorded with the backup (`dtrHost`), so that single sign-on with UCP comes back.
 * The migration restores onto the new storage, a rollback onto the old one; both build it here.
 */
export function restoreFromBackup(
  ctx: { readonly inputs: Partial<ResolvedInputs>; readonly certificates: Certificates },
  backup: { readonly dtrHost?: string | undefined } | undefined,
  storage: NewStorage,
): DockerCommand {
  const dtrHost = backup?.dtrHost;
  return restoreCommand(bootstrapperTarget(ctx.inputs, ctx.certificates), storage, {
    ...(ctx.inputs.ucpNode === undefined ? {} : { ucpNode: ctx.inputs.ucpNode }),
    ...(dtrHost === undefined ? {} : { externalUrl: `https://${dtrHost}` }),
  });
}
