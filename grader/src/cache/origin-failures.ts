/**
 * Origin failures that land on whatever a cache sends next: from each moment of `faults` (ms from
 * the run's start), the origin fails the next `count` queries with ORIGIN_ERROR. A fixed outage
 * window hits a background path only if its timing is guessed right; "the next query after 5 s"
 * is the early recompute, the background refresh or the probe, wherever it falls.
 */
import type { AppDeps, FleetContext } from '@herd/harness/engine';
import type { CacheApp } from '../define.js';

export interface NextQueryFault {
  /** When the fault is armed, ms from the run's start. */
  atMs: number;
  /** How many of the queries started from then on fail. Default 1. */
  count?: number;
}

/** `app` on an origin that fails the next queries after each fault's moment (armed once per run). */
export function failingNextQueries<D extends AppDeps>(app: CacheApp<D>, faults: readonly NextQueryFault[]): CacheApp<D> {
  const armed = new WeakSet<FleetContext>();
  return {
    ...app,
    extend: (base, fleet) => {
      if (!armed.has(fleet)) {
        armed.add(fleet);
        for (const f of faults) void fleet.clock.sleep(f.atMs).then(() => fleet.origin.failNext(f.count ?? 1));
      }
      return app.extend ? app.extend(base, fleet) : (base as D);
    },
  };
}
