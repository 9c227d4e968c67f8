/** The grader's results: what grading a check and a module produced. */
export type { CheckContext, CheckFn, Exports, Outcome, Target } from './define.js';

export type Status = 'pass' | 'fail' | 'error' | 'skipped';

export interface CheckResult {
  name: string;
  status: Status;
  measured: string;
  target: string;
  message: string;
  /** The seed the measurement (or the failure) comes from. */
  seed: number | null;
  series?: number[];
  seriesLabel?: string;
  /** Set when the grader itself failed in this check: a bug to report, not the learner's doing. */
  graderBug?: boolean;
  /** The compared figure and its bound (Outcome.figure, Outcome.bound), when the check states them. */
  figure?: number;
  bound?: number;
  /** With GradeOptions.everySeed: each seed's own result, in order. */
  perSeed?: SeedResult[];
}

export interface SeedResult {
  seed: number;
  status: Status;
  measured: string;
  message: string;
  figure?: number;
  bound?: number;
}

export interface ModuleResult {
  id: string;
  title: string;
  status: Status;
  checks: CheckResult[];
  /** Set when the isolated grader stopped a check that blocked its process (see isolated.ts). */
  hung?: { check: string; seed: number };
}
