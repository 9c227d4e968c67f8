/**
 * Module 09's checks of the four strategies as distributions: for each attempt (and, for
 * decorrelated jitter, each previous delay) 2,000 seeded draws, whose range and mean must be the
 * formula's. Draws run under a virtual clock, so a Math.random is caught and named. Order of
 * judgement: a value that is no delay at all, then the cap, then each attempt's range, spread
 * and mean, so a message names the most basic thing wrong.
 */
import { VirtualClock, createRng, isHerdError, type DelayFn } from '@herd/harness/engine';
import type { CheckFn, Exports, Outcome } from '../../src/define.js';
import { strategy } from './policy.js';
import type { StrategyName } from './scenarios.js';

/** Draws per attempt. */
export const SAMPLES = 2000;
/** A mean passes within this many standard errors of the formula's: a correct strategy fails about once in 3 million cases. */
export const Z = 5;
/** Two settings: Brooker's (the cap binds from attempt 10) and one whose cap binds at attempt 5; a huge attempt for each. */
export const SETTINGS = [
  { baseMs: 5, capMs: 2000, attempts: [1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 40, 2000] },
  { baseMs: 100, capMs: 1000, attempts: [1, 2, 3, 4, 5, 6, 60] },
] as const;

/** What one case's draws must look like. */
interface Case {
  attempt: number;
  prev: number;
  lo: number;
  hi: number;
  mean: number;
  /** Width of the uncapped uniform, for the tolerance. */
  width: number;
  cap: number;
  base: number;
  /** The formula, for messages. */
  formula: string;
}

const f = (v: number): string => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(+v.toFixed(2))) : String(v));
const tolerance = (c: Case): number => (Z * c.width) / Math.sqrt(12 * SAMPLES) + 1e-9 * Math.max(1, c.hi);
/** Decorrelated jitter ignores the attempt: name its cases by the previous delay. */
const after = (c: Case): string =>
  !c.formula.includes('prevDelay') ? `after attempt ${c.attempt}` : c.prev === 0 ? 'after attempt 1 (prevDelay 0)' : `with prevDelay ${f(c.prev)}`;
const ceiling = (attempt: number, base: number, cap: number): number => Math.min(cap, base * 2 ** (attempt - 1));

/** The mean of min(cap, uniform(a, b)). */
function cappedMean(a: number, b: number, cap: number): number {
  if (b <= cap) return (a + b) / 2;
  const below = (cap - a) / (b - a);
  return below * ((a + cap) / 2) + (1 - below) * cap;
}

type Cases = (base: number, cap: number) => Case[];

const perAttempt =
  (lo: (c: number) => number, mean: (c: number) => number, width: (c: number) => number, formula: string) =>
  (attempts: readonly number[]): Cases =>
  (base, cap) =>
    attempts.map((attempt) => {
      const c = ceiling(attempt, base, cap);
      return { attempt, prev: 0, lo: lo(c), hi: c, mean: mean(c), width: width(c), cap, base, formula };
    });

const CASES: Record<Exclude<StrategyName, 'decorrelatedJitter'>, (attempts: readonly number[]) => Cases> = {
  exponential: perAttempt((c) => c, (c) => c, () => 0, 'min(cap, base x 2^(attempt - 1))'),
  fullJitter: perAttempt(() => 0, (c) => c / 2, (c) => c, 'uniform(0, min(cap, base x 2^(attempt - 1)))'),
  equalJitter: perAttempt((c) => c / 2, (c) => (3 * c) / 4, (c) => c / 2, 't/2 + uniform(0, t/2), t = min(cap, base x 2^(attempt - 1))'),
};

/** Decorrelated jitter depends on the previous delay, not the attempt: one case per prevDelay, 0 (the first retry) first. */
const decorrelatedCases: Cases = (base, cap) =>
  [0, base, 4 * base, cap / 3, cap / 2, cap].map((prev, i) => {
    const b = 3 * Math.max(base, prev);
    return {
      attempt: i === 0 ? 1 : i + 2,
      prev,
      lo: base,
      hi: Math.min(cap, b),
      mean: cappedMean(base, b, cap),
      width: b - base,
      cap,
      base,
      formula: 'min(cap, uniform(base, 3 x prevDelay)), prevDelay = base before the first retry',
    };
  });

/** Runs `fn` under a virtual clock: the guard turns a Math.random in learner code into GLOBAL_TIMER. */
async function guarded<T>(fn: () => T): Promise<T> {
  const clock = new VirtualClock();
  return clock.run(clock.sleep(0).then(fn));
}

interface Drawn {
  c: Case;
  values: number[];
}

function draw(delay: DelayFn, cases: readonly Case[], seed: number, label: string): Drawn[] {
  return cases.map((c) => {
    const rng = createRng(createRng(seed).fork(`${label}:${c.base}:${c.attempt}:${c.prev}`).seed);
    const values: number[] = [];
    for (let i = 0; i < SAMPLES; i++) values.push(delay(c.attempt, c.prev, rng));
    return { c, values };
  });
}

const first1 = (c: Case): string =>
  c.attempt === 1 && !c.formula.includes('prevDelay') ? ' (attempt counts from 1: after the first failure the ceiling is base x 2^0 = the base itself)' : '';

/** The first thing wrong with a strategy's draws, most basic first; undefined when all is as the formula says. */
function judge(name: string, drawn: readonly Drawn[], fix: string): string | undefined {
  for (const { c, values } of drawn) {
    const bad = values.find((v) => typeof v !== 'number' || Number.isNaN(v) || v < 0);
    if (bad !== undefined) {
      return `${name} returned ${typeof bad === 'number' ? f(bad) : `${typeof bad} ${String(bad)}`} ${after(c)}, want a number of ms >= 0: ${c.formula}`;
    }
  }
  for (const { c, values } of drawn) {
    const over = values.find((v) => v > c.cap * (1 + 1e-9));
    if (over !== undefined) return `${name} drew ${f(over)} ms ${after(c)}, above the cap of ${f(c.cap)} ms (base ${c.base}): ${fix}`;
  }
  for (const { c, values } of drawn) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    const mean = sum / values.length;
    const eps = 1e-9 * Math.max(1, c.hi);
    const want = c.lo === c.hi ? `${f(c.hi)} ms` : `[${f(c.lo)}, ${f(c.hi)}) ms`;
    const settings = `base ${c.base}, cap ${f(c.cap)}`;
    if (c.lo === c.hi) {
      const off = values.find((v) => Math.abs(v - c.hi) > eps);
      if (off !== undefined) return `${name} waited ${f(off)} ms ${after(c)}, want ${want} (${c.formula}; ${settings})${first1(c)}`;
      continue;
    }
    if (max > c.hi + eps || min < c.lo - eps) {
      const v = max > c.hi + eps ? max : min;
      const state = c.formula.includes('prevDelay') && v > c.hi + eps ? ': draws grow from prevDelay alone (it is passed in); state kept between calls grows them like this' : '';
      return `${name} drew ${f(v)} ms ${after(c)}, want ${want} (${c.formula}; ${settings})${first1(c)}${state}`;
    }
    // 2,000 uniform draws all miss the top or bottom 1% with probability 0.99^2000, about 2e-9.
    const reach = 0.01 * (c.hi - c.lo);
    if (max - min <= eps) {
      return `all ${SAMPLES.toLocaleString('en-US')} ${name} delays ${after(c)} were ${f(min)} ms: no jitter, so every client that failed together retries together; want draws spread over ${want} (${c.formula})`;
    }
    if (min > c.lo + reach || max < c.hi - reach) {
      return `${name} drew only [${f(min)}, ${f(max)}] ms over ${SAMPLES.toLocaleString('en-US')} draws ${after(c)}, want draws across ${want} (${c.formula}; ${settings})${first1(c)}`;
    }
    const tol = tolerance(c);
    if (Math.abs(mean - c.mean) > tol) {
      return `the mean of ${SAMPLES.toLocaleString('en-US')} ${name} delays ${after(c)} was ${f(mean)} ms, want ${f(c.mean)} ± ${f(tol)} (${Z} standard errors; ${c.formula}; ${settings})${first1(c)}${name === 'decorrelated jitter' ? `: ${fix}` : ''}`;
    }
  }
  return undefined;
}

/**
 * How far the draws are from the formula, for `pnpm verdicts`: the worst mean over all cases in
 * standard errors (bound Z); for exponential (no spread) the worst distance in ms (bound 0).
 */
function worstOff(drawn: readonly Drawn[]): { figure: number; bound: number } {
  let z = 0;
  let off = 0;
  let spread = false;
  for (const { c, values } of drawn) {
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    if (c.lo === c.hi) off = Math.max(off, ...values.map((v) => Math.abs(v - c.hi)));
    else {
      spread = true;
      z = Math.max(z, (Math.abs(mean - c.mean) / tolerance(c)) * Z);
    }
  }
  return spread ? { figure: z, bound: Z } : { figure: off, bound: 0 };
}

/** Attempts of one sequence in the stream check; each sequence feeds its delays back as prevDelay. */
const STREAM_ATTEMPTS = 12;

/**
 * Randomness from the injected stream: two rngs of one seed must give the same delays, two of
 * different seeds different ones. A strategy with a stream of its own (a module-level
 * createRng) passes every distribution and fails here.
 */
function streamProblem(exports: Exports, s: StrategyCheck, seed: number): string | undefined {
  const { baseMs, capMs } = SETTINGS[0];
  const sequence = (rngSeed: number): number[] => {
    const delay = strategy(exports, s.name, { baseMs, capMs });
    const rng = createRng(rngSeed);
    const out: number[] = [];
    let prev = 0;
    for (let attempt = 1; attempt <= STREAM_ATTEMPTS; attempt++) {
      prev = delay(attempt, prev, rng);
      out.push(prev);
    }
    return out;
  };
  const root = createRng(seed);
  const one = root.fork(`${s.name}:stream`).seed;
  const other = root.fork(`${s.name}:stream:other`).seed;
  const a = sequence(one);
  const again = sequence(one);
  const b = sequence(other);
  const k = a.findIndex((v, i) => !Object.is(v, again[i]));
  if (k >= 0) {
    return `${s.label} gave two rngs of one seed different delays (after attempt ${k + 1}: ${f(a[k]!)} ms, then ${f(again[k]!)} ms), want the same: it draws from a stream of its own, not the rng it is given, so no seed replays a run and every process of a build draws alike; draw every delay from the rng argument`;
  }
  if (a.every((v, i) => Object.is(v, b[i]))) {
    return `${s.label} gave two rngs of different seeds the same ${STREAM_ATTEMPTS} delays (${f(a[0]!)}, ${f(a[1]!)}, ${f(a[2]!)} ms...), want different ones: the draws do not come from the rng it is given, so clients with their own streams still retry together; draw every delay from the rng argument`;
  }
  return undefined;
}

interface StrategyCheck {
  name: StrategyName;
  label: string;
  cases: (attempts: readonly number[]) => Cases;
  /** What to do when the cap does not hold. */
  fix: string;
  measured: (drawn: readonly Drawn[]) => string;
}

const meanAt = (drawn: readonly Drawn[], attempt: number, base: number): string => {
  const d = drawn.find((x) => x.c.attempt === attempt && x.c.base === base);
  return d ? f(d.values.reduce((s, v) => s + v, 0) / d.values.length) : '-';
};

function strategyCheck(s: StrategyCheck): CheckFn {
  return async ({ seed, exports }): Promise<Outcome> => {
    let drawn: Drawn[] = [];
    let stream: string | undefined;
    try {
      await guarded(() => {
        for (const set of SETTINGS) {
          const delay = strategy(exports, s.name, { baseMs: set.baseMs, capMs: set.capMs });
          drawn = drawn.concat(draw(delay, s.cases(set.attempts)(set.baseMs, set.capMs), seed, s.name));
        }
        if (s.name !== 'exponential') stream = streamProblem(exports, s, seed);
      });
    } catch (error) {
      // Math.random in a strategy: fail the check, naming the file and line the guard found.
      if (isHerdError(error, 'GLOBAL_TIMER')) return { pass: false, measured: 'Math.random', message: `${error.message}; here deps.rng is the rng argument of the delay function: rng.between(lo, hi)` };
      throw error;
    }
    const measured = s.measured(drawn);
    const off = worstOff(drawn);
    const wrong = judge(s.label, drawn, s.fix) ?? stream;
    // A failure carries the figure only when the figure is what failed (a mean, or exponential's distance).
    const byFigure = wrong !== undefined && (wrong.startsWith('the mean of') || (off.bound === 0 && off.figure > 1e-9));
    if (wrong) return { pass: false, measured, message: wrong, ...(byFigure ? off : {}) };
    return { pass: true, measured, ...off };
  };
}

const cases = (s: Exclude<StrategyName, 'decorrelatedJitter'>) => CASES[s];

export const delayChecks: Record<StrategyName, CheckFn> = {
  exponential: strategyCheck({
    name: 'exponential',
    label: 'exponential',
    cases: cases('exponential'),
    fix: 'take Math.min(capMs, ...) of the whole delay',
    measured: (d) => `base 5: ${[1, 2, 3, 12].map((a) => meanAt(d, a, 5)).join(', ')} ms at attempts 1, 2, 3, 12`,
  }),
  fullJitter: strategyCheck({
    name: 'fullJitter',
    label: 'full jitter',
    cases: cases('fullJitter'),
    fix: 'cap the ceiling first, then draw below it: rng.between(0, Math.min(capMs, baseMs * 2 ** (attempt - 1)))',
    measured: (d) => `mean ${meanAt(d, 1, 5)} / ${meanAt(d, 3, 5)} / ${meanAt(d, 12, 5)} ms at attempts 1, 3, 12 (want 2.5 / 10 / 1,000), ${SAMPLES.toLocaleString('en-US')} draws each`,
  }),
  equalJitter: strategyCheck({
    name: 'equalJitter',
    label: 'equal jitter',
    cases: cases('equalJitter'),
    fix: 'cap first, t = Math.min(capMs, baseMs * 2 ** (attempt - 1)), then draw both halves from t',
    measured: (d) => `mean ${meanAt(d, 1, 5)} / ${meanAt(d, 3, 5)} / ${meanAt(d, 12, 5)} ms at attempts 1, 3, 12 (want 3.75 / 15 / 1,500), ${SAMPLES.toLocaleString('en-US')} draws each`,
  }),
  decorrelatedJitter: async (ctx) =>
    strategyCheck({
      name: 'decorrelatedJitter',
      label: 'decorrelated jitter',
      cases: () => decorrelatedCases,
      fix: 'cap the draw, not its bounds: Math.min(capMs, rng.between(baseMs, prev * 3))',
      measured: (d) => {
        const at = (prev: number): string => f(d.filter((x) => x.c.base === 5 && x.c.prev === prev).flatMap((x) => x.values).reduce((s, v) => s + v, 0) / SAMPLES);
        return `mean ${at(0)} / ${at(2000)} ms at prevDelay 0 / 2,000 (want 10 / ${f(cappedMean(5, 6000, 2000))}), ${SAMPLES.toLocaleString('en-US')} draws each`;
      },
    })(ctx),
};

/** For the README and the tables: the formulas and the tolerance, from the same constants. */
export const TOLERANCE_NOTE = `mean within ${Z} standard errors of ${SAMPLES.toLocaleString('en-US')} draws per attempt`;

export type { Exports };
