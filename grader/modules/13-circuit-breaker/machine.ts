/**
 * The breaker alone on a virtual clock, call by call: no verdict before minCalls, open at
 * failureRate (below, at and above it, on two sets of settings), refuse without calling while
 * open, state() half-open once openMs has passed, exactly halfOpenProbes probes, close on their
 * success with the outage forgotten, a mixed probe round (ok, fail, ok, ok) that reopens it for a
 * full openMs, and a fresh round that closes it when no state() came first. Calls that settle
 * after the breaker changed state (stragglers) count nowhere. And two breakers for two
 * dependencies, which must not share anything.
 */
import { VirtualClock } from '@herd/harness/engine';
import type { CheckFn, Exports, Outcome } from '../../src/define.js';
import type { Breaker, BreakerOptions } from './world.js';

/** Settings unlike the scenario's (BREAKER), so a breaker that ignores one of them shows it. */
export const MACHINE = { windowSize: 10, windowMs: 10_000, minCalls: 5, failureRate: 0.5, openMs: 1000, halfOpenProbes: 4 } as const;
/** A second set for the threshold's boundaries: a quarter of 8, from 4 outcomes, one probe. */
const QUARTER = { windowSize: 8, windowMs: 60_000, minCalls: 4, failureRate: 0.25, openMs: 500, halfOpenProbes: 1 } as const;

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

type Settings = Omit<BreakerOptions, 'clock'>;
const make = (exports: Exports, clock: VirtualClock, settings: Settings = MACHINE): Breaker =>
  (exports.createBreaker as (o: BreakerOptions) => Breaker)({ clock, ...settings });

async function drive(script: (clock: VirtualClock) => Promise<string | undefined>): Promise<string | undefined> {
  const clock = new VirtualClock();
  // The script's first steps (createBreaker) run under the guard too, so a library's timers follow this clock.
  return clock.run(clock.within(() => script(clock)), { deadline: 120_000, describePending: () => 'a breaker.call()' });
}

/** The helpers a script uses on one breaker. */
function on(b: Breaker, clock: VirtualClock) {
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
  const until = (t: number): Promise<void> => clock.sleep(Math.max(0, t - clock.now()));
  return { b, seq, is, refuses, until };
}

const { minCalls, openMs, halfOpenProbes: probes } = MACHINE;
const T = true;
const F = false;

export const stateMachine: CheckFn = async ({ exports }): Promise<Outcome> => {
  let step = '';
  const failure = await drive(async (clock) => {
    const b = make(exports, clock);
    const { seq, is, refuses, until } = on(b, clock);

    step = 'closed, no verdict yet';
    await seq([F, F, T, T]);
    let bad = is('closed', `after 2 failures in 4 calls (fewer than minCalls, ${minCalls}),`);
    if (bad) return `${bad}: no verdict before minCalls outcomes`;
    await seq([T]);
    if ((bad = is('closed', 'after 2 failures in 5 calls (40%),'))) return bad;
    step = 'opens';
    await seq([F]);
    if ((bad = is('open', 'after 3 failures in 6 calls (50%, failureRate 0.5)'))) return bad;
    const opened = clock.now();
    if ((bad = await refuses('while open,'))) return bad;
    await until(opened + openMs - 1);
    if ((bad = await refuses(`${openMs - 1} ms after opening (openMs ${openMs}),`))) return `${bad}: stay open a full openMs from the moment it opened (the failure that tripped it)`;
    await until(opened + openMs);

    step = 'half-open, read by state()';
    if (b.state() === 'open') {
      return `${openMs} ms after opening (openMs ${openMs}), with no call since, state() is 'open', want 'half-open': state() must see that openMs has passed, not only call() (a dashboard, or code that asks state() before calling, would see it open for good)`;
    }
    const six = Array.from({ length: 6 }, () => shoot(b, clock, true, 50));
    await clock.sleep(1);
    const through = six.filter((s) => s.called).length;
    if (through === 0) return `${openMs} ms after opening, 6 concurrent calls ran none, want ${probes} probes through: once openMs has passed, go half-open`;
    if (through !== probes) return `half-open let ${through} of 6 concurrent calls through, want ${probes} (halfOpenProbes): refuse the rest until the probes answer`;
    const waiting = six.filter((s) => !s.called && !s.done).length;
    if (waiting > 0) return `half-open held ${waiting} calls waiting instead of refusing them, want them rejected at once (the caller falls back on the rejection)`;
    if ((bad = is('half-open', 'while the probes are in flight'))) return bad;
    await Promise.all(six.map((s) => s.settled));
    if ((bad = is('closed', `after ${probes} probes succeeded`))) return `${bad}: close once halfOpenProbes probes succeed`;

    step = 'closed again, outage forgotten';
    await seq([F]);
    if ((bad = is('closed', 'after closing, one failure (1 outcome in a fresh window, below minCalls)'))) {
      return `${bad}: it judged the fresh window on 1 outcome. Empty the window when the breaker closes (the outage's failures must be gone), and count minCalls over the outcomes in the window, not over every call since the breaker was made`;
    }
    await seq([T, T, T, T, F, F]);
    if ((bad = is('closed', 'after closing, 3 failures in 7 calls (43%)'))) return bad;

    step = 'second outage, probes ok, fail, ok, ok';
    await seq([F]);
    if ((bad = is('open', 'in a second outage, after 4 failures in 8 calls since closing (50%),'))) return bad;
    await until(clock.now() + openMs);
    // No state() first: the first call finds openMs over.
    const mixed = [shoot(b, clock, true, 10), shoot(b, clock, false, 20), shoot(b, clock, true, 50), shoot(b, clock, true, 50)];
    await clock.sleep(1);
    const ran = mixed.filter((s) => s.called).length;
    if (ran !== probes) return `in the second outage, ${openMs} ms after opening, ${ran} of ${probes} calls ran, want ${probes} probes`;
    await mixed[1]!.settled;
    const reopened = clock.now();
    if (b.state() === 'half-open') {
      // Reopened, but with an open period already over (a fresh round takes calls), or still waiting on the others?
      const extra = shoot(b, clock, false, 10);
      await extra.settled;
      if (extra.called) return `a probe failed and state() is 'half-open' at once, taking new probes, want 'open' for ${openMs} ms: the failed probe reopened the breaker with the time it first opened, an open period long over; a failed probe restarts openMs from the failure`;
      return `probes ok, then fail (two more in flight): state() is 'half-open', want 'open': one failed probe sends the breaker back to open at once, whatever the others say`;
    }
    if ((bad = is('open', 'probes ok, then fail (two more in flight):'))) return `${bad}: one failed probe sends the breaker back to open at once`;
    await Promise.all(mixed.map((s) => s.settled));
    if ((bad = is('open', 'after probes ok, fail, ok, ok'))) return `${bad}: a failed probe reopened it, and outcomes after that belong to a round that is over`;
    await until(reopened + openMs - 1);
    if ((bad = await refuses(`${openMs - 1} ms after a probe failed,`))) return `${bad}: a failed probe round restarts the full openMs from the failure`;
    await until(reopened + openMs);

    step = 'a fresh probe round';
    const fresh = [shoot(b, clock, true, 10), shoot(b, clock, true, 20), shoot(b, clock, true, 30), shoot(b, clock, true, 50)];
    await fresh[2]!.settled;
    if (b.state() === 'closed') {
      return `after 3 of the round's ${probes} probes succeeded state() is 'closed', want 'half-open' until all ${probes} have: the previous round's success still counted; count each round's probes from zero`;
    }
    await Promise.all(fresh.map((s) => s.settled));
    if (fresh.some((s) => !s.called)) return `${openMs} ms after a failed probe, ${fresh.filter((s) => s.called).length} of ${probes} calls ran, want ${probes} probes`;
    if (b.state() === 'half-open') {
      return `after the round's ${probes} probes succeeded state() is 'half-open', want 'closed'. The first round closed, with a state() call before its probes; here the first probe was the call that found openMs over, and its outcome was lost: tag the call with the epoch after that transition, not before`;
    }
    if ((bad = is('closed', `after the second outage's ${probes} probes succeeded`))) return bad;

    step = 'threshold on other settings';
    const q = `with windowSize ${QUARTER.windowSize}, minCalls ${QUARTER.minCalls}, failureRate ${QUARTER.failureRate}:`;
    const below = on(make(exports, clock, QUARTER), clock);
    await below.seq([F, F, F]);
    if ((bad = below.is('closed', `${q} after 3 failures in 3 calls (fewer than minCalls),`))) return `${bad}: no verdict before minCalls outcomes`;
    await below.seq([T]);
    if ((bad = below.is('open', `${q} after 3 failures in 4 calls (75%)`))) return `${bad}: judge as soon as the window holds minCalls outcomes`;
    const atRate = on(make(exports, clock, QUARTER), clock);
    await atRate.seq([T, T, T, F]);
    if ((bad = atRate.is('open', `${q} after 1 failure in 4 calls (25%, at failureRate)`))) return `${bad}: open when failures reach failureRate`;
    const above = on(make(exports, clock, QUARTER), clock);
    await above.seq([T, T, T, T, F]);
    if ((bad = above.is('closed', `${q} after 1 failure in 5 calls (20%),`))) return bad;
    await above.seq([F]);
    if ((bad = above.is('open', `${q} after 2 failures in 6 calls (33%)`))) return `${bad}: open when failures reach failureRate`;
    const opened2 = clock.now();
    await above.until(opened2 + QUARTER.openMs);
    const three = [shoot(above.b, clock, true, 20), shoot(above.b, clock, true, 20), shoot(above.b, clock, true, 20)];
    await Promise.all(three.map((s) => s.settled));
    const probed = three.filter((s) => s.called).length;
    if (probed !== QUARTER.halfOpenProbes) return `${q} openMs ${QUARTER.openMs} after opening, half-open let ${probed} of 3 concurrent calls through, want ${QUARTER.halfOpenProbes} (halfOpenProbes ${QUARTER.halfOpenProbes})`;
    if ((bad = above.is('closed', `${q} after its one probe succeeded`))) return bad;
    step = 'done';
    return undefined;
  });
  if (failure !== undefined) return { pass: false, measured: `failed at: ${step}`, message: failure };
  return { pass: true, measured: 'closed, open, half-open, closed; again with a mixed round; boundaries' };
};

/**
 * Calls that started in one state and settle in another. Eight slow calls start while closed,
 * then five fast failures open the breaker; the slow ones settle while it is open (one failure),
 * during its probe round (a success and a failure) and after it closed (five failures). None of
 * them may reopen it, count as a probe, or land in the fresh window.
 */
export const stragglers: CheckFn = async ({ exports }): Promise<Outcome> => {
  const failure = await drive(async (clock) => {
    const b = make(exports, clock);
    const { seq, is, until } = on(b, clock);
    const t0 = clock.now();
    const open = shoot(b, clock, false, 300);
    const okLate = shoot(b, clock, true, 1080);
    const failLate = shoot(b, clock, false, 1120);
    const afterClose = Array.from({ length: 5 }, () => shoot(b, clock, false, 1400));
    await seq([F, F, F, F, F]);
    let bad = is('open', `after 5 failures in 5 calls (8 slower calls still in flight)`);
    if (bad) return `${bad}: open once minCalls outcomes are in and failures reach failureRate`;
    const opened = clock.now();
    await until(opened + openMs);
    const round = [100, 110, 120, 130].map((ms) => shoot(b, clock, true, ms));
    await clock.sleep(1);
    const ran = round.filter((s) => s.called).length;
    if (ran === 0 && open.done) {
      return `${openMs} ms after opening (openMs ${openMs}), 0 of ${probes} calls ran, want ${probes} probes: a call made while closed failed at +${open.at - t0} ms, after the breaker had opened, and that reopened it (openMs started again). It tells nothing about now: tag each call with the epoch it started in, ignore it when the breaker has moved on`;
    }
    if (ran !== probes) return `${openMs} ms after opening, ${ran} of ${probes} calls ran, want ${probes} probes`;
    await until(t0 + 1121);
    if (b.state() !== 'half-open') {
      return `two calls made while closed settled during the probe round (one ok at +1080 ms, one failed at +1120 ms), and state() is '${b.state()}' with the 4 probes still in flight, want 'half-open': only the probes decide; ignore outcomes of calls made before the breaker opened (an epoch)`;
    }
    await Promise.all(round.map((s) => s.settled));
    if ((bad = is('closed', `after the ${probes} probes succeeded`))) return bad;
    await until(t0 + 1401);
    if (b.state() !== 'closed') {
      return `5 calls made before the breaker opened failed after it had closed (+1400 ms), and state() is '${b.state()}', want 'closed': they belong to the outage, not to the fresh window; ignore outcomes of calls made before the last transition`;
    }
    const after = shoot(b, clock, true);
    await after.settled;
    if (!after.called) return 'after 5 stale failures from before the outage, the closed breaker refused a call, want it through';
    await Promise.all([open, okLate, failLate, ...afterClose].map((s) => s.settled));
    return undefined;
  });
  if (failure !== undefined) return { pass: false, measured: 'a straggler counted', message: failure };
  return { pass: true, measured: 'stragglers ignored: open, half-open, closed' };
};

export const independentBreakers: CheckFn = async ({ exports }): Promise<Outcome> => {
  const failure = await drive(async (clock) => {
    const a = make(exports, clock);
    const b = make(exports, clock);
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
    // A breaker made while another is open starts closed.
    const c = make(exports, clock);
    if (c.state() !== 'closed') return `a breaker made while breaker A was open starts '${c.state()}', want 'closed': keep the state inside createBreaker`;
    const first = shoot(c, clock, true);
    await first.settled;
    if (!first.called) return 'a breaker made while breaker A was open refused its first call, want it through: keep the state inside createBreaker';
    // Two more at once: D's calls all fail while E's all succeed, concurrently.
    const d = make(exports, clock);
    const e = make(exports, clock);
    const both = Array.from({ length: 6 }, () => [shoot(d, clock, false, 20), shoot(e, clock, true, 20)]).flat();
    await Promise.all(both.map((x) => x.settled));
    if (d.state() !== 'open' || e.state() !== 'closed') {
      return `two breakers called at the same time, D failing 6 of 6 and E answering 6 of 6: D is '${d.state()}' and E '${e.state()}', want 'open' and 'closed': keep each breaker's window and state its own`;
    }
    return undefined;
  });
  if (failure !== undefined) return { pass: false, measured: 'breakers not independent', message: failure };
  return { pass: true, measured: 'A open, B closed and calling; again concurrently' };
};
