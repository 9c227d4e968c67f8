/**
 * One original request, start to finish: it goes through the client's policy, every call the
 * policy makes becomes an attempt (routed by the balancer, timed out by the client), and the
 * policy's final answer is the original's outcome. Policies are promise-based for the learner's
 * sake; underneath, attempts are callbacks and one promise each.
 */
import type { Clock } from '../clock.js';
import { HerdError } from '../errors.js';
import type { Scheduler } from '../load.js';
import type { Rng } from '../rng.js';
import type { Balancer, ReplySink } from './balancer.js';
import type { Recorder } from './recorder.js';
import { TimerHeap, type Timer } from './timer-heap.js';
import { STATUSES, type CallContext, type OriginalRequest, type Policy, type Priority, type Request, type Response, type Status } from './types.js';

/** One client: its policy and the stream its policy gets. */
export interface ClientState {
  readonly index: number;
  readonly policy: Policy;
  readonly rng: Rng;
}

export interface CallerDeps {
  scheduler: Scheduler;
  clock: Clock;
  recorder: Recorder;
  balancer: Balancer;
  /** Node ids by backend index, for responses. */
  nodeIds: readonly string[];
  nextId: () => number;
  /** Gets every exception from learner code (and every malformed answer); the run goes on. */
  onError: (error: unknown) => void;
  /** Per-attempt timeout, ms; Infinity for none. */
  timeoutMs: number;
  /** Per-original deadline, ms after arrival; Infinity for none. */
  deadlineMs: number;
}

export interface Caller {
  /** Starts an original request from `client`; `done` runs once its outcome is recorded. */
  send(client: ClientState, priority: Priority, done: () => void): void;
  /** Originals the policy answered itself (`ctx.reject`), for the report. */
  readonly localAnswers: number;
}

const isStatus = new Set<unknown>(STATUSES);

/** Builds the Response of a policy that answers by itself; needs no `this`, so it survives destructuring. */
function localReject(retryAfterMs?: number): Response {
  return retryAfterMs === undefined
    ? { status: 'rejected', latencyMs: 0, attempt: 0, node: null, local: true }
    : { status: 'rejected', latencyMs: 0, attempt: 0, node: null, local: true, retryAfterMs };
}

/**
 * One attempt in flight. A class, not closures: under tsx every named closure made per attempt
 * costs a defineProperty (keepNames), and at 10,000 attempts a second that was a tenth of a run.
 */
class AttemptRun implements ReplySink, Timer {
  settled = false;
  backend = -1;
  constructor(
    private readonly caller: CallerImpl,
    readonly index: number,
    readonly number: number,
    readonly sentAt: number,
    /** When the caller stops waiting: the attempt's timeout or the original's deadline. */
    readonly at: number,
    private readonly resolve: (r: Response) => void,
  ) {}

  onReply(status: 'ok' | 'rejected' | 'failed', retryAfterMs: number | undefined, node: number): void {
    // An answer landing exactly on the deadline is too late, whichever event the clock ran
    // first; the node's wasted-work rule (finished at or after the deadline) agrees.
    if (this.caller.scheduler.now() >= this.at) this.settle('timeout', undefined, this.backend);
    else this.settle(status, retryAfterMs, node);
  }

  fire(): void {
    this.settle('timeout', undefined, this.backend);
  }

  private settle(status: Status, retryAfterMs: number | undefined, node: number): void {
    if (this.settled) return;
    this.settled = true;
    const { scheduler, balancer, recorder, nodeIds } = this.caller;
    balancer.settled(this.backend);
    const t = scheduler.now();
    recorder.finishAttempt(this.index, t, status, node);
    const name = node >= 0 ? nodeIds[node]! : null;
    this.resolve(
      retryAfterMs === undefined
        ? { status, latencyMs: t - this.sentAt, attempt: this.number, node: name }
        : { status, latencyMs: t - this.sentAt, attempt: this.number, node: name, retryAfterMs },
    );
  }
}

class CallerImpl implements Caller {
  localAnswers = 0;
  readonly scheduler: Scheduler;
  readonly recorder: Recorder;
  readonly balancer: Balancer;
  readonly nodeIds: readonly string[];
  private readonly timers: TimerHeap;

  constructor(private readonly deps: CallerDeps) {
    this.scheduler = deps.scheduler;
    this.recorder = deps.recorder;
    this.balancer = deps.balancer;
    this.nodeIds = deps.nodeIds;
    this.timers = new TimerHeap(deps.scheduler);
  }

  attempt(original: number, request: OriginalRequest, resolve: (r: Response) => void): void {
    const { scheduler, recorder } = this;
    const now = scheduler.now();
    const ai = recorder.addAttempt(now, original);
    const number = recorder.aNumber[ai]!;
    const deadline = Math.min(request.deadline, now + this.deps.timeoutMs);
    const req: Request = { id: this.deps.nextId(), originalId: original, attempt: number, priority: request.priority, deadline, kind: 'work', sentAt: now };
    const run = new AttemptRun(this, ai, number, now, deadline, resolve);
    if (deadline < Infinity) this.timers.add(run);
    run.backend = this.balancer.dispatch(req, run);
  }

  send(client: ClientState, priority: Priority, done: () => void): void {
    const { scheduler, recorder } = this;
    const now = scheduler.now();
    const id = recorder.addOriginal(now, priority, client.index);
    const request: OriginalRequest = { id, priority, arrivedAt: now, deadline: now + this.deps.deadlineMs, client: client.index };
    const ctx: CallContext = { clock: this.deps.clock, rng: client.rng, request, reject: localReject };
    let answer: unknown;
    try {
      // The call is an inline arrow on purpose: a named one costs a keepNames wrapper per request.
      answer = client.policy(() => new Promise<Response>((resolve) => this.attempt(id, request, resolve)), ctx);
    } catch (error) {
      // A policy that throws instead of returning a rejected promise.
      return this.fail(id, error, done);
    }
    if (typeof (answer as PromiseLike<unknown> | null)?.then === 'function') {
      (answer as PromiseLike<unknown>).then(
        (response) => this.finish(id, request.deadline, response, done),
        (error: unknown) => this.fail(id, error, done),
      );
    } else {
      this.fail(id, new HerdError('BAD_RESPONSE', `a call policy returned ${describe(answer)} instead of a promise; make it async or return call()`, { request: id }), done);
    }
  }

  private finish(id: number, deadline: number, response: unknown, done: () => void): void {
    const t = this.scheduler.now();
    const status = (response as Response | null | undefined)?.status;
    if (!isStatus.has(status)) {
      const message = `a call policy answered ${describe(response)} for request #${id}; return the Response a call() gave, or ctx.reject()`;
      return this.fail(id, new HerdError('BAD_RESPONSE', message, { request: id }), done);
    }
    if ((response as Response).local === true) this.localAnswers++;
    this.recorder.finishOriginal(id, t, status as Status, status === 'ok' && t <= deadline);
    done();
  }

  private fail(id: number, error: unknown, done: () => void): void {
    this.deps.onError(error);
    this.recorder.finishOriginal(id, this.scheduler.now(), 'error', false);
    done();
  }
}

export function createCaller(deps: CallerDeps): Caller {
  return new CallerImpl(deps);
}

function describe(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (typeof v === 'object') return `an object without a valid status (${JSON.stringify(v).slice(0, 60)})`;
  return `${typeof v} ${String(v).slice(0, 40)}`;
}
