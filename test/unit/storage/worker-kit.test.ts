/**
 * The workers' toolkit on its own: a read that fails (here EISDIR, standing for EIO on a bad sector or
 * ESTALE on NFS) is marked as such, and in a copy becomes a per-file "unreadable" problem, not a failure
 * of the whole copy blamed on the target.
 */
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as layout from '../../../src/storage/layout.js';
import { shardOf } from '../../../src/storage/shard.js';
import { createKit } from '../../../src/storage/worker-kit.js';
import type { WorkerData } from '../../../src/storage/worker-types.js';

function kit(root: string): ReturnType<typeof createKit> {
  const data: WorkerData = {
    config: {
      source: root,
      target: join(root, 'target'),
      includeUploads: false,
      checksum: false,
      dryRun: false,
      staleTemps: 'ignore',
      checkDirs: false,
      blockSize: 4096,
      owner: null,
      bufferSize: 1 << 16,
      runId: 'test',
      umask: 0o022,
      ledger: null,
      shard: null,
    },
    control: new SharedArrayBuffer(8),
    progress: new SharedArrayBuffer(16),
  };
  return createKit(data, { ...layout, shardOf }, () => undefined);
}

describe("the tree workers' toolkit", () => {
  it('turns a failed read into an unreadable file, while the file can still be opened', () => {
    const root = mkdtempSync(join(tmpdir(), 'worker-kit-'));
    const tools = kit(root);
    const fd = openSync(root, 'r');
    let caught: unknown;
    try {
      tools.pump(fd, undefined, true, false);
    } catch (error) {
      caught = error;
    } finally {
      closeSync(fd);
    }
    expect(caught).toMatchObject({ code: 'EISDIR', failedRead: true });
    writeFileSync(join(root, 'data'), 'readable');
    expect(tools.sourceProblem('data', join(root, 'data'), caught)).toEqual({
      kind: 'unreadable',
      path: 'data',
      detail: expect.stringMatching(/^reading failed: EISDIR/),
    });
    // Any other failure of a readable file is the target's: it stops the copy.
    expect(() =>
      tools.sourceProblem(
        'data',
        join(root, 'data'),
        Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
      ),
    ).toThrow(/Copying data into .* failed: ENOSPC/);
  });
});
