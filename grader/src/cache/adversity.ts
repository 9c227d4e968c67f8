/**
 * Less kind environments for cache checks (docs/harness.md, "What a check must do"): an origin
 * whose queries follow a plan (this one slow, that one failing), and a host whose clock is off.
 * Both are seen by the learner's code only through its deps, so a check still measures from
 * outside: the origin's own query log, the harness's clock.
 */
import type { Clock, Origin, SlowOrigin } from '@herd/harness/engine';

/** What happens to one query: its service time multiplied, and/or an ORIGIN_ERROR at its end. */
export interface QueryPlan {
  slowdown?: number;
  fail?: boolean;
}

/**
 * The origin as each instance sees it, with the fleet's query n (1-based, in arrival order, as
 * in `origin.log`) slowed or failed as `plan(n)` says. The plan is applied as the query is
 * offered, so it holds for queries that get a slot at once (the origin's capacity is not full).
 */
export function plannedOrigin(origin: SlowOrigin, plan: (n: number) => QueryPlan | undefined): (instance: string) => Origin {
  return (instance) => {
    const inner = origin.forInstance(instance);
    return {
      fetch(key) {
        const p = plan(origin.queries + 1);
        if (p?.fail) origin.failNext(1);
        if (p?.slowdown !== undefined) origin.setSlowdown(p.slowdown);
        try {
          return inner.fetch(key);
        } finally {
          if (p?.slowdown !== undefined) origin.setSlowdown(1);
        }
      },
    };
  };
}

/** A host clock `offsetMs` ahead of `clock` (behind when negative); its timers run on `clock`. */
export function skewedClock(clock: Clock, offsetMs: number): Clock {
  if (offsetMs === 0) return clock;
  return { now: () => clock.now() + offsetMs, sleep: (ms) => clock.sleep(ms) };
}
