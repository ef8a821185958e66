import { describe, expect, it } from 'vitest';
import { allowedProcedures } from '../../src/dtr/procedures.js';
import { classifyVersion } from '../../src/dtr/versions.js';
import { isMigrateError } from '../../src/errors.js';

describe('DTR versions', () => {
  it('puts each supported version in the family that decides what a storage switch does', () => {
    const family = (v: string): string => classifyVersion(v).family;
    expect(['2.5.0', '2.5.9', '2.6.0', '2.6.3'].map(family)).toEqual(Array(4).fill('wipes-tags'));
    expect(['2.6.4', '2.6.15', '2.7.0', '2.7.6', '2.8.4'].map(family)).toEqual(Array(5).fill('storage-migrated'));
    expect(family('2.9.0')).toBe('msr-2.9');
  });

  it('refuses versions it does not know, with the list it supports', () => {
    for (const v of ['2.4.9', '3.0.0', '1.0.0', 'latest']) {
      const error = (() => {
        try {
          classifyVersion(v);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isMigrateError(error) && error.code, v).toBe('UNSUPPORTED_VERSION');
      expect((error as Error).message).toContain('2.5.x');
    }
  });

  it('offers read-only only where --storage-migrated exists', () => {
    expect(allowedProcedures('wipes-tags', '2.6.3')).toEqual(['best-practice', 'reconfigure']);
    expect(allowedProcedures('storage-migrated', '2.7.6')).toEqual(['best-practice', 'read-only', 'reconfigure']);
    expect(allowedProcedures('msr-2.9', '2.9.0')).toEqual(['best-practice', 'read-only', 'reconfigure']);
  });
});
