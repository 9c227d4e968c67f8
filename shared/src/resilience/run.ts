/**
 * The resilience runner: a scenario spec and the learner's parts (call policy, admission hook,
 * balancer policy) in, a report out. It assembles nodes, balancer, client groups and the fault
 * timeline on one ClockDriver (virtual by default; realDriver for real time), runs until every
 * original request has its outcome, with a deadline so nothing hangs. Rejections and timeouts
 * are outcomes; an exception from learner code is recorded (first one kept) and the run goes on.
 */
import { createRng } from '../rng.js';
import { within, type ClockDriver, type FailureSample } from '../runner.js';
import { VirtualClock } from '../virtual-clock.js';
import { Balancer, createBalancerPolicy, type BalancerOptions, type BalancerPolicy } from './balancer.js';
import { Bins } from './bins.js';
import { createCaller } from './caller.js';
import { driveClients } from './clients.js';
import { scheduleFaults, type FaultHook } from './faults.js';
import { Recorder } from './recorder.js';
import { buildReport, type NodeSamples, type ResilienceReport } from './report.js';
import { Service } from './service.js';
import { checkResilienceSpec, clientGroups, expandNodes, type ResilienceSpec } from './spec.js';
import { singleAttempt, type AdmissionFactory, type PolicyFactory } from './types.js';

/** Where learner code (and a check's own components) plug in. Every part is optional. */
export interface ResilienceParts {
  /** Makes each client's call policy. Default: one attempt, no retry. */
  policy?: PolicyFactory;
  /** Makes each node's admission hook. Default: admit everything the queue has room for. */
  admission?: AdmissionFactory;
  /** Replaces the balancer's routing and ejection. Default: createBalancerPolicy(spec.balancer). */
  balancer?: (options: BalancerOptions) => BalancerPolicy;
  /** Fault targets besides nodes (the origin, a shared store), by name. */
  targets?: Readonly<Record<string, FaultHook>>;
}

export interface ResilienceRunOptions {
  /** Default: a fresh virtual clock. */
  driver?: ClockDriver;
}

export interface ResilienceResult {
  report: ResilienceReport;
  /** The first exception from learner code (or malformed answer), with how many there were. */
  failure?: FailureSample;
  nodes: Service[];
  balancer: Balancer;
  /** Every original and attempt, for checks that need more than the report (absolute times). */
  recorder: Recorder;
}

export async function runResilience(spec: ResilienceSpec, parts: ResilienceParts = {}, options: ResilienceRunOptions = {}): Promise<ResilienceResult> {
  checkResilienceSpec(spec, Object.keys(parts.targets ?? {}));
  const driver = options.driver ?? new VirtualClock();
  const { clock } = driver;
  const t0 = clock.now();
  const endAt = t0 + spec.durationMs;
  const binMs = spec.binMs ?? 100;
  const rng = createRng(spec.seed);
  const recorder = new Recorder(t0, binMs);
  let ids = 0;
  const nextId = (): number => ids++;

  let failure: FailureSample | undefined;
  const onError = (error: unknown): void => {
    failure ??= { count: 0, message: error instanceof Error ? error.message : String(error), error };
    failure.count++;
  };

  // The learner's parts are made here, outside the run: under the run's guard all the same.
  const nodes = within(driver, () => expandNodes(spec).map(
    ({ id, options: nodeOptions }, index) =>
      new Service(id, index, nodeOptions, {
        scheduler: driver,
        rng: rng.fork(`node:${id}`),
        admission: parts.admission?.({ id, clock, rng: rng.fork(`admission:${id}`) }),
        onError,
        series: { completed: new Bins(t0, binMs), rejected: new Bins(t0, binMs), wasted: new Bins(t0, binMs) },
      }),
  ));
  const balancerOptions = spec.balancer ?? {};
  const balancer = new Balancer(nodes, balancerOptions, {
    scheduler: driver,
    rng: rng.fork('balancer'),
    policy: within(driver, () => (parts.balancer ? parts.balancer(balancerOptions) : createBalancerPolicy(balancerOptions))),
    t0,
    nextId,
    onError,
  });
  scheduleFaults(spec.faults ?? [], { scheduler: driver, t0, nodes: new Map(nodes.map((n) => [n.id, n])), hooks: parts.targets ?? {} });
  balancer.startHealthChecks(endAt);

  // Queue length, work in flight and healthy nodes, sampled at the start of every bin.
  const samples: NodeSamples[] = nodes.map(() => ({ inFlight: new Bins(t0, binMs), queue: new Bins(t0, binMs) }));
  const healthy = new Bins(t0, binMs);
  let bin = 0;
  const sample = (): void => {
    nodes.forEach((node, k) => {
      samples[k]!.inFlight.set(bin, node.view.inFlight);
      samples[k]!.queue.set(bin, node.view.queueLength);
    });
    healthy.set(bin, balancer.healthy);
    bin++;
    if (t0 + bin * binMs < endAt) driver.schedule(t0 + bin * binMs - driver.now(), sample);
  };
  sample();

  const caller = (group: ReturnType<typeof clientGroups>[number]) =>
    createCaller({
      scheduler: driver,
      clock,
      recorder,
      balancer,
      nodeIds: nodes.map((n) => n.id),
      nextId,
      onError,
      timeoutMs: group.timeoutMs ?? Infinity,
      deadlineMs: group.deadlineMs ?? Infinity,
    });
  const callers = clientGroups(spec).map((group) => ({ group, caller: caller(group) }));
  const main = Promise.all(
    callers.map(({ group, caller: c }, g) =>
      driveClients(group, {
        scheduler: driver,
        clock,
        rng: rng.fork(`clients:${group.name ?? g}`),
        caller: c,
        policy: parts.policy ?? (() => singleAttempt),
        t0,
        endAt,
      }),
    ),
  );

  const describePending = (): string | undefined => {
    const i = recorder.oldestPending();
    if (i < 0) return undefined;
    const more = recorder.pendingCount() - 1;
    const at = ((recorder.oArrival[i]! - t0) / 1000).toFixed(3);
    return `the call policy for request #${i} (client ${recorder.oClient[i]}, ${recorder.oAttempts[i]} attempts so far), which arrived at t=${at}s${more > 0 ? ` (and ${more} more)` : ''},`;
  };
  await driver.run(main, { deadline: endAt + (spec.graceMs ?? 30_000), describePending });

  const localAnswers = callers.reduce((s, c) => s + c.caller.localAnswers, 0);
  const report = buildReport(spec, recorder, nodes, samples, healthy, balancer, localAnswers);
  return { report, failure, nodes, balancer, recorder };
}
