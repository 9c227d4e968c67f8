/**
 * The real-time Redis checks of the cache modules (03 on): find a Redis (a skipped check outside
 * CI when there is none), run the module's app on a store under a fresh prefix with the real
 * clock, and delete every key of that prefix afterwards. One place for it, so every module's
 * Redis check finds, runs and cleans up alike.
 */
import { createRedisStore, locateRedis, realDriver, type AppDeps, type RunResult, type ScenarioSpec, type SharedStore } from '@herd/harness/engine';
import type { AppBuilder, Exports, Outcome } from '../define.js';
import { runApp } from './run-app.js';

/** Runs `check` with the located Redis's URL; a skipped outcome, saying why, when there is none (outside CI). */
export async function onRealRedis(check: (url: string) => Promise<Outcome>): Promise<Outcome> {
  const where = await locateRedis();
  if ('skip' in where) return { pass: true, skipped: true, measured: '-', message: where.skip };
  try {
    return await check(where.url);
  } finally {
    await where.stop();
  }
}

/**
 * The app that `build` makes around a fresh Redis store, on `spec` in real time. `settleMs` lets
 * work the last requests started in the background (a refresh) land before the keys go.
 */
export async function runAppOnRedis(url: string, build: (store: SharedStore) => AppBuilder, exports: Exports, spec: ScenarioSpec, settleMs = 0): Promise<RunResult<AppDeps>> {
  const store = await createRedisStore({ url });
  try {
    const run = await runApp(build(store), exports, spec, { driver: realDriver });
    if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
    return run;
  } finally {
    await store.cleanup().catch(() => 0);
    await store.close().catch(() => undefined);
  }
}
