/**
 * The client and the mock DTR against DTR's own API specification, from real traffic: whole
 * migrations run in this process against the mock (served on a loopback port) for each DTR version,
 * and every request the client sent and every answer the mock gave, as the mock recorded them, is
 * checked against the specification of that version (spec-check.ts, with the exceptions of
 * spec-exceptions.ts). No list of calls is written here: what the product sends is what is checked.
 */
import { describe, expect, it } from 'vitest';
import type { ProcedureId } from '../../src/dtr/procedures.js';
import { apiPaths } from '../../src/dtr/facts.js';
import type { RecordedRequest } from '../../src/mock-dtr/types.js';
import { migrateInProcess } from '../helpers/in-process.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';
import { ApiSpec, specVersionOf } from './spec-check.js';

/**
 * Each supported product line (MSR against 2.7's specification), with best practice and the other
 * procedure its family allows (the tag-erasing one once).
 */
const cases: ReadonlyArray<{ readonly version: string; readonly procedures: readonly ProcedureId[] }> = [
  { version: '2.5.14', procedures: ['best-practice', 'reconfigure'] },
  { version: '2.6.14', procedures: ['best-practice', 'read-only'] },
  { version: '2.7.8', procedures: ['best-practice', 'read-only'] },
  { version: '2.8.4', procedures: ['best-practice'] },
  { version: '2.9.2', procedures: ['best-practice', 'read-only'] },
];

const isApi = (r: RecordedRequest): boolean => r.path.startsWith('/api/');

function problemsOf(spec: ApiSpec, requests: readonly RecordedRequest[]): string[] {
  const lines = requests
    .filter(isApi)
    .flatMap((r) => spec.check(r).map((p) => `${r.method} ${r.path}${r.query} → ${r.status}: ${p}`));
  return [...new Set(lines)];
}

/** The operation of every endpoint the client names (dtr/facts.ts apiPaths), as the specification has it. */
function clientTemplates(spec: ApiSpec): string[] {
  return Object.values(apiPaths).map((path) => {
    const concrete = typeof path === 'function' ? path('sample', 'sample') : path;
    const found = ['get', 'post', 'delete', 'put'].map((m) => spec.find(m, concrete)).find((f) => f !== undefined);
    return found?.template ?? `${concrete} (not in the specification)`;
  });
}

// Side by side: a migration against the mock is mostly waiting on its polls.
describe.concurrent.each(cases)(
  'DTR $version: a whole migration against its API specification',
  ({ version, procedures }) => {
    it(`every request and every answer of ${procedures.join(' and ')} follows the specification`, async (ctx) => {
      const spec = await ApiSpec.load(specVersionOf(version));
      const hit = new Set<string>();
      for (const procedure of procedures) {
        const f: MigrationFixture = await migrationFixture({ version });
        ctx.onTestFinished(() => f.close());
        const run = await migrateInProcess(f, {
          yes: true,
          flags: { procedure, confirmDestroy: f.mock.replicaId, acceptTagLoss: procedure === 'reconfigure' },
        });
        expect(run.error?.message, procedure).toBeUndefined();
        expect(problemsOf(spec, f.mock.requests), procedure).toEqual([]);
        for (const r of f.mock.requests.filter(isApi)) {
          const found = spec.find(r.method, r.path);
          if (found !== undefined) hit.add(found.template);
        }
      }
      // The traffic reached every endpoint the client knows, so none of them went unchecked.
      expect(clientTemplates(spec).filter((t) => !hit.has(t))).toEqual([]);
    });
  },
);
