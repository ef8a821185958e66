/**
 * The flag sets of the bootstrapper's commands, by image version (see bootstrapper-flags.ts for what
 * differs between versions and the sources), and the usage text it prints with them.
 */
import { metadataPersistsSince, isAtLeast, storageMigratedSince } from './versions.js';

export type BootstrapperCommand = 'backup' | 'destroy' | 'restore' | 'reconfigure' | 'join';
export const bootstrapperCommands: readonly BootstrapperCommand[] = [
  'backup',
  'destroy',
  'restore',
  'reconfigure',
  'join',
];

export interface FlagSpec {
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
  { name: 'dtr-use-default-storage', env: 'DTR_DEFAULT_STORAGE', bool: true },
];
/** Flags MSR 2.8 added to restore, and that reconfigure has (client certificates from 2.7). */
const msrRestoreSince = '2.8.0';
const asyncNfs = (since?: string): FlagSpec => ({ name: 'async-nfs', env: 'ASYNC_NFS', bool: true, since });
const clientCertFlags = (since: string): FlagSpec[] => [
  { name: 'enable-client-cert-auth', env: 'ENABLE_CLIENT_CERT_AUTH', bool: true, since },
  { name: 'client-cert-auth-ca', env: 'CLIENT_CA', since },
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
];

export const flagSets: Record<
  BootstrapperCommand,
  { readonly flags: FlagSpec[]; readonly replicaFlag: string; readonly summary: string }
> = {
  backup: {
    flags: [
      ...ucpFlags,
      { name: 'existing-replica-id', env: 'DTR_REPLICA_ID' },
      { name: 'offline-backup', env: 'DTR_OFFLINE_BACKUP', bool: true },
    ],
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
      asyncNfs(msrRestoreSince),
      ...installFlags,
      ...clientCertFlags(msrRestoreSince),
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
      asyncNfs(),
      { name: 'nfs-options', env: 'NFS_OPTIONS' },
      ...installFlags,
      ...clientCertFlags('2.7.0'),
      { name: 'replica-rethinkdb-cache-mb', env: 'RETHINKDB_CACHE_MB' },
      { name: 'existing-replica-id', env: 'DTR_REPLICA_ID' },
      { name: 'storage-migrated', env: 'STORAGE_MIGRATED', bool: true, since: storageMigratedSince },
      { name: 'reinitialize-storage', env: 'REINITIALIZE_STORAGE', bool: true, since: metadataPersistsSince },
    ],
    replicaFlag: 'existing-replica-id',
    summary: 'Change DTR configurations',
  },
  // [CLI refs: join's flags; the variable names of the join-only flags are inferred]
  join: {
    flags: [
      ...ucpFlags,
      { name: 'ucp-node', env: 'UCP_NODE' },
      { name: 'existing-replica-id', env: 'DTR_REPLICA_ID' },
      { name: 'replica-id', env: 'DTR_INSTALL_REPLICA_ID' },
      { name: 'replica-http-port', env: 'REPLICA_HTTP_PORT' },
      { name: 'replica-https-port', env: 'REPLICA_HTTPS_PORT' },
      { name: 'skip-network-test', env: 'DTR_SKIP_NETWORK_TEST', bool: true },
      { name: 'unsafe-join', env: 'DTR_UNSAFE_JOIN', bool: true },
    ],
    replicaFlag: 'existing-replica-id',
    summary: 'Add a new replica to an existing DTR cluster',
  },
};

export function flagsFor(command: BootstrapperCommand, version: string): FlagSpec[] {
  return flagSets[command].flags.filter((flag) => flag.since === undefined || isAtLeast(version, flag.since));
}

export function usage(command: BootstrapperCommand, version: string, repository = 'docker/dtr'): string {
  const lines = flagsFor(command, version).map(
    (f) => `   --${f.name}${f.bool === true ? '' : ' value'}`.padEnd(36) + `[$${f.env}]`,
  );
  return [
    'NAME:',
    `   ${repository} ${command} - ${flagSets[command].summary}`,
    '',
    'USAGE:',
    `   docker run -i --rm ${repository}:${version} ${command} [command options]`,
    '',
    'OPTIONS:',
    ...lines,
    '',
  ].join('\n');
}
