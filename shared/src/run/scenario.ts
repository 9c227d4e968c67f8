/** A cache scenario: the fleet, the origin, the keys and the load, and a seed. */
import type { KeySpec, LoadSpec } from '../load.js';
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
