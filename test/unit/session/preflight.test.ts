/**
 * Preflight on a fresh run and on a resume after a destroy started: a DTR that is down, or up with its
 * replica missing or unhealthy, stops a fresh run but not the restore that mends it.
 */
import { describe, expect, it } from 'vitest';
import type { DtrClient } from '../../../src/api/client.js';
import { InputResolver } from '../../../src/config/resolve.js';
import { preflight } from '../../../src/session/preflight.js';
import type { Io } from '../../../src/runner/io.js';
import { MigrateError, isMigrateError } from '../../../src/errors.js';

const scriptIo: Io = {
  interactive: false,
  emit: () => undefined,
  ask: () => Promise.reject(new Error('no questions in scripts')),
};
const replica = '0123456789ab';

interface Answers {
  readonly health?: string;
  readonly cronsFail?: MigrateError;
  readonly versionFails?: MigrateError;
}

/** A client that answers the reads preflight makes, as a DTR in the given state would. */
function client({ health = 'OK', cronsFail, versionFails }: Answers): DtrClient {
  const stub = {
    url: 'https://dtr.example.com',
    getSettings: async () => ({
      readOnlyRegistry: false,
      replicaSettings: { [replica]: { HTTPPort: 80, HTTPSPort: 443, node: 'worker-3' } },
      storageVolume: '',
      nfsHost: 'nas.example.com',
      nfsPath: '/exports/dtr',
    }),
    version: async () => {
      if (versionFails) throw versionFails;
      return '2.7.8';
    },
    clusterStatus: async () => ({ replica_health: { [replica]: health } }),
    listCrons: async () => {
      if (cronsFail) throw cronsFail;
      return [
        { action: 'onlinegc', schedule: '0 0 1 * * 6' },
        { action: 'update_vuln_db', schedule: '0 0 3 * * *' },
      ];
    },
  };
  return stub as unknown as DtrClient;
}

const inputs = (): InputResolver =>
  new InputResolver({ flags: { replicaId: replica }, env: {}, config: {}, journal: {} }, scriptIo);

async function failure(promise: Promise<unknown>): Promise<MigrateError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isMigrateError(error)) throw new Error(`expected a MigrateError, got ${String(error)}`);
  return error;
}

describe('preflight', () => {
  it('finds a healthy DTR and its GC schedules', async () => {
    const found = await preflight(client({}), inputs(), false);
    expect(found.dtrDown).toBe(false);
    expect(found.gcSchedules?.map((cron) => cron.action)).toEqual(['onlinegc']);
  });

  it("takes the version, the replica's node and the storage from DTR's API", async () => {
    const resolver = inputs();
    const found = await preflight(client({}), resolver, false);
    expect(found).toMatchObject({
      apiVersion: '2.7.8',
      nodes: { [replica]: 'worker-3' },
      storage: { kind: 'nfs', host: 'nas.example.com', path: '/exports/dtr' },
    });
    expect(resolver.peek('ucpNode')).toBe('worker-3');
    const notServed = new MigrateError('API_ERROR', 'DTR answered 404', { cause: { status: 404 } });
    expect((await preflight(client({ versionFails: notServed }), inputs(), false)).apiVersion).toBeUndefined();
  });

  it('stops a fresh run on an unhealthy replica or a DTR that does not answer', async () => {
    const unhealthy = await failure(preflight(client({ health: 'DOWN' }), inputs(), false));
    expect(unhealthy.message).toMatch(/replica 0123456789ab is not healthy \("DOWN"\)/);
    const down = await failure(
      preflight(client({ cronsFail: new MigrateError('API_ERROR', 'DTR answered 503') }), inputs(), false),
    );
    expect(down.code).toBe('API_ERROR');
  });

  it('lets a resume after a destroy started go on to the restore, whatever state DTR is in', async () => {
    expect((await preflight(client({ health: 'DOWN' }), inputs(), true)).dtrDown).toBe(true);
    expect(
      (await preflight(client({ cronsFail: new MigrateError('API_UNREACHABLE', 'refused') }), inputs(), true)).dtrDown,
    ).toBe(true);
    expect((await preflight(client({}), inputs(), true)).dtrDown).toBe(false);
  });

  it('still stops a resume on what a restore cannot mend: credentials', async () => {
    const auth = await failure(
      preflight(client({ cronsFail: new MigrateError('API_AUTH', 'wrong token') }), inputs(), true),
    );
    expect(auth.code).toBe('API_AUTH');
  });
});
