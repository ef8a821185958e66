/**
 * The saved plan, in process against the mock DTR: `plan` saves the procedure, the exact actions, the
 * inputs without secrets, estimates and a fingerprint; `migrate --plan` applies exactly that plan, and
 * refuses it before any change when any part of the fingerprint changed, naming the part. A plan
 * missing inputs exits 3 and lists them.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planDigest, readSavedPlan, writeSavedPlan, type SavedPlan } from '../../src/session/saved-plan.js';
import type { PlanApplication } from '../../src/session/plan-check.js';
import type { PlanEstimate } from '../../src/session/estimates.js';
import { createPathStorageEngine } from '../../src/storage/index.js';
import { FakeDocker } from '../helpers/fake-docker.js';
import { journalOf, migrateInProcess } from '../helpers/in-process.js';
import { migrationFixture, secrets, type MigrationFixture } from '../helpers/mock-migration.js';

const toolVersion = '0.0.0-test';

let f: MigrationFixture;
beforeEach(async () => {
  f = await migrationFixture({ jobDurationMs: 30 });
});
afterEach(async () => {
  await f.close();
});

/** `plan --out`: the dry run's plan written and read back as `migrate --plan` reads it. */
async function savedPlan(flags: Record<string, unknown> = {}): Promise<PlanApplication> {
  // As an operator would: the version is found on the docker host, not typed.
  const run = await migrateInProcess(f, { dryRun: true, toolVersion, flags: { dtrVersion: undefined, ...flags } });
  expect(run.error?.message).toBeUndefined();
  const file = join(f.root, 'plan.json');
  await writeSavedPlan(file, run.result?.plan as SavedPlan);
  const plan = await readSavedPlan(file, toolVersion);
  return { plan, file, digest: planDigest(plan) };
}

function apply(applying: PlanApplication, flags: Record<string, unknown> = {}) {
  return migrateInProcess(f, {
    plan: applying,
    toolVersion,
    yes: true,
    flags: { confirmDestroy: f.mock.replicaId, ...flags },
  });
}

/** Requests that change DTR (anything but a read). */
const changes = (): string[] =>
  f.mock.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').map((r) => `${r.method} ${r.path}`);

describe('plan --out', () => {
  it('saves the procedure, every action, the inputs without secrets, the fingerprint and estimates', async () => {
    const { plan, file } = await savedPlan();
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(secrets.token);
    expect(text).not.toContain(secrets.ucpPassword);
    expect(plan.procedure).toBe('best-practice');
    expect(plan.steps.map((s) => s.id)).toEqual([
      'disable-gc',
      'backup',
      'migrate-storage',
      'restore',
      'onlinegc-blobs',
      'restore-gc',
    ]);
    const docker = plan.steps.flatMap((s) => s.actions).filter((a) => a.kind === 'docker');
    expect(docker.some((a) => a.command.includes(` backup`) && a.command.includes('-e UCP_PASSWORD'))).toBe(true);
    expect(plan.inputs).toMatchObject({
      sourceStorage: f.source,
      targetStorage: f.target,
      replicaId: f.mock.replicaId,
    });
    expect(plan.inputs).not.toHaveProperty('confirmDestroy');
    expect(plan.secrets.join(' ')).toContain('UCP_PASSWORD');
    const tags = f.mock.state.repositories.reduce((n, r) => n + r.tags.length, 0);
    expect(plan.fingerprint).toMatchObject({ dtrVersion: f.mock.version, tags, readOnly: false });
    expect(Object.keys(plan.fingerprint.replicas)).toEqual([f.mock.replicaId]);
    expect(plan.fingerprint.gcSchedules?.length).toBe(1);
    expect(plan.fingerprint.sourceStorage?.bytes).toBeGreaterThan(0);
    const estimates = plan.estimates as unknown as PlanEstimate;
    expect(estimates.bytesToCopy).toBe(plan.fingerprint.sourceStorage?.bytes);
    expect(estimates.targetFreeBytes).toBeGreaterThan(0);
    expect(estimates.readBytesPerSecond).toBeGreaterThan(0);
    expect(estimates.writeBytesPerSecond).toBeGreaterThan(0);
    expect(estimates.procedures.map((p) => p.id)).toEqual(['best-practice', 'read-only', 'reconfigure']);
    for (const p of estimates.procedures) expect(p.totalSeconds).toBeGreaterThan(0);
  });

  it('is refused while an input is missing: exit 3, every missing input named, no plan', async () => {
    const run = await migrateInProcess(f, { dryRun: true, flags: { ucpUrl: undefined, ucpUsername: undefined } });
    expect(run.code).toBe(3);
    expect(run.error?.code).toBe('INPUT_REQUIRED');
    expect(run.error?.message).toContain('--ucp-url');
    expect(run.error?.message).toContain('--ucp-username');
    expect(run.result).toBeUndefined();
    // The steps are still shown, their placeholders with them, for reading.
    expect(JSON.stringify(run.io.of('step-plan'))).toContain('<ucp-url>');
  });

  it('in the wizard, asks for what it lacks before the steps are planned', async () => {
    const run = await migrateInProcess(f, {
      dryRun: true,
      flags: { ucpUrl: undefined },
      answers: { procedure: 'best-practice', 'input:ucpUrl': f.mock.url, 'input:restoreGc': false },
    });
    expect(run.error?.message).toBeUndefined();
    expect(JSON.stringify(run.result?.plan?.steps)).not.toContain('<ucp-url>');
    expect(run.result?.plan?.inputs).toMatchObject({ ucpUrl: f.mock.url, restoreGc: false });
  });

  it('after a copy ahead of the window, estimates only the delta', async () => {
    const engine = createPathStorageEngine({ ledgerDir: join(f.root, 'ledgers') });
    const from = { kind: 'path', path: f.source } as const;
    const to = { kind: 'path', path: f.target } as const;
    await engine.copy({ from, to });
    // The ledger does not vouch for a file changed less than 100 ms before it was read (ledger-format.ts,
    // tooRecent): on a quiet machine the verify would come too soon after the copy to record any blob.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await engine.verify({ from, to })).ok).toBe(true);
    const before = (await savedPlan()).plan.estimates as unknown as PlanEstimate;
    expect(before).toMatchObject({ filesToCopy: 0, bytesToCopy: 0 });
    expect(before.blobsProved).toBeGreaterThan(0);
    const blob = Buffer.from('a blob pushed after the copy ahead of the window\n');
    const digest = createHash('sha256').update(blob).digest('hex');
    const dir = join(f.source, 'docker/registry/v2/blobs/sha256', digest.slice(0, 2), digest);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'data'), blob);
    const after = (await savedPlan()).plan.estimates as unknown as PlanEstimate;
    expect(after).toMatchObject({ filesToCopy: 1, bytesToCopy: blob.length, files: before.files + 1 });
  });
});

describe('migrate --plan', () => {
  it('applies exactly the saved plan, and the journal names it', async () => {
    const applying = await savedPlan();
    const run = await apply(applying);
    expect(run.error?.message).toBeUndefined();
    expect(run.result?.procedure).toBe(applying.plan.procedure);
    const journal = await journalOf(f);
    expect(journal.runs?.[0]?.plan).toEqual({ file: applying.file, sha256: applying.digest });
    expect(journal.inputs).toMatchObject({ sourceStorage: f.source, targetStorage: f.target });
    expect(run.result?.steps.map((s) => s.status)).toEqual(applying.plan.steps.map(() => 'verified'));
  });

  it('refuses an input given again that says otherwise', async () => {
    const applying = await savedPlan();
    const run = await apply(applying, { targetStorage: join(f.root, 'elsewhere') });
    expect(run.code).toBe(2);
    expect(run.error?.message).toContain('--target-storage');
    expect(changes()).toEqual([]);
  });

  const staleCases: Array<[string, (f: MigrationFixture) => Promise<void> | void]> = [
    [
      'DTR version',
      (fx) => {
        fx.mock.state.version = '2.6.5';
      },
    ],
    [
      'replicas',
      (fx) => {
        fx.mock.state.replicaSettings['0000000000aa'] = { HTTPPort: 80, HTTPSPort: 443, node: 'ucp-node-2' };
      },
    ],
    [
      'current storage',
      async (fx) => {
        // The same directory under another name: still the source, but not the storage as planned.
        const alias = join(fx.root, 'storage-alias');
        await symlink(fx.source, alias);
        fx.mock.state.storage = { kind: 'path', path: alias };
      },
    ],
    [
      'GC schedule',
      (fx) => {
        const cron = fx.mock.state.crons[0];
        if (cron !== undefined) cron.schedule = '0 0 3 * * 0';
      },
    ],
    [
      'read-only mode',
      (fx) => {
        fx.mock.state.settings.readOnlyRegistry = true;
      },
    ],
    [
      'tags',
      (fx) => {
        fx.mock.state.repositories[0]?.tags.pop();
      },
    ],
    [
      'tags: as many as planned',
      (fx) => {
        const tag = fx.mock.state.repositories[0]?.tags[0];
        const other = fx.mock.state.repositories[1]?.tags[0];
        if (tag !== undefined && other !== undefined) tag.digest = other.digest;
      },
    ],
    [
      'source storage',
      async (fx) => {
        await writeFile(join(fx.source, 'docker/registry/v2/pushed-since'), 'x');
      },
    ],
  ];

  it.each(staleCases)('refuses a stale plan before any change: %s', async (part, change) => {
    const applying = await savedPlan();
    await change(f);
    const before = changes();
    const run = await apply(applying);
    expect(run.code).toBe(6);
    expect(run.error?.code).toBe('PLAN_STALE');
    expect(run.error?.message).toContain(part.includes(':') ? part : `${part}: planned against`);
    expect(run.error?.hint).toContain('new plan');
    expect(changes()).toEqual(before);
    await expect(journalOf(f)).rejects.toThrow(/no journal/);
  });

  it('resumes the same plan after a run that applied it stopped part-way', async () => {
    const applying = await savedPlan();
    const failing = new FakeDocker([{ when: / backup /, answer: { exitCode: 1, stderr: 'backup: disk full' } }]);
    const first = await migrateInProcess(f, {
      plan: applying,
      toolVersion,
      yes: true,
      docker: failing,
      flags: { confirmDestroy: f.mock.replicaId },
    });
    expect(first.code).toBe(1);
    // GC is Never now, which the plan's fingerprint did not see: the journal says this plan did it.
    expect(f.mock.state.crons.filter((c) => c.action === 'onlinegc')).toEqual([]);
    const again = await apply(applying);
    expect(again.error?.message).toBeUndefined();
    expect(again.io.of('notice').map((n) => n.text)).toContainEqual(expect.stringContaining('resuming the saved plan'));
    expect(again.result?.steps.map((s) => s.status)).toEqual(applying.plan.steps.map(() => 'verified'));
    expect(f.mock.state.crons.find((c) => c.action === 'onlinegc')?.schedule).toBe('0 0 1 * * 6');
  });

  it('refuses a plan once the journal moved on without it', async () => {
    const applying = await savedPlan();
    const other = await migrateInProcess(f, {
      yes: true,
      flags: { confirmDestroy: f.mock.replicaId, pullCheck: 'none' },
    });
    expect(other.code).toBe(0);
    const run = await apply(applying);
    expect(run.error?.code).toBe('PLAN_STALE');
    expect(run.error?.message).toContain('the journal moved on');
  });
});
