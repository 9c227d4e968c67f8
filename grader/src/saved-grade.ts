/**
 * The learner's last grade of each module, as measured: .herd/grades/NN-name.json (git-ignored),
 * written by `pnpm grade` beside progress.json. `pnpm drill` quotes its figures in the model
 * answers; `pnpm grade --room` sends the same verdict (never code) to an instructor's room.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ModuleSpec } from './manifest.js';
import { learnerHash } from './progress.js';
import { stateDir, writeJsonAtomic } from './state-file.js';
import type { ModuleResult, Status } from './types.js';

export interface SavedCheck {
  name: string;
  status: Status;
  measured: string;
  target: string;
  seed: number | null;
}

export interface SavedGrade {
  id: string;
  status: Status;
  /** learnerHash of the files graded: a figure only counts for the files that produced it. */
  hash: string;
  gradedAt: string;
  checks: SavedCheck[];
}

export { stateDir };
const file = (id: string): string => path.join(stateDir(), 'grades', `${id}.json`);

export function verdictOf(spec: ModuleSpec, result: ModuleResult, gradedAt = new Date().toISOString()): SavedGrade {
  return {
    id: result.id,
    status: result.status,
    hash: learnerHash(spec),
    gradedAt,
    checks: result.checks.map(({ name, status, measured, target, seed }) => ({ name, status, measured, target, seed })),
  };
}

/** Writes the verdict atomically (a temporary file renamed over the old one). */
export function saveGrade(grade: SavedGrade): void {
  const f = file(grade.id);
  writeJsonAtomic(f, grade);
}

export function readSavedGrade(id: string): SavedGrade | undefined {
  try {
    const g = JSON.parse(readFileSync(file(id), 'utf8')) as SavedGrade;
    return Array.isArray(g.checks) ? g : undefined;
  } catch {
    return undefined;
  }
}
