/**
 * A shared store whose every command takes `ms` of the given clock before it is sent, as a
 * network round trip does. Instances with different latencies make the races between a miss, an
 * acquire and a write possible under the virtual clock, where the embedded store answers at once.
 */
import type { Clock } from '../clock.js';
import type { SharedStore } from './shared-store.js';

type Command = Exclude<keyof SharedStore, 'kind' | 'prefix' | 'cleanup' | 'close'>;
const COMMANDS: readonly Command[] = ['get', 'set', 'del', 'pttl', 'acquire', 'release', 'nextFence', 'setFenced'];

export function withLatency(store: SharedStore, clock: Clock, ms: number): SharedStore {
  if (!(ms > 0)) return store;
  const delayed: Record<string, unknown> = { ...store };
  for (const name of COMMANDS) {
    const inner = store[name] as (...args: unknown[]) => Promise<unknown>;
    delayed[name] = async (...args: unknown[]) => {
      await clock.sleep(ms);
      return inner(...args);
    };
  }
  return delayed as unknown as SharedStore;
}
