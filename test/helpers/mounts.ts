/**
 * Bind mounts and small filesystems for the tests that need them (a target that is the source through a
 * bind mount, a state directory that is full). They need root and a kernel that lets this process mount;
 * `canMount()` says whether both hold, so such a test skips itself, with that reason, where they do not.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let known: boolean | undefined;

/** Root, and `mount --bind` works here (tried once on two empty directories). */
export function canMount(): boolean {
  if (known !== undefined) return known;
  known = false;
  if (process.getuid?.() !== 0) return known;
  const dir = mkdtempSync(join(tmpdir(), 'can-mount-'));
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  mkdirSync(a);
  mkdirSync(b);
  try {
    execFileSync('mount', ['--bind', a, b], { stdio: 'ignore' });
    execFileSync('umount', [b], { stdio: 'ignore' });
    known = true;
  } catch {
    known = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return known;
}

/** Mounts `from` at `at` (created); returns what unmounts it. */
export async function bindMount(from: string, at: string): Promise<() => Promise<void>> {
  await mkdir(at, { recursive: true });
  execFileSync('mount', ['--bind', from, at], { stdio: 'ignore' });
  return async () => {
    execFileSync('umount', [at], { stdio: 'ignore' });
  };
}

/** A tmpfs of `bytes` at `at` (created); returns what unmounts it. */
export async function smallFilesystem(at: string, bytes: number): Promise<() => Promise<void>> {
  await mkdir(at, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', at], { stdio: 'ignore' });
  return async () => {
    execFileSync('umount', [at], { stdio: 'ignore' });
  };
}
