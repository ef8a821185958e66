/** The documented backup layout, `dtr-backup-v<version>/rethink/<table>/...`, checked against the running DTR. */
import { describe, expect, it } from 'vitest';
import { backupLayoutProblem, backupVersion } from '../../../src/backup/backup-layout.js';
import type { TarEntry } from '../../../src/backup/tar.js';

const file = (name: string): TarEntry => ({ name, size: 10, type: 'File' });
const folder = (name: string): TarEntry => ({ name, size: 0, type: 'Directory' });

describe('backup layout', () => {
  const backup = [
    folder('dtr-backup-v2.7.8/'),
    file('dtr-backup-v2.7.8/rethink/tags/0'),
    file('dtr-backup-v2.7.8/rethink/repositories/0'),
  ];

  it('accepts a backup of the running version', () => {
    expect(backupVersion(backup)).toBe('2.7.8');
    expect(backupLayoutProblem(backup, '2.7.8')).toBeUndefined();
  });

  it('refuses a backup taken by another version, as a restore with this bootstrapper would fail', () => {
    expect(backupLayoutProblem(backup, '2.7.9')).toBe('it was taken by DTR 2.7.8, but the running DTR is 2.7.9');
  });

  it('refuses a tar that is not laid out as a DTR backup, or holds no table', () => {
    expect(backupLayoutProblem([file('dtr-backup/meta.json')], '2.6.4')).toMatch(
      /dtr-backup\/meta.json" is not below dtr-backup-v<version>/,
    );
    expect(backupLayoutProblem([...backup, file('dtr-backup-v2.6.4/rethink/tags/0')], '2.7.8')).toBe(
      'it holds the backups of several DTR versions',
    );
    expect(backupLayoutProblem([folder('dtr-backup-v2.7.8/'), file('dtr-backup-v2.7.8/notes')], '2.7.8')).toMatch(
      /holds no table/,
    );
  });
});
