/**
 * Every original request and every attempt of a resilience run, struct-of-arrays so a million
 * of each stay cheap, plus the per-bin counts the report's series are made of. Written by the
 * client machinery as requests arrive, attempts go out and answers come back.
 */
import { Bins } from './bins.js';
import { PRIORITIES, STATUSES, type Priority, type Status } from './types.js';

/** Final outcome codes: the four statuses, then 'error' (the policy threw or answered garbage). */
export type Outcome = Status | 'error';
export const OUTCOMES: readonly Outcome[] = [...STATUSES, 'error'];
const ERROR = 4;
/** Outcome code of a request or attempt still pending. */
export const PENDING = 255;

const statusCode = new Map<Outcome, number>(OUTCOMES.map((s, i) => [s, i]));
const priorityCode = new Map<Priority, number>(PRIORITIES.map((p, i) => [p, i]));

function grown<A extends Float64Array | Uint32Array | Uint16Array | Uint8Array | Int16Array>(a: A, need: number): A {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => A)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

export class Recorder {
  /** Originals: arrival and final answer (NaN while pending), outcome, priority, attempts, client. */
  originals = 0;
  oArrival = new Float64Array(1024);
  oFinish = new Float64Array(1024);
  oOutcome = new Uint8Array(1024);
  oPriority = new Uint8Array(1024);
  oAttempts = new Uint16Array(1024);
  oClient = new Uint32Array(1024);
  /** Attempts: start, latency (NaN while pending), attempt number, node index (-1 none), outcome, original. */
  attempts = 0;
  aStart = new Float64Array(1024);
  aLatency = new Float64Array(1024);
  aNumber = new Uint16Array(1024);
  aNode = new Int16Array(1024);
  aOutcome = new Uint8Array(1024);
  aOriginal = new Uint32Array(1024);

  readonly bins: {
    offered: Bins;
    attempts: Bins;
    retries: Bins;
    goodput: Bins;
    rejected: Bins;
    timeouts: Bins;
    failed: Bins;
    /** Originals whose final answer was ok (within their deadline or not). */
    succeeded: Bins;
    offeredByPriority: Bins[];
    goodputByPriority: Bins[];
  };

  constructor(readonly t0: number, binMs: number) {
    const b = (): Bins => new Bins(t0, binMs);
    this.bins = {
      offered: b(),
      attempts: b(),
      retries: b(),
      goodput: b(),
      rejected: b(),
      timeouts: b(),
      failed: b(),
      succeeded: b(),
      offeredByPriority: PRIORITIES.map(b),
      goodputByPriority: PRIORITIES.map(b),
    };
  }

  addOriginal(t: number, priority: Priority, client: number): number {
    const i = this.originals++;
    if (i >= this.oArrival.length) {
      const n = i + 1;
      this.oArrival = grown(this.oArrival, n);
      this.oFinish = grown(this.oFinish, n);
      this.oOutcome = grown(this.oOutcome, n);
      this.oPriority = grown(this.oPriority, n);
      this.oAttempts = grown(this.oAttempts, n);
      this.oClient = grown(this.oClient, n);
    }
    const p = priorityCode.get(priority)!;
    this.oArrival[i] = t;
    this.oFinish[i] = NaN;
    this.oOutcome[i] = PENDING;
    this.oPriority[i] = p;
    this.oAttempts[i] = 0;
    this.oClient[i] = client;
    this.bins.offered.add(t);
    this.bins.offeredByPriority[p]!.add(t);
    return i;
  }

  /** `good`: ok and within the original's deadline. */
  finishOriginal(i: number, t: number, outcome: Outcome, good: boolean): void {
    this.oFinish[i] = t;
    this.oOutcome[i] = statusCode.get(outcome) ?? ERROR;
    if (outcome === 'ok') this.bins.succeeded.add(t);
    if (good) {
      this.bins.goodput.add(t);
      this.bins.goodputByPriority[this.oPriority[i]!]!.add(t);
    }
  }

  addAttempt(t: number, original: number): number {
    const i = this.attempts++;
    if (i >= this.aStart.length) {
      const n = i + 1;
      this.aStart = grown(this.aStart, n);
      this.aLatency = grown(this.aLatency, n);
      this.aNumber = grown(this.aNumber, n);
      this.aNode = grown(this.aNode, n);
      this.aOutcome = grown(this.aOutcome, n);
      this.aOriginal = grown(this.aOriginal, n);
    }
    const number = ++this.oAttempts[original]!;
    this.aStart[i] = t;
    this.aLatency[i] = NaN;
    this.aNumber[i] = number;
    this.aNode[i] = -1;
    this.aOutcome[i] = PENDING;
    this.aOriginal[i] = original;
    this.bins.attempts.add(t);
    if (number > 1) this.bins.retries.add(t);
    return i;
  }

  finishAttempt(i: number, t: number, status: Status, node: number): void {
    this.aLatency[i] = t - this.aStart[i]!;
    this.aOutcome[i] = statusCode.get(status)!;
    this.aNode[i] = node;
    if (status === 'rejected') this.bins.rejected.add(t);
    else if (status === 'timeout') this.bins.timeouts.add(t);
    else if (status === 'failed') this.bins.failed.add(t);
  }

  /** Index of the oldest original still pending, or -1 (for HANG and STUCK messages). */
  oldestPending(): number {
    for (let i = 0; i < this.originals; i++) if (this.oOutcome[i] === PENDING) return i;
    return -1;
  }

  pendingCount(): number {
    let n = 0;
    for (let i = 0; i < this.originals; i++) if (this.oOutcome[i] === PENDING) n++;
    return n;
  }
}
