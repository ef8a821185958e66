import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTar, extractTar, inspectTar } from '../../src/backup/tar.js';

describe('tar', () => {
  const archive = createTar([
    { name: 'backup/meta.json', content: Buffer.from('{"a":1}') },
    { name: 'backup/tags.json', content: Buffer.alloc(1500, 7) },
  ]);

  it('round-trips files', () => {
    const files = extractTar(archive);
    expect(files.get('backup/meta.json')?.toString()).toBe('{"a":1}');
    expect(files.get('backup/tags.json')?.length).toBe(1500);
  });

  it('accepts a whole archive and rejects every truncation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tar-'));
    const whole = join(dir, 'whole.tar');
    await writeFile(whole, archive);
    const ok = await inspectTar(whole);
    expect(ok.ok).toBe(true);
    expect(ok.entries.map((e) => e.name)).toEqual(['backup/meta.json', 'backup/tags.json']);
    for (const cut of [0, 100, 512, 1024, 1600, archive.length - 512, archive.length - 1]) {
      const path = join(dir, `cut-${cut}.tar`);
      await writeFile(path, archive.subarray(0, cut));
      const result = await inspectTar(path);
      expect(result.ok, `cut at ${cut}`).toBe(false);
    }
  });
});
