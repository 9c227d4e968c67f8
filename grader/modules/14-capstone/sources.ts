/**
 * Where each layer's code is read from: the learner's own module once `pnpm grade` saved a
 * passing grade for exactly those files, else the reference. Separate from layers.ts so the
 * service's workers never load the course list. The course list is imported when first needed:
 * it imports this module's definition, which imports this file.
 */
import { learnerHash } from '../../src/progress.js';
import { readSavedGrade } from '../../src/saved-grade.js';
import { LAYER_MODULE, type Layer, type Source } from './layers.js';

/**
 * The learner's module when its last saved grade passed and its files have not changed since;
 * the reference otherwise. With `target` solution, every layer is the reference's.
 */
export async function layerSource(layer: Layer, target: 'starter' | 'solution'): Promise<{ source: Source; why: string }> {
  const id = LAYER_MODULE[layer].id;
  if (target === 'solution') return { source: 'solutions', why: 'reference' };
  const { findModule } = await import('../../src/manifest.js');
  const spec = findModule(id);
  const saved = readSavedGrade(id);
  if (spec === undefined || saved === undefined) return { source: 'solutions', why: `reference (pnpm grade ${id.slice(0, 2)} not passed yet)` };
  if (saved.status !== 'pass') return { source: 'solutions', why: `reference (your last grade of ${id.slice(0, 2)} did not pass)` };
  if (saved.hash !== learnerHash(spec)) return { source: 'solutions', why: `reference (${id.slice(0, 2)} changed since it passed: grade it again)` };
  return { source: 'modules', why: 'yours' };
}

export async function sourcesOf(layers: readonly Layer[], target: 'starter' | 'solution'): Promise<Record<string, Source>> {
  return Object.fromEntries(await Promise.all(layers.map(async (l) => [LAYER_MODULE[l].id, (await layerSource(l, target)).source] as const)));
}

/** One line, at most 80 columns per layer: which code each layer runs. */
export async function describeSources(layers: readonly Layer[], target: 'starter' | 'solution'): Promise<string[]> {
  if (layers.length === 0) return ['stack: naive (no layer listed): cache-aside on Redis'];
  return Promise.all(
    layers.map(async (l) => {
      const { why } = await layerSource(l, target);
      return `${l.padEnd(13)} ${LAYER_MODULE[l].id.slice(0, 2)} ${why}`.slice(0, 80);
    }),
  );
}

