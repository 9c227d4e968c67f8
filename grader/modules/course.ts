/**
 * The course, in order: the one central list. A built module is one line importing its
 * definition (grader/modules/NN-name/module.ts); a module still to come is its id and title, so
 * the CLIs can tell "coming" from a typo. Adding a module: its folders (modules/NN-name,
 * solutions/NN-name, grader/modules/NN-name, docs/instructor/NN-name.md) and its line here.
 */
import type { ComingModule, CourseEntry, ModuleDefinition } from '../src/define.js';

const built = async (load: Promise<{ default: ModuleDefinition }>): Promise<ModuleDefinition> => (await load).default;
const coming = (id: string, title: string): ComingModule => ({ id, title, coming: true });

export const course: readonly CourseEntry[] = [
  await built(import('./01-stampede/module.js')),
  await built(import('./02-single-flight/module.js')),
  await built(import('./03-distributed-lock/module.js')),
  coming('04-stale-while-revalidate', 'stale-while-revalidate'),
  coming('05-early-expiration', 'early expiration (XFetch)'),
  coming('06-ttl-jitter', 'TTL jitter'),
  coming('07-negative-caching', 'negative caching'),
  coming('08-cache-warming', 'cache warming'),
  coming('09-jitter-backoff', 'jitter backoff'),
  coming('10-load-shedding', 'load shedding'),
  coming('11-cascading-failure', 'cascading failure'),
  coming('12-metastable-retries', 'metastable retries'),
  coming('13-circuit-breaker', 'circuit breaker'),
  coming('14-capstone', 'capstone service'),
];
