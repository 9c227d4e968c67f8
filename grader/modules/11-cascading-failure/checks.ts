/**
 * Hidden checks for module 11 (cascading failure). Each runs the same scenario (5 nodes at 84%,
 * n0 down 2-12 s, or a smaller fleet shaped for one property) with the learner's balancer policy and a choice of layers, and judges what the
 * harness saw from outside: the balancer's ejections, the health checks against each node's
 * real state, every routing decision against the panic threshold, goodput per 100 ms.
 */
import { meanOver, type ResilienceReport } from '@herd/harness/engine';
import { at, n } from '../../src/check-kit.js';
import type { CheckFn, Outcome } from '../../src/define.js';
import { NO_LAYER, nodeSettingsOf, runFleet, runFleetFresh, yourFix, type FleetRun, type HealthJudgement, type Layers } from './fleet-run.js';
import { ENVOY, FLEET, HEALTH, PROBES, REMAINING_CAPACITY } from './scenario.js';

/** Goodput per second over [fromMs, toMs). */
export const goodputPerSec = (r: ResilienceReport, fromMs: number, toMs: number): number => Math.round(meanOver(r.series.goodput, r.binMs, fromMs, toMs) * (1000 / r.binMs));
export const offeredPerSec = (r: ResilienceReport, fromMs: number, toMs: number): number => Math.round(meanOver(r.series.offered, r.binMs, fromMs, toMs) * (1000 / r.binMs));

/** The fix must serve this much while n0 is down: 90% of what the four survivors can serve. */
export const GOODPUT_FLOOR = Math.round(0.9 * REMAINING_CAPACITY);
/** After n0 returns: taken back within this long, then the fleet whole to the end. */
export const READMIT_WITHIN_MS = 3000;
export const AFTER_SHARE = 0.9;
/** The windows judged after the settling time: each must reach AFTER_SHARE. */
export const AFTER_WINDOW_MS = 1000;

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

/** Nodes a cap of `pct` lets out at once in a fleet of `nodes`: Envoy's rule, always at least one. */
export const capOf = (nodes: number, pct: number): number => Math.max(1, Math.floor((nodes * pct) / 100));

/**
 * The first health-check verdict that breaks the threshold rules: ejected before
 * unhealthyThreshold failures in a row, or kept in at or past it while the cap had room; taken
 * back before healthyThreshold passes in a row, or kept out at or past it.
 */
export function thresholdBreak(health: readonly HealthJudgement[], nodes: number, maxEjectionPct: number, rules: 'all' | 'early' = 'all'): string | undefined {
  const { unhealthyThreshold: U, healthyThreshold: H } = HEALTH;
  const cap = capOf(nodes, maxEjectionPct);
  for (const h of health) {
    if (h.wasHealthy && !h.healthy && h.failures < U) {
      const mixed = h.ok ? ' on a passed check' : '';
      return `${h.node} was ejected at ${at(h.t)}${mixed} after ${h.failures} failed check${h.failures === 1 ? '' : 's'} in a row, want ${U} (unhealthyThreshold): ${h.failures === 0 || h.ok ? 'a pass resets the count' : 'one late answer must not eject a node'}`;
    }
    if (rules === 'all' && h.wasHealthy && h.healthy && h.failures >= U && h.outBefore < cap) {
      const room = maxEjectionPct >= 100 ? 'when there is no cap (maxEjectionPct 100)' : `while the cap had room (${h.outBefore} of ${cap} out, maxEjectionPct ${maxEjectionPct}): a failing node stays in only while the cap is full`;
      return `${h.node} failed ${h.failures} checks in a row by ${at(h.t)} and stayed in rotation, want it ejected at ${U} (unhealthyThreshold) or at any later failure ${room}`;
    }
    if (!h.wasHealthy && h.healthy && h.successes < H) {
      return `${h.node} was taken back at ${at(h.t)} after ${h.successes} passed check${h.successes === 1 ? '' : 's'} in a row, want ${H} (healthyThreshold): ${h.ok ? 'a node that just recovered must prove it first' : 'a failed check resets the count'}`;
    }
    if (rules === 'all' && !h.wasHealthy && !h.healthy && h.successes >= H) {
      return `${h.node} passed ${h.successes} checks in a row by ${at(h.t)} and stayed ejected, want it taken back at ${H} (healthyThreshold)`;
    }
  }
  return undefined;
}

/** Requests answered with no node while some were in rotation: the balancer refusing work it could place. */
function refusedWithRoom(run: FleetRun): string | undefined {
  const r = run.routes;
  if (r.noneWithHealthy === 0) return undefined;
  return `route returned no node for ${n(r.noneWithHealthy)} requests while nodes were in rotation (first at ${at(r.noneWithHealthyAt!)}), want a node for each: pick among the nodes in rotation at that call (an index within that list), undefined only when none is left and panic is off`;
}

/** The node in rotation that got far more than its share while the failed node was out, if one did. */
function unevenShare(run: FleetRun): string | undefined {
  const counts = [...run.routes.perNodeWhileOut.entries()];
  const total = counts.reduce((sum, [, c]) => sum + c, 0);
  if (counts.length < 2 || total === 0) return undefined;
  const [node, most] = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  const fair = total / counts.length;
  if (most < 1.4 * fair) return undefined;
  return `${node} got ${Math.round((100 * most) / total)}% of the requests while ${FLEET.failedNode} was out, want about ${Math.round(100 / counts.length)}% each: spread the load evenly over the nodes in rotation (a skipped node's turn must not all land on its neighbour)`;
}

/** The first count of healthy nodes where routing broke the panic rule, in a staircase run. */
function levelBreak(run: FleetRun, pct: number): Outcome | undefined {
  const N = run.nodes;
  for (const l of [...run.routes.byLevel.values()].sort((x, y) => y.healthy - x.healthy)) {
    const share = `${l.healthy} of ${N} healthy (${Math.round((100 * l.healthy) / N)}%`;
    const measured = `with ${share}): ${n(l.toEjected)} to ejected nodes, ${n(l.toHealthy)} to healthy, ${n(l.none)} no node`;
    if (!l.panic && l.toEjected > 0) {
      const exact = l.healthy * 100 === pct * N ? `exactly ${pct}%, not below it` : `not below ${pct}%`;
      return {
        pass: false,
        measured,
        message: `with ${l.healthy} of ${N} nodes healthy (${exact}) you sent ${n(l.toEjected)} requests to ejected nodes (first at ${at(l.firstAt)}), want none: panic only when FEWER than panicThresholdPct are healthy (healthy * 100 / nodes < pct)`,
      };
    }
    if (l.panic && (l.none > 0 || (l.expectedEjected >= 20 && l.toEjected < 0.25 * l.expectedEjected))) {
      return {
        pass: false,
        measured,
        message: `with ${l.healthy} of ${N} nodes healthy (${Math.round((100 * l.healthy) / N)}%, below ${pct}%) you sent ${n(l.toEjected)} requests to ejected nodes and answered ${n(l.none)} with no node, want about ${n(Math.round(l.expectedEjected))} to ejected nodes: below panicThresholdPct route to every node (compare percentages, not a rounded count)`,
      };
    }
    if (l.panic && l.expectedHealthy >= 20 && l.toHealthy < 0.25 * l.expectedHealthy) {
      return {
        pass: false,
        measured,
        message: `with ${l.healthy} of ${N} nodes healthy (below ${pct}%) you sent ${n(l.toHealthy)} requests to the healthy ones, want about ${n(Math.round(l.expectedHealthy))}: panic routes to every node, the healthy ones included`,
      };
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
    const broken = thresholdBreak(run.health, run.nodes, 100);
    const lost = healthyLost(run, FLEET.failFromMs, FLEET.failToMs);
    const collapse = r.balancer.collapseAtMs;
    const before = goodputPerSec(r, 0, FLEET.failFromMs);
    if (broken) return { pass: false, measured: `${lost.nodes.length} healthy nodes lost`, message: broken };
    if (run.routes.normal.toEjected > 0) {
      const measured = `${n(run.routes.normal.toEjected)} requests to ejected nodes`;
      // With half the nodes or more in rotation the pool itself was wrong; below, panic 0 was not read as off.
      const withRoom = [...run.routes.byLevel.values()].filter((l) => l.healthy * 100 >= ENVOY.panicThresholdPct * run.nodes && l.toEjected > 0).sort((x, y) => x.firstAt - y.firstAt);
      if (withRoom.length > 0) {
        const sent = withRoom.reduce((sum, l) => sum + l.toEjected, 0);
        return {
          pass: false,
          measured,
          message: `sent ${n(sent)} requests to ejected nodes while ${withRoom.map((l) => l.healthy).join(' or ')} of ${run.nodes} were in rotation and panic was off, want none: route only to the nodes whose healthy flag is true at that call, not a list kept from an earlier check`,
        };
      }
      return {
        pass: false,
        measured,
        message: `with panicThresholdPct 0 (off) you sent ${n(run.routes.normal.toEjected)} requests to ejected nodes once fewer than half were healthy (first at ${at(run.routes.normal.firstToEjectedAt!)}), want none: panic 0 means off, never route to an ejected node (with none left, answer undefined)`,
      };
    }
    const refused = refusedWithRoom(run);
    if (refused) return { pass: false, measured: `${n(run.routes.noneWithHealthy)} requests refused with nodes in rotation`, message: refused };
    if (collapse === null || collapse >= FLEET.failToMs) {
      return {
        pass: false,
        measured: `${lost.nodes.length} healthy nodes lost, ${r.balancer.minHealthy} of ${FLEET.nodes} healthy at worst`,
        message: `with queued health checks and no guard the fleet never lost every node (${lost.nodes.length} healthy nodes ejected, ${r.balancer.minHealthy} left at worst), want all ${FLEET.nodes} ejected while ${FLEET.failedNode} is down: route only to healthy nodes, eject at unhealthyThreshold`,
      };
    }
    const after = goodputPerSec(r, collapse, FLEET.failToMs);
    // Goodput after the collapse is what the cascade costs, not a verdict: how far the flapping
    // nodes serve depends on the routing (round robin, least outstanding), and the mistakes that
    // raise it (routing to ejected nodes, returning early) are judged directly above.
    const measured = `${lost.nodes.length} healthy nodes lost, none left ${s(collapse - FLEET.failFromMs)} after ${FLEET.failedNode} failed; goodput ${n(before)}/s before, ${n(after)}/s after`;
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
    const pct = ENVOY.panicThresholdPct;
    const guards = { panicThresholdPct: pct };
    // The README's cascade, then two staircases that visit every count of healthy nodes: 2 of 5
    // (40%, below) and exactly 2 of 4 (50%, not below).
    const cascade = await runFleet(exports, seed, { ...NO_LAYER, ...guards });
    const stairs = [5, 4].map((k) => runFleet(exports, seed, { ...NO_LAYER, healthCheck: 'out-of-band', ...guards, shape: { kind: 'staircase', nodes: k } }));
    for (const run of [cascade, ...(await Promise.all(stairs))]) {
      const crash = threw(run, file);
      if (crash) return crash;
    }
    const [five, four] = await Promise.all(stairs);
    // The figure: the lowest share of its due (routing over every node) that ejected nodes got at
    // any panic level of either staircase.
    let lowest = Infinity;
    for (const run of [five!, four!]) {
      for (const l of run.routes.byLevel.values()) if (l.panic && l.expectedEjected >= 20) lowest = Math.min(lowest, l.toEjected / l.expectedEjected);
    }
    const figures = { figure: Number.isFinite(lowest) ? +lowest.toFixed(2) : 0, bound: 0.25 };
    for (const run of [five!, four!]) {
      const bad = levelBreak(run, pct);
      if (bad) return { ...figures, ...bad };
    }
    const { normal, panic } = cascade.routes;
    if (normal.toEjected > 0) {
      return {
        pass: false,
        measured: `${n(normal.toEjected)} requests to ejected nodes above the threshold`,
        message: `sent ${n(normal.toEjected)} requests to ejected nodes while at least ${pct}% of nodes were healthy (first at ${at(normal.firstToEjectedAt!)}), want none: above the threshold route only to the nodes in rotation at that call; panic routing is for when FEWER than panicThresholdPct are healthy`,
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
    const measured = `below ${pct}% healthy from ${at(panic.firstAt)}: ${n(panic.toEjected)} of ${n(total)} requests to ejected nodes, ${n(panic.toHealthy)} to healthy ones; every level of 5 and 4 nodes as it should`;
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
    return { pass: true, measured, ...figures };
  },

  async 'ejection cap'({ seed, exports, file }): Promise<Outcome> {
    // Envoy's 10% (one of five), then 50%, which is no whole number of five nodes (2.5: two).
    for (const pct of [ENVOY.maxEjectionPct, 50]) {
      const run = await runFleet(exports, seed, { ...NO_LAYER, maxEjectionPct: pct });
      const crash = threw(run, file);
      if (crash) return crash;
      const peak = peakEjected(run);
      const cap = capOf(FLEET.nodes, pct);
      const failed = failedNodeTimes(run);
      const measured = `at most ${peak.count} of ${FLEET.nodes} ejected at once with maxEjectionPct ${pct}`;
      if (peak.count > cap) {
        return {
          pass: false,
          measured,
          figure: peak.count - cap,
          bound: 0,
          message: `${peak.count} of ${FLEET.nodes} nodes were ejected at once at ${at(peak.at)} with maxEjectionPct ${pct}, want at most ${cap} (${pct}% of ${FLEET.nodes}, rounded down, at least one): once the cap is reached, a failing node stays in rotation`,
        };
      }
      if (failed.ejectedAt === null) {
        return {
          pass: false,
          measured,
          message: `${FLEET.failedNode} was down from ${at(FLEET.failFromMs)} and never ejected with maxEjectionPct ${pct}, want it ejected: the cap always allows at least one node out`,
        };
      }
      const broken = thresholdBreak(run.health, FLEET.nodes, pct);
      if (broken) return { pass: false, measured, message: broken };
    }
    const run = await runFleet(exports, seed, { ...NO_LAYER, maxEjectionPct: ENVOY.maxEjectionPct });
    return { pass: true, figure: 0, bound: 0, measured: `at most ${peakEjected(run).count} of ${FLEET.nodes} out at 10%, ${peakEjected(await runFleet(exports, seed, { ...NO_LAYER, maxEjectionPct: 50 })).count} at 50%; ${FLEET.failedNode} ejected at ${at(failedNodeTimes(run).ejectedAt!)}` };
  },

  async 'thresholds in a row'({ seed, exports, file }): Promise<Outcome> {
    const run = await runFleet(exports, seed, { ...NO_LAYER, healthCheck: 'out-of-band', shape: { kind: 'probes' } });
    const crash = threw(run, file);
    if (crash) return crash;
    const broken = thresholdBreak(run.health, run.nodes, 100);
    const events = run.result.report.balancer.events;
    const measured = `${events.filter((e) => e.event === 'ejected').length} ejections, ${events.filter((e) => e.event === 'readmitted').length} returns over ${Object.keys(PROBES).length} nodes with mixed probes`;
    if (broken) return { pass: false, measured, message: broken };
    return { pass: true, measured };
  },

  async 'state per balancer'({ seed, exports, file }): Promise<Outcome> {
    // Balancers one after the other in one process. The first ejects every node and takes each
    // back; the second ejects its dead n0 and keeps it out; the third, fresh, must still eject
    // its own dead n1 under the same 10% cap, at the same check as the second did.
    const layers = (target: string): Layers => ({ ...NO_LAYER, healthCheck: 'out-of-band', maxEjectionPct: ENVOY.maxEjectionPct, shape: { kind: 'one-dead', target } });
    const clean = await runFleetFresh(exports, seed, { ...NO_LAYER, healthCheck: 'out-of-band', shape: { kind: 'staircase', nodes: FLEET.nodes } });
    const first = await runFleetFresh(exports, seed, layers('n0'));
    const second = await runFleetFresh(exports, seed, layers('n1'));
    for (const run of [clean, first, second]) {
      const crash = threw(run, file);
      if (crash) return crash;
    }
    const early = thresholdBreak(first.health, first.nodes, ENVOY.maxEjectionPct, 'early');
    if (early) return { pass: false, measured: 'thresholds broken', message: early };
    const ejected = (run: FleetRun, node: string) => run.result.report.balancer.events.find((e) => e.event === 'ejected' && e.node === node);
    const a = ejected(first, 'n0');
    const b = ejected(second, 'n1');
    const measured = `first balancer ejected n0 ${a ? `at ${at(a.t)}` : 'never'}, second ejected n1 ${b ? `at ${at(b.t)}` : 'never'}`;
    if (a === undefined) return { pass: false, measured, message: `a balancer whose n0 died at ${at(1500)}, with no other node out, never ejected it (maxEjectionPct 10), want it ejected at its ${HEALTH.unhealthyThreshold}nd failed check: the cap always allows one node out` };
    if (b === undefined || b.t !== a.t) {
      return {
        pass: false,
        measured,
        message: `a second balancer, created after one that had ejected its n0, ${b === undefined ? 'never ejected' : `ejected only at ${at(b.t)}`} its own dead n1 (the first ejected n0 at ${at(a.t)}), want the same: keep the ejected set inside createBalancer, each balancer's state its own`,
      };
    }
    return { pass: true, measured };
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
      const judged = run.health.find((h) => h.node === first.node && h.t === first.t);
      const why =
        settings.healthCheck === 'queued'
          ? `their health checks waited behind the work (nodeSettings().healthCheck is 'queued')`
          : judged !== undefined && judged.failures < HEALTH.unhealthyThreshold
            ? `${first.node} had ${judged.failures} failed check${judged.failures === 1 ? '' : 's'} in a row when you ejected it, want ${HEALTH.unhealthyThreshold} (unhealthyThreshold)`
            : `with out-of-band checks a live node fails none; see 'thresholds in a row'`;
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
    if (got >= GOODPUT_FLOOR) return { pass: true, measured, figure: got, bound: GOODPUT_FLOOR };
    const settings = nodeSettingsOf(exports);
    const lost = healthyLost(run);
    const toDead = run.routes.normal.toEjected;
    const failed = failedNodeTimes(run);
    const refused = run.routes.noneWithHealthy;
    const uneven = unevenShare(run);
    const why =
      lost.nodes.length > 0
        ? `${lost.nodes.length} healthy nodes were ejected, so the load of each moved onto the rest`
        : failed.ejectedAt === null
          ? `${FLEET.failedNode} was never ejected, so its share of the requests went to a dead node and timed out`
          : toDead > 0
            ? `${n(toDead)} requests went to ejected nodes while at least ${ENVOY.panicThresholdPct}% were healthy (panic routing where there was no panic)`
            : refused > 0
              ? `route returned no node for ${n(refused)} requests while nodes were in rotation: pick among the nodes in rotation, not an index over every node`
              : uneven !== undefined
                ? uneven
                : !settings.shedding
                  ? `the four survivors get ${Math.round((100 * FLEET.ratePerSec) / REMAINING_CAPACITY)}% of what they can serve; without shedding their queues grow past the clients' ${FLEET.clientTimeoutMs} ms timeout and they serve requests nobody waits for (nodeSettings().shedding = true)`
                  : `see which requests failed: timeouts ${n(r.totals.timeouts)}, rejected ${n(r.totals.rejected)}`;
    return {
      pass: false,
      measured,
      figure: got,
      bound: GOODPUT_FLOOR,
      message: `goodput while ${FLEET.failedNode} was down (${at(FLEET.failFromMs)}-${at(FLEET.failToMs)}) was ${n(got)}/s, want >= ${n(GOODPUT_FLOOR)}/s (90% of the ${n(REMAINING_CAPACITY)}/s the survivors can serve): ${why}`,
    };
  },

  async 'failed node taken back'({ seed, exports, file }): Promise<Outcome> {
    const run = await runFleet(exports, seed, yourFix(exports));
    const crash = threw(run, file);
    if (crash) return crash;
    const r = run.result.report;
    const { backAt, ejectedAt } = failedNodeTimes(run);
    const back = FLEET.failToMs;
    if (ejectedAt === null) {
      return {
        pass: false,
        measured: `${FLEET.failedNode} never ejected`,
        message: `${FLEET.failedNode} was down from ${at(FLEET.failFromMs)} to ${at(back)} and never ejected, so there was nothing to take back: eject it after unhealthyThreshold failed checks (see 'no healthy node ejected')`,
      };
    }
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
    // Back to normal means every window after the settling time, not the mean over them.
    let worst = { share: Infinity, from: settle, got: 0, offered: 0 };
    for (let from = settle; from + AFTER_WINDOW_MS <= FLEET.durationMs; from += AFTER_WINDOW_MS) {
      const g = goodputPerSec(r, from, from + AFTER_WINDOW_MS);
      const o = offeredPerSec(r, from, from + AFTER_WINDOW_MS);
      if (o > 0 && g / o < worst.share) worst = { share: g / o, from, got: g, offered: o };
    }
    const figure = Math.round(100 * worst.share);
    if (worst.share < AFTER_SHARE) {
      return {
        pass: false,
        measured,
        figure,
        bound: AFTER_SHARE * 100,
        message: `goodput from ${at(worst.from)} to ${at(worst.from + AFTER_WINDOW_MS)} was ${n(worst.got)}/s of ${n(worst.offered)}/s offered, want >= ${AFTER_SHARE * 100}% in every second from ${at(settle)} once all ${FLEET.nodes} nodes serve again`,
      };
    }
    return { pass: true, measured, figure, bound: AFTER_SHARE * 100 };
  },
};
