/** The grader's vocabulary: what a check is, what it returns, what a module's result looks like. */
import type { AppDeps, AppFactory, RunOptions, RunReport, ScenarioSpec } from '@herd/harness/engine';

/** Which code the checks run against: the learner's starter files or the reference solution. */
export type Target = 'starter' | 'solution';

export type Status = 'pass' | 'fail' | 'error' | 'skipped';

/** The exports of a module's files, merged, as the checks see them. */
export type Exports = Record<string, unknown>;

/** What one run of one check on one seed found. */
export interface Outcome {
  pass: boolean;
  /** The measured figure(s), short: "1 per boundary (6 boundaries)". */
  measured: string;
  /** Why it failed, in got/want terms. */
  message?: string;
  /** Origin queries per second, for the sparkline under herd checks. */
  series?: number[];
  /** Marks the check skipped (e.g. no Redis outside CI), with the reason in `message`. */
  skipped?: boolean;
}

export interface CheckContext {
  seed: number;
  target: Target;
  exports: Exports;
  /** The manifest's target value for this check, when it has one. */
  value?: number;
}

export type CheckFn = (ctx: CheckContext) => Promise<Outcome>;

/** A module's hidden tests: one implementation per check named in the manifest. */
export interface ModuleChecks {
  checks: Record<string, CheckFn>;
  /** The app factory the module's scenario runs (for demos and before/after tables). */
  app(exports: Exports): AppFactory;
  /** The module's headline scenario: the one its before/after table and results row use. */
  scenario(seed: number): ScenarioSpec;
  /** Extra run options the app needs (a shared store, injected helpers). */
  runOptions?(exports: Exports): Promise<RunOptions<AppDeps>> | RunOptions<AppDeps>;
}

export interface CheckResult {
  name: string;
  status: Status;
  measured: string;
  target: string;
  message: string;
  /** The seed the measurement (or the failure) comes from. */
  seed: number | null;
  series?: number[];
}

export interface ModuleResult {
  id: string;
  title: string;
  status: Status;
  checks: CheckResult[];
  /** Set when the isolated grader stopped a check that blocked its process (see isolated.ts). */
  hung?: { check: string; seed: number };
}

export interface BeforeAfter {
  previous: { id: string; report: RunReport };
  current: { id: string; report: RunReport };
}
