/**
 * rerunWatched: a command re-run in a child process on the same terminal, with a watchdog that
 * stands by only until the command reports that the learner's code has finished.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rerunWatched } from '../src/isolated.js';

const fixture = (name: string): string => path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'watched', `${name}.ts`);

afterEach(() => vi.restoreAllMocks());

describe('rerunWatched', () => {
  it('kills a command whose code never yields and says so in one line naming the file', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
    const started = performance.now();
    expect(await rerunWatched(fixture('spins'), [], 'modules/02-single-flight/single-flight.ts', 2000)).toBe(1);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(lines).toEqual([
      'modules/02-single-flight/single-flight.ts: your code did not finish within 2 s of wall time: a loop that never awaits (while or for with no await inside) blocks everything; look for one in your code',
    ]);
  });

  it('stands down once the command reports its run, and passes its exit code on', async () => {
    // The fixture exits 6 s after reporting, past a 5 s watchdog that must no longer fire (5 s
    // leaves a loaded machine ample time to start the child and report).
    expect(await rerunWatched(fixture('finishes'), [], 'modules/x.ts', 5000)).toBe(3);
  });
});
