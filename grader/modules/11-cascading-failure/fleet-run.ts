/**
 * One run of module 11's scenario with the learner's balancer policy and a choice of layers, and
 * what the check saw from outside: every health check the policy judged (with the node's real
 * state), every routing decision against the panic threshold, and the harness's own report.
 * Runs are kept per exports, seed and layers: the checks that read the same run share it.
 */
import { faultedAt, runResilience, type BackendView, type BalancerPolicy, type ResilienceResult } from '@herd/harness/engine';
import type { Exports } from '../../src/define.js';
import { ENVOY, FLEET, HEALTH, shapedSpec, type Shape } from './scenario.js';
import { loadShedding } from './shedding.js';

export interface Layers {
  healthCheck: 'queued' | 'out-of-band';
  shedding: boolean;
  panicThresholdPct: number;
  maxEjectionPct: number;
  /** The fleet it runs on; default the cascade (5 nodes at 84%, n0 down 2-12 s). */
  shape?: Shape;
}

/** The reproduction: every layer off. */
export const NO_LAYER: Layers = { healthCheck: 'queued', shedding: false, panicThresholdPct: 0, maxEjectionPct: 100 };

export interface NodeSettings {
  healthCheck: 'queued' | 'out-of-band';
  shedding: boolean;
}

export function nodeSettingsOf(exports: Exports): NodeSettings {
  const s = (exports.nodeSettings as () => Partial<NodeSettings> | undefined)() ?? {};
  return { healthCheck: s.healthCheck === 'out-of-band' ? 'out-of-band' : 'queued', shedding: s.shedding === true };
}

/** The learner's node settings with Envoy's balancer guards: the whole fix. */
export const yourFix = (exports: Exports): Layers => ({ ...nodeSettingsOf(exports), ...ENVOY });

export interface HealthJudgement {
  t: number;
  node: string;
  /** The node was up (not faulted) when the check ended. */
  up: boolean;
  ok: boolean;
  wasHealthy: boolean;
  failures: number;
  successes: number;
  healthy: boolean;
  /** Nodes out of rotation just before this verdict. */
  outBefore: number;
}

/** Routing decisions made while `healthy` nodes were in rotation. */
export interface LevelTally {
  healthy: number;
  panic: boolean;
  toHealthy: number;
  toEjected: number;
  none: number;
  expectedHealthy: number;
  expectedEjected: number;
  firstAt: number;
}

export interface RouteTally {
  /** Routed while at or above the panic threshold. */
  normal: { toHealthy: number; toEjected: number; none: number; firstToEjectedAt: number | null };
  /** Routed below it; `expected*` is what routing over every node would give. */
  panic: { toHealthy: number; toEjected: number; none: number; expectedHealthy: number; expectedEjected: number; firstAt: number | null };
  /** The same decisions per count of healthy nodes. */
  byLevel: Map<number, LevelTally>;
  /** Requests answered with no node while some node was in rotation (and no panic). */
  noneWithHealthy: number;
  noneWithHealthyAt: number | null;
  /** Requests each node in rotation got while the shape's failed node was out of rotation. */
  perNodeWhileOut: Map<string, number>;
}

export interface FleetRun {
  result: ResilienceResult;
  layers: Layers;
  health: HealthJudgement[];
  routes: RouteTally;
  /** Nodes in the fleet. */
  nodes: number;
}

const cache = new WeakMap<Exports, Map<string, Promise<FleetRun>>>();

export function runFleet(exports: Exports, seed: number, layers: Layers): Promise<FleetRun> {
  let runs = cache.get(exports);
  if (runs === undefined) cache.set(exports, (runs = new Map()));
  const key = `${seed}|${JSON.stringify(layers)}`;
  let run = runs.get(key);
  if (run === undefined) runs.set(key, (run = execute(exports, seed, layers)));
  return run;
}

/** Runs with a balancer created for this run alone, never shared with the cache (the isolation check). */
export function runFleetFresh(exports: Exports, seed: number, layers: Layers): Promise<FleetRun> {
  return execute(exports, seed, layers);
}

export async function execute(exports: Exports, seed: number, layers: Layers): Promise<FleetRun> {
  const spec = shapedSpec(seed, layers.healthCheck, layers.shape ?? { kind: 'cascade' });
  const nodes = spec.nodes.reduce((sum, n) => sum + (n.count ?? 1), 0);
  const create = exports.createBalancer as (options: object) => BalancerPolicy;
  const health: HealthJudgement[] = [];
  const routes: RouteTally = {
    normal: { toHealthy: 0, toEjected: 0, none: 0, firstToEjectedAt: null },
    panic: { toHealthy: 0, toEjected: 0, none: 0, expectedHealthy: 0, expectedEjected: 0, firstAt: null },
    byLevel: new Map(),
    noneWithHealthy: 0,
    noneWithHealthyAt: null,
    perNodeWhileOut: new Map(),
  };
  const out = new Set<string>();
  // A fresh virtual clock starts at 0: the policy's `now` is already relative to the run's start.
  const t0 = 0;
  const observed = (): BalancerPolicy => {
    const inner = create({
      nodes,
      unhealthyThreshold: HEALTH.unhealthyThreshold,
      healthyThreshold: HEALTH.healthyThreshold,
      panicThresholdPct: layers.panicThresholdPct,
      maxEjectionPct: layers.maxEjectionPct,
    });
    return {
      route(backends, ctx) {
        const picked: BackendView | undefined = inner.route(backends, ctx);
        let healthy = 0;
        for (const b of backends) if (b.healthy) healthy++;
        // With panic off every route is judged as normal: ejected nodes must get nothing.
        const panic = (healthy * 100) / backends.length < layers.panicThresholdPct;
        const tally = panic ? routes.panic : routes.normal;
        let level = routes.byLevel.get(healthy);
        if (level === undefined) routes.byLevel.set(healthy, (level = { healthy, panic, toHealthy: 0, toEjected: 0, none: 0, expectedHealthy: 0, expectedEjected: 0, firstAt: ctx.now - t0 }));
        level.expectedHealthy += healthy / backends.length;
        level.expectedEjected += 1 - healthy / backends.length;
        const target = picked === undefined ? undefined : backends[picked.index];
        if (target === undefined) {
          tally.none++;
          level.none++;
          if (!panic && healthy > 0) {
            routes.noneWithHealthy++;
            routes.noneWithHealthyAt ??= ctx.now - t0;
          }
        } else if (target.healthy) {
          tally.toHealthy++;
          level.toHealthy++;
          if (out.has(FLEET.failedNode)) routes.perNodeWhileOut.set(target.id, (routes.perNodeWhileOut.get(target.id) ?? 0) + 1);
        } else {
          tally.toEjected++;
          level.toEjected++;
          if (!panic) routes.normal.firstToEjectedAt ??= ctx.now - t0;
        }
        if (panic) {
          routes.panic.firstAt ??= ctx.now - t0;
          routes.panic.expectedHealthy += healthy / backends.length;
          routes.panic.expectedEjected += 1 - healthy / backends.length;
        }
        return picked;
      },
      onHealthCheck(backend, ok, now) {
        const wasHealthy = backend.healthy;
        const answer = inner.onHealthCheck(backend, ok, now);
        const t = now - t0;
        const outBefore = out.size;
        if (answer === false) out.add(backend.id);
        else out.delete(backend.id);
        health.push({
          t,
          node: backend.id,
          up: !faultedAt(spec.faults ?? [], backend.id, t),
          ok,
          wasHealthy,
          failures: backend.consecutiveFailures,
          successes: backend.consecutiveSuccesses,
          healthy: answer !== false,
          outBefore,
        });
        return answer;
      },
    };
  };
  const admission = layers.shedding ? await loadShedding() : undefined;
  const result = await runResilience(spec, { balancer: observed, admission });
  return { result, layers, health, routes, nodes };
}
