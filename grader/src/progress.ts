/**
 * The learner's progress, kept in .herd/progress.json (git-ignored): the last grade of each
 * module with a hash of the files it graded, and how many hints each module has shown.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@herd/harness/engine';
import { learnerPath } from './load-learner.js';
import { stateDir, writeJsonAtomic } from './state-file.js';
import type { ModuleSpec } from './manifest.js';
import type { Status } from './types.js';

export interface Progress {
  modules: Record<string, { status: Status; hash: string; gradedAt: string }>;
  hints: Record<string, number>;
}

const file = (): string => path.join(stateDir(), 'progress.json');

export function readProgress(): Progress {
  try {
    const parsed = JSON.parse(readFileSync(file(), 'utf8')) as Partial<Progress>;
    return { modules: parsed.modules ?? {}, hints: parsed.hints ?? {} };
  } catch {
    return { modules: {}, hints: {} };
  }
}

export function writeProgress(progress: Progress): void {
  writeJsonAtomic(file(), progress);
}

/** Hash of the learner's files for a module: a pass only counts for the files it graded. */
export function learnerHash(spec: ModuleSpec): string {
  const h = createHash('sha256');
  for (const f of Object.keys(spec.files)) {
    const abs = path.join(repoRoot, learnerPath(spec, 'starter', f));
    h.update(f);
    h.update(existsSync(abs) ? readFileSync(abs) : '');
  }
  return h.digest('hex').slice(0, 16);
}

export function recordGrade(spec: ModuleSpec, status: Status): void {
  const p = readProgress();
  p.modules[spec.id] = { status, hash: learnerHash(spec), gradedAt: new Date().toISOString() };
  writeProgress(p);
}

/** Done when the last grade passed and the files have not changed since. */
export function isDone(spec: ModuleSpec, progress = readProgress()): boolean {
  const m = progress.modules[spec.id];
  return m !== undefined && m.status === 'pass' && m.hash === learnerHash(spec);
}
