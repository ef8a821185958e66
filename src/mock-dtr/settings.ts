/**
 * The mock's `GET /api/v0/meta/settings` and `POST` (a partial update), as each version's API
 * specification declares them (test/contract/spec/): the fields of that version only (2.5 has no
 * read-only mode, 2.7 adds client certificates), every one of them present. The replica and storage
 * fields are not kept in `state.settings` but derived from the state, so they cannot disagree with it:
 * `replicaID`, `replicaSettings` (replica → HTTP ports and node), and the current storage as
 * `storageVolume` (a volume name or host path; empty for the default volume [mock choice]) or
 * `nfsHost` and `nfsPath`.
 */
import { settingsSchema, type Settings, type SettingsUpdate } from '../api/schemas.js';
import type { MockState, MockStorage } from './state.js';
import { apiGeneration, type ApiGeneration } from './versions.js';

const fields25 = [
  'dtrHost',
  'sso',
  'createRepositoryOnPush',
  'replicaSettings',
  'httpProxy',
  'httpsProxy',
  'noProxy',
  'reportAnalytics',
  'anonymizeAnalytics',
  'disableBackupWarning',
  'logProtocol',
  'logHost',
  'logLevel',
  'webTLSCert',
  'webTLSCA',
  'replicaID',
  'scanningEnabled',
  'scanningSyncOnline',
  'scanningEnableAutoRecheck',
  'jobHistoryToKeep',
  'storageVolume',
  'nfsHost',
  'nfsPath',
];
const fields26 = [
  ...fields25,
  'disableUpgrades',
  'scanningDeadline',
  'jobHistoryCompactionEnabled',
  'jobHistoryMaxAge',
  'repoEventHistoryCompactionEnabled',
  'repoEventHistoryToKeep',
  'repoEventHistoryMaxAge',
  'readOnlyRegistry',
];
const fields27 = [...fields26, 'webTLSClientCA', 'clientCertAuthEnabled', 'disablePersistentCookies'];
const fieldsOf: Readonly<Record<ApiGeneration, readonly string[]>> = {
  '2.5': fields25,
  '2.6': fields26,
  '2.7': fields27,
};

function storageFields(storage: MockStorage): { storageVolume: string; nfsHost: string; nfsPath: string } {
  switch (storage.kind) {
    case 'default':
      return { storageVolume: '', nfsHost: '', nfsPath: '' };
    case 'volume':
      return { storageVolume: storage.volume, nfsHost: '', nfsPath: '' };
    case 'path':
      return { storageVolume: storage.path, nfsHost: '', nfsPath: '' };
    case 'nfs':
      return { storageVolume: '', nfsHost: storage.host, nfsPath: storage.path };
  }
}

export function settingsView(state: MockState): Settings {
  const all: Record<string, unknown> = {
    ...state.settings,
    replicaID: state.replicaId,
    replicaSettings: state.replicaSettings,
    ...storageFields(state.storage),
  };
  return settingsSchema.parse(Object.fromEntries(fieldsOf[apiGeneration(state.version)].map((f) => [f, all[f]])));
}

/**
 * Applies a settings update that settingsUpdateSchema accepted. A field this version lacks is ignored,
 * as DTR's decoder ignores fields it does not know (on 2.5, `readOnlyRegistry` changes nothing).
 */
export function updateSettings(state: MockState, update: SettingsUpdate): void {
  const known = new Set(fieldsOf[apiGeneration(state.version)]);
  for (const [field, value] of Object.entries(update)) if (known.has(field)) state.settings[field] = value;
}
