/**
 * The migration's services, added by the session to the runner's context of each step (src/steps/step.ts
 * says what steps may reach), and the same for plans.
 */
import type { InputKey, ResolvedInputs } from '../config/inputs.js';
import type { InputResolver } from '../config/resolve.js';
import { phaseOf } from '../docker/phase-line.js';
import type { Journal } from '../runner/journal.js';
import { planContextBase, type RunInputs } from '../runner/runner.js';
import type { StepContextBase } from '../runner/step.js';
import type { MigrationServices, PlanContext, StepContext } from '../steps/step.js';

export function stepContextWith(services: MigrationServices): (base: StepContextBase<ResolvedInputs>) => StepContext {
  return (base) => ({
    ...base,
    ...services,
    // A long bootstrapper command (destroy, restore, reconfigure, join) shows its latest log line, not only a spinner.
    docker: services.docker.reporting((line, purpose) => {
      const phase = phaseOf(line);
      if (phase !== undefined) base.progress(`${purpose.replace(/^the /, '')}: ${phase}`);
    }),
    describeDocker: (command) => services.docker.describe(command),
  });
}

export function planContextOf(
  journal: Journal,
  stateDir: string,
  inputs: Partial<ResolvedInputs>,
  services: Pick<MigrationServices, 'docker' | 'certificates'>,
): PlanContext {
  return {
    ...planContextBase(journal, stateDir, inputs),
    certificates: services.certificates,
    describeDocker: (command) => services.docker.describe(command),
  };
}

/** The runner's view of the session's inputs. */
export function runInputsOf(inputs: InputResolver): RunInputs<ResolvedInputs> {
  return {
    requireAll: (keys) => inputs.requireAll(keys as readonly InputKey[]),
    resolveKnown: (keys) => {
      for (const key of keys) inputs.peek(key as InputKey);
    },
    journalable: () => inputs.journalable(),
    snapshot: () => inputs.snapshot(),
  };
}
