/**
 * Writes `<state-dir>/report.html` from the state directory alone (model.ts): during a migration after
 * each step, at its end, and again on `dtr-migrate report`. Atomic, so a reader never sees half a page.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import {
  backupSection,
  gcSection,
  inputsSection,
  inventorySection,
  pullCheckSection,
  storageSection,
} from './evidence-sections.js';
import { esc, page, when } from './html.js';
import { loadReport, reportFileName, type ReportModel } from './model.js';
import { headerSection, runsSection, stepsSection } from './overview.js';

export function renderReport(model: ReportModel): string {
  const body = [
    headerSection(model),
    stepsSection(model),
    backupSection(model),
    gcSection(model),
    storageSection(model),
    inventorySection(model),
    pullCheckSection(model),
    inputsSection(model),
    runsSection(model),
    `<footer>Written ${when(model.generatedAt)} by dtr-migrate ${esc(model.toolVersion)} from <code>${esc(model.journalFile)}</code> and the inventories beside it; nothing on this page was fetched from anywhere. Write it again with <code>dtr-migrate report --state-dir ${esc(model.stateDir)}</code>.</footer>`,
  ];
  return page(`DTR storage migration: ${String(model.journal.inputs['dtrUrl'] ?? model.stateDir)}`, body.join('\n'));
}

/** Writes the report; undefined (and nothing written) when the state directory holds no journal. */
export async function writeReport(stateDir: string, toolVersion: string): Promise<string | undefined> {
  const model = await loadReport(stateDir, toolVersion);
  if (model === undefined) return undefined;
  const file = join(stateDir, reportFileName);
  await writeFileAtomic(file, renderReport(model));
  return file;
}
