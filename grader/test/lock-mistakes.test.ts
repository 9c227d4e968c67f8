/**
 * The classic lock mistakes, each made on a copy of module 03's reference, fail the check that
 * the module README and the instructor guide say they fail, with the message they quote. A
 * check that stopped catching its mistake would pass a broken lock; this keeps them honest.
 * The copies are written under modules/ (where the loader and the guard expect learner files)
 * and removed after.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@herd/harness/engine';
import { gradeModule } from '../src/grade.js';
import { manifest } from '../src/manifest.js';

const base = manifest.find((m) => m.id === '03-distributed-lock')!;
const reference = readFileSync(path.join(repoRoot, 'solutions', base.id, 'locked-cache.ts'), 'utf8');
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Grades the reference with each `from` replaced by its `to`, on seed 1, for one check. */
async function gradeMutant(name: string, edits: Array<[from: string, to: string]>, check: string) {
  let source = reference;
  for (const [from, to] of edits) {
    expect(reference, `the reference no longer contains ${JSON.stringify(from)}: update this mutation`).toContain(from);
    source = source.replace(from, to);
  }
  const id = `99-lock-${name}-${process.pid}`;
  const dir = path.join(repoRoot, 'modules', id);
  dirs.push(dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'locked-cache.ts'), source);
  const result = await gradeModule({ ...base, id }, 'starter', { seeds: [1], only: [check] }, base.id);
  return result.checks[0]!;
}

describe('module 03: each lock mistake fails the check that teaches it', () => {
  it('an unfenced write: the slow holder overwrites the newer value', async () => {
    const c = await gradeMutant('unfenced', [['await store.setFenced(key, JSON.stringify(value), fence, ttlMs);', 'await store.set(key, JSON.stringify(value), ttlMs);']], 'slow holder fenced');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/store ends with version 1 .* want version 2/);
  });

  it('the fence taken after the rebuild: the stale holder gets the newer fence and wins', async () => {
    const c = await gradeMutant(
      'late-fence',
      [['const fence = await store.nextFence(key);\n      const value = await origin.fetch(key);', 'const value = await origin.fetch(key);\n      const fence = await store.nextFence(key);']],
      'slow holder fenced',
    );
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/store ends with version 1 .* want version 2/);
  });

  it('release with plain DEL: no lock is released through its holder', async () => {
    const c = await gradeMutant('del', [['await store.release(`lock:${key}`, token);', 'await store.del(`lock:${key}`);']], 'release by non-holder');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/acquired locks were never released/);
  });

  it('a poll backoff without a cap: a crashed holder costs more than PX + one rebuild + two polls', async () => {
    const c = await gradeMutant('uncapped', [['pause = Math.min(pause * 1.5, lock.pollMs * 4);', 'pause = pause * 2;']], 'crashed holder');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/the slowest request waited \d+ ms, want <= 760 ms/);
  });

  it('no maxWaitMs check: the wait never ends, and the grader says where in a line instead of spinning', async () => {
    // The reference bounds each sleep by maxWaitMs - elapsed; without the check that reaches 0
    // and the loop spins at t=2 s without letting time pass.
    const c = await gradeMutant('no-max-wait', [['if (elapsed >= lock.maxWaitMs) {', 'if (false) {']], 'waiters give up');
    expect(c.status, c.message).toBe('error');
    expect(c.message).toMatch(/locked-cache\.ts: get\("home"\) #1 was still pending at t=2\.000s, where something rescheduled itself 100,000 times/);
  });

  it('no maxWaitMs at all: waiters sit out the whole 60 s lock, then rebuild', async () => {
    const c = await gradeMutant(
      'no-bound',
      [
        ['if (elapsed >= lock.maxWaitMs) {', 'if (false) {'],
        ['await clock.sleep(Math.min(pause * (0.5 + rng.next()), lock.maxWaitMs - elapsed));', 'await clock.sleep(pause * (0.5 + rng.next()));'],
      ],
      'waiters give up',
    );
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/requests did not wait for the lock holder: they sent 1 origin query and settled by 60\d{3} ms/);
  });
});
