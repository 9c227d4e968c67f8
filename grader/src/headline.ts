/**
 * A module's headline table for one target: its `headline` run with this module's exports and,
 * when it names one, the previous module's reference as the "before" column.
 */
import type { HeadlineTable, ModuleDefinition, Target } from './define.js';
import { loadExports } from './load-learner.js';
import { findModule, type ModuleSpec } from './manifest.js';

export async function headlineTable(spec: ModuleSpec, target: Target, seed: number): Promise<HeadlineTable | undefined> {
  if (spec.headline === undefined) return undefined;
  const exports = await loadExports(spec, target);
  const prev: ModuleDefinition | undefined = spec.compareWith ? findModule(spec.compareWith) : undefined;
  const who = target === 'solution' ? 'reference' : 'yours';
  return spec.headline({
    seed,
    target,
    exports,
    label: `${spec.id.slice(0, 2)} ${who}`,
    previous: prev && { def: prev, exports: await loadExports(prev, 'solution'), label: `${prev.id.slice(0, 2)} reference` },
  });
}
