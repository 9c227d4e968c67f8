/**
 * Both directions, for every built module: the reference passes every check, and the starter as
 * committed fails every check for the reason its module teaches (the check's starterFails). An
 * exercise can neither become trivially passing nor unsolvable without this going red. And the
 * course list is the only central place: modules/ and solutions/ mirror the definitions exactly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@herd/harness/engine';
import { gradeModule } from '../src/grade.js';
import { course, manifest, requireModule } from '../src/manifest.js';
import { bothDirections } from './support/both-directions.js';
import { syncCourseDocs } from '../src/course-docs.js';

describe('course list', () => {
  it('has unique ids numbered in order, 01 to 14', () => {
    expect(course.map((m) => m.id.slice(0, 2))).toEqual(Array.from({ length: course.length }, (_, i) => String(i + 1).padStart(2, '0')));
  });

  it('tells a module that is still coming from one that does not exist', () => {
    const coming = course.find((m) => 'coming' in m);
    if (coming) expect(() => requireModule(coming.id.slice(0, 2), 'usage')).toThrow(new RegExp(`module ${coming.id} \\(.*\\) is not built yet`));
    expect(() => requireModule('99', 'usage')).toThrow(/no module "99"/);
    expect(requireModule('2', 'usage').id).toBe('02-single-flight');
  });

  it('README.md and the instructor index list the modules as the course list does (pnpm results rewrites them)', () => {
    expect(syncCourseDocs(course, false), 'stale module lists: run pnpm results').toEqual([]);
  });

  it('marks every check measured in real time (realTime), so pnpm results leaves docs/results.md as it was', () => {
    const unmarked = manifest.flatMap((m) => m.checks.filter((c) => /real (time|Redis)/i.test(`${c.name} ${c.target}`) && c.realTime !== true).map((c) => `${m.id}: ${c.name}`));
    expect(unmarked).toEqual([]);
  });

  it('modules/ and solutions/ mirror the definitions: each file where it says, nothing stray', () => {
    const tracked = (dir: string): string[] => {
      try {
        return execFileSync('git', ['ls-files', dir], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
      } catch {
        return [];
      }
    };
    const want = new Set<string>();
    for (const m of manifest) {
      want.add(`modules/${m.id}/README.md`);
      for (const f of Object.keys(m.files)) {
        want.add(`modules/${m.id}/${f}`);
        want.add(`solutions/${m.id}/${f}`);
      }
      expect(existsSync(path.join(repoRoot, 'grader', 'modules', m.id, 'module.ts')), `grader/modules/${m.id}/module.ts`).toBe(true);
      expect(existsSync(path.join(repoRoot, 'docs', 'instructor', `${m.id}.md`)), `docs/instructor/${m.id}.md`).toBe(true);
    }
    const files = [...tracked('modules'), ...tracked('solutions')];
    expect(files.filter((f) => !want.has(f)), 'stray files in modules/ or solutions/').toEqual([]);
    expect([...want].filter((f) => !files.includes(f)), 'files a definition names that are not committed').toEqual([]);
    const folders = readdirSync(path.join(repoRoot, 'grader', 'modules'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.filter((f) => !manifest.some((m) => m.id === f)), 'grader/modules folders with no line in the course list').toEqual([]);
  });
});

// The caching track (01-08) here; the resilience track and the capstone in both-directions-resilience.test.ts,
// so the two halves grade in parallel.
bothDirections(manifest.filter((m) => m.id < '09'));

describe('determinism', () => {
  it('grades a module to identical figures twice', async () => {
    const spec = manifest[1]!;
    const a = await gradeModule(spec, 'solution');
    const b = await gradeModule(spec, 'solution');
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
