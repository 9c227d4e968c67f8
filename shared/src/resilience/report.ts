/**
 * The report of a resilience run: totals, per-bin series (fleet-wide and per node), latency of
 * successes, goodput per priority, balancer events and each fault with its recovery time. Plain
 * JSON (no Map, no Infinity), so the same scenario and seed give the same bytes.
 */
import { summarize, type LatencySummary } from '../metrics.js';
import type { Balancer, BalancerEvent } from './balancer.js';
import type { Bins } from './bins.js';
import { faultedAt, type FaultSpec } from './faults.js';
import { recoveryTime } from './figures.js';
import type { Recorder } from './recorder.js';
import type { Service, ServiceStats } from './service.js';
import type { ResilienceSpec } from './spec.js';
import { PRIORITIES, type Priority } from './types.js';

export interface NodeReport {
  id: string;
  stats: ServiceStats;
  peakQueued: number;
  series: { completed: number[]; rejected: number[]; wasted: number[]; inFlight: number[]; queue: number[] };
}

export interface FaultReport extends FaultSpec {
  label: string;
  /** From the fault's end until goodput is back near offered load, ms; null if never in the run. */
  recoveryMs: number | null;
}

export interface ResilienceReport {
  scenario: string;
  seed: number;
  durationMs: number;
  binMs: number;
  totals: {
    /** Original requests. */
    offered: number;
    attempts: number;
    retries: number;
    /** Attempts per original request. */
    amplification: number;
    /** Originals whose final answer was ok. */
    ok: number;
    /** Originals ok within their deadline. */
    goodput: number;
    /** Attempts answered 'rejected', 'timeout', 'failed'. */
    rejected: number;
    timeouts: number;
    failed: number;
    /** Originals the client's policy answered itself (breaker open, throttled). */
    localAnswers: number;
    /** Originals whose policy threw or answered garbage (see the run's failure). */
    errors: number;
    /** Work requests finished by nodes, and those whose caller had already given up. */
    completed: number;
    wasted: number;
    wastedMs: number;
    droppedExpired: number;
  };
  /** Arrival to final answer of originals answered ok, ms. */
  latency: LatencySummary;
  byPriority: Record<Priority, { offered: number; goodput: number }>;
  /** One value per bin from 0 to durationMs; inFlight, queue and healthy are sampled at each bin's start. */
  series: {
    offered: number[];
    attempts: number[];
    retries: number[];
    throughput: number[];
    goodput: number[];
    rejected: number[];
    timeouts: number[];
    failed: number[];
    amplification: number[];
    inFlight: number[];
    queue: number[];
    healthy: number[];
    wasted: number[];
    goodputByPriority: Record<Priority, number[]>;
  };
  nodes: NodeReport[];
  balancer: {
    healthChecks: { sent: number; failed: number };
    events: Array<BalancerEvent & { faulted: boolean }>;
    /** First time no node was healthy, ms; null if that never happened. */
    collapseAtMs: number | null;
    minHealthy: number;
  };
  faults: FaultReport[];
}

export interface NodeSamples {
  inFlight: Bins;
  queue: Bins;
}

export function buildReport(
  spec: ResilienceSpec,
  rec: Recorder,
  nodes: readonly Service[],
  samples: readonly NodeSamples[],
  healthy: Bins,
  balancer: Balancer,
  localAnswers: number,
): ResilienceReport {
  const binMs = spec.binMs ?? 100;
  const n = Math.ceil(spec.durationMs / binMs);
  const b = rec.bins;
  const sumSeries = (list: readonly number[][]): number[] => Array.from({ length: n }, (_, i) => list.reduce((s, x) => s + x[i]!, 0));
  const nodeReports: NodeReport[] = nodes.map((node, k) => {
    const series = node.series!;
    return {
      id: node.id,
      stats: { ...node.stats },
      peakQueued: node.peakQueued,
      series: {
        completed: series.completed.values(n),
        rejected: series.rejected.values(n),
        wasted: series.wasted.values(n),
        inFlight: samples[k]!.inFlight.values(n),
        queue: samples[k]!.queue.values(n),
      },
    };
  });
  const offered = b.offered.values(n);
  const attempts = b.attempts.values(n);
  const goodput = b.goodput.values(n);

  let ok = 0;
  let good = 0;
  let errors = 0;
  const okLatency: number[] = [];
  const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, { offered: 0, goodput: 0 }])) as ResilienceReport['byPriority'];
  for (let i = 0; i < rec.originals; i++) {
    const p = PRIORITIES[rec.oPriority[i]!]!;
    byPriority[p].offered++;
    const outcome = rec.oOutcome[i]!;
    if (outcome === 4) errors++;
    if (outcome !== 0) continue;
    ok++;
    const latency = rec.oFinish[i]! - rec.oArrival[i]!;
    okLatency.push(latency);
  }
  for (const [k, p] of PRIORITIES.entries()) {
    const bins = b.goodputByPriority[k]!;
    byPriority[p].goodput = bins.values(bins.length).reduce((s, x) => s + x, 0);
    good += byPriority[p].goodput;
  }
  let rejected = 0;
  let timeouts = 0;
  let failed = 0;
  let retries = 0;
  for (let i = 0; i < rec.attempts; i++) {
    const o = rec.aOutcome[i]!;
    if (o === 1) rejected++;
    else if (o === 2) timeouts++;
    else if (o === 3) failed++;
    if (rec.aNumber[i]! > 1) retries++;
  }
  const stat = (f: (s: ServiceStats) => number): number => nodes.reduce((s, node) => s + f(node.stats), 0);

  const events = balancer.events.map((e) => ({ ...e, faulted: faultedAt(spec.faults ?? [], e.node, e.t) }));
  let up = nodes.length;
  let minHealthy = up;
  let collapseAtMs: number | null = null;
  for (const e of events) {
    up += e.event === 'ejected' ? -1 : 1;
    if (up < minHealthy) minHealthy = up;
    if (up === 0 && collapseAtMs === null) collapseAtMs = e.t;
  }

  return {
    scenario: spec.name,
    seed: spec.seed,
    durationMs: spec.durationMs,
    binMs,
    totals: {
      offered: rec.originals,
      attempts: rec.attempts,
      retries,
      amplification: rec.originals === 0 ? 0 : rec.attempts / rec.originals,
      ok,
      goodput: good,
      rejected,
      timeouts,
      failed,
      localAnswers,
      errors,
      completed: stat((s) => s.completed),
      wasted: stat((s) => s.wasted),
      wastedMs: stat((s) => s.wastedMs),
      droppedExpired: stat((s) => s.droppedExpired),
    },
    latency: summarize(okLatency),
    byPriority,
    series: {
      offered,
      attempts,
      retries: b.retries.values(n),
      throughput: sumSeries(nodeReports.map((r) => r.series.completed)),
      goodput,
      rejected: b.rejected.values(n),
      timeouts: b.timeouts.values(n),
      failed: b.failed.values(n),
      amplification: attempts.map((a, i) => (offered[i]! > 0 ? a / offered[i]! : 0)),
      inFlight: sumSeries(nodeReports.map((r) => r.series.inFlight)),
      queue: sumSeries(nodeReports.map((r) => r.series.queue)),
      healthy: healthy.values(n),
      wasted: sumSeries(nodeReports.map((r) => r.series.wasted)),
      goodputByPriority: Object.fromEntries(PRIORITIES.map((p, k) => [p, b.goodputByPriority[k]!.values(n)])) as Record<Priority, number[]>,
    },
    nodes: nodeReports,
    balancer: { healthChecks: { sent: balancer.healthChecksSent, failed: balancer.healthChecksFailed }, events, collapseAtMs, minHealthy },
    faults: (spec.faults ?? []).map((f) => ({
      ...f,
      label: f.label ?? `${f.kind} ${f.target}`,
      recoveryMs: recoveryTime(goodput, offered, binMs, f.toMs, spec.recovery),
    })),
  };
}
