/** The best-practice procedure: the five steps, in the order the DTR documentation gives them. */
import type { Step } from '../engine/step.js';
import { disableGcStep } from './01-disable-gc.js';
import { backupStep } from './02-backup.js';
import { migrateStorageStep } from './03-migrate-storage.js';
import { restoreStep } from './04-restore.js';
import { onlineGcBlobsStep } from './05-onlinegc-blobs.js';

export const bestPracticeSteps: readonly Step[] = [
  disableGcStep,
  backupStep,
  migrateStorageStep,
  restoreStep,
  onlineGcBlobsStep,
];
