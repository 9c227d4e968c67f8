/**
 * Hidden checks for module 11 (cascading failure). Each runs the same scenario (5 nodes at 84%,
 * n0 down 3-15 s) with the learner's balancer policy and a choice of layers, and judges what the
 * harness saw from outside: the balancer's ejections, the health checks against each node's
 * real state, every routing decision against the panic threshold, goodput per 100 ms.
 */
import { meanOver, type ResilienceReport } from '@herd/harness/engine';
import { at, n } from '../../src/check-kit.js';
import type { CheckFn, Outcome } from '../../src/define.js';
import { NO_LAYER, nodeSettingsOf, runFleet, yourFix, type FleetRun, type HealthJudgement } from './fleet-run.js';
import { ENVOY, FLEET, HEALTH, REMAINING_CAPACITY } from './scenario.js';

/** Goodput per second over [fromMs, toMs). */
export const goodputPerSec = (r: ResilienceReport, fromMs: number, toMs: number): number => Math.round(meanOver(r.series.goodput, r.binMs, fromMs, toMs) * (1000 / r.binMs));
export const offeredPerSec = (r: ResilienceReport, fromMs: number, toMs: number): number => Math.round(meanOver(r.series.offered, r.binMs, fromMs, toMs) * (1000 / r.binMs));

/** The fix must serve this much while n0 is down: 90% of what the four survivors can serve. */
export const GOODPUT_FLOOR = Math.round(0.9 * REMAINING_CAPACITY);
/** The reproduction's goodput from the collapse until n0 returns must stay under this share of offered. */
export const COLLAPSED_SHARE = 0.2;
/** After n0 returns: taken back within this long, then the fleet whole to the end. */
export const READMIT_WITHIN_MS = 3000;
export const AFTER_SHARE = 0.9;

const maxEjected = (pct: number): number => Math.max(1, Math.floor((FLEET.nodes * pct) / 100));
const list = (names: readonly string[]): string => names.join(', ');
const plural = (names: readonly string[]): string => `${list(names)} ${names.length === 1 ? 'was' : 'were'}`;
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Learner code that threw inside the balancer: the run went on, the check says so first. */
function threw(run: FleetRun, file: string): Outcome | undefined {
  const f = run.result.failure;
  if (f === undefined) return undefined;
  return { pass: false, measured: `${f.count} exceptions`, message: `${file}: your balancer policy threw ${f.count} time(s) (${f.message}); route and onHealthCheck must answer every call` };
}

/** Healthy nodes the balancer ejected while they were up (within [fromMs, toMs)), in the order it happened. */
export function healthyLost(run: FleetRun, fromMs = 0, toMs = Infinity) {
  const wrongly = run.result.report.balancer.events.filter((e) => e.event === 'ejected' && !e.faulted && e.t >= fromMs && e.t < toMs);
  return { events: wrongly, nodes: [...new Set(wrongly.map((e) => e.node))] };
}

/** Most nodes out of rotation at one time, and when. */
export function peakEjected(run: FleetRun): { count: number; at: number } {
  let out = 0;
  let peak = { count: 0, at: 0 };
  for (const e of run.result.report.balancer.events) {
    out += e.event === 'ejected' ? 1 : -1;
    if (out > peak.count) peak = { count: out, at: e.t };
  }
  return peak;
}

/** When the failed node was ejected during its outage, and taken back after it. */
export function failedNodeTimes(run: FleetRun): { ejectedAt: number | null; backAt: number | null } {
  const events = run.result.report.balancer.events.filter((e) => e.node === FLEET.failedNode);
  const ejected = events.find((e) => e.event === 'ejected' && e.t >= FLEET.failFromMs && e.t < FLEET.failToMs);
  const back = events.find((e) => e.event === 'readmitted' && e.t >= FLEET.failToMs);
  return { ejectedAt: ejected?.t ?? null, backAt: back?.t ?? null };
}

/** The first health-check verdict that breaks the threshold rules (with the guards off). */
function thresholdBreak(health: readonly HealthJudgement[]): string | undefined {
  const { unhealthyThreshold: U, healthyThreshold: H } = HEALTH;
  for (const h of health) {
    if (h.wasHealthy && !h.healthy && h.failures < U) {
      return `${h.node} was ejected at ${at(h.t)} after ${h.failures} failed check${h.failures === 1 ? '' : 's'} in a row, want ${U} (unhealthyThreshold): one late answer must not eject a node`;
    }
    if (h.wasHealthy && h.healthy && h.failures >= U) {
      return `${h.node} failed ${h.failures} checks in a row by ${at(h.t)} and stayed in rotation, want it ejected at ${U} (unhealthyThreshold) when there is no cap (maxEjectionPct 100)`;
    }
    if (!h.wasHealthy && h.healthy && h.successes < H) {
      return `${h.node} was taken back at ${at(h.t)} after ${h.successes} passed check${h.successes === 1 ? '' : 's'} in a row, want ${H} (healthyThreshold): a node that just recovered must prove it first`;
    }
    if (!h.wasHealthy && !h.healthy && h.successes >= H) {
      return `${h.node} passed ${h.successes} checks in a row by ${at(h.t)} and stayed ejected, want it taken back at ${H} (healthyThreshold)`;
    }
  }
  return undefined;
}

export const checks: Record<string, CheckFn> = {
  async 'cascade reproduced'({ seed, exports, file }): Promise<Outcome> {
    const run = await runFleet(exports, seed, NO_LAYER);
    const crash = threw(run, file);
    if (crash) return crash;
    const r = run.result.report;
    const broken = thresholdBreak(run.health);
    const lost = healthyLost(run, FLEET.failFromMs, FLEET.failToMs);
    const collapse = r.balancer.collapseAtMs;
    const before = goodputPerSec(r, 0, FLEET.failFromMs);
    if (broken) return { pass: false, measured: `${lost.nodes.length} healthy nodes lost`, message: broken };
    if (collapse === null || collapse >= FLEET.failToMs) {
      return {
        pass: false,
        measured: `${lost.nodes.length} healthy nodes lost, ${r.balancer.minHealthy} of ${FLEET.nodes} healthy at worst`,
        message: `with queued health checks and no guard the fleet never lost every node (${lost.nodes.length} healthy nodes ejected, ${r.balancer.minHealthy} left at worst), want all ${FLEET.nodes} ejected while ${FLEET.failedNode} is down: route only to healthy nodes, eject at unhealthyThreshold`,
      };
    }
    const after = goodputPerSec(r, collapse, FLEET.failToMs);
    const offered = offeredPerSec(r, collapse, FLEET.failToMs);
    const measured = `${lost.nodes.length} healthy nodes lost, none left ${s(collapse - FLEET.failFromMs)} after ${FLEET.failedNode} failed; goodput ${n(before)}/s before, ${n(after)}/s after`;
    if (after > COLLAPSED_SHARE * offered) {
      return {
        pass: false,
        measured,
        message: `after the collapse at ${at(collapse)} goodput was ${n(after)}/s of ${n(offered)}/s offered, want under ${COLLAPSED_SHARE * 100}%: with no node healthy and panic off, route returns undefined (a 503) instead of picking an ejected node`,
      };
    }
    return { pass: true, measured };
  },

  async 'out-of-band health checks'({ seed, exports }): Promise<Outcome> {
    const settings = nodeSettingsOf(exports);
    const run = await runFleet(exports, seed, { ...NO_LAYER, healthCheck: settings.healthCheck });
    const r = run.result.report;
    const failedUp = run.health.filter((h) => h.up && !h.ok);
    const nodes = [...new Set(failedUp.map((h) => h.node))].sort();
    const measured = `${failedUp.length} failed checks on live nodes`;
    if (failedUp.length > 0) {
      const first = failedUp[0]!;
      const k = r.nodes.findIndex((x) => x.id === first.node);
      const queued = r.nodes[k]?.series.queue[Math.floor(first.t / r.binMs)] ?? 0;
      return {
        pass: false,
        measured,
        message: `${list(nodes)} failed ${failedUp.length} health checks while alive (first ${first.node} at ${at(first.t)}, ${n(queued)} requests queued ahead of it): a check queued behind the work times out at ${HEALTH.timeoutMs} ms on a busy node; answer it out of band (nodeSettings().healthCheck = 'out-of-band')`,
      };
    }
    const lost = healthyLost(run);
    if (lost.nodes.length > 0) {
      return { pass: false, measured, message: `${list(lost.nodes)} ejected while alive and passing every check: eject only after unhealthyThreshold failed checks`};
    }
    return { pass: true, measured: `0 failed checks on live nodes (${n(run.health.filter((h) => h.up).length)} checks)`};
  },

  async 'panic threshold'({ seed, exports, file }): Promise<Outcome> {
    const run = await runFleet(exports, seed, { ...NO_LAYER, panicThresholdPct: ENVOY.panicThresholdPct });
    const crash = threw(run, file);
    if (crash) return crash;
    const { normal, panic } = run.routes;
    const pct = ENVOY.panicThresholdPct;
    if (normal.toEjected > 0) {
      return {
        pass: false,
        measured: `${n(normal.toEjected)} requests to ejected nodes above the threshold`,
        message: `sent ${n(normal.toEjected)} requests to ejected nodes while at least ${pct}% of nodes were healthy (first at ${at(normal.firstToEjectedAt!)}), want none: panic routing is for when FEWER than panicThresholdPct are healthy`,
      };
    }
    if (panic.firstAt === null) {
      return {
        pass: false,
        measured: 'never below the threshold',
        message: `the fleet never fell below ${pct}% healthy, so panic routing was never exercised: eject failing nodes first (see 'cascade reproduced')`,
      };
    }
    const total = panic.toHealthy + panic.toEjected + panic.none;
    const measured = `below ${pct}% healthy from ${at(panic.firstAt)}: ${n(panic.toEjected)} of ${n(total)} requests to ejected nodes, ${n(panic.toHealthy)} to healthy ones`;
    if (panic.none > 0 || panic.toEjected < 0.25 * panic.expectedEjected) {
      return {
        pass: false,
        measured,
        message: `below ${pct}% healthy (from ${at(panic.firstAt)}) you answered ${n(panic.none)} of ${n(total)} requests with no node and sent ${n(panic.toEjected)} to ejected nodes, want about ${n(Math.round(panic.expectedEjected))}: below panicThresholdPct route to every node, ejected or not`,
      };
    }
    if (panic.toHealthy < 0.25 * panic.expectedHealthy) {
      return {
        pass: false,
        measured,
        message: `below ${pct}% healthy you sent ${n(panic.toHealthy)} requests to the nodes still healthy, want about ${n(Math.round(panic.expectedHealthy))}: panic routes to every node, the healthy ones included, not only to the ejected ones`,
      };
    }
    return { pass: true, measured };
  },

  async 'ejection cap'({ seed, exports, file }): Promise<Outcome> {
    const pct = ENVOY.maxEjectionPct;
    const run = await runFleet(exports, seed, { ...NO_LAYER, maxEjectionPct: pct });
    const crash = threw(run, file);
    if (crash) return crash;
    const peak = peakEjected(run);
    const cap = maxEjected(pct);
    const failed = failedNodeTimes(run);
    const measured = `at most ${peak.count} of ${FLEET.nodes} ejected at once`;
    if (peak.count > cap) {
      return {
        pass: false,
        measured,
        message: `${peak.count} of ${FLEET.nodes} nodes were ejected at once at ${at(peak.at)} with maxEjectionPct ${pct}, want at most ${cap} (${pct}% of ${FLEET.nodes}, at least one): once the cap is reached, a failing node stays in rotation`,
      };
    }
    if (failed.ejectedAt === null) {
      return {
        pass: false,
        measured,
        message: `${FLEET.failedNode} was down from ${at(FLEET.failFromMs)} and never ejected with maxEjectionPct ${pct}, want it ejected: the cap always allows at least one node out`,
      };
    }
    return { pass: true, measured: `${measured} (cap ${cap}); ${FLEET.failedNode} ejected at ${at(failed.ejectedAt)}` };
  },

  async 'no healthy node ejected'({ seed, exports, file }): Promise<Outcome> {
    const run = await runFleet(exports, seed, yourFix(exports));
    const crash = threw(run, file);
    if (crash) return crash;
    const r = run.result.report;
    const lost = healthyLost(run);
    const failed = failedNodeTimes(run);
    if (lost.nodes.length > 0) {
      const first = lost.events[0]!;
      const collapse = r.balancer.collapseAtMs;
      const settings = nodeSettingsOf(exports);
      const why = settings.healthCheck === 'queued' ? `their health checks waited behind the work (nodeSettings().healthCheck is 'queued')` : `check your balancer's thresholds and cap`;
      return {
        pass: false,
        measured: `${lost.nodes.length} healthy nodes lost${collapse === null ? '' : `, none left at ${at(collapse)}`}`,
        message: `${list(lost.nodes)} ejected while alive (first ${first.node} at ${at(first.t)}${collapse === null ? '' : `; every node out at ${at(collapse)}`}), want only the dead ${FLEET.failedNode} ejected: ${why}`,
      };
    }
    if (failed.ejectedAt === null) {
      return { pass: false, measured: `0 healthy nodes lost`, message: `${FLEET.failedNode} was down from ${at(FLEET.failFromMs)} to ${at(FLEET.failToMs)} and never ejected: its requests timed out the whole time; eject it after unhealthyThreshold failed checks` };
    }
    return { pass: true, measured: `0 healthy nodes lost; ${FLEET.failedNode} ejected at ${at(failed.ejectedAt)}, ${r.balancer.minHealthy} healthy at worst` };
  },

  async 'goodput while a node is down'({ seed, exports, file }): Promise<Outcome> {
    const run = await runFleet(exports, seed, yourFix(exports));
    const crash = threw(run, file);
    if (crash) return crash;
    const r = run.result.report;
    const got = goodputPerSec(r, FLEET.failFromMs, FLEET.failToMs);
    const share = Math.round((100 * got) / REMAINING_CAPACITY);
    const measured = `${n(got)}/s (${share}% of the survivors' ${n(REMAINING_CAPACITY)}/s)`;
    if (got >= GOODPUT_FLOOR) return { pass: true, measured};
    const settings = nodeSettingsOf(exports);
    const lost = healthyLost(run);
    const why =
      lost.nodes.length > 0
        ? `${lost.nodes.length} healthy nodes were ejected, so the load of each moved onto the rest`
        : !settings.shedding
          ? `the four survivors get ${Math.round((100 * FLEET.ratePerSec) / REMAINING_CAPACITY)}% of what they can serve; without shedding their queues grow past the clients' ${FLEET.clientTimeoutMs} ms timeout and they serve requests nobody waits for (nodeSettings().shedding = true)`
          : `see which requests failed: timeouts ${n(r.totals.timeouts)}, rejected ${n(r.totals.rejected)}`;
    return {
      pass: false,
      measured,
      message: `goodput while ${FLEET.failedNode} was down (${at(FLEET.failFromMs)}-${at(FLEET.failToMs)}) was ${n(got)}/s, want >= ${n(GOODPUT_FLOOR)}/s (90% of the ${n(REMAINING_CAPACITY)}/s the survivors can serve): ${why}`,
    };
  },

  async 'failed node taken back'({ seed, exports, file }): Promise<Outcome> {
    const run = await runFleet(exports, seed, yourFix(exports));
    const crash = threw(run, file);
    if (crash) return crash;
    const r = run.result.report;
    const { backAt } = failedNodeTimes(run);
    const back = FLEET.failToMs;
    if (backAt === null) {
      return {
        pass: false,
        measured: `${FLEET.failedNode} never taken back`,
        message: `${FLEET.failedNode} came back at ${at(back)} and was never taken back (the fleet ran on ${r.series.healthy[r.series.healthy.length - 1]} nodes to the end): after healthyThreshold (${HEALTH.healthyThreshold}) passed checks in a row, return true`,
      };
    }
    const later = r.balancer.events.filter((e) => e.t > backAt && e.event === 'ejected');
    const settle = back + READMIT_WITHIN_MS;
    const got = goodputPerSec(r, settle, FLEET.durationMs);
    const offered = offeredPerSec(r, settle, FLEET.durationMs);
    const measured = `${FLEET.failedNode} back ${s(backAt - back)} after it returned; goodput ${n(got)}/s of ${n(offered)}/s after`;
    if (backAt - back > READMIT_WITHIN_MS) {
      return { pass: false, measured, message: `${FLEET.failedNode} came back at ${at(back)} and was taken back only at ${at(backAt)}, want within ${READMIT_WITHIN_MS / 1000} s (${HEALTH.healthyThreshold} passed checks, one every ${HEALTH.intervalMs} ms)` };
    }
    if (later.length > 0) {
      return {
        pass: false,
        measured,
        message: `after ${FLEET.failedNode} was taken back at ${at(backAt)}, ${plural([...new Set(later.map((e) => e.node))])} ejected again (first at ${at(later[0]!.t)}), want all ${FLEET.nodes} nodes in rotation to the end: the fleet is still cascading`,
      };
    }
    if (got < AFTER_SHARE * offered) {
      return { pass: false, measured, message: `goodput from ${at(settle)} to the end was ${n(got)}/s of ${n(offered)}/s offered, want >= ${AFTER_SHARE * 100}% once all ${FLEET.nodes} nodes serve again` };
    }
    return { pass: true, measured };
  },
};
