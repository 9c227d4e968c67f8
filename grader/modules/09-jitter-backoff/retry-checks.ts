/**
 * Module 09's checks of retry(): a server the check plays answers a script (503s, timeouts,
 * 429s with Retry-After, a 404, a success) and logs every call it receives with its start and
 * end on the virtual clock. Attempts, gaps and the give-up time are read from that log, never
 * from what retry() says about itself. The backoff is the check's own logged delay function, so
 * every gap has one right answer.
 */
import { VirtualClock, createRng, type Rng } from '@herd/harness/engine';
import { ms, n, settleAll } from '../../src/check-kit.js';
import type { CheckFn, Exports, Outcome } from '../../src/define.js';
import type { RetryFn } from './policy.js';

/** What the server answers on one call: after `ms`, an error (status, Retry-After) or a value. */
interface Step {
  ms: number;
  status?: number | 'network';
  retryAfterMs?: number;
}

/** What the server throws: an Error with an HTTP-like status (none for a network failure) and Retry-After. */
export class ServerError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
    readonly call: number,
  ) {
    super(status === undefined ? `call ${call}: connection reset` : `call ${call}: ${status}${retryAfterMs === undefined ? '' : ` (Retry-After ${retryAfterMs} ms)`}`);
    this.name = 'ServerError';
  }
}

interface Call {
  start: number;
  end: number;
  attemptArg: unknown;
  error?: ServerError;
  value?: { call: number };
}

/** Plays `script` (the last step repeats); every call is logged, its times from `t0()` (the call to retry()). */
function server(clock: VirtualClock, script: readonly Step[], t0: () => number) {
  const log: Call[] = [];
  const op = async (attempt: number): Promise<{ call: number }> => {
    const n = log.length + 1;
    const step = script[Math.min(n, script.length) - 1]!;
    const entry: Call = { start: clock.now() - t0(), end: NaN, attemptArg: attempt };
    log.push(entry);
    await clock.sleep(step.ms);
    entry.end = clock.now() - t0();
    if (step.status === undefined) {
      entry.value = { call: n };
      return entry.value;
    }
    entry.error = new ServerError(step.status === 'network' ? undefined : step.status, step.retryAfterMs, n);
    throw entry.error;
  };
  return { op, log };
}

/** A delay function that logs how retry() calls it and returns `ms(attempt)`. */
function loggedDelay(ms: (attempt: number) => number) {
  const calls: Array<{ attempt: unknown; prev: unknown; rng: unknown; returned: number }> = [];
  const delay = (attempt: number, prev: number, rng: Rng): number => {
    const returned = ms(attempt);
    calls.push({ attempt, prev, rng, returned });
    return returned;
  };
  return { delay, calls };
}

interface Round {
  script: readonly Step[];
  maxAttempts: number;
  budgetMs: number;
  delay: (attempt: number) => number;
  label: string;
  /** retry() is called this long after the clock starts (0: at once); every time logged is from the call. */
  startAt?: number;
}

async function play(exports: Exports, round: Round, seed: number) {
  const clock = new VirtualClock();
  const rng = createRng(createRng(seed).fork('retry').seed);
  let calledAt = 0;
  const { op, log } = server(clock, round.script, () => calledAt);
  const { delay, calls } = loggedDelay(round.delay);
  const retry = exports.retry as RetryFn;
  const call = () => {
    calledAt = clock.now();
    return retry(op, { clock, rng, delay, maxAttempts: round.maxAttempts, budgetMs: round.budgetMs });
  };
  const promise = round.startAt ? clock.sleep(round.startAt).then(call) : Promise.resolve().then(call);
  const [out] = await settleAll(clock, [{ label: `retry() (${round.label})`, promise }], 600_000);
  return { out: { ...out!, at: out!.at - calledAt }, log, calls, rng };
}
type Played = Awaited<ReturnType<typeof play>>;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const what = (e: unknown): string => (e instanceof ServerError ? `the ${e.status ?? 'network'} error of call ${e.call}` : e instanceof Error ? `${e.name}: ${e.message}` : String(e));
const gap = (log: readonly Call[], k: number): number => log[k]!.start - log[k - 1]!.end;
const EPS = 1e-6;

/** The error a round should end with: the last call's, the same object. */
function lastError(out: { ok: boolean; error: unknown; value: unknown }, log: readonly Call[], context: string): string | undefined {
  const want = log[log.length - 1]?.error;
  if (out.ok) return `${context}: retry() resolved with ${JSON.stringify(out.value)} though every call failed, want it to throw ${what(want)}`;
  if (out.error !== want) return `${context}: retry() threw ${what(out.error)}, want the last attempt's error (${what(want)}), the same object, so the caller sees why it finally failed`;
  return undefined;
}

export const retryChecks: Record<'gives up' | '4xx' | 'retry-after' | 'budget', CheckFn> = {
  async 'gives up'({ seed, exports }): Promise<Outcome> {
    const max = 4;
    const a = await play(exports, { script: [{ ms: 10, status: 503 }], maxAttempts: max, budgetMs: 60_000, delay: (n) => 50 + 10 * n, label: 'always 503' }, seed);
    const calls = a.log.length;
    const measured = `${plural(calls, 'attempt')} against an op that always fails (maxAttempts ${max})`;
    // The figure is the server's count of calls, when that is what is wrong; other failures carry none.
    const fail = (message: string, counted = false): Outcome => ({ pass: false, measured, message, ...(counted ? { figure: calls, bound: max } : {}) });
    if (calls !== max) {
      return fail(`retry() made ${plural(calls, 'attempt')} (counted by the server) against an op that always answers 503, want maxAttempts = ${max}${calls === max + 1 ? ': off by one, maxAttempts counts the first attempt too' : ''}`, true);
    }
    const firstArg = a.log[0]!.attemptArg;
    if (a.log.some((c, i) => c.attemptArg !== i + 1)) {
      return fail(`retry() called op with attempt ${String(a.log.find((c, i) => c.attemptArg !== i + 1)!.attemptArg)} on call ${a.log.findIndex((c, i) => c.attemptArg !== i + 1) + 1}${firstArg === 0 ? ' (counting from 0)' : ''}, want 1, 2, 3, 4: the first attempt is attempt 1`);
    }
    const wrong = lastError(a.out, a.log, 'after 4 failed attempts');
    if (wrong) return fail(wrong);
    if (a.calls.length === 0) {
      return fail(`options.delay was never called: attempt 2 started ${ms(gap(a.log, 1))} after attempt 1 failed; between attempts wait options.delay(attempt, prevDelay, rng) ms on options.clock`);
    }
    let prev = 0;
    for (const [i, c] of a.calls.entries()) {
      if (c.attempt !== i + 1) return fail(`options.delay was called with attempt ${String(c.attempt)} after attempt ${i + 1} failed, want ${i + 1} (the attempt that just failed, counted from 1)`);
      if (c.prev !== prev) return fail(`options.delay(${i + 1}, prevDelay, rng) got prevDelay ${String(c.prev)}, want ${prev} (the delay it returned last time; 0 before the first retry)`);
      if (c.rng !== a.rng) return fail(`options.delay got ${typeof c.rng === 'object' ? 'another object' : String(c.rng)} as its rng, want options.rng, so a seed replays every delay`);
      prev = c.returned;
    }
    if (a.calls.length !== max - 1) return fail(`options.delay was called ${a.calls.length} times for ${max} attempts, want ${max - 1}: once before each retry, never after the last attempt`);
    for (let k = 1; k < max; k++) {
      const want = a.calls[k - 1]!.returned;
      const g = gap(a.log, k);
      if (g < want - EPS || g > want + TIMER_SLACK) {
        return fail(`attempt ${k + 1} started ${ms(g)} after attempt ${k} failed, want the ${want} ms options.delay returned: await options.clock.sleep(delay) between attempts`);
      }
    }
    const late = a.out.at - a.log[max - 1]!.end;
    if (late > EPS) return fail(`retry() gave up ${ms(late)} after the last attempt failed, want at once: no sleep after attempt maxAttempts`);

    const b = await play(
      exports,
      { script: [{ ms: 10, status: 503 }, { ms: 10, status: 503 }, { ms: 10 }], maxAttempts: max, budgetMs: 60_000, delay: () => 40, label: 'ok on the third call' },
      seed,
    );
    if (!b.out.ok || (b.out.value as { call?: number } | undefined)?.call !== 3 || b.log.length !== 3) {
      return fail(`with an op that fails twice and then succeeds, retry() ${b.out.ok ? `resolved with ${JSON.stringify(b.out.value)}` : `threw ${what(b.out.error)}`} after ${plural(b.log.length, 'call')}, want call 3's value after 3 calls`);
    }
    const c = await play(exports, { script: [{ ms: 10, status: 503 }], maxAttempts: 1, budgetMs: 60_000, delay: () => 40, label: 'maxAttempts 1' }, seed);
    if (c.log.length !== 1) return fail(`with maxAttempts 1, retry() made ${plural(c.log.length, 'attempt')}, want 1: maxAttempts counts the first attempt`);
    const one = lastError(c.out, c.log, 'with maxAttempts 1');
    if (one) return fail(one);
    return { pass: true, measured: `4 attempts, gaps ${[1, 2, 3].map((k) => gap(a.log, k)).join('/')} ms as delay said, last error thrown; ok on call 3`, figure: calls, bound: max };
  },

  async '4xx'({ seed, exports }): Promise<Outcome> {
    // 503, a reset connection, 429 and 408 are worth another try; the 404 is not.
    const script: Step[] = [
      { ms: 10, status: 503 },
      { ms: 10, status: 'network' },
      { ms: 10, status: 429 },
      { ms: 10, status: 408 },
      { ms: 10, status: 404 },
    ];
    const a = await play(exports, { script, maxAttempts: 8, budgetMs: 60_000, delay: () => 20, label: '503, reset, 429, 408, 404' }, seed);
    const n = a.log.length;
    const measured = `${plural(n, 'attempt')} for 503, reset, 429, 408, 404 (maxAttempts 8)`;
    const fail = (message: string, counted = false): Outcome => ({ pass: false, measured, message, ...(counted ? { figure: n, bound: 5 } : {}) });
    if (n < 5) {
      const last = a.log[n - 1]?.error;
      return fail(`retry() gave up after ${what(last)}, want a retry: no status (the network), 5xx, 408 and 429 can succeed later; only other 4xx fail the same way every time`, true);
    }
    if (n > 5) return fail(`the server answered 404 on call 5 and retry() tried ${plural(n - 5, 'more time')}, want it to throw the 404 at once: a 4xx other than 408 and 429 fails the same way every time`, true);
    const wrong = lastError(a.out, a.log, 'after the 404');
    if (wrong) return fail(wrong);
    if (a.out.at - a.log[4]!.end > EPS) return fail(`retry() threw the 404 ${ms(a.out.at - a.log[4]!.end)} after it came, want at once: no backoff before a give-up`);
    const b = await play(exports, { script: [{ ms: 10, status: 400 }], maxAttempts: 8, budgetMs: 60_000, delay: () => 20, label: '400' }, seed);
    if (b.log.length !== 1) return fail(`the server answered 400 on call 1 and retry() made ${plural(b.log.length, 'attempt')}, want 1: a 4xx other than 408 and 429 is thrown at once`);
    const first = lastError(b.out, b.log, 'after a 400');
    if (first) return fail(first);
    return { pass: true, measured: '5 attempts for 503, reset, 429, 408, then 404 thrown at once; 400: 1 attempt', figure: n, bound: 5 };
  },

  async 'retry-after'({ seed, exports }): Promise<Outcome> {
    // Retry-After longer than the backoff, then shorter: wait the longer of the two each time.
    const script: Step[] = [
      { ms: 10, status: 503, retryAfterMs: 400 },
      { ms: 10, status: 429, retryAfterMs: 250 },
      { ms: 10, status: 503, retryAfterMs: 20 },
      { ms: 10 },
    ];
    const backoff = (n: number): number => (n === 3 ? 200 : 50);
    const a = await play(exports, { script, maxAttempts: 6, budgetMs: 60_000, delay: backoff, label: 'Retry-After 400, 250, 20' }, seed);
    const gaps = a.log.slice(1).map((_, i) => gap(a.log, i + 1));
    const longer = (k: number): number => Math.max(script[k - 1]!.retryAfterMs!, backoff(k));
    // How far the furthest gap is from the longer of the two, ms: the figure held against TIMER_SLACK.
    const off = Math.max(0, ...gaps.slice(0, 3).map((g, i) => Math.abs(g - longer(i + 1))));
    const measured = `gaps ${gaps.map((g) => Math.round(g)).join('/')} ms after Retry-After 400/250/20 (backoff 50/50/200)`;
    const fail = (message: string, gapped = false): Outcome => ({ pass: false, measured, message, ...(gapped ? { figure: off, bound: TIMER_SLACK } : {}) });
    const lastCall = a.log[a.log.length - 1]!;
    if (a.log.length < 4 && !a.out.ok && lastCall.error?.retryAfterMs !== undefined && a.out.at - lastCall.end <= EPS) {
      const k = a.log.length;
      return fail(
        `retry() threw the ${lastCall.error.status} of call ${k} (Retry-After ${lastCall.error.retryAfterMs} ms) at once, with most of its 60,000 ms budget left, want a retry ${longer(k)} ms later and call 4's value: ${
          lastCall.error.status === 429 ? "a 429 means 'later': retry it once the Retry-After has passed" : 'a 503 with Retry-After is worth a retry, and retryAfterMs is in ms already (a wait that looked past the budget?)'
        }`,
      );
    }
    if (a.log.length !== 4 || !a.out.ok) {
      return fail(`retry() made ${plural(a.log.length, 'attempt')} and ${a.out.ok ? 'resolved' : `threw ${what(a.out.error)}`}, want 4 attempts and call 4's value: a 503 or 429 with Retry-After is worth a retry`);
    }
    for (let k = 1; k <= 3; k++) {
      const ra = script[k - 1]!.retryAfterMs!;
      const d = backoff(k);
      const g = gaps[k - 1]!;
      const status = script[k - 1]!.status;
      if (g < ra - EPS) {
        return fail(`attempt ${k + 1} started ${ms(g)} after a ${status} with Retry-After ${ra} ms, want at least ${ra}: the server said when it can take the call; wait Math.max(backoff, error.retryAfterMs)`, true);
      }
      if (g < d - EPS) {
        return fail(`attempt ${k + 1} started ${ms(g)} after a ${status} with Retry-After ${ra} ms where the backoff said ${d} ms, want the longer of the two: every client got the same Retry-After, and only the backoff's jitter spreads them`, true);
      }
      if (g > longer(k) + TIMER_SLACK) {
        return fail(
          `attempt ${k + 1} started ${ms(g)} after a ${status} with Retry-After ${ra} ms and a backoff of ${d} ms, want the longer of the two, ${longer(k)} ms${Math.abs(g - ra - d) <= TIMER_SLACK ? ', not their sum' : ''}: wait Math.max(backoff, error.retryAfterMs); more keeps the caller waiting longer than either asked`,
          true,
        );
      }
    }
    return { pass: true, measured, figure: off, bound: TIMER_SLACK };
  },

  async budget({ seed, exports }): Promise<Outcome> {
    const results: Array<{ round: BudgetRound; p: Played }> = [];
    for (const round of BUDGET_ROUNDS) {
      const p = await play(exports, { script: round.script, maxAttempts: 50, budgetMs: round.budgetMs, delay: () => round.delayMs, label: round.label, ...(round.startAt ? { startAt: round.startAt } : {}) }, seed);
      results.push({ round, p });
    }
    // The latest start of an attempt past its round's budget, ms (<= 0 within it).
    const past = Math.max(...results.map(({ round, p }) => Math.max(...p.log.map((c) => c.start)) - round.budgetMs));
    const a = results[0]!.p;
    const measured = `${plural(a.log.length, 'attempt')}, gave up at ${n(Math.round(a.out.at))} ms (budget ${n(BUDGET_ROUNDS[0]!.budgetMs)} ms); attempt at exactly the budget made`;
    for (const { round, p } of results) {
      const wrong = judgeBudget(round, p);
      if (wrong) return { pass: false, measured, message: wrong, ...(past > EPS ? { figure: past, bound: 0 } : {}) };
    }
    return { pass: true, measured: `${measured}; Retry-After past the budget: thrown at once`, figure: past, bound: 0 };
  },
};

/**
 * Ms a gap may run past the wait it should be: a library's 0 ms timer fires after 1 ms, as in
 * Node (exponential-backoff's own delay, set to 0, adds that to every wait it runs).
 */
const TIMER_SLACK = 1;

/** One situation for the time budget: attempts of `script`, `delayMs` of backoff between them. */
interface BudgetRound {
  label: string;
  script: readonly Step[];
  budgetMs: number;
  delayMs: number;
  startAt?: number;
  /** Why, for a message about this round. */
  hint: string;
}

/**
 * The budget's rounds, each judged from the server's log: no attempt starts more than budgetMs
 * after the call to retry(), an attempt that could start within it (at exactly budgetMs too) is
 * made, and one that could not is given up on at once, before any sleep.
 */
const BUDGET_ROUNDS: readonly BudgetRound[] = [
  // Attempts at 0, 400 and 800 ms fit; the next one, at 1,200, would not.
  { label: 'budget 1 s', script: [{ ms: 100, status: 503 }], budgetMs: 1000, delayMs: 300, hint: '' },
  {
    label: 'Retry-After past the budget',
    script: [{ ms: 100, status: 503, retryAfterMs: 5000 }],
    budgetMs: 1000,
    delayMs: 300,
    hint: ': the next attempt could only start past the budget, so waiting cannot help',
  },
  {
    // The first attempt hangs 600 ms: it counts. Called at t=2 s, so a deadline of budgetMs alone is wrong too.
    label: 'slow first attempt, retry() called at t=2 s',
    script: [{ ms: 600, status: 503 }, { ms: 100, status: 503 }],
    budgetMs: 1000,
    delayMs: 300,
    startAt: 2000,
    hint: ': the budget counts from the call to retry(), the first attempt\'s 600 ms included: deadline = clock.now() + budgetMs when retry() is called (here at t=2 s on the clock)',
  },
  // Attempts at 0, 400 and 800 ms: the third starts at exactly the budget, which allows it.
  {
    label: 'an attempt due at exactly the budget',
    script: [{ ms: 100, status: 503 }],
    budgetMs: 800,
    delayMs: 300,
    hint: ': an attempt may start at exactly budgetMs; give up only when it would start more than budgetMs after the call (clock.now() + wait > deadline)',
  },
  // Attempts at 0 and 400 ms; the third would start at 800, 1 ms past the budget.
  {
    label: 'an attempt due 1 ms past the budget',
    script: [{ ms: 100, status: 503 }],
    budgetMs: 799,
    delayMs: 300,
    hint: ': an attempt 1 ms past the budget is past it',
  },
];

function judgeBudget(round: BudgetRound, p: Played): string | undefined {
  const { log, out } = p;
  const budget = n(round.budgetMs);
  const late = log.findIndex((c) => c.start > round.budgetMs + EPS);
  if (late >= 0) {
    const c = log[late]!;
    if (round === BUDGET_ROUNDS[0]) {
      return `retry() kept going for ${n(Math.round(out.at))} ms (${plural(log.length, 'attempt')}, the last starting at ${n(Math.round(log[log.length - 1]!.start))} ms), want no attempt after the ${budget} ms budget: before each wait, give up if clock.now() + wait is past the start + budgetMs`;
    }
    const before = log[late - 1]!;
    const e = before.error;
    const cause = e?.retryAfterMs !== undefined ? ` (after a ${e.status ?? 'network error'} with Retry-After ${n(e.retryAfterMs)} ms)` : '';
    return `${round.label}: attempt ${late + 1} started ${n(Math.round(c.start))} ms after the call to retry()${cause}, past the ${budget} ms budget, want attempt ${late}'s error thrown at once (at ${n(Math.round(before.end))} ms)${round.hint}`;
  }
  const last = log[log.length - 1]!;
  const k = log.length;
  const e = last.error;
  if (e !== undefined && k < 50) {
    const wait = Math.max(round.delayMs, e.retryAfterMs ?? 0);
    const next = last.end + wait;
    if (next <= round.budgetMs + EPS) {
      return `${round.label}: retry() gave up at ${n(Math.round(out.at))} ms after ${plural(k, 'attempt')}, though attempt ${k + 1} could start at ${n(Math.round(next))} ms, within the ${budget} ms budget${round.hint || ': retry while the next attempt can start within budgetMs of the call'}`;
    }
    if (out.at > last.end + EPS) {
      if (round === BUDGET_ROUNDS[0]) {
        return `retry() gave up at ${n(Math.round(out.at))} ms, ${ms(out.at - last.end)} after its last attempt failed and past the ${budget} ms budget: it slept although no attempt could follow; give up before the wait, not after it`;
      }
      return `${round.label}: retry() gave up at ${n(Math.round(out.at))} ms, ${ms(out.at - last.end)} after attempt ${k} failed, want the error thrown at once (at ${n(Math.round(last.end))} ms): attempt ${k + 1} could only start at ${n(Math.round(next))} ms, past the ${budget} ms budget; give up before the wait, not after it`;
    }
  }
  return lastError(out, log, round.label);
}
