/**
 * What a module is, for the grader: one definition per module, in grader/modules/NN-name/. Its
 * files and exports, tiered hints, checks (each with its target, the number it compares against
 * and the reason a starter must fail, next to the code that measures it), how its app is built,
 * its headline table and its demo. The course list (grader/modules/course.ts) orders them.
 */
import type { AppDeps, AppFactory, FleetContext, ScenarioSpec, SharedStore } from '@herd/harness/engine';
import type { TimeSeriesChart } from './charts/svg-chart.js';

/** Which code the checks run against: the learner's starter files or the reference solution. */
export type Target = 'starter' | 'solution';

/** The exports of a module's files, merged, as the checks see them. */
export type Exports = Record<string, unknown>;

/** What one run of one check on one seed found. */
export interface Outcome {
  pass: boolean;
  /** The measured figure(s), short: "1 per boundary (6 boundaries)". */
  measured: string;
  /** Why it failed, in got/want terms. */
  message?: string;
  /** A time series for the sparkline under the check (origin queries per second by default). */
  series?: number[];
  /** What `series` counts, when it is not origin queries per second: "goodput per 100 ms". */
  seriesLabel?: string;
  /** Marks the check skipped (e.g. no Redis outside CI), with the reason in `message`. */
  skipped?: boolean;
  /**
   * The number the check compared with its bound, and the bound, where it compares one: `pnpm
   * verdicts` prints the reference's figure, the nearest wrong one and the bound between them.
   */
  figure?: number;
  bound?: number;
}

export interface CheckContext {
  seed: number;
  target: Target;
  exports: Exports;
  /** The check's own value (CheckDef.value), when it has one. */
  value?: number;
  /** The learner file messages should name (the module's main file for this target). */
  file: string;
  /** Another module's reference exports (03 injects 02's single flight), loaded once per process. */
  reference(id: string): Promise<Exports>;
}

export type CheckFn = (ctx: CheckContext) => Promise<Outcome>;

export interface CheckDef {
  name: string;
  /** The target as people read it in the table. */
  target: string;
  /** The number the check compares against, where there is one: the table and the code share it. */
  value?: number;
  /** Grade on every seed (default) or once (the check does not depend on the seed). */
  seeds?: 'each' | 'once';
  /**
   * Measured in real time (real Redis, HTTP): its figures differ from run to run, so
   * docs/results.md gives its status and target but not its figures (pnpm results stays stable).
   */
  realTime?: true;
  /**
   * Wall time this check may take before the isolated grader's watchdog stops it, ms, when it
   * needs more than the default (WATCHDOG_MS): a check that starts a fleet of real processes.
   */
  wallMs?: number;
  /** What the starter's failure must say: proves it fails for the reason the module teaches. */
  starterFails: RegExp;
  run: CheckFn;
}

/** Where a cache module's instances get the shared store from: embedded by default, Redis for real runs. */
export interface AppEnv {
  store?: (fleet: FleetContext) => SharedStore;
}

/** A cache module's app: the learner's factory and the module-specific deps it is handed. */
export interface CacheApp<D extends AppDeps = AppDeps> {
  factory: AppFactory<D>;
  extend?: (base: AppDeps, fleet: FleetContext) => D;
  /**
   * The oldest a served value may be in a run of `spec` (the TTL, the hard TTL, plus the time a
   * write takes to land): every run the checks make is audited against it (runApp).
   */
  maxAgeMs?: (spec: ScenarioSpec) => number;
  /**
   * How long after the origin creates a key a null may still be served for it (a negative
   * entry's TTL plus its write): 0 when the module says nothing.
   */
  nullGraceMs?: (spec: ScenarioSpec) => number;
}

/**
 * How a module's exports become an app. One builder, used by the checks, the headline table, the
 * demos, the benchmarks and the forked processes alike.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AppBuilder = (exports: Exports, env?: AppEnv) => Promise<CacheApp<any>>;

/** The headline table: the module's figures for each code run on the identical scenario. */
export interface HeadlineTable {
  /** The scenario as people read it: "fleet hot-key x4, seed 1". */
  scenario: string;
  /** Figure names, in order: rows in the terminal, columns in docs/results.md. */
  figures: string[];
  /** One entry per code run, "before" first. */
  runs: Array<{ label: string; values: string[]; series?: number[] }>;
  /** The chart of the same runs, one series per run on one axis. */
  chart?: TimeSeriesChart;
  /** What the table's series are, for the sparkline rows: "origin queries/s". */
  seriesLabel?: string;
}

export interface HeadlineContext {
  seed: number;
  target: Target;
  /** This module's exports for `target`. */
  exports: Exports;
  /** "03-distributed-lock (yours)" */
  label: string;
  /** The compareWith module and its reference's exports: the "before" column. */
  previous?: { def: ModuleDefinition; exports: Exports; label: string };
}

export interface DemoContext {
  def: ModuleDefinition;
  target: Target;
  seed: number;
  exports: Exports;
  file: string;
  /** Live pacing (a TTY, no --fast). */
  live: boolean;
  flags: ReadonlySet<string>;
  values: ReadonlyMap<string, string>;
  /** Tells a watching parent the learner's code has finished running (see isolated.ts). */
  ran?: () => void;
  /** The module's headline table for this target and seed (with the previous module's reference as "before"). */
  headline?: () => Promise<HeadlineTable | undefined>;
}

export interface ModuleDefinition {
  id: string;
  title: string;
  /** The herd it bounds, one line, for the course table in README.md. */
  summary: string;
  /** Learner files (relative to the module's folder) and the functions each must export. */
  files: Record<string, string[]>;
  /** Tiered: each `pnpm hint NN` shows one more. */
  hints: string[];
  checks: CheckDef[];
  /** The module whose reference runs "before" this one in the headline table. */
  compareWith?: string;
  app?: AppBuilder;
  headline?: (ctx: HeadlineContext) => Promise<HeadlineTable>;
  /** `pnpm demo NN`: plays the module in the terminal; returns the exit code. */
  demo?: (ctx: DemoContext) => Promise<number>;
  /** Flags and values `pnpm demo NN` accepts besides --yours, --seed and --fast. */
  demoOptions?: { flags?: string[]; values?: string[]; usage?: string };
}

/** A module on the course map that is not built yet. */
export interface ComingModule {
  id: string;
  title: string;
  summary: string;
  coming: true;
}

export type CourseEntry = ModuleDefinition | ComingModule;

export const isBuilt = (m: CourseEntry): m is ModuleDefinition => !('coming' in m);

/** Identity, typed: a module file's default export. */
export const defineModule = (def: ModuleDefinition): ModuleDefinition => def;
