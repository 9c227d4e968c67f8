/**
 * How module 08's exports become a run: the grader's cutover around the learner's warmTier and
 * cutoverGate. Live reads go to the old tier (warm) until the cutover and to the new tier after
 * it, cache-aside, one retry at the origin; a read's tier is the one live at its start. At
 * START_MS the warmer gets a sample of the access log and the gate a view of the new tier and of
 * the latest live keys; the cutover is the moment the gate resolves (or a fixed time, for the
 * cold cutover the checks compare with). Everything the checks read is measured here, from the
 * grader's side: the origin's own log, the tiers' contents, the live reads.
 */
import { createRng, keyPicker, runScenario, type AppDeps, type Origin, type OriginValue, type Rng, type RunResult, type ScenarioSpec, type SlowOrigin } from '@herd/harness/engine';
import { assertAnswers } from '../../src/cache/audit.js';
import type { Exports } from '../../src/define.js';
import { GraderTier } from './tiers.js';
import { KEYS, OLD_TTL_MS, RETRY_AFTER_MS, REWARM_AT_MS, STALE_SHIFT, START_MS, TTL_MS, WARM } from './scenarios.js';

export interface Tier {
  get(key: string): Promise<OriginValue | null>;
  set(key: string, value: OriginValue, ttlMs: number): Promise<void>;
}
export interface WarmDeps {
  accessLog: readonly string[];
  origin: Origin;
  tier: Tier;
  ttlMs: number;
  originCapacity: number;
  warmShare: number;
}
export interface GateDeps {
  clock: AppDeps['clock'];
  tier: Pick<Tier, 'get'>;
  shadowSample(): readonly string[];
  threshold: number;
  checkEveryMs: number;
}

/** The origin instance name warming queries are logged under. */
export const WARMER = 'warmer';

export interface CutoverPlan {
  /** Run the learner's warmTier at START_MS (and again at rewarmAtMs when set). */
  warm: boolean;
  /** 'gate': cut over when the learner's cutoverGate resolves; a number: at that time; or never. */
  cutover: 'gate' | number | 'never';
  /** The access log: today's, or yesterday's with the hot set moved (STALE_SHIFT). Default fresh. */
  log?: 'fresh' | 'stale';
  /** Warm again from today's log at this time (the operator's second run). */
  rewarmAtMs?: number;
  /**
   * Warm again the moment the first warmTier resolves, from this log (yesterday's, when the first
   * was today's): two calls back to back, which must share nothing.
   */
  thenWarm?: 'stale';
  warmShare?: number;
  threshold?: number;
  checkEveryMs?: number;
  /** Fails warming queries n for which this says so (1-based, in the warmer's order). */
  failWarm?: (n: number) => boolean;
}

export interface LiveMiss {
  start: number;
  latency: number;
  ok: boolean;
  onNew: boolean;
}

export interface CutoverRun {
  spec: ScenarioSpec;
  plan: CutoverPlan;
  result: RunResult;
  origin: SlowOrigin;
  /** When live traffic moved to the new tier, ms; undefined when it never did. */
  cutAt?: number;
  /** The new tier's hit rate on the last shadow sample the gate was handed, at the instant it opened. */
  rateAtOpen?: number;
  /** Shadow samples handed to the gate, and when. */
  samples: number[];
  /** The gate's reads of the new tier. */
  shadowGets: number;
  /** The grader's own look every POLL_MS: the new tier's hit rate on the latest live keys. */
  polls: Array<{ t: number; rate: number }>;
  /** Each warmTier call: when it started and settled, and what it rejected with. */
  warms: WarmCall[];
  gateError?: unknown;
  /** Which cutoverGate call of this process the run's was. */
  gateNth?: number;
  /** When the gate resolved (also when the plan cut over at a fixed time). */
  gateOpenedAt?: number;
  liveMisses: LiveMiss[];
  /** Live reads served by the new tier: hits and misses per second after the cutover. */
  newTier: { hits: number[]; misses: number[] };
  neu: GraderTier;
  /** The keys of the access log in the first warm, distinct. */
  logKeys: Map<string, number>;
  failedWarmQueries: number;
}

export const POLL_MS = 100;

export interface WarmCall {
  start: number;
  end?: number;
  error?: unknown;
  log: readonly string[];
  /** The origin instance its queries are logged under: WARMER, then WARMER:2, ... */
  instance: string;
  /** Which warmTier call of this process it was (1 = the first): state kept between calls shows on later ones. */
  nth: number;
  /** Fetched keys (an answered query of this call) the new tier did not hold the instant warmTier resolved. */
  unstored?: { count: number; first?: string };
}

/** warmTier and cutoverGate calls per set of exports, in this process. */
const callsSoFar = new WeakMap<Exports, { warms: number; gates: number }>();
function nextCall(exports: Exports, which: 'warms' | 'gates'): number {
  const c = callsSoFar.get(exports) ?? { warms: 0, gates: 0 };
  callsSoFar.set(exports, c);
  return ++c[which];
}

/** The access-log sample: today's reads, or yesterday's, when every key's rank was STALE_SHIFT lower. */
export function accessLog(seed: number, stale = false, tag = 'access-log'): string[] {
  const pick = keyPicker({ kind: 'zipf', ...KEYS });
  // A stream of its own: the log never shifts the live load's numbers.
  const rng = createRng(seed).fork(tag);
  const out: string[] = [];
  for (let i = 0; i < WARM.logSize; i++) {
    const key = pick(rng);
    if (!stale) out.push(key);
    else out.push(`${KEYS.prefix}${(Number(key.slice(KEYS.prefix.length)) + STALE_SHIFT) % KEYS.count}`);
  }
  return out;
}


type RunState = Omit<CutoverRun, 'result' | 'origin' | 'spec' | 'plan'>;
type WarmFn = (deps: WarmDeps) => Promise<void>;
type GateFn = (deps: GateDeps) => Promise<void>;

export async function runCutover(exports: Exports, spec: ScenarioSpec, plan: CutoverPlan): Promise<CutoverRun> {
  const warmTier = exports.warmTier as WarmFn;
  const cutoverGate = exports.cutoverGate as GateFn;
  const firstLog = accessLog(spec.seed, plan.log === 'stale');
  const logKeys = new Map<string, number>();
  for (const k of firstLog) logKeys.set(k, (logKeys.get(k) ?? 0) + 1);
  let run: RunState | undefined;
  let old: GraderTier | undefined;
  // The latest live keys, a ring.
  const ring: string[] = new Array<string>(WARM.sampleSize);
  let ringN = 0;
  const latest = (): string[] => {
    const n = Math.min(ringN, ring.length);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = ring[(ringN - n + i) % ring.length]!;
    return out;
  };
  let lastSample: string[] | undefined;
  let origin: SlowOrigin | undefined;
  const capacity = spec.origin.capacity ?? Infinity;

  const setup = (base: AppDeps, fleet: { clock: AppDeps['clock']; rng: Rng; origin: SlowOrigin }) => {
    if (run !== undefined) return;
    const { clock } = fleet;
    origin = fleet.origin;
    const neu = new GraderTier(clock);
    old = GraderTier.warmed(clock, fleet.rng.fork('old-tier'), Array.from({ length: KEYS.count }, (_, i) => `${KEYS.prefix}${i}`), OLD_TTL_MS);
    const r: RunState = {
      samples: [],
      shadowGets: 0,
      polls: [],
      warms: [],
      liveMisses: [],
      newTier: { hits: [], misses: [] },
      neu,
      logKeys,
      failedWarmQueries: 0,
    };
    run = r;
    const rate = (keys: readonly string[]): number => (keys.length === 0 ? 0 : keys.filter((k) => neu.has(k)).length / keys.length);
    const cut = (): void => {
      if (r.cutAt !== undefined) return;
      r.cutAt = clock.now();
      r.gateOpenedAt = r.cutAt;
      r.rateAtOpen = lastSample === undefined ? undefined : rate(lastSample);
    };
    // Each warm's origin: a name of its own in the origin's log, failures where the plan says.
    let warmQueries = 0;
    const warmOriginFor = (instance: string): Origin => {
      const inner = fleet.origin.forInstance(instance);
      return Object.freeze({
        fetch(key: string) {
          warmQueries++;
          if (plan.failWarm?.(warmQueries)) {
            r.failedWarmQueries++;
            fleet.origin.failNext(1);
          }
          return inner.fetch(key);
        },
      });
    };
    const tierForWarm: Tier = Object.freeze({ get: (k: string) => neu.get(k), set: (k: string, v: OriginValue, ttl: number) => neu.set(k, v, ttl) });
    // What the call fetched and the new tier does not hold yet, the instant it resolves.
    const unstored = (instance: string): { count: number; first?: string } => {
      const now = clock.now();
      let count = 0;
      let first: string | undefined;
      for (const q of fleet.origin.log) {
        if (q.instance !== instance || q.outcome !== 'ok' || q.durationMs < 0 || q.t + q.durationMs > now || neu.has(q.key)) continue;
        count++;
        first ??= q.key;
      }
      return { count, first };
    };
    const warm = (log: readonly string[], then?: () => void): void => {
      const instance = r.warms.length === 0 ? WARMER : `${WARMER}:${r.warms.length + 1}`;
      const entry: WarmCall = { start: clock.now(), log, instance, nth: nextCall(exports, 'warms') };
      r.warms.push(entry);
      const deps: WarmDeps = Object.freeze({
        accessLog: Object.freeze([...log]),
        origin: warmOriginFor(instance),
        tier: tierForWarm,
        ttlMs: TTL_MS,
        originCapacity: capacity,
        warmShare: plan.warmShare ?? WARM.warmShare,
      });
      let p: Promise<void>;
      try {
        p = Promise.resolve(warmTier(deps));
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        () => {
          entry.end = clock.now();
          entry.unstored = unstored(instance);
          then?.();
        },
        (e: unknown) => {
          entry.end = clock.now();
          entry.error = e;
        },
      );
    };
    const gate = (): void => {
      r.gateNth = nextCall(exports, 'gates');
      const deps: GateDeps = Object.freeze({
        clock,
        tier: Object.freeze({
          get: (k: string) => {
            r.shadowGets++;
            return neu.get(k);
          },
        }),
        shadowSample: () => {
          r.samples.push(clock.now());
          lastSample = latest();
          return Object.freeze([...lastSample]);
        },
        threshold: plan.threshold ?? WARM.threshold,
        checkEveryMs: plan.checkEveryMs ?? WARM.checkEveryMs,
      });
      let p: Promise<void>;
      try {
        p = Promise.resolve(cutoverGate(deps));
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(cut, (e: unknown) => void (r.gateError = e));
    };
    void clock.sleep(START_MS).then(() => {
      if (plan.warm) warm(firstLog, plan.thenWarm === undefined ? undefined : () => warm(accessLog(spec.seed, true)));
      if (plan.cutover === 'gate') gate();
    });
    if (plan.warm && plan.rewarmAtMs !== undefined) void clock.sleep(plan.rewarmAtMs).then(() => warm(accessLog(spec.seed, false, 'access-log-today')));
    if (typeof plan.cutover === 'number') void clock.sleep(plan.cutover).then(cut);
    const poll = (): void => {
      if (clock.now() > spec.durationMs) return;
      r.polls.push({ t: clock.now(), rate: rate(latest()) });
      void clock.sleep(POLL_MS).then(poll);
    };
    void clock.sleep(START_MS).then(poll);
    void base;
  };

  const factory = (deps: AppDeps & { cutover: true }) => {
    const { clock, origin: o } = deps;
    const fetch = async (key: string): Promise<OriginValue | null> => {
      try {
        return await o.fetch(key);
      } catch {
        await clock.sleep(RETRY_AFTER_MS);
        return o.fetch(key);
      }
    };
    return {
      async get(key: string): Promise<OriginValue | null> {
        const r = run!;
        ring[ringN % ring.length] = key;
        ringN++;
        const start = clock.now();
        const onNew = r.cutAt !== undefined;
        const tier = onNew ? r.neu : old!;
        const cached = tier.read(key);
        const second = onNew ? Math.floor((start - r.cutAt!) / 1000) : -1;
        if (cached !== null) {
          if (onNew) r.newTier.hits[second] = (r.newTier.hits[second] ?? 0) + 1;
          return cached;
        }
        if (onNew) r.newTier.misses[second] = (r.newTier.misses[second] ?? 0) + 1;
        try {
          const value = await fetch(key);
          if (value !== null) await tier.set(key, value, onNew ? TTL_MS : OLD_TTL_MS);
          r.liveMisses.push({ start, latency: clock.now() - start, ok: true, onNew });
          return value;
        } catch (e) {
          r.liveMisses.push({ start, latency: clock.now() - start, ok: false, onNew });
          throw e;
        }
      },
    };
  };

  const result = await runScenario(spec, factory, {
    extend: (base, fleet) => {
      setup(base, fleet);
      return { ...base, cutover: true as const };
    },
  });
  // Every answer, faults included, is the key's own value, no older than the TTL.
  assertAnswers(result.served, spec, TTL_MS + 50);
  return { ...run!, spec, plan, result, origin: origin! };
}
