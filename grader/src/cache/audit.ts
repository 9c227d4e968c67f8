/**
 * Checks every cache module makes from outside, over the whole run: the number of TTL boundaries
 * against duration / TTL (a value never stored, or a TTL in the wrong unit, changes it), and the
 * age of every value served against the TTL. Each returns the failure message, or undefined.
 */
import { Answer, HerdError, type BoundaryReport, type RunReport, type Served, type ScenarioSpec } from '@herd/harness/engine';
import { at, ms } from '../check-kit.js';

const seconds = (v: number): string => `${+(v / 1000).toFixed(1)} s`;

/** The boundaries a run of `spec` must show: one per TTL of load (the cold start counts as one). */
export const expectedBoundaries = (spec: ScenarioSpec): number => Math.ceil(spec.durationMs / spec.ttlMs);

export function auditBoundaries(report: RunReport, spec: ScenarioSpec): string | undefined {
  if (report.origin.queries === 0) {
    return `the origin got 0 queries in ${seconds(spec.durationMs)} of load, want one rebuild per TTL: get() never calls deps.origin.fetch (are the values made up?)`;
  }
  const want = expectedBoundaries(spec);
  const got = report.boundaries.length;
  if (got < want - 1) {
    if (report.cache.hits === 0) {
      return `got ${got} TTL boundary in ${seconds(spec.durationMs)}, want ${want}: every one of ${report.requests} reads missed, so the origin was hit all the time; store the value with deps.cache.set(key, value, deps.ttlMs)`;
    }
    if (report.freshness.maxAgeMs > spec.ttlMs) {
      return `got ${got} TTL boundaries in ${seconds(spec.durationMs)}, want ${want} (one per ${seconds(spec.ttlMs)} TTL): values lived longer than deps.ttlMs (${spec.ttlMs} ms, the oldest served was ${ms(report.freshness.maxAgeMs)} old); is the TTL in ms?`;
    }
    // Queries all along, too close together to tell boundaries apart: values barely lived.
    const every = spec.durationMs / report.origin.queries;
    return `got ${got} TTL boundary in ${seconds(spec.durationMs)}, want ${want}: the origin took ${report.origin.queries} queries, about one every ${ms(every)}, so values expired about every ${ms(every)}, not every ${spec.ttlMs} ms; is the TTL in ms (deps.ttlMs), not seconds?`;
  }
  if (got > want) {
    const gaps = report.boundaries.slice(1).map((b, i) => b.start - report.boundaries[i]!.start).sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)] ?? 0;
    return `got ${got} TTL boundaries in ${seconds(spec.durationMs)}, want ${want}: values expired about every ${ms(median)}, not every ${spec.ttlMs} ms; is the TTL in ms (deps.ttlMs), not seconds?`;
  }
  return undefined;
}

/** No value served older than the TTL plus `slackMs` (the time a rebuild takes to land, where the module allows it). */
export function auditFreshness(report: RunReport, spec: ScenarioSpec, slackMs = 0): string | undefined {
  const o = report.freshness.oldest;
  if (o === null || o.ageMs <= spec.ttlMs + slackMs) return undefined;
  return `${o.instance} served "${o.key}" version ${o.version} at ${at(o.at)} when it was ${ms(o.ageMs)} old, want at most the TTL (${spec.ttlMs} ms${slackMs ? ` + ${slackMs}` : ''}): the value outlived deps.ttlMs`;
}

/** The boundary that maximises `by`, or undefined when there is none. */
export function worst(boundaries: readonly BoundaryReport[], by: (b: BoundaryReport) => number): BoundaryReport | undefined {
  let w: BoundaryReport | undefined;
  for (const b of boundaries) if (w === undefined || by(b) > by(w)) w = b;
  return w;
}

/**
 * What every answer of a run contains, checked on every run a cache check makes (runApp), faults
 * included: each successful get(key) resolved to key's own value from the origin (never another
 * key's, never a value the origin did not make), null only for a key the origin does not have,
 * and, when the module states its bound, a value no older than `maxAgeMs`. A key the origin
 * creates mid-run may still be answered null for `nullGraceMs` after it exists (a negative
 * entry's TTL, module 07). Returns the first wrong answer as one line, or undefined.
 */
export function auditAnswers(served: Served, spec: ScenarioSpec, maxAgeMs?: number, nullGraceMs = 0): string | undefined {
  const absent = spec.origin.absent;
  const who = (i: number): string => `i${served.instance[i]}'s get("${served.keys[served.key[i]!]!}") at ${at(served.start[i]!)}`;
  // The oldest value served past the bound, not the first: the message shows how far it went.
  let oldest = -1;
  for (let i = 0; i < served.n; i++) {
    if (served.ok[i] !== 1) continue;
    const a = served.answer[i]! as Answer;
    const key = served.keys[served.key[i]!]!;
    if (a === Answer.otherKey) return `${who(i)} answered another key's value, want "${key}"'s own: is the cache (or a flight, a claim) keyed by something other than the key?`;
    if (a === Answer.other) return `${who(i)} answered something the origin never made, want the value deps.origin.fetch("${key}") resolved to (the same object, not a copy or a wrapper)`;
    const answered = served.start[i]! + served.latency[i]!;
    if (a === Answer.null && !(absent !== undefined && (absent(key, answered) || absent(key, answered - nullGraceMs)))) return `${who(i)} answered null, but "${key}" exists: was an error or a timeout stored as "not found"?`;
    if (a === Answer.own && maxAgeMs !== undefined && served.ageMs[i]! > maxAgeMs && (oldest < 0 || served.ageMs[i]! > served.ageMs[oldest]!)) oldest = i;
  }
  if (oldest >= 0) {
    return `${who(oldest)} was served version ${served.version[oldest]} when it was ${ms(served.ageMs[oldest]!)} old, want at most ${ms(maxAgeMs!)}: a value outlived its bound`;
  }
  return undefined;
}

/** auditAnswers as an error (BAD_ANSWER), for runApp to fail any check whose run served a wrong answer. */
export function assertAnswers(served: Served, spec: ScenarioSpec, maxAgeMs?: number, nullGraceMs?: number): void {
  const wrong = auditAnswers(served, spec, maxAgeMs, nullGraceMs);
  if (wrong !== undefined) throw new HerdError('BAD_ANSWER', wrong, { spec: spec.name });
}
