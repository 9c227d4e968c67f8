/**
 * The course, in order: the one central list. A built module is one line importing its
 * definition (grader/modules/NN-name/module.ts); a module still to come is its id and title, so
 * the CLIs can tell "coming" from a typo. Adding a module: its folders (modules/NN-name,
 * solutions/NN-name, grader/modules/NN-name, docs/instructor/NN-name.md) and its line here.
 */
import type { ComingModule, CourseEntry, ModuleDefinition } from '../src/define.js';

const built = async (load: Promise<{ default: ModuleDefinition }>): Promise<ModuleDefinition> => (await load).default;
const coming = (id: string, title: string, summary: string): ComingModule => ({ id, title, summary, coming: true });

export const course: readonly CourseEntry[] = [
  await built(import('./01-stampede/module.js')),
  await built(import('./02-single-flight/module.js')),
  await built(import('./03-distributed-lock/module.js')),
  await built(import('./04-stale-while-revalidate/module.js')),
  await built(import('./05-early-expiration/module.js')),
  await built(import('./06-ttl-jitter/module.js')),
  await built(import('./07-negative-caching/module.js')),
  await built(import('./08-cache-warming/module.js')),
  await built(import('./09-jitter-backoff/module.js')),
  await built(import('./10-load-shedding/module.js')),
  await built(import('./11-cascading-failure/module.js')),
  await built(import('./12-metastable-retries/module.js')),
  await built(import('./13-circuit-breaker/module.js')),
  await built(import('./14-capstone/module.js')),
];
