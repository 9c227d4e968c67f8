/**
 * Every command an instance sends to a shared store, as the harness saw it: who sent it, when it
 * was sent and when it was answered, its arguments and its answer. Wrap each instance's store
 * (outermost, so the times are the ones the learner's code saw) into one log per run, and a
 * check can count lock commands per boundary, find who released whose lock, or time a wait.
 */
import type { Clock, SharedStore } from '@herd/harness/engine';

export type StoreOp = 'get' | 'set' | 'del' | 'pttl' | 'acquire' | 'release' | 'nextFence' | 'setFenced';
const OPS: readonly StoreOp[] = ['get', 'set', 'del', 'pttl', 'acquire', 'release', 'nextFence', 'setFenced'];

export interface StoreCommand {
  instance: string;
  op: StoreOp;
  /** The key or lock name the command is about (its first argument). */
  name: string;
  /** The other arguments: value / token / fence / PX, as sent. */
  args: readonly unknown[];
  /** Clock time it was sent, and answered (NaN while pending or when it threw). */
  sent: number;
  answered: number;
  /** The answer (true for a taken lock, the PTTL, the fence...); undefined until answered. */
  result?: unknown;
  /** It threw (the store refused it). */
  threw?: boolean;
}

/**
 * `store` as `instance` sees it, each command appended to `log` when sent and completed when
 * answered; `keep` leaves out the ones a check does not read (a hot key's million GETs).
 */
export function loggedStore(store: SharedStore, clock: Clock, instance: string, log: StoreCommand[], keep?: (op: StoreOp, name: string) => boolean): SharedStore {
  const logged: Record<string, unknown> = { ...store };
  for (const op of OPS) {
    const inner = store[op] as (...args: unknown[]) => Promise<unknown>;
    logged[op] = async (...args: unknown[]) => {
      if (keep !== undefined && !keep(op, String(args[0]))) return inner.apply(store, args);
      const entry: StoreCommand = { instance, op, name: String(args[0]), args: args.slice(1), sent: clock.now(), answered: NaN };
      log.push(entry);
      try {
        const result = await inner.apply(store, args);
        entry.result = result;
        entry.answered = clock.now();
        return result;
      } catch (error) {
        entry.threw = true;
        throw error;
      }
    };
  }
  return logged as unknown as SharedStore;
}
