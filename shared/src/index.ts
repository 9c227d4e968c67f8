/** @herd/harness: the public surface. Everything not exported here is internal. */
export type { Clock } from './clock.js';
export { realClock } from './clock.js';
export { VirtualClock, createVirtualClock, type VirtualRunOptions } from './virtual-clock.js';
export { createRng, type Rng } from './rng.js';
export { HerdError, isHerdError, type HerdErrorCode } from './errors.js';
export {
  SlowOrigin,
  createOrigin,
  type Origin,
  type OriginOptions,
  type OriginValue,
  type QueryRecord,
  type QueryOutcome,
} from './origin.js';
export { createMemoryCache, type MemoryCache, type MemoryCacheOptions, type CacheStats } from './memory-cache.js';
export { keyPicker, driveLoad, type KeySpec, type LoadSpec, type KeyPicker, type LoadTarget } from './load.js';
export {
  percentile,
  summarize,
  clusterBoundaries,
  ratePerBin,
  detectSawtooth,
  sparkline,
  type LatencySummary,
  type Boundary,
  type Sawtooth,
} from './metrics.js';
export type { AppDeps, AppFactory, ReadThrough } from './app.js';
export {
  runScenario,
  realDriver,
  type ScenarioSpec,
  type ClockDriver,
  type RunOptions,
  type RunResult,
  type RunReport,
  type BoundaryReport,
  type FleetContext,
  type FailureSample,
} from './runner.js';
export { learnerFrame, repoRelative, repoRoot } from './guard.js';
export { serveOrigin, httpOrigin, type ServeOriginOptions, type OriginServer } from './http-origin.js';
export * from './store/index.js';
