/**
 * The saved plan's pure parts: which inputs a run applying a plan takes (and refuses), how fingerprint
 * differences are named, the estimate's arithmetic from given samples, and a plan file that was edited
 * or made by another version.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assumedBootstrapperSeconds } from '../../../src/dtr/facts.js';
import { planEstimate } from '../../../src/session/estimates.js';
import { fingerprintChanges } from '../../../src/session/plan-check.js';
import {
  planSources,
  readSavedPlan,
  tagListingDigest,
  writeSavedPlan,
  type Fingerprint,
  type SavedPlan,
} from '../../../src/session/saved-plan.js';

const fingerprint: Fingerprint = {
  dtrVersion: '2.6.4',
  replicas: { '0123456789ab': { health: 'OK', node: 'node-1' } },
  storage: { mounted: '/mnt/old', settings: '/mnt/old' },
  gcSchedules: [{ action: 'onlinegc', schedule: '0 0 1 * * 6' }],
  readOnly: false,
  tags: 2,
  tagListing: tagListingDigest([
    { repository: 'a/b', tag: '1', digest: 'sha256:1' },
    { repository: 'a/b', tag: '2', digest: 'sha256:2' },
  ]),
  sourceStorage: { files: 10, bytes: 1000 },
};

const plan: SavedPlan = {
  format: 'dtr-migrate-plan',
  version: 1,
  toolVersion: '1.2.3',
  createdAt: '2026-01-01T00:00:00.000Z',
  stateDir: '/state',
  procedure: 'best-practice',
  journal: { 'disable-gc': 'pending' },
  steps: [{ id: 'disable-gc', title: 'Disable GC', purpose: 'p', actions: [{ kind: 'check', description: 'c' }] }],
  inputs: {
    dtrUrl: 'https://dtr.example.com',
    dtrVersion: '2.6.4',
    targetStorage: '/mnt/new',
    jobTimeout: 600,
    procedure: 'best-practice',
  },
  secrets: ['DTR_TOKEN or --password-stdin'],
  fingerprint,
};

const given = (parts: { flags?: object; env?: object; config?: object }) => ({
  flags: { ...parts.flags },
  env: { ...parts.env },
  config: { ...parts.config },
});

describe('planSources', () => {
  it("takes the plan's inputs, the secrets and this run's consents; the version is detected again", () => {
    const sources = planSources(
      plan,
      given({ flags: { confirmDestroy: '0123456789ab' }, env: { DTR_TOKEN: 't', HOME: '/home/op', DTR_URL: '' } }),
    );
    expect(sources.flags).toEqual({
      dtrUrl: 'https://dtr.example.com',
      targetStorage: '/mnt/new',
      jobTimeout: 600,
      procedure: 'best-practice',
      confirmDestroy: '0123456789ab',
    });
    expect(sources.env).toEqual({ DTR_TOKEN: 't', HOME: '/home/op' });
    expect(sources.config).toEqual({});
  });

  it('accepts an input given again with the same value, in its own spelling', () => {
    expect(() =>
      planSources(plan, given({ flags: { jobTimeout: '600' }, env: { DTR_URL: plan.inputs['dtrUrl'] } })),
    ).not.toThrow();
  });

  it.each([
    ['a flag', given({ flags: { targetStorage: '/mnt/other' } }), '--target-storage says "/mnt/other"'],
    ['the environment', given({ env: { DTR_URL: 'https://other.example.com' } }), 'DTR_URL says'],
    ['the config file', given({ config: { jobTimeout: 60 } }), 'jobTimeout in the config file says "60"'],
    [
      'an input the plan lacks',
      given({ flags: { caCert: '/ca.pem' } }),
      '--ca-cert is given, but the plan was made without it',
    ],
  ])('refuses %s that differs from the plan', (_what, sources, message) => {
    expect(() => planSources(plan, sources)).toThrow(message);
  });
});

describe('fingerprintChanges', () => {
  it('finds nothing in the same fingerprint', () => {
    expect(fingerprintChanges(fingerprint, structuredClone(fingerprint))).toEqual([]);
  });

  it('names each part that changed, with both values', () => {
    const now: Fingerprint = {
      ...fingerprint,
      replicas: { ...fingerprint.replicas, ba9876543210: { health: 'OK' } },
      readOnly: true,
      sourceStorage: { files: 11, bytes: 1001 },
    };
    const changes = fingerprintChanges(fingerprint, now);
    expect(changes).toHaveLength(3);
    expect(changes[0]).toBe(
      'replicas: planned against 0123456789ab OK on node-1, now 0123456789ab OK on node-1, ba9876543210 OK',
    );
    expect(changes[1]).toBe('read-only mode: planned against off, now on');
    expect(changes[2]).toMatch(/^source storage: planned against 10 files, .* now 11 files/);
  });

  it('sees a tag moved to another digest though the count is the same', () => {
    const moved = tagListingDigest([
      { repository: 'a/b', tag: '1', digest: 'sha256:1' },
      { repository: 'a/b', tag: '2', digest: 'sha256:3' },
    ]);
    expect(fingerprintChanges(fingerprint, { ...fingerprint, tagListing: moved })).toEqual([
      'tags: as many as planned, but a tag was added, removed or points at another digest',
    ]);
  });
});

describe('planEstimate', () => {
  const measured = {
    files: 100,
    bytes: 1_000_000_000,
    filesToCopy: 40,
    bytesToCopy: 400_000_000,
    freeBytes: 5_000_000_000,
    blobsProved: 0,
    read: { bytes: 100_000_000, ms: 1000 },
    write: { bytes: 50_000_000, ms: 1000 },
    roundTripMs: { source: 0, target: 0 },
    filesInFlight: 2,
  };

  it('copies at the slower side and verifies everything at the read speed without a ledger', () => {
    const e = planEstimate(measured, ['best-practice', 'read-only']);
    expect(e).toMatchObject({ readBytesPerSecond: 100_000_000, writeBytesPerSecond: 50_000_000 });
    expect(e.copySeconds).toBe(8);
    expect(e.verifySeconds).toBe(10);
    const [best, readOnly] = e.procedures;
    const { backup, destroyAndRestore, reconfigure } = assumedBootstrapperSeconds;
    expect(best).toMatchObject({ unavailableSeconds: destroyAndRestore, readOnlySeconds: 0 });
    expect(best?.pushesLostSeconds).toBe(backup + 18 + destroyAndRestore);
    expect(readOnly).toMatchObject({ unavailableSeconds: reconfigure, readOnlySeconds: backup + 18 + reconfigure });
  });

  it('adds the round trips of every file, spread over the files in flight', () => {
    // 40 files × (2 × 10 ms + 5 × 20 ms) / 2 in flight = 2.4 s; 100 files × (10 + 2 × 20 ms) / 2 = 2.5 s.
    const e = planEstimate({ ...measured, roundTripMs: { source: 10, target: 20 } }, ['best-practice']);
    expect(e.copySeconds).toBe(Math.ceil(8 + 2.4));
    expect(e.verifySeconds).toBe(Math.ceil(10 + 2.5));
  });

  it('with blobs proved by an earlier verify, verifies about what is copied now', () => {
    const e = planEstimate({ ...measured, blobsProved: 60 }, ['reconfigure']);
    expect(e.verifySeconds).toBe(4);
    expect(e.procedures[0]).toMatchObject({ id: 'reconfigure', erasesTags: true });
  });
});

describe('readSavedPlan', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dtr-migrate-plan-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back what was written', async () => {
    await writeSavedPlan(join(dir, 'p.json'), plan);
    expect(await readSavedPlan(join(dir, 'p.json'), '1.2.3')).toEqual(plan);
  });

  it('refuses a plan of another dtr-migrate version as stale', async () => {
    await writeSavedPlan(join(dir, 'p.json'), plan);
    await expect(readSavedPlan(join(dir, 'p.json'), '1.2.4')).rejects.toMatchObject({ code: 'PLAN_STALE' });
  });

  it('refuses a file that is not a plan, or was edited out of shape', async () => {
    await writeSavedPlan(join(dir, 'p.json'), plan);
    const edited = JSON.parse(await readFile(join(dir, 'p.json'), 'utf8')) as Record<string, unknown>;
    delete edited['fingerprint'];
    await writeFile(join(dir, 'p.json'), JSON.stringify(edited));
    await expect(readSavedPlan(join(dir, 'p.json'), '1.2.3')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(readSavedPlan(join(dir, 'missing.json'), '1.2.3')).rejects.toMatchObject({ code: 'USAGE' });
  });
});
