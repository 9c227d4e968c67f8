/**
 * Both directions, for every module in the manifest: the reference passes every check, and the
 * starter fails every check for the reason its module teaches (the manifest's starterFails).
 * An exercise can neither become trivially passing nor unsolvable without this going red.
 */
import { describe, expect, it } from 'vitest';
import { registeredModules } from '../checks/index.js';
import { gradeModule } from '../src/grade.js';
import { course, manifest, requireModule } from '../src/manifest.js';
import type { CheckResult } from '../src/types.js';

describe('manifest', () => {
  it('registers hidden checks for exactly the modules it lists', () => {
    expect(registeredModules().sort()).toEqual(manifest.map((m) => m.id).sort());
  });

  it('builds the course in order: every built module is the course entry at its position', () => {
    expect(manifest.map((m) => ({ id: m.id, title: m.title }))).toEqual(course.slice(0, manifest.length));
  });

  it('tells a module that is still coming from one that does not exist', () => {
    expect(() => requireModule('07', 'usage')).toThrow(/module 07-negative-caching \(negative caching\) is not built yet/);
    expect(() => requireModule('99', 'usage')).toThrow(/no module "99"/);
    expect(requireModule('2', 'usage').id).toBe('02-single-flight');
  });
});

/**
 * A Redis-backed check skipped because no Redis could be found: allowed outside CI only, and
 * said out loud. In CI the check cannot skip (locateRedis throws), so it errors and fails here.
 */
function skippedForNoRedis(c: CheckResult): boolean {
  if (c.status !== 'skipped' || process.env.CI === 'true' || !/^no Redis/.test(c.message)) return false;
  console.warn(`SKIPPED, not passed: ${c.name}: ${c.message}`);
  return true;
}

describe.each(manifest.map((m) => [m.id, m] as const))('%s', (_id, spec) => {
  it('reference passes every check', async () => {
    const result = await gradeModule(spec, 'solution');
    const failing = result.checks.filter((c) => c.status !== 'pass' && !skippedForNoRedis(c)).map((c) => `${c.name}: ${c.status}: ${c.message}`);
    expect(failing, 'got failing checks on the reference, want none').toEqual([]);
    expect(result.checks.map((c) => c.name)).toEqual(spec.checks.map((c) => c.name));
  });

  it('starter fails every check for the reason the module teaches', async () => {
    const result = await gradeModule(spec, 'starter');
    for (const check of spec.checks) {
      const got = result.checks.find((c) => c.name === check.name);
      if (got !== undefined && skippedForNoRedis(got)) continue;
      expect(got?.status, `${check.name}: got ${got?.status} (${got?.message}), want fail`).toBe('fail');
      expect(got!.message, `${check.name}: got message "${got!.message}", want one matching ${check.starterFails}`).toMatch(check.starterFails);
    }
  });
});

describe('determinism', () => {
  it('grades a module to identical figures twice', async () => {
    const spec = manifest[1]!;
    const a = await gradeModule(spec, 'solution');
    const b = await gradeModule(spec, 'solution');
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
