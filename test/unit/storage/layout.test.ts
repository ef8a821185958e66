import { describe, expect, it } from 'vitest';
import { blobDigestOf, isEngineFile, isLinkPath, linkTargetOf, tempName } from '../../../src/storage/layout.js';

const digest = 'ab'.padEnd(64, '0');

describe('storage layout', () => {
  it('recognises blob data paths at any depth, and only those', () => {
    expect(blobDigestOf(`blobs/sha256/ab/${digest}/data`)).toBe(digest);
    expect(blobDigestOf(`docker/registry/v2/blobs/sha256/ab/${digest}/data`)).toBe(digest);
    expect(blobDigestOf(`docker/registry/v2/blobs/sha256/cd/${digest}/data`)).toBeUndefined();
    expect(blobDigestOf(`docker/registry/v2/blobs/sha256/ab/${digest}/link`)).toBeUndefined();
    expect(blobDigestOf(`docker/registry/v2/repositories/x/_uploads/${digest}/data`)).toBeUndefined();
  });

  it('resolves a link to the blob of its own registry root', () => {
    const link = `docker/registry/v2/repositories/team/repositories/app/_layers/sha256/${digest}/link`;
    expect(isLinkPath(link)).toBe(true);
    expect(isLinkPath(`docker/registry/v2/blobs/sha256/ab/${digest}/link`)).toBe(false);
    expect(linkTargetOf(link, `sha256:${digest}`)).toBe(`docker/registry/v2/blobs/sha256/ab/${digest}/data`);
    expect(linkTargetOf(`repositories/app/_layers/sha256/${digest}/link`, `sha256:${digest}\n`)).toBe(
      `blobs/sha256/ab/${digest}/data`,
    );
    expect(linkTargetOf(link, 'sha256:xyz')).toBeUndefined();
  });

  it('names temporary files so that they are recognised and never taken for data', () => {
    const name = tempName('data', 'run1', 35);
    expect(name).toBe('.data.dtr-migrate-tmp-run1z');
    expect(isEngineFile(name)).toBe(true);
    expect(isEngineFile('.dtr-migrate-copy-incomplete')).toBe(true);
    expect(isEngineFile('data')).toBe(false);
    expect(isEngineFile('.hidden')).toBe(false);
  });
});
