// Test fixture for shared/src/guard.test.ts: learner-like code (its folder is added as a learner dir).
export function makeApp(deps: any) {
  return {
    async get(key: string) {
      await new Promise((resolve) => setTimeout(resolve, 10)); // line 5
      return deps.origin.fetch(key);
    },
  };
}
export function useDateNow(): number {
  return Date.now(); // line 11
}
export function useSetInterval(): void {
  clearInterval(setInterval(() => {}, 1000)); // line 14
}
export function useSetImmediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve)); // line 17
}
export function useSetTimeout(): void {
  clearTimeout(setTimeout(() => {}, 1000)); // line 20
}
export function useNextTick(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve)); // line 23
}
export async function useStream(): Promise<void> {
  // What console.log does underneath: Node's stream calls nextTick, not the learner.
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  await new Promise<void>((resolve) => sink.write('x', () => resolve()));
}
export function useMathRandom(): number {
  return Math.random(); // line 31
}
// Last, so the line numbers above stay put (imports are hoisted wherever they stand).
import { Writable } from 'node:stream';
