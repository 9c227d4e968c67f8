/**
 * @herd/harness/engine: everything the grader, the demos and the benchmarks build runs from
 * (the runner, the origin, the load generator, the stores and Redis, the metrics). Learner code
 * imports `@herd/harness` instead, which holds only what a learner's file needs.
 */
export * from './index.js';
export { realClock } from './clock.js';
export { VirtualClock, createVirtualClock, type VirtualRunOptions } from './virtual-clock.js';
export {
  SlowOrigin,
  createOrigin,
  type OriginOptions,
  type QueryRecord,
  type QueryOutcome,
} from './origin.js';
export { createMemoryCache, type MemoryCacheOptions } from './memory-cache.js';
export { keyPicker, driveLoad, type KeySpec, type LoadSpec, type KeyPicker, type LoadTarget } from './load.js';
export { clusterBoundaries, ratePerBin, detectSawtooth, sparkline, sharedScale, type Boundary, type Sawtooth } from './metrics.js';
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
  type Freshness,
  Answer,
  Served,
  type ServedRequest,
} from './runner.js';
export { addLearnerDir, addLearnerImports, learnerFrame, repoRelative, repoRoot } from './guard.js';
export { serveOrigin, httpOrigin, type ServeOriginOptions, type OriginServer } from './http-origin.js';
export * from './store/index.js';
export { spawnRedis, freePort } from './store/locate-redis.js';
export * from './resilience/index.js';
