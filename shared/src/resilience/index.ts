/**
 * The resilience half of the harness (modules 09-13): service nodes with queues and admission
 * control, a load balancer with health checks, open- and closed-loop clients whose every call
 * goes through a learner policy, faults on a timeline, per-bin figures, and Brooker's
 * contention model. Same guarantees as the cache half: virtual clock, seeded, deterministic.
 */
export {
  PRIORITIES,
  STATUSES,
  singleAttempt,
  type Priority,
  type Request,
  type Status,
  type Response,
  type NodeView,
  type AdmissionDecision,
  type AdmissionHook,
  type AdmissionFactory,
  type AdmissionContext,
  type OriginalRequest,
  type CallContext,
  type Call,
  type Policy,
  type PolicyFactory,
} from './types.js';
export {
  Service,
  createService,
  serviceTimeSampler,
  type ServiceOptions,
  type ServiceTime,
  type ServiceStats,
  type ServiceSeries,
  type ServiceDeps,
  type NodeCondition,
  type ReplySink,
  type DownMode,
} from './service.js';
export {
  Balancer,
  createBalancerPolicy,
  type BalancerOptions,
  type BalancerPolicy,
  type BackendView,
  type RouteContext,
  type Routing,
  type HealthCheckOptions,
  type BalancerEvent,
} from './balancer.js';
export type { ClientSpec, RateSegment } from './clients.js';
export { conditionOf, faultedAt, type FaultSpec, type FaultKind, type FaultHook } from './faults.js';
export { meanOver, sumOver, recoveryTime, detectWaves, type RecoveryOptions, type Waves } from './figures.js';
export { checkResilienceSpec, expandNodes, type ResilienceSpec, type NodeSpec } from './spec.js';
export { runResilience, type ResilienceParts, type ResilienceRunOptions, type ResilienceResult } from './run.js';
export type { ResilienceReport, NodeReport, FaultReport } from './report.js';
export { Recorder, OUTCOMES, type Outcome } from './recorder.js';
export { runContention, type ContentionSpec, type ContentionReport, type DelayFn } from './contention.js';
export { WindowMean } from './window-mean.js';
export { Bins } from './bins.js';
