/**
 * After a run killed while `docker/dtr restore` ran: only a clear answer from DTR decides whether the
 * restore is run again. A replica DTR lists was restored; a DTR that refuses connections or answers 5xx
 * is down, so the restore runs again; anything else (a name that does not resolve, a timeout) stops
 * the run rather than destroy a DTR that may have been restored.
 */
import { describe, expect, it } from 'vitest';
import type { DtrClient } from '../../../src/api/client.js';
import type { StepContext } from '../../../src/steps/step.js';
import { MigrateError, isMigrateError } from '../../../src/errors.js';
import { earlierRunFinished } from '../../../src/steps/common/attempts.js';

const replicaId = '0123456789ab';

function context(clusterStatus: () => Promise<unknown>): StepContext {
  const api = { clusterStatus } as unknown as DtrClient;
  return { api, inputs: { replicaId }, log: () => undefined } as unknown as StepContext;
}

const unreachable = (code: string): MigrateError =>
  new MigrateError('API_UNREACHABLE', `cannot reach DTR: ${code}`, { cause: Object.assign(new Error(code), { code }) });

describe('did the restore of an earlier run finish?', () => {
  it('yes when DTR lists the replica, whatever its health', async () => {
    await expect(
      earlierRunFinished(
        context(async () => ({ replica_health: { [replicaId]: 'DOWN' } })),
        'restore',
      ),
    ).resolves.toBe(true);
  });

  it('no when DTR answers without it, refuses connections or answers 5xx', async () => {
    await expect(
      earlierRunFinished(
        context(async () => ({ replica_health: {} })),
        'restore',
      ),
    ).resolves.toBe(false);
    await expect(
      earlierRunFinished(
        context(() => Promise.reject(unreachable('ECONNREFUSED'))),
        'restore',
      ),
    ).resolves.toBe(false);
    const notInstalled = new MigrateError('API_ERROR', 'DTR answered GET /api/v0/meta/cluster_status with HTTP 503', {
      cause: { status: 503 },
    });
    await expect(
      earlierRunFinished(
        context(() => Promise.reject(notInstalled)),
        'restore',
      ),
    ).resolves.toBe(false);
  });

  it('cannot tell when the name does not resolve, or DTR is slow: the run stops, nothing is repeated', async () => {
    for (const failure of [unreachable('ENOTFOUND'), new MigrateError('API_TIMEOUT', 'DTR did not answer in time')]) {
      const error = await earlierRunFinished(
        context(() => Promise.reject(failure)),
        'restore',
      ).catch((e: unknown) => e);
      expect(isMigrateError(error) && error.code).toBe('STEP_FAILED');
      expect((error as Error).message).toMatch(
        /could not tell whether the restore of an earlier run finished .*; nothing was repeated/,
      );
    }
  });
});
