/**
 * Faults on a timeline, Maelstrom's nemesis in spirit: each one flips a component at `fromMs`
 * and back at `toMs`. Nodes know 'down', 'slow' and 'capacity'; anything else (the origin, a
 * shared store, a learner's dependency) is reached through a named hook the check supplies.
 */
import type { Scheduler } from '../load.js';
import type { DownMode, NodeCondition, Service } from './service.js';

export type FaultKind = 'down' | 'slow' | 'capacity' | 'custom';

export interface FaultSpec {
  /** Relative to the run's start, ms; the fault holds over [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** A node id, or the name of a hook in the run's parts. */
  target: string;
  kind: FaultKind;
  /** 'slow': service time x factor. 'capacity': workers x factor (rounded; 0 stops work). */
  factor?: number;
  /** 'down': answer nothing or fail fast. Default: the node's downMode. */
  mode?: DownMode;
  /** Shown on charts. Default `${kind} ${target}`. */
  label?: string;
}

/** Flips a named component: `active` true at the fault's start, false at its end. */
export type FaultHook = (active: boolean, fault: FaultSpec) => void;

export interface FaultDeps {
  scheduler: Scheduler;
  t0: number;
  nodes: ReadonlyMap<string, Service>;
  hooks: Readonly<Record<string, FaultHook>>;
}

/** What the faults active on one node make of it; overlapping faults compose (factors multiply). */
export function conditionOf(active: readonly FaultSpec[], defaultDown: DownMode): NodeCondition {
  let down: NodeCondition['down'] = false;
  let slowFactor = 1;
  let capacityFactor = 1;
  for (const f of active) {
    if (f.kind === 'down') down = f.mode ?? defaultDown;
    else if (f.kind === 'slow') slowFactor *= f.factor ?? 1;
    else if (f.kind === 'capacity') capacityFactor *= f.factor ?? 1;
  }
  return { down, slowFactor, capacityFactor };
}

/** Schedules every fault's start and end on the run's clock. */
export function scheduleFaults(faults: readonly FaultSpec[], deps: FaultDeps): void {
  const { scheduler, t0, nodes, hooks } = deps;
  const active = new Map<string, FaultSpec[]>();
  const flip = (fault: FaultSpec, on: boolean): void => {
    const node = nodes.get(fault.target);
    if (node === undefined) return hooks[fault.target]!(on, fault);
    let list = active.get(fault.target) ?? [];
    list = on ? [...list, fault] : list.filter((f) => f !== fault);
    active.set(fault.target, list);
    node.setCondition(conditionOf(list, node.options.downMode ?? 'fail-fast'));
  };
  const now = scheduler.now();
  for (const fault of faults) {
    scheduler.schedule(t0 + fault.fromMs - now, () => flip(fault, true));
    scheduler.schedule(t0 + fault.toMs - now, () => flip(fault, false));
  }
}

/** True when a fault targeting `target` holds at `t` (relative to the run's start). */
export function faultedAt(faults: readonly FaultSpec[], target: string, t: number): boolean {
  return faults.some((f) => f.target === target && f.fromMs <= t && t < f.toMs);
}
