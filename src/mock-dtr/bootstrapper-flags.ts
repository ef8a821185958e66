/**
 * The docker/dtr bootstrapper's command-line checks, as the real one makes them (dtr-api.md, section 8):
 * Go-style flags (`-flag`, `--flag`, `--flag=value`, `--flag value`; booleans take no separate value),
 * every flag also read from its environment variable inside the container, unknown flags refused with
 * the usage text, and the options each command needs. Flag sets depend on the image version:
 * `--storage-migrated` exists from 2.6.4 on and `--reinitialize-storage` from MSR 2.9 on, so older images
 * refuse them as unknown. [inferred: that 2.9 still accepts --storage-migrated]
 *
 * Flag lists and variable names follow the DTR 2.6/2.7 CLI reference [doc for the UCP flags, the replica
 * id flags and storage flags; the rest inferred]. Parsing stops at `--`; a positional argument is refused
 * [mock choice: the real bootstrapper would silently stop parsing flags there, hiding every flag after it].
 */
import { isAtLeast, metadataPersistsSince, storageMigratedSince } from './versions.js';
import type { MockStorage } from './stand-in-protocol.js';

export type BootstrapperCommand = 'backup' | 'destroy' | 'restore' | 'reconfigure';
export const bootstrapperCommands: readonly BootstrapperCommand[] = ['backup', 'destroy', 'restore', 'reconfigure'];

interface FlagSpec {
  readonly name: string;
  readonly env: string;
  readonly bool?: true;
  readonly since?: string;
}

const ucpFlags: FlagSpec[] = [
  { name: 'ucp-url', env: 'UCP_URL' },
  { name: 'ucp-username', env: 'UCP_USERNAME' },
  { name: 'ucp-password', env: 'UCP_PASSWORD' },
  { name: 'ucp-ca', env: 'UCP_CA' },
  { name: 'ucp-insecure-tls', env: 'UCP_INSECURE_TLS', bool: true },
  { name: 'debug', env: 'DEBUG', bool: true },
  { name: 'help-extended', env: 'DTR_EXTENDED_HELP', bool: true },
];
const storageFlags: FlagSpec[] = [
  { name: 'dtr-storage-volume', env: 'DTR_STORAGE_VOLUME' },
  { name: 'nfs-storage-url', env: 'NFS_STORAGE_URL' },
  { name: 'async-nfs', env: 'ASYNC_NFS', bool: true },
  { name: 'dtr-use-default-storage', env: 'DTR_DEFAULT_STORAGE', bool: true },
];
const installFlags: FlagSpec[] = [
  { name: 'dtr-external-url', env: 'DTR_EXTERNAL_URL' },
  { name: 'dtr-ca', env: 'DTR_CA' },
  { name: 'dtr-cert', env: 'DTR_CERT' },
  { name: 'dtr-key', env: 'DTR_KEY' },
  { name: 'log-level', env: 'LOG_LEVEL' },
  { name: 'log-host', env: 'LOG_HOST' },
  { name: 'log-protocol', env: 'LOG_PROTOCOL' },
  { name: 'replica-http-port', env: 'REPLICA_HTTP_PORT' },
  { name: 'replica-https-port', env: 'REPLICA_HTTPS_PORT' },
  { name: 'http-proxy', env: 'DTR_HTTP_PROXY' },
  { name: 'https-proxy', env: 'DTR_HTTPS_PROXY' },
  { name: 'no-proxy', env: 'DTR_NO_PROXY' },
  { name: 'enable-client-cert-auth', env: 'ENABLE_CLIENT_CERT_AUTH', bool: true },
  { name: 'client-cert-auth-ca', env: 'CLIENT_CA' },
];

const flagSets: Record<
  BootstrapperCommand,
  { readonly flags: FlagSpec[]; readonly replicaFlag: string; readonly summary: string }
> = {
  backup: {
    flags: [...ucpFlags, { name: 'existing-replica-id', env: 'DTR_REPLICA_ID' }],
    replicaFlag: 'existing-replica-id',
    summary: 'Create a backup of DTR',
  },
  destroy: {
    flags: [...ucpFlags, { name: 'replica-id', env: 'DTR_DESTROY_REPLICA_ID' }],
    replicaFlag: 'replica-id',
    summary: "Destroy a DTR replica's data",
  },
  restore: {
    flags: [
      ...ucpFlags,
      ...storageFlags,
      ...installFlags,
      { name: 'replica-id', env: 'DTR_INSTALL_REPLICA_ID' },
      { name: 'ucp-node', env: 'UCP_NODE' },
    ],
    replicaFlag: 'replica-id',
    summary: 'Install and restore DTR from an existing backup',
  },
  reconfigure: {
    flags: [
      ...ucpFlags,
      ...storageFlags,
      ...installFlags,
      { name: 'existing-replica-id', env: 'DTR_REPLICA_ID' },
      { name: 'storage-migrated', env: 'STORAGE_MIGRATED', bool: true, since: storageMigratedSince },
      { name: 'reinitialize-storage', env: 'REINITIALIZE_STORAGE', bool: true, since: metadataPersistsSince },
    ],
    replicaFlag: 'existing-replica-id',
    summary: 'Change DTR configurations',
  },
};

function flagsFor(command: BootstrapperCommand, version: string): FlagSpec[] {
  return flagSets[command].flags.filter((flag) => flag.since === undefined || isAtLeast(version, flag.since));
}

export function usage(command: BootstrapperCommand, version: string): string {
  const lines = flagsFor(command, version).map(
    (f) => `   --${f.name}${f.bool === true ? '' : ' value'}`.padEnd(36) + `[$${f.env}]`,
  );
  return [
    'NAME:',
    `   docker/dtr ${command} - ${flagSets[command].summary}`,
    '',
    'USAGE:',
    `   docker run -i --rm docker/dtr:${version} ${command} [command options]`,
    '',
    'OPTIONS:',
    ...lines,
    '',
  ].join('\n');
}

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
    return { error: 'only one of --dtr-storage-volume, --nfs-storage-url and --dtr-use-default-storage may be given' };
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
  return checkRequired(command, values);
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

function checkRequired(command: BootstrapperCommand, values: Map<string, string | boolean>): FlagParse {
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
  const replicaId = text(replicaFlag);
  if (replicaId === undefined) return optionError(`--${replicaFlag} is required`);
  if (!/^[0-9a-f]{12}$/.test(replicaId))
    return optionError(`--${replicaFlag} ${JSON.stringify(replicaId)} is not a replica id (12 hexadecimal characters)`);
  const { storage, error } = command === 'restore' || command === 'reconfigure' ? storageOf(values) : {};
  if (error !== undefined) return optionError(error);
  if (command === 'restore' && storage === undefined) {
    return optionError('restore needs one of --dtr-storage-volume, --nfs-storage-url or --dtr-use-default-storage');
  }
  const ucpNode = text('ucp-node');
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
      help: false,
    },
  };
}
