/**
 * TypeScript errors in a learner's files, as warning lines: the grader runs the code anyway (tsx
 * strips types), but a type error is often the bug. The check runs in its own process, beside
 * the grading, so it costs no wall time; `typeWarnings` resolves with at most a few lines.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '@herd/harness/engine';
import { forkTs, killWithParent } from './fork-ts.js';

const CHILD = fileURLToPath(new URL('./typecheck-child.ts', import.meta.url));
/** Lines shown at most; the rest are counted. */
const MAX_LINES = 3;

/** Starts type-checking `files` (repository-relative); resolves with warning lines, [] when clean or on any trouble. */
export function typeWarnings(files: readonly string[], timeoutMs = 20_000): Promise<string[]> {
  return new Promise((resolve) => {
    const child = forkTs(CHILD);
    const release = killWithParent(child);
    child.stdout?.resume();
    child.stderr?.resume();
    const timer = setTimeout(() => done([]), timeoutMs);
    let settled = false;
    function done(lines: string[]): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      release();
      resolve(lines);
    }
    child.on('message', (m: { errors?: string[] }) => {
      const errors = m.errors ?? [];
      const shown = errors.slice(0, MAX_LINES);
      if (errors.length > MAX_LINES) shown.push(`... and ${errors.length - MAX_LINES} more type errors (pnpm typecheck shows them all)`);
      done(shown);
    });
    child.once('close', () => done([]));
    child.once('error', () => done([]));
    child.send({ files: files.map((f) => path.join(repoRoot, f)) });
  });
}
