/** Small helpers the module checks share: run a scenario and fail loudly, format figures. */
import { runScenario, type VirtualClock, type AppDeps, type AppFactory, type RunOptions, type RunResult, type ScenarioSpec } from '@herd/harness/engine';
import { RequestFailures } from './learner-error.js';

/** Runs a scenario; any failed request turns into one RequestFailures error for the check. */
export async function runOrThrow<D extends AppDeps>(spec: ScenarioSpec, factory: AppFactory<D>, options?: RunOptions<D>): Promise<RunResult<D>> {
  const result = await runScenario(spec, factory, options);
  if (result.failure) throw new RequestFailures(result.failure.error, result.failure.count, result.report.requests);
  return result;
}

/** "t=20.4s" */
export const at = (ms: number): string => `t=${(ms / 1000).toFixed(1)}s`;

/** "213 ms" */
export const ms = (v: number): string => `${Math.round(v)} ms`;

/** "1,234" */
export const n = (v: number): string => v.toLocaleString('en-US');

export const range = (values: readonly number[]): string => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
};

/**
 * Settles every call under a virtual clock, recording each outcome and when it settled. A call
 * that never settles is a HANG naming its label; one still pending at `deadline` is STUCK.
 */
export async function settleAll<T>(clock: VirtualClock, calls: Array<{ label: string; promise: Promise<T> }>, deadline = 60_000) {
  const outcomes = calls.map(() => ({ done: false, ok: false, value: undefined as T | undefined, error: undefined as unknown, at: NaN }));
  const all = Promise.all(
    calls.map(({ promise }, i) =>
      promise.then(
        (value) => Object.assign(outcomes[i]!, { done: true, ok: true, value, at: clock.now() }),
        (error: unknown) => Object.assign(outcomes[i]!, { done: true, ok: false, error, at: clock.now() }),
      ),
    ),
  );
  await clock.run(all, {
    deadline,
    describePending: () => {
      const i = outcomes.findIndex((o) => !o.done);
      return i < 0 ? undefined : calls[i]!.label;
    },
  });
  return outcomes;
}
