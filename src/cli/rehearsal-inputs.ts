/**
 * The operator's inputs a rehearsal passes on to its migration (everything else belongs to the
 * rehearsal). Its own file: `--help` lists them, and must not load the rehearsal (and the mock DTR) to do so.
 */
import type { InputKey } from '../config/inputs.js';

export const rehearsalInputs = [
  'procedure',
  'acceptTagLoss',
  'restoreGc',
  'copyConcurrency',
  'pullCheck',
] as const satisfies readonly InputKey[];
