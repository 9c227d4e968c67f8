/**
 * Lookups over the course list (grader/modules/course.ts): the built modules in order, a module
 * by the name a learner types ("2", "02", "02-single-flight", "single-flight").
 */
import { course } from '../modules/course.js';
import { isBuilt, type ModuleDefinition } from './define.js';
import { GraderError } from './learner-error.js';

/** A module definition, possibly pointed at other files (a test's fixture) by `dir`. */
export type ModuleSpec = ModuleDefinition & {
  /** Repository-relative folder of the files to grade, instead of modules/<id> or solutions/<id>. */
  dir?: string;
};

/** The built modules, in course order. */
export const manifest: readonly ModuleDefinition[] = course.filter(isBuilt);

export { course };

const matches = (id: string, q: string): boolean => id === q || id.startsWith(`${q.padStart(2, '0')}-`) || id.slice(3) === q;

export function findModule(query: string): ModuleDefinition | undefined {
  const q = query.trim().toLowerCase();
  return manifest.find((m) => matches(m.id, q));
}

/** The module a CLI argument names, or a GraderError saying it is still coming or does not exist. */
export function requireModule(query: string | undefined, usage: string): ModuleDefinition {
  if (query === undefined) throw new GraderError(usage);
  const spec = findModule(query);
  if (spec !== undefined) return spec;
  const available = manifest.map((m) => m.id).join(', ');
  const coming = course.find((m) => matches(m.id, query.trim().toLowerCase()));
  if (coming !== undefined) {
    throw new GraderError(`module ${coming.id} (${coming.title}) is not built yet; it is on the course map in README.md. Available now: ${available}`);
  }
  throw new GraderError(`no module "${query}" (modules: ${available})`);
}
