/**
 * Module 14, reference: the whole stack. Single flight and the lock bound the rebuilds of a cold
 * key to one fleet-wide; SWR keeps the hot key served through its boundary while one refresh
 * runs; the jittered L1 spares Redis the hot reads; negative caching absorbs unknown ids; the
 * breaker keeps a dead Redis from taking the service down with it; shedding keeps the door shut
 * when the wait is already over budget.
 */
export function stack(): string[] {
  return ['single-flight', 'lock', 'swr', 'jitter', 'negative', 'breaker', 'shedding'];
}
