/**
 * Every procedure against every version family: no path the wizard allows loses a tag unless the
 * operator accepted it, and the unsafe ones are refused before anything changes. Through the CLI's entry
 * point in this process (cli-in-process.ts), the cases side by side: most of a migration against the
 * mock is waiting on its polls.
 */
import { describe, expect, it } from 'vitest';
import { jsonEvents } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { migrationFixture } from '../helpers/mock-migration.js';

// One version of each family (dtr/versions.ts classifies the rest; see its unit test).
const versions = ['2.6.3', '2.6.4', '2.9.0'] as const;
const procedures = ['best-practice', 'read-only', 'reconfigure'] as const;
const wipesTags = (version: string): boolean =>
  version.startsWith('2.5.') || (version.startsWith('2.6.') && Number(version.split('.')[2]) < 4);

describe.concurrent('procedures by DTR version', () => {
  for (const version of versions) {
    for (const procedure of procedures) {
      const refused = procedure === 'read-only' && wipesTags(version);
      it(`${procedure} on ${version}: ${refused ? 'refused' : procedure === 'reconfigure' ? 'erases tags only as accepted' : 'keeps every tag'}`, async () => {
        const f = await migrationFixture({ version });
        try {
          const tags = (): string[] =>
            f.mock.state.repositories
              .flatMap((r) => r.tags.map((t) => `${r.namespace}/${r.name}:${t.name}@${t.digest}`))
              .sort();
          const before = tags();
          const flags = ['--procedure', procedure, '--yes', '--confirm-destroy', f.mock.replicaId, '--json'];
          if (procedure === 'reconfigure') {
            // Without the acknowledgement a script is refused before anything changes.
            const unaccepted = await runCliInProcess(['migrate', ...f.args, ...flags], { env: f.env });
            expect(unaccepted.code).toBe(6);
            expect(f.mock.requests.filter((r) => r.method !== 'GET')).toEqual([]);
            flags.push('--accept-tag-loss');
          }
          const run = await runCliInProcess(['migrate', ...f.args, ...flags], { env: f.env });
          if (refused) {
            expect(run.code).toBe(2);
            expect(run.stderr).toContain('2.6.4');
            expect(f.mock.requests.filter((r) => r.method !== 'GET')).toEqual([]);
            expect(tags()).toEqual(before);
            return;
          }
          expect(run.code, run.stderr).toBe(0);
          const result = jsonEvents(run.stdout).at(-1);
          expect(result).toMatchObject({ ok: true, procedure });
          expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.target });
          expect(f.mock.state.settings.readOnlyRegistry).toBe(false);
          if (procedure === 'reconfigure') expect(tags()).toEqual([]);
          else expect(tags()).toEqual(before);
        } finally {
          await f.close();
        }
      });
    }
  }
});
