/**
 * Before/after: the previous module's reference and this module's code on this module's
 * headline scenario, same seed, so the only difference is the layer the module adds.
 */
import { runScenario, type RunReport } from '@herd/harness/engine';
import { checksFor } from '../checks/index.js';
import { loadExports } from './load-learner.js';
import { findModule, type ModuleSpec } from './manifest.js';
import type { ModuleChecks, Target } from './types.js';

export async function headlineRun(spec: ModuleSpec, target: Target, seed: number, scenarioOf?: ModuleChecks): Promise<RunReport> {
  const impl = await checksFor(spec.id);
  const exports = await loadExports(spec, target);
  const scenario = (scenarioOf ?? impl).scenario(seed);
  const options = (await impl.runOptions?.(exports)) ?? {};
  const { report } = await runScenario(scenario, impl.app(exports), options);
  return report;
}

export async function beforeAfter(spec: ModuleSpec, target: Target, seed: number): Promise<{ before: RunReport; after: RunReport; previous: ModuleSpec } | undefined> {
  const previous = spec.compareWith ? findModule(spec.compareWith) : undefined;
  if (previous === undefined) return undefined;
  const here = await checksFor(spec.id);
  const before = await headlineRun(previous, 'solution', seed, here);
  const after = await headlineRun(spec, target, seed);
  return { before, after, previous };
}
