/**
 * The backup tar reader (node-tar underneath) on what Go's archive/tar and GNU tar write: PAX records
 * for long names and for sizes of 8 GiB and more, base-256 sizes, GNU long names; and on every way a
 * stream can be cut short.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Header, Pax } from 'tar';
import { describe, expect, it } from 'vitest';
import { createTar, extractTar, inspectTar } from '../../../src/backup/tar.js';

const longName = `dtr-backup-v2.7.8/rethink/${'repository_team_access_'.repeat(6)}/0`;

async function tarFile(name: string, bytes: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tar-'));
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** A header announcing `size` bytes the way `form` writes it, followed by only a little data. */
function bigEntry(form: 'pax' | 'base-256', size: number): Buffer {
  const data = { path: 'dtr-backup-v2.7.8/rethink/blobs/0', mode: 0o644, mtime: new Date(0), type: 'File' as const };
  const header = new Header({ ...data, size: form === 'pax' ? 0 : size });
  header.encode();
  const pax = form === 'pax' ? [new Pax({ ...data, size }).encode()] : [];
  return Buffer.concat([...pax, header.block ?? Buffer.alloc(0), Buffer.alloc(4096, 1)]);
}

describe('tar', () => {
  const archive = createTar([
    { name: 'backup/meta.json', content: Buffer.from('{"a":1}') },
    { name: 'backup/tags.json', content: Buffer.alloc(1500, 7) },
    { name: longName, content: Buffer.from('[]') },
  ]);

  it('round-trips files, a name longer than ustar holds included (a PAX record)', async () => {
    expect(longName.length).toBeGreaterThan(100);
    const files = await extractTar(archive);
    expect(files.get('backup/meta.json')?.toString()).toBe('{"a":1}');
    expect(files.get('backup/tags.json')?.length).toBe(1500);
    expect(files.get(longName)?.toString()).toBe('[]');
  });

  it('accepts a whole archive and rejects every truncation', async () => {
    const whole = await tarFile('whole.tar', archive);
    const ok = await inspectTar(whole);
    expect(ok.ok).toBe(true);
    expect(ok.entries.map((e) => e.name)).toEqual(['backup/meta.json', 'backup/tags.json', longName]);
    for (const cut of [0, 100, 512, 1024, 1600, archive.length - 1024, archive.length - 512, archive.length - 1]) {
      const result = await inspectTar(await tarFile(`cut-${cut}.tar`, archive.subarray(0, cut)));
      expect(result.ok, `cut at ${cut}`).toBe(false);
    }
  });

  it.each(['pax', 'base-256'] as const)('reads an entry of 9 GiB announced with %s', async (form) => {
    const size = 9 * 1024 ** 3;
    const result = await inspectTar(await tarFile(`${form}.tar`, bigEntry(form, size)));
    expect(result.ok).toBe(false);
    expect(result.entries).toEqual([{ name: 'dtr-backup-v2.7.8/rethink/blobs/0', size, type: 'File' }]);
    if (!result.ok)
      expect(result.reason).toBe(
        `entry "dtr-backup-v2.7.8/rethink/blobs/0" is cut off: ${size} bytes announced, fewer present`,
      );
  });

  it('reads the GNU long names GNU tar writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tar-gnu-'));
    await mkdir(join(dir, 'tree', longName, '..'), { recursive: true });
    await writeFile(join(dir, 'tree', longName), '[]');
    const file = join(dir, 'gnu.tar');
    execFileSync('tar', ['--format=gnu', '-cf', file, '-C', join(dir, 'tree'), longName]);
    const result = await inspectTar(file);
    expect(result.ok).toBe(true);
    expect(result.entries.map((e) => e.name)).toContain(longName);
  });
});
