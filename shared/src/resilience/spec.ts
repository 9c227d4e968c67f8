/**
 * A resilience scenario: nodes, the balancer in front of them, client groups and a fault
 * timeline. `checkResilienceSpec` refuses, with BAD_SCENARIO and the fix, any spec the runner
 * could not run to the end (one that would never start, never stop, or wait forever).
 */
import { HerdError } from '../errors.js';
import type { BalancerOptions } from './balancer.js';
import type { ClientSpec } from './clients.js';
import type { FaultSpec } from './faults.js';
import type { ServiceOptions } from './service.js';
import { PRIORITIES } from './types.js';

export interface NodeSpec extends ServiceOptions {
  /** Default `n${index}`; with `count`, `${id}-${k}`. */
  id?: string;
  /** Identical nodes this entry stands for. Default 1. */
  count?: number;
}

export interface ResilienceSpec {
  name: string;
  seed: number;
  /** Clients start originals from 0 until this time, ms; the series cover it. */
  durationMs: number;
  /** Time after durationMs that pending originals may take before the run is STUCK. Default 30 s. */
  graceMs?: number;
  /** Width of the report's bins, ms. Default 100. */
  binMs?: number;
  nodes: readonly NodeSpec[];
  /** Default: round robin, no health checks. */
  balancer?: BalancerOptions;
  clients: ClientSpec | readonly ClientSpec[];
  faults?: readonly FaultSpec[];
  /** How recovery after each fault is judged. Defaults: within 10% of offered, for 1 s. */
  recovery?: { tolerance?: number; sustainMs?: number };
}

/** Every node in order, `count` expanded: ids are the given id (`${id}-${k}` with a count) or `n${index}`. */
export function expandNodes(spec: ResilienceSpec): Array<{ id: string; options: NodeSpec }> {
  const out: Array<{ id: string; options: NodeSpec }> = [];
  for (const n of spec.nodes) {
    const count = n.count ?? 1;
    for (let k = 0; k < count; k++) {
      const id = n.id === undefined ? `n${out.length}` : count > 1 ? `${n.id}-${k}` : n.id;
      out.push({ id, options: n });
    }
  }
  return out;
}

export function clientGroups(spec: ResilienceSpec): readonly ClientSpec[] {
  return Array.isArray(spec.clients) ? (spec.clients as readonly ClientSpec[]) : [spec.clients as ClientSpec];
}

/** Throws BAD_SCENARIO naming the first thing wrong with `spec`; `hooks` are the fault targets besides nodes. */
export function checkResilienceSpec(spec: ResilienceSpec, hooks: readonly string[] = []): void {
  const bad = (part: string, what: string): never => {
    throw new HerdError('BAD_SCENARIO', `scenario "${spec.name}": ${part}: ${what}`, { spec: spec.name, part });
  };
  const pos = (v: number | undefined): boolean => v !== undefined && v > 0 && Number.isFinite(v);
  const whole = (v: number | undefined, min: number): boolean => v !== undefined && Number.isSafeInteger(v) && v >= min;
  if (!pos(spec.durationMs)) bad('durationMs', `must be > 0, got ${spec.durationMs}`);
  if (spec.binMs !== undefined && !pos(spec.binMs)) bad('binMs', `must be > 0, got ${spec.binMs}`);
  if (spec.nodes.length === 0) bad('nodes', 'needs at least one node');
  spec.nodes.forEach((n, i) => {
    const part = `node ${n.id ?? i}`;
    if (!whole(n.count ?? 1, 1)) bad(part, `count must be a whole number >= 1, got ${n.count}`);
    if (!whole(n.workers, 1)) bad(part, `workers must be a whole number >= 1, got ${n.workers}`);
    if (n.maxQueue !== undefined && !(n.maxQueue >= 0)) bad(part, `maxQueue must be >= 0, got ${n.maxQueue}`);
    const t = n.serviceTime;
    const ok =
      t?.kind === 'fixed' ? pos(t.ms) : t?.kind === 'uniform' ? t.minMs >= 0 && t.maxMs >= t.minMs && pos(t.maxMs) : t?.kind === 'exponential' ? pos(t.meanMs) : false;
    // A zero service time would let a worker loop at one instant; every node must take time.
    if (!ok) bad(part, `serviceTime must be fixed {ms > 0}, uniform {0 <= minMs <= maxMs, maxMs > 0} or exponential {meanMs > 0}, got ${JSON.stringify(t)}`);
    if (n.degradation !== undefined && !(n.degradation.slope >= 0)) bad(part, `degradation.slope must be >= 0, got ${n.degradation.slope}`);
    if (n.healthCheckMs !== undefined && !pos(n.healthCheckMs)) bad(part, `healthCheckMs must be > 0, got ${n.healthCheckMs}`);
    if (n.windowMs !== undefined && !pos(n.windowMs)) bad(part, `windowMs must be > 0, got ${n.windowMs}`);
  });
  const ids = expandNodes(spec).map((n) => n.id);
  if (new Set(ids).size !== ids.length) bad('nodes', `node ids must be unique, got ${ids.join(', ')}`);
  const hc = spec.balancer?.healthCheck;
  if (hc !== undefined) {
    if (!pos(hc.intervalMs) || !pos(hc.timeoutMs)) bad('balancer.healthCheck', `intervalMs and timeoutMs must be > 0, got ${hc.intervalMs} and ${hc.timeoutMs}`);
    if (!whole(hc.unhealthyThreshold, 1) || !whole(hc.healthyThreshold, 1)) bad('balancer.healthCheck', 'unhealthyThreshold and healthyThreshold must be whole numbers >= 1');
  }
  const panic = spec.balancer?.panicThresholdPct;
  if (panic !== undefined && !(panic >= 0 && panic <= 100)) bad('balancer.panicThresholdPct', `must be in [0, 100], got ${panic}`);

  const groups = clientGroups(spec);
  if (groups.length === 0) bad('clients', 'needs at least one client group');
  groups.forEach((c, i) => {
    const part = `clients ${c.name ?? i}`;
    if (c.timeoutMs !== undefined && !pos(c.timeoutMs)) bad(part, `timeoutMs must be > 0, got ${c.timeoutMs}`);
    if (c.deadlineMs !== undefined && !pos(c.deadlineMs)) bad(part, `deadlineMs must be > 0, got ${c.deadlineMs}`);
    const weights = Object.entries(c.priorities ?? {});
    for (const [p, w] of weights) {
      if (!PRIORITIES.includes(p as never)) bad(part, `unknown priority "${p}" (${PRIORITIES.join(', ')})`);
      if (!(w! >= 0)) bad(part, `priority weights must be >= 0, got ${p}: ${w}`);
    }
    if (weights.length > 0 && !weights.some(([, w]) => w! > 0)) bad(part, 'priorities need one weight > 0');
    if (c.kind === 'closed') {
      if (!whole(c.clients, 1)) bad(part, `clients must be a whole number >= 1, got ${c.clients}`);
      const [lo, hi] = c.thinkMs;
      if (!whole(lo, 0) || !whole(hi, lo)) bad(part, `thinkMs must be whole ms [min, max] with 0 <= min <= max, got [${lo}, ${hi}]`);
      // With zero think time a rejected client would loop at one instant and time would never move.
      if (hi === 0) bad(part, 'thinkMs [0, 0] never lets time move; give clients a think time');
      if (c.startMs !== undefined && (!whole(c.startMs[0], 0) || !whole(c.startMs[1], c.startMs[0]))) bad(part, `startMs must be whole ms [min, max], got [${c.startMs}]`);
    } else if (c.kind === 'open') {
      if (c.clients !== undefined && !whole(c.clients, 1)) bad(part, `clients must be a whole number >= 1, got ${c.clients}`);
      if (c.rate.length === 0) bad(part, 'rate needs at least one segment {fromMs, toMs, ratePerSec}');
      const sorted = [...c.rate].sort((a, b) => a.fromMs - b.fromMs);
      sorted.forEach((s, k) => {
        if (!(s.fromMs >= 0) || !(s.toMs > s.fromMs)) bad(part, `segment ${k} must have 0 <= fromMs < toMs, got [${s.fromMs}, ${s.toMs})`);
        if (!pos(s.ratePerSec)) bad(part, `segment ${k} ratePerSec must be > 0, got ${s.ratePerSec}`);
        if (k > 0 && s.fromMs < sorted[k - 1]!.toMs) bad(part, `segments overlap at ${s.fromMs} ms; split the rate into non-overlapping segments`);
      });
    } else {
      bad(part, `unknown client kind "${(c as { kind: unknown }).kind}" (open or closed)`);
    }
  });

  const nodes = new Map(expandNodes(spec).map((n) => [n.id, n.options]));
  (spec.faults ?? []).forEach((f, i) => {
    const part = `fault ${i} (${f.kind} ${f.target})`;
    if (!(f.fromMs >= 0) || !(f.toMs > f.fromMs)) bad(part, `needs 0 <= fromMs < toMs, got [${f.fromMs}, ${f.toMs})`);
    const node = nodes.get(f.target);
    if (node === undefined && !hooks.includes(f.target)) {
      bad(part, `target "${f.target}" is neither a node (${[...nodes.keys()].join(', ')}) nor a hook (${hooks.join(', ') || 'none'}); name one, or pass a hook in parts.targets`);
    }
    if (node !== undefined) {
      if (!['down', 'slow', 'capacity'].includes(f.kind)) bad(part, `a node takes 'down', 'slow' or 'capacity', got "${f.kind}"`);
      if (f.kind === 'slow' && !pos(f.factor)) bad(part, `factor must be > 0, got ${f.factor}`);
      if (f.kind === 'capacity' && !(f.factor !== undefined && f.factor >= 0)) bad(part, `factor must be >= 0, got ${f.factor}`);
      const mode = f.mode ?? node.downMode ?? 'fail-fast';
      // A silent node never answers: without a timeout its callers would wait forever.
      if (f.kind === 'down' && mode === 'silent') {
        const blind = groups.find((c) => c.timeoutMs === undefined && c.deadlineMs === undefined);
        if (blind) bad(part, `a silent node never answers, and client group "${blind.name ?? groups.indexOf(blind)}" has no timeoutMs or deadlineMs; give it one`);
      }
    }
  });
}
