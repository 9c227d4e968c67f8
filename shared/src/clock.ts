/**
 * The one clock interface learner code sees. The same code runs unchanged under the virtual
 * clock (deterministic, discrete-event) and the real one.
 */
export interface Clock {
  /** Milliseconds since the clock's origin (virtual: since the run started). */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

const realOrigin = performance.now();

/** Real time. `now()` counts from module load, like the virtual clock counts from zero. */
export const realClock: Clock = {
  now: () => performance.now() - realOrigin,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
