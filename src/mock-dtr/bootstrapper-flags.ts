/**
 * The bootstrapper's command-line checks, as the real one makes them (dtr-api.md, sections 8 and 11):
 * Go-style flags (`-flag`, `--flag`, `--flag=value`, `--flag value`; booleans take no separate value),
 * every flag also read from its environment variable inside the container, unknown flags refused with
 * urfave/cli's usage error (`flag provided but not defined: -<name>`), and the options each command
 * needs. Flag sets depend on the image version, so an image refuses a flag its version lacks:
 * - `reconfigure --storage-migrated` from 2.6.4, `--reinitialize-storage` from MSR 2.9 [doc] (2.9 still
 *   accepting `--storage-migrated` is inferred);
 * - `restore --async-nfs` and `--client-cert-auth-ca` from MSR 2.8 only (2.6/2.7 restore has neither,
 *   nor `--nfs-options`) [CLI refs]; `reconfigure` has `--async-nfs` and `--nfs-options` throughout, its
 *   client certificate flags from 2.7 [inferred from 2.7's settings];
 * - `restore --replica-id` is required before 2.7 and optional from 2.7 (a new id is made) [CLI refs];
 * - restore needs exactly one storage flag, with the real error text [docs issues].
 *
 * Variable names follow the DTR 2.6/2.7 CLI reference [doc for the UCP flags, the replica id flags and
 * storage flags; the rest inferred]. Parsing stops at `--`; a positional argument is refused [mock
 * choice: the real bootstrapper would silently stop parsing flags there, hiding every flag after it].
 */
import { randomBytes } from 'node:crypto';
import { flagSets, flagsFor, type BootstrapperCommand } from './bootstrapper-flag-sets.js';
import type { MockStorage } from './stand-in-protocol.js';
import { isAtLeast } from './versions.js';

export { bootstrapperCommands, usage, type BootstrapperCommand } from './bootstrapper-flag-sets.js';

/** Go's strconv.ParseBool. */
function parseBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

export interface BootstrapperRequest {
  readonly command: BootstrapperCommand;
  readonly ucpUrl: string;
  readonly ucpUsername: string;
  readonly ucpPassword: string;
  readonly replicaId: string;
  readonly storage?: MockStorage;
  readonly storageMigrated: boolean;
  readonly reinitializeStorage: boolean;
  readonly ucpNode?: string;
  readonly externalUrl?: string;
  /** reconfigure: `--nfs-options`, the NFS mount options of the replica named, verbatim. */
  readonly nfsOptions?: string;
  /** join: the replica it adds (`--replica-id`, else a new id), its ports, and `--unsafe-join`. */
  readonly join?: {
    readonly newReplicaId: string;
    readonly httpPort?: number;
    readonly httpsPort?: number;
    readonly unsafeJoin: boolean;
  };
  readonly help: boolean;
}

export type FlagParse =
  | { readonly ok: true; readonly request: BootstrapperRequest }
  | { readonly ok: false; readonly message: string; readonly showUsage: boolean };

const usageError = (message: string): FlagParse => ({ ok: false, message, showUsage: true });
const optionError = (message: string): FlagParse => ({ ok: false, message, showUsage: false });

/** Docker volume names; anything else must be an absolute host path. */
const volumeName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function storageOf(values: Map<string, string | boolean>): { storage?: MockStorage; error?: string } {
  const volume = values.get('dtr-storage-volume');
  const nfs = values.get('nfs-storage-url');
  const useDefault = values.get('dtr-use-default-storage') === true;
  const asyncNfs = values.get('async-nfs') === true;
  const given = [typeof volume === 'string', typeof nfs === 'string', useDefault].filter(Boolean).length;
  if (given > 1)
    return { error: 'only one of --dtr-use-default-storage, --dtr-storage-volume and --nfs-storage-url may be given' };
  if (asyncNfs && typeof nfs !== 'string') return { error: '--async-nfs needs --nfs-storage-url' };
  if (typeof volume === 'string') {
    if (volume.startsWith('/')) return { storage: { kind: 'path', path: volume } };
    if (!volumeName.test(volume))
      return { error: `--dtr-storage-volume ${JSON.stringify(volume)} is neither a volume name nor an absolute path` };
    return { storage: { kind: 'volume', volume } };
  }
  if (typeof nfs === 'string') {
    const match = /^nfs:\/\/([^/:]+)(\/[^?#]*)$/.exec(nfs);
    if (match?.[1] === undefined || match[2] === undefined)
      return { error: `--nfs-storage-url ${JSON.stringify(nfs)} is not of the form nfs://<host>/<path>` };
    return { storage: { kind: 'nfs', url: nfs, host: match[1], path: match[2], async: asyncNfs } };
  }
  return useDefault ? { storage: { kind: 'default' } } : {};
}

/** Parses the bootstrapper's arguments against the environment the container was given. */
export function parseBootstrapperArgs(
  command: BootstrapperCommand,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  version: string,
): FlagParse {
  const specs = new Map(flagsFor(command, version).map((f) => [f.name, f]));
  const values = new Map<string, string | boolean>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      if (i + 1 < args.length) return usageError(`unexpected argument: ${args[i + 1] ?? ''}`);
      break;
    }
    if (arg === '-h' || arg === '--help') return { ok: true, request: { ...emptyRequest(command), help: true } };
    if (!arg.startsWith('-') || arg === '-') return usageError(`unexpected argument: ${arg}`);
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const spec = specs.get(name);
    if (spec === undefined) return usageError(`flag provided but not defined: -${name}`);
    if (spec.bool === true) {
      const parsed = eq === -1 ? true : parseBool(body.slice(eq + 1));
      if (parsed === undefined)
        return usageError(`invalid boolean value ${JSON.stringify(body.slice(eq + 1))} for -${name}: parse error`);
      values.set(name, parsed);
    } else if (eq !== -1) {
      values.set(name, body.slice(eq + 1));
    } else {
      const next = args[i + 1];
      if (next === undefined) return usageError(`flag needs an argument: -${name}`);
      values.set(name, next);
      i += 1;
    }
  }
  // Flags not on the command line come from their environment variable, as urfave/cli reads them.
  for (const spec of specs.values()) {
    const fromEnv = env[spec.env];
    if (values.has(spec.name) || fromEnv === undefined || fromEnv === '') continue;
    const value = spec.bool === true ? parseBool(fromEnv) : fromEnv;
    if (value === undefined) return optionError(`invalid boolean value ${JSON.stringify(fromEnv)} in $${spec.env}`);
    values.set(spec.name, value);
  }
  if (values.get('help-extended') === true) return { ok: true, request: { ...emptyRequest(command), help: true } };
  return checkRequired(command, values, version);
}

function emptyRequest(command: BootstrapperCommand): BootstrapperRequest {
  return {
    command,
    ucpUrl: '',
    ucpUsername: '',
    ucpPassword: '',
    replicaId: '',
    storageMigrated: false,
    reinitializeStorage: false,
    help: false,
  };
}

function checkRequired(
  command: BootstrapperCommand,
  values: Map<string, string | boolean>,
  version: string,
): FlagParse {
  const text = (name: string): string | undefined => {
    const value = values.get(name);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const ucpUrl = text('ucp-url');
  if (ucpUrl === undefined) return optionError('the UCP URL is required: use --ucp-url or $UCP_URL');
  if (!/^https?:\/\/[^/\s]+/.test(ucpUrl) && !/^[^/\s:]+(:\d+)?$/.test(ucpUrl))
    return optionError(`--ucp-url ${JSON.stringify(ucpUrl)} is not a URL`);
  const ucpUsername = text('ucp-username');
  if (ucpUsername === undefined)
    return optionError('the UCP username is required: use --ucp-username or $UCP_USERNAME');
  const ucpPassword = text('ucp-password');
  if (ucpPassword === undefined)
    return optionError('the UCP password is required: use --ucp-password or $UCP_PASSWORD');
  const ca = text('ucp-ca');
  if (ca === undefined && values.get('ucp-insecure-tls') !== true) {
    return optionError('either --ucp-ca ($UCP_CA) or --ucp-insecure-tls is required to connect to UCP');
  }
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----'))
    return optionError('--ucp-ca ($UCP_CA) is not a PEM certificate');
  const replicaFlag = flagSets[command].replicaFlag;
  const newReplicaId =
    command === 'restore' && isAtLeast(version, '2.7.0') ? randomBytes(6).toString('hex') : undefined;
  const replicaId = text(replicaFlag) ?? newReplicaId;
  if (replicaId === undefined) return optionError(`--${replicaFlag} is required`);
  if (!/^[0-9a-f]{12}$/.test(replicaId))
    return optionError(`--${replicaFlag} ${JSON.stringify(replicaId)} is not a replica id (12 hexadecimal characters)`);
  const { storage, error } = command === 'restore' || command === 'reconfigure' ? storageOf(values) : {};
  if (error !== undefined) return optionError(error);
  if (command === 'restore' && storage === undefined) {
    return optionError(
      'Must explicitly set one of --dtr-use-default-storage, --dtr-storage-volume, or --nfs-storage-url',
    );
  }
  const ucpNode = text('ucp-node');
  let join: BootstrapperRequest['join'];
  if (command === 'join') {
    const joined = joinOptions(text, values.get('unsafe-join') === true, replicaId);
    if (typeof joined === 'string') return optionError(joined);
    if (ucpNode === undefined) return optionError('--ucp-node is required: the node the new replica runs on');
    join = joined;
  }
  const nfsOptions = text('nfs-options');
  const externalUrl = text('dtr-external-url');
  if (externalUrl !== undefined && !URL.canParse(externalUrl))
    return optionError(`--dtr-external-url ${JSON.stringify(externalUrl)} is not a URL`);
  return {
    ok: true,
    request: {
      command,
      ucpUrl,
      ucpUsername,
      ucpPassword,
      replicaId,
      ...(storage === undefined ? {} : { storage }),
      storageMigrated: values.get('storage-migrated') === true,
      reinitializeStorage: values.get('reinitialize-storage') === true,
      ...(ucpNode === undefined ? {} : { ucpNode }),
      ...(externalUrl === undefined ? {} : { externalUrl }),
      ...(nfsOptions === undefined ? {} : { nfsOptions }),
      ...(join === undefined ? {} : { join }),
      help: false,
    },
  };
}

/** join's own options: the new replica's id (a new one when not given) and ports. */
function joinOptions(
  text: (name: string) => string | undefined,
  unsafeJoin: boolean,
  existing: string,
): NonNullable<BootstrapperRequest['join']> | string {
  const newReplicaId = text('replica-id') ?? randomBytes(6).toString('hex');
  if (!/^[0-9a-f]{12}$/.test(newReplicaId))
    return `--replica-id ${JSON.stringify(newReplicaId)} is not a replica id (12 hexadecimal characters)`;
  if (newReplicaId === existing) return `--replica-id ${newReplicaId} is the replica it would join`;
  const ports: { httpPort?: number; httpsPort?: number } = {};
  for (const [flag, key] of [
    ['replica-http-port', 'httpPort'],
    ['replica-https-port', 'httpsPort'],
  ] as const) {
    const raw = text(flag);
    if (raw === undefined) continue;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) return `--${flag} ${JSON.stringify(raw)} is not a port`;
    ports[key] = port;
  }
  return { newReplicaId, ...ports, unsafeJoin };
}
