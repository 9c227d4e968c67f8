/** Runs a cache module's app (its builder applied to a module's exports) on a scenario. */
import { runScenario, type AppDeps, type ClockDriver, type RunResult, type ScenarioSpec } from '@herd/harness/engine';
import type { AppBuilder, AppEnv, Exports } from '../define.js';
import { GraderError, RequestFailures } from '../learner-error.js';
import { assertAnswers } from './audit.js';

export interface RunAppOptions extends AppEnv {
  driver?: ClockDriver;
  /** Keep going when requests fail (the check reads report.failures itself). Default: throw RequestFailures. */
  allowFailures?: boolean;
  /** Skip the answer audit: for a check that reads wrong answers itself. */
  allowWrongAnswers?: boolean;
}

export async function runApp(app: AppBuilder | undefined, exports: Exports, spec: ScenarioSpec, options: RunAppOptions = {}): Promise<RunResult<AppDeps>> {
  if (app === undefined) throw new GraderError('grader bug: this module defines no app builder, so its scenario cannot run');
  const built = await app(exports, options);
  const result = await runScenario(spec, built.factory, { extend: built.extend, driver: options.driver });
  if (result.failure && !options.allowFailures) throw new RequestFailures(result.failure.error, result.failure.count, result.report.requests);
  // Every run, faults included: each answer is the key's own value, within the module's bound.
  if (!options.allowWrongAnswers) assertAnswers(result.served, spec, built.maxAgeMs?.(spec), built.nullGraceMs?.(spec));
  return result;
}
