/**
 * The documented ways through a storage switch, and which DTR versions each is safe on
 * (dtr-api.md section 9). The wizard offers only the allowed ones and explains the rest.
 */
import type { VersionFamily } from './versions.js';

export const procedureIds = ['best-practice', 'read-only', 'reconfigure'] as const;
export type ProcedureId = (typeof procedureIds)[number];

export interface Procedure {
  readonly id: ProcedureId;
  readonly title: string;
  /** How long the registry is unavailable or read-only, in an operator's words. */
  readonly downtime: string;
  readonly risk: string;
  /** Every tag is still there afterwards (what the final check demands). */
  readonly keepsTags: boolean;
}

export const procedures: Readonly<Record<ProcedureId, Procedure>> = {
  'best-practice': {
    id: 'best-practice',
    title: 'backup, copy, destroy and restore (best practice)',
    downtime: 'DTR is down from destroy until the restore finishes (minutes); pushes made after the backup are lost',
    risk: 'none to the tags: they come back from the verified backup',
    keepsTags: true,
  },
  'read-only': {
    id: 'read-only',
    title: 'read-only mode, copy, reconfigure --storage-migrated',
    downtime: 'pushes and deletes fail for the whole copy (hours for large storage); pulls keep working',
    risk: 'none to the tags when the copy is complete; a backup is taken as well',
    keepsTags: true,
  },
  reconfigure: {
    id: 'reconfigure',
    title: 'plain reconfigure onto the new storage',
    downtime: 'DTR restarts once (minutes)',
    risk: 'EVERY TAG IS ERASED: repositories must be pushed again',
    keepsTags: false,
  },
};

export type Availability =
  { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly way: string };

export function availability(id: ProcedureId, family: VersionFamily, version: string): Availability {
  if (id === 'read-only' && family === 'wipes-tags') {
    return {
      ok: false,
      reason: `DTR ${version} has no reconfigure --storage-migrated (it came with 2.6.4), so a reconfigure there erases every tag`,
      way: 'upgrade DTR to 2.6.4 or later first, or use --procedure best-practice',
    };
  }
  return { ok: true };
}

export function allowedProcedures(family: VersionFamily, version: string): ProcedureId[] {
  return procedureIds.filter((id) => availability(id, family, version).ok);
}
