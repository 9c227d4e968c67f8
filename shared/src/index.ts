/**
 * @herd/harness: what a learner's file may import. The clock, seeded randomness, errors, the
 * types of everything `deps` hands an app, and the measuring helpers. The runner, the origin's
 * internals, Redis and the load generator are the grader's (`@herd/harness/engine`), not yours.
 */
export type { Clock } from './clock.js';
export { createRng, type Rng } from './rng.js';
export { HerdError, isHerdError, type HerdErrorCode } from './errors.js';
export type { Origin, OriginValue } from './origin.js';
export type { MemoryCache, CacheStats } from './memory-cache.js';
export type { SharedStore } from './store/shared-store.js';
export { percentile, summarize, type LatencySummary } from './metrics.js';
export type { AppDeps, AppFactory, ReadThrough } from './app.js';
// The resilience track (09-13): what a policy, an admission hook or a balancer policy is handed.
export type {
  Priority,
  Request,
  Status,
  Response,
  NodeView,
  AdmissionDecision,
  AdmissionHook,
  AdmissionFactory,
  AdmissionContext,
  CallContext,
  Call,
  Policy,
  PolicyFactory,
} from './resilience/types.js';
export type { BalancerPolicy, BackendView, RouteContext } from './resilience/balancer.js';
