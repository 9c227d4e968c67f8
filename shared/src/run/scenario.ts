/** A cache scenario: the fleet, the origin, the keys and the load, and a seed; and its validation. */
import { HerdError } from '../errors.js';
import { checkLoad, type KeySpec, type LoadSpec } from '../load.js';
import type { OriginOptions } from '../origin.js';

export interface ScenarioSpec {
  name: string;
  seed: number;
  /** Load runs from 0 until this time, ms. */
  durationMs: number;
  /** App instances sharing the origin. Default 1. */
  instances?: number;
  ttlMs: number;
  origin: OriginOptions;
  cache?: { maxEntries?: number };
  keys?: KeySpec;
  load: LoadSpec;
  /** Time after durationMs that pending calls may take before the run is STUCK. Default 30 s. */
  graceMs?: number;
  /**
   * Origin faults on the run's timeline, ms from its start: `down` fails every query that starts
   * in [fromMs, toMs) with ORIGIN_ERROR; `slow` multiplies their service time by `factor`.
   */
  originFaults?: ReadonlyArray<{ kind: 'down'; fromMs: number; toMs: number } | { kind: 'slow'; fromMs: number; toMs: number; factor: number }>;
}

/** Throws BAD_SCENARIO, naming the part and the fix, for a scenario the runner cannot run. */
export function checkScenario(spec: ScenarioSpec): void {
  const instances = spec.instances ?? 1;
  if (!(instances >= 1) || !(spec.durationMs > 0) || !(spec.ttlMs > 0)) {
    throw new HerdError('BAD_SCENARIO', `scenario "${spec.name}" needs instances >= 1, durationMs > 0 and ttlMs > 0`, { spec: spec.name });
  }
  checkLoad(spec.name, spec.load, spec.keys);
  for (const f of spec.originFaults ?? []) {
    if (!(f.fromMs >= 0 && f.toMs > f.fromMs)) {
      throw new HerdError('BAD_SCENARIO', `scenario "${spec.name}": an origin fault needs 0 <= fromMs < toMs, got [${f.fromMs}, ${f.toMs})`, { spec: spec.name });
    }
    if (f.kind === 'slow' && !(f.factor > 0)) {
      throw new HerdError('BAD_SCENARIO', `scenario "${spec.name}": a slow origin fault needs factor > 0, got ${f.factor}`, { spec: spec.name });
    }
  }
}
