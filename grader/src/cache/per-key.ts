/**
 * Per-key views of a run over several keys, from outside: each key's TTL boundaries, and their
 * count against duration / TTL (auditBoundaries does the same for a one-key run). A key the
 * origin does not have counts like any other: its null is a value, cached for a TTL.
 */
import type { BoundaryReport, RunReport, ScenarioSpec } from '@herd/harness/engine';
import { ms } from '../check-kit.js';
import { expectedBoundaries } from './audit.js';

/** Each key's boundaries, in time order; a key never queried has none. */
export function boundariesByKey(report: RunReport, keys: readonly string[]): Map<string, BoundaryReport[]> {
  const out = new Map<string, BoundaryReport[]>(keys.map((k) => [k, []]));
  for (const b of report.boundaries) out.get(b.key)?.push(b);
  return out;
}

/** How a key is named in a message: "gone" (the origin has no such key). */
export const keyName = (spec: ScenarioSpec, key: string): string => (spec.origin.absent?.(key) ? `"${key}" (a key the origin does not have)` : `"${key}"`);

/**
 * Every key shows one boundary per TTL of load (the cold start counts as one), or the message
 * naming the first that does not: too few (its value, or its null, was not kept for the TTL),
 * too many (it expired early).
 */
export function auditKeyBoundaries(report: RunReport, spec: ScenarioSpec, keys: readonly string[]): string | undefined {
  const want = expectedBoundaries(spec);
  const secs = `${+(spec.durationMs / 1000).toFixed(1)} s`;
  for (const [key, list] of boundariesByKey(report, keys)) {
    const got = list.length;
    const queries = list.reduce((sum, b) => sum + b.queries, 0);
    if (got < want - 1) {
      if (queries > want) {
        const every = spec.durationMs / queries;
        const what = spec.origin.absent?.(key) ? 'its null answer was not cached; null is a value too: store it for the TTL like any other' : 'its value was not kept for the TTL';
        return `${keyName(spec, key)} took ${queries} origin queries in ${secs} (about one every ${ms(every)}), want one per TTL boundary (${want}): ${what}`;
      }
      return `${keyName(spec, key)} had ${got} TTL boundaries in ${secs}, want ${want} (one per ${ms(spec.ttlMs)} TTL): its value was served past the TTL, or never rebuilt`;
    }
    if (got > want) return `${keyName(spec, key)} had ${got} TTL boundaries in ${secs}, want ${want}: it expired before its TTL (${ms(spec.ttlMs)})`;
  }
  return undefined;
}
