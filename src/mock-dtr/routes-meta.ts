/**
 * The mock's meta endpoints [spec]: settings (settings.ts), cluster status, and the API specification
 * itself (`/api/v0/docs.json`, which DTR serves without login and whose `info.version` is the running
 * version [public clients]).
 */
import { apiDocsSchema, clusterStatusSchema, settingsUpdateSchema } from '../api/schemas.js';
import { parseBody, type ApiRoute } from './api-route.js';
import { json } from './http-util.js';
import { gcLockHolder } from './jobs.js';
import { settingsView, updateSettings } from './settings.js';
import { replicaHealthOf, type MockState } from './state.js';
import { apiGeneration } from './versions.js';

/**
 * The document's `info.version`: as published, the bare version up to 2.6 and the version with a build
 * suffix from 2.7 (`2.7.0-29094adc`) [spec]. [mock choice: the suffix spells "mock" in hex]
 */
function docsVersion(version: string): string {
  return apiGeneration(version) === '2.7' ? `${version}-6d6f636b` : version;
}

function perReplica<T>(state: MockState, value: (id: string) => T): Record<string, T> {
  return Object.fromEntries(Object.keys(state.replicaSettings).map((id) => [id, value(id)]));
}

export const metaRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^\/api\/v0\/meta\/settings$/,
    access: 'admin',
    handle: (ctx) => json(200, settingsView(ctx.state)),
  },
  {
    method: 'POST',
    pattern: /^\/api\/v0\/meta\/settings$/,
    access: 'admin',
    handle: (ctx) => {
      const update = parseBody(ctx, settingsUpdateSchema);
      if (!update.ok) return update.reply;
      updateSettings(ctx.state, update.value);
      return { status: 202 };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/meta\/cluster_status$/,
    access: 'admin',
    handle: ({ state, now }) =>
      json(
        200,
        clusterStatusSchema.parse({
          rethink_system_tables: { cluster_config: [], current_issues: [], db_config: [], server_status: [] },
          replica_health: perReplica(state, (id) => replicaHealthOf(state, id)),
          replica_timestamp: perReplica(state, () => new Date(now).toISOString()),
          replica_readonly: perReplica(
            state,
            (id) => state.settings.readOnlyRegistry && !(state.replicasIgnoringReadOnly ?? []).includes(id),
          ),
          gc_lock_holder: gcLockHolder(state, now),
        }),
      ),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/docs\.json$/,
    access: 'anyone',
    handle: ({ state }) =>
      json(
        200,
        apiDocsSchema.parse({
          swagger: '2.0',
          info: { title: 'Docker Trusted Registry', version: docsVersion(state.version) },
          paths: {},
        }),
      ),
  },
];
