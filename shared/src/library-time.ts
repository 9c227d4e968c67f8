/**
 * Library time on the virtual clock. A learner may delegate to a well-known library (a breaker,
 * a retry helper) that reads Date.now or performance.now and sets its own timers. Refusing those
 * calls would grade the library's clock, not its behaviour; letting them through would mix real
 * time into a virtual run. So while the guard is on, a call whose caller is a library the
 * learner's code uses is answered from the run's virtual clock: its timers fire at virtual
 * instants and its clock reads virtual time. guard.ts decides who the caller is; this file holds
 * the timers and the clock readings it hands out.
 */

/** What a virtual clock lends the guard while it runs (VirtualClock implements it). */
export interface TimeBridge {
  now(): number;
  /** Schedules `fn` after `ms` of virtual time; the handle cancels it. */
  schedule(ms: number, fn: () => void): unknown;
  cancel(handle: unknown): void;
}

/**
 * Date.now() as a library sees it during a virtual run: a fixed instant plus virtual time, so two
 * runs of one seed read the same dates on any machine, on any day.
 */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);

let nextId = 1;

/**
 * A library's setTimeout or setInterval on the virtual clock. It answers the Timeout methods
 * libraries call (unref, ref, hasRef, refresh, close, a numeric id); clearTimeout and
 * clearInterval recognise it wherever they are called from.
 */
export class VirtualTimer {
  readonly id = nextId++;
  /** The pending wake-up; undefined once fired (a timeout) or cleared. */
  private handle: unknown;
  private referenced = true;

  constructor(
    private readonly bridge: TimeBridge,
    private readonly ms: number,
    private readonly fn: () => void,
    private readonly repeat: boolean,
  ) {
    this.arm();
  }

  private arm(): void {
    this.handle = this.bridge.schedule(this.ms, () => {
      this.handle = undefined;
      if (this.repeat) this.arm();
      else byId.delete(this.id);
      this.fn();
    });
  }

  clear(): void {
    if (this.handle !== undefined) this.bridge.cancel(this.handle);
    this.handle = undefined;
    byId.delete(this.id);
  }

  refresh(): this {
    this.clear();
    this.arm();
    byId.set(this.id, new WeakRef(this));
    return this;
  }

  ref(): this {
    this.referenced = true;
    return this;
  }

  unref(): this {
    this.referenced = false;
    return this;
  }

  hasRef(): boolean {
    return this.referenced;
  }

  close(): this {
    this.clear();
    return this;
  }

  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

/** Timers by id, so clearTimeout(Number(timer)) works as it does with Node's own. */
const byId = new Map<number, WeakRef<VirtualTimer>>();

/** A library's timer: `kind` 'immediate' runs at the same virtual instant, a timeout or interval after `ms`. */
export function virtualTimer(bridge: TimeBridge, kind: 'timeout' | 'interval' | 'immediate', fn: unknown, ms: unknown, args: unknown[]): VirtualTimer {
  if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
  const call = args.length === 0 ? (fn as () => void) : () => (fn as (...a: unknown[]) => void)(...args);
  // Node runs a delay below 1 ms, above 2^31 - 1 ms or NaN after 1 ms.
  const d = Number(ms);
  const delay = kind === 'immediate' ? 0 : d >= 1 && d <= 2_147_483_647 ? d : 1;
  const timer = new VirtualTimer(bridge, delay, call, kind === 'interval');
  byId.set(timer.id, new WeakRef(timer));
  return timer;
}

/** The VirtualTimer behind a clearTimeout argument (the timer or its id), if it is one. */
export function asVirtualTimer(handle: unknown): VirtualTimer | undefined {
  if (handle instanceof VirtualTimer) return handle;
  if (typeof handle === 'number') return byId.get(handle)?.deref();
  return undefined;
}

/** process.hrtime() and process.hrtime.bigint() for a virtual `now` in ms. */
export function virtualHrtime(nowMs: number, previous?: readonly [number, number]): [number, number] {
  const ns = Math.round(nowMs * 1e6);
  let s = Math.floor(ns / 1e9);
  let n = ns - s * 1e9;
  if (previous !== undefined) {
    s -= previous[0];
    n -= previous[1];
    if (n < 0) {
      s -= 1;
      n += 1e9;
    }
  }
  return [s, n];
}
