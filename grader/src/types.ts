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
}

export interface ModuleResult {
  id: string;
  title: string;
  status: Status;
  checks: CheckResult[];
  /** Set when the isolated grader stopped a check that blocked its process (see isolated.ts). */
  hung?: { check: string; seed: number };
}
