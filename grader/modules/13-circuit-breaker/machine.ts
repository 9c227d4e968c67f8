/**
 * The breaker alone on a virtual clock, call by call: no verdict before minCalls, open at
 * failureRate, refuse without calling while open, exactly halfOpenProbes probes, close on their
 * success with the outage forgotten, and all of it again for a second outage (whose probes fail
 * first). And two breakers for two dependencies, which must not share anything.
 */
import { VirtualClock } from '@herd/harness/engine';
import type { CheckFn, Exports, Outcome } from '../../src/define.js';
import type { Breaker, BreakerOptions } from './world.js';

export const MACHINE = { windowSize: 10, windowMs: 10_000, minCalls: 5, failureRate: 0.5, openMs: 1000, halfOpenProbes: 2 } as const;

interface Shot {
  called: boolean;
  done: boolean;
  ok: boolean;
  at: number;
  settled: Promise<void>;
}

/** One call through the breaker; its function takes `ms` and then succeeds or fails. */
function shoot(breaker: Breaker, clock: VirtualClock, ok: boolean, ms = 10): Shot {
  const shot = { called: false, done: false, ok: false, at: NaN } as Shot;
  // Through a promise, so a call() that throws synchronously counts as a rejection.
  const p = new Promise<unknown>((resolve) =>
    resolve(
      breaker.call(async () => {
        shot.called = true;
        await clock.sleep(ms);
        if (!ok) throw new Error('dependency down');
        return 'value';
      }),
    ),
  );
  shot.settled = p.then(
    () => void Object.assign(shot, { done: true, ok: true, at: clock.now() }),
    () => void Object.assign(shot, { done: true, ok: false, at: clock.now() }),
  );
  return shot;
}

const make = (exports: Exports) => (clock: VirtualClock) => (exports.createBreaker as (o: BreakerOptions) => Breaker)({ clock, ...MACHINE });

async function drive(script: (clock: VirtualClock) => Promise<string | undefined>): Promise<string | undefined> {
  const clock = new VirtualClock();
  return clock.run(script(clock), { deadline: 120_000, describePending: () => 'a breaker.call()' });
}

const { minCalls, openMs, halfOpenProbes: probes } = MACHINE;

export const stateMachine: CheckFn = async ({ exports }): Promise<Outcome> => {
  let step = '';
  const failure = await drive(async (clock) => {
    const b = make(exports)(clock);
    const seq = async (oks: boolean[]): Promise<void> => {
      for (const ok of oks) await shoot(b, clock, ok).settled;
    };
    const is = (want: string, what: string): string | undefined => (b.state() === want ? undefined : `${what} state() is '${b.state()}', want '${want}'`);
    const refuses = async (when: string): Promise<string | undefined> => {
      const t = clock.now();
      const s = shoot(b, clock, true);
      await s.settled;
      if (s.called) return `${when} call() ran the function, want a rejection without calling the dependency`;
      if (s.ok) return `${when} call() resolved, want a rejection (the caller falls back on it)`;
      if (s.at !== t) return `${when} call() took ${s.at - t} ms to reject, want at once`;
      return undefined;
    };

    step = 'closed, no verdict yet';
    await seq([false, false, true, true]);
    let bad = is('closed', `after 2 failures in 4 calls (fewer than minCalls, ${minCalls}),`);
    if (bad) return `${bad}: no verdict before minCalls outcomes`;
    await seq([true]);
    if ((bad = is('closed', 'after 2 failures in 5 calls (40%),'))) return bad;
    step = 'opens';
    await seq([false]);
    if ((bad = is('open', 'after 3 failures in 6 calls (50%, failureRate 0.5)'))) return bad;
    const opened = clock.now();
    if ((bad = await refuses('while open,'))) return bad;
    await clock.sleep(opened + openMs - 1 - clock.now());
    if ((bad = await refuses(`${openMs - 1} ms after opening (openMs ${openMs}),`))) return bad;
    await clock.sleep(opened + openMs - clock.now());

    step = 'half-open';
    const five = Array.from({ length: 5 }, () => shoot(b, clock, true, 50));
    await clock.sleep(1);
    const through = five.filter((s) => s.called).length;
    if (through === 0) return `${openMs} ms after opening, 5 concurrent calls ran none, want ${probes} probes through: once openMs has passed, go half-open`;
    if (through !== probes) return `half-open let ${through} of 5 concurrent calls through, want ${probes} (halfOpenProbes): refuse the rest until the probes answer`;
    const waiting = five.filter((s) => !s.called && !s.done).length;
    if (waiting > 0) return `half-open held ${waiting} calls waiting instead of refusing them, want them rejected at once`;
    if ((bad = is('half-open', 'while the probes are in flight'))) return bad;
    await Promise.all(five.map((s) => s.settled));
    if ((bad = is('closed', `after ${probes} probes succeeded`))) return `${bad}: close once halfOpenProbes probes succeed`;

    step = 'closed again, outage forgotten';
    await seq([false]);
    if ((bad = is('closed', 'after closing, one failure (1 outcome in a fresh window, below minCalls)'))) {
      return `${bad}: the outage's failures are still in the window; empty it when the breaker closes`;
    }
    await seq([true, true, true, true, false, false]);
    if ((bad = is('closed', 'after closing, 3 failures in 7 calls (43%)'))) return bad;

    step = 'second outage';
    await seq([false]);
    if ((bad = is('open', 'in a second outage, after 4 failures in 8 calls since closing (50%),'))) return bad;
    await clock.sleep(openMs);
    const two = [shoot(b, clock, false, 50), shoot(b, clock, false, 50)];
    await Promise.all(two.map((s) => s.settled));
    if (two.some((s) => !s.called)) return `in the second outage, ${openMs} ms after opening, ${two.filter((s) => s.called).length} of 2 calls ran, want ${probes} probes`;
    if ((bad = is('open', `after ${probes} probes failed`))) return `${bad}: a failed probe sends the breaker back to open`;
    const reopened = clock.now();
    await clock.sleep(reopened + openMs - 1 - clock.now());
    if ((bad = await refuses(`${openMs - 1} ms after the probes failed,`))) return `${bad}: a failed probe round restarts the full openMs`;
    await clock.sleep(1);
    const last = [shoot(b, clock, true), shoot(b, clock, true)];
    await Promise.all(last.map((s) => s.settled));
    if ((bad = is('closed', `after the second outage's ${probes} probes succeeded`))) return bad;
    step = 'done';
    return undefined;
  });
  if (failure !== undefined) return { pass: false, measured: `failed at: ${step}`, message: failure };
  return { pass: true, measured: 'closed, open, half-open, closed; again with failed probes' };
};

export const independentBreakers: CheckFn = async ({ exports }): Promise<Outcome> => {
  const failure = await drive(async (clock) => {
    const a = make(exports)(clock);
    const b = make(exports)(clock);
    for (let i = 0; i < 6; i++) {
      await shoot(a, clock, false).settled;
      await shoot(b, clock, true).settled;
    }
    if (a.state() !== 'open') return `breaker A saw 6 failures in 6 calls (breaker B, for another dependency, 6 successes in between) and A's state() is '${a.state()}', want 'open'`;
    if (b.state() !== 'closed') {
      return `breaker B's dependency answered all 6 of its calls, yet after breaker A's dependency failed B's state() is '${b.state()}', want 'closed': keep the window and the state inside createBreaker, one breaker per dependency`;
    }
    const s = shoot(b, clock, true);
    await s.settled;
    if (!s.called) return "breaker B refused a call although its own dependency never failed, want it through: one dependency's outage must not open another's breaker";
    return undefined;
  });
  if (failure !== undefined) return { pass: false, measured: 'breakers not independent', message: failure };
  return { pass: true, measured: 'A open, B closed and calling' };
};
