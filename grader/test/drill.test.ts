/**
 * The interview drill: every built module's follow-ups are data (one source for its README and
 * `pnpm drill`), each answer's own figure reads from the check it names, Leitner boxes bring a
 * missed question back first and a known one later, and what the drill prints fits 80 columns
 * with no colour, at a terminal and as a study sheet. `pnpm drill 01` says why not before 01
 * passes, and quotes the learner's saved grade after.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@herd/harness/engine';
import { itemsOf, runSession, sessionItems, studySheet, type DrillModule } from '../src/interview/drill.js';
import { cardKey, dueKeys, rate, startSession, type DrillState } from '../src/interview/leitner.js';
import { interviews } from '../src/interview/load.js';
import { manifest, requireModule } from '../src/manifest.js';
import { learnerHash } from '../src/progress.js';
import type { SavedGrade } from '../src/saved-grade.js';

const W = 80;
const run = promisify(execFile);
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const temp = mkdtempSync(path.join(tmpdir(), 'herd-drill-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The references' measured figures per module and check, as docs/results.md records them. */
function referenceFigures(): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let inChecks = false;
  for (const line of readFileSync(path.join(repoRoot, 'docs', 'results.md'), 'utf8').split('\n')) {
    const h = /^## (\S+)/.exec(line);
    if (h) out.set(h[1]!, (current = new Map()));
    if (line.startsWith('| check |')) inChecks = true;
    else if (!line.startsWith('|')) inChecks = false;
    else if (inChecks && current && !line.startsWith('| ---')) {
      const [name, measured] = line.split(' | ').map((c) => c.replace(/^\| /, ''));
      if (name !== undefined && measured !== undefined) current.set(name, measured);
    }
  }
  return out;
}

const referenceGrade = (id: string, figures: Map<string, string>): SavedGrade => ({
  id,
  status: 'pass',
  hash: 'test',
  gradedAt: '2026-01-01T00:00:00.000Z',
  checks: [...figures].map(([name, measured]) => ({ name, status: 'pass', measured, target: '', seed: 1 })),
});

describe('interview follow-ups as data', () => {
  it('every built module has its questions and model answers beside it, ids unique', () => {
    for (const m of manifest) {
      const interview = interviews.get(m.id);
      expect(interview, `grader/modules/${m.id}/interview.ts`).toBeDefined();
      expect(interview!.questions.length).toBeGreaterThanOrEqual(4);
      for (const q of interview!.questions) {
        expect(q.id).toMatch(/^[a-z0-9-]+$/);
        expect(q.a.length, `${m.id} ${q.id}: a model answer`).toBeGreaterThan(80);
      }
    }
  });

  it("each answer's own figure reads from the check it names (the references' figures in docs/results.md)", () => {
    const figures = referenceFigures();
    let quoted = 0;
    for (const m of manifest) {
      const mine = figures.get(m.id);
      expect(mine, `docs/results.md section for ${m.id}`).toBeDefined();
      for (const q of interviews.get(m.id)!.questions) {
        if (q.yours === undefined) continue;
        const said = q.yours((name) => mine!.get(name));
        expect(said, `${m.id} ${q.id}: its figure did not parse from the reference's checks`).toBeDefined();
        expect(said).not.toMatch(/undefined|NaN/);
        quoted++;
      }
    }
    expect(quoted).toBeGreaterThanOrEqual(manifest.length);
  });
});

describe('Leitner boxes', () => {
  it('a known question moves up and comes back later; a missed one goes to box 1 and comes back first', () => {
    const keys = ['m/a', 'm/b', 'm/c'];
    const state: DrillState = { session: 0, cards: {} };
    startSession(state, keys);
    expect(dueKeys(state, keys)).toEqual(keys);
    expect(rate(state, 'm/a', 'knew')).toMatchObject({ box: 2, due: 3 });
    expect(rate(state, 'm/b', 'missed')).toMatchObject({ box: 1, due: 2 });
    expect(rate(state, 'm/c', 'partly')).toMatchObject({ box: 1, due: 2 });
    startSession(state, keys);
    expect(dueKeys(state, keys), 'session 2: missed first, then partly; the known one waits').toEqual(['m/b', 'm/c']);
    rate(state, 'm/b', 'knew');
    rate(state, 'm/c', 'knew');
    startSession(state, keys);
    expect(dueKeys(state, keys)).toEqual(['m/a']);
    rate(state, 'm/a', 'knew');
    expect(state.cards['m/a']).toMatchObject({ box: 3, due: 7 });
    // Nothing due in session 4 (b, c due at 4): the session moves on to the first one with work.
    state.cards['m/b']!.due = 6;
    state.cards['m/c']!.due = 6;
    startSession(state, keys);
    expect(state.session).toBe(6);
    expect(dueKeys(state, keys)).toEqual(['m/b', 'm/c']);
  });
});

describe('what the drill prints', () => {
  const figures = referenceFigures();
  const modules: DrillModule[] = manifest.map((m) => ({ id: m.id, title: m.title, interview: interviews.get(m.id)!, grade: referenceGrade(m.id, figures.get(m.id)!) }));

  it('the study sheet fits 80 columns, without colour, and quotes the figures', () => {
    const sheet = studySheet(modules, W);
    expect(sheet.split('\n').filter((l) => l.length > W), 'sheet lines over 80').toEqual([]);
    expect(sheet).not.toMatch(/\u001b/);
    expect(sheet).toContain('   Your run of 01 measured 6 boundaries with a herd of 58 to 86');
  });

  it('a session asks, reveals on Enter, takes k/p/m, saves after each answer and stops on q', async () => {
    const one = modules.filter((m) => m.id === '01-stampede');
    const state: DrillState = { session: 0, cards: {} };
    const items = sessionItems(itemsOf(one), state, true, 10);
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (c: Buffer) => (printed += c.toString()));
    let saves = 0;
    // Enter, then "k"; Enter, then a typo and "m"; Enter, then q.
    input.end('\nk\n\nx\nm\n\nq\n');
    const tally = await runSession(items, state, { input, output, width: W }, () => saves++);
    expect(tally).toEqual({ knew: 1, partly: 0, missed: 1 });
    expect(saves).toBe(2);
    expect(state.cards[cardKey('01-stampede', 'cpu-every-5-minutes')]).toMatchObject({ box: 2, last: 'knew' });
    expect(state.cards[cardKey('01-stampede', 'raise-ttl-to-an-hour')]).toMatchObject({ box: 1, last: 'missed' });
    expect(printed).toContain('Model answer: Look for a 5-minute TTL');
    // At a terminal the learner's Enter ends each prompt's line; here nothing echoes it.
    const lines = printed.replace(/(\(q stops\): |q = stop: )/g, '$1\n').split('\n');
    expect(lines.filter((l) => l.length > W)).toEqual([]);
    expect(printed).not.toMatch(/\u001b/);
  });
});

describe('pnpm drill 01', () => {
  const env = (dir: string): NodeJS.ProcessEnv => ({ ...process.env, HERD_STATE_DIR: dir, CI: '', FORCE_COLOR: '0' });

  it('before 01 passes: says why and exits 1; after: prints the study sheet with the saved figures when piped', async () => {
    const fresh = path.join(temp, 'fresh');
    const passed = path.join(temp, 'passed');
    mkdirSync(path.join(passed, 'grades'), { recursive: true });
    const spec = requireModule('01', '');
    const hash = learnerHash(spec);
    writeFileSync(path.join(passed, 'progress.json'), JSON.stringify({ modules: { [spec.id]: { status: 'pass', hash, gradedAt: '2026-01-01T00:00:00.000Z' } }, hints: {} }));
    writeFileSync(path.join(passed, 'grades', `${spec.id}.json`), JSON.stringify({ ...referenceGrade(spec.id, referenceFigures().get(spec.id)!), hash }));
    const drill = path.join(repoRoot, 'grader', 'src', 'cli', 'drill.ts');
    const [before, after] = await Promise.all([
      run(tsx, [drill, '01'], { cwd: repoRoot, env: env(fresh) }).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      ),
      run(tsx, [drill, '01'], { cwd: repoRoot, env: env(passed) }),
    ]);
    expect(before?.code).toBe(1);
    expect(before?.stderr).toMatch(/01 stampede is not passed yet, so the drill has no run of yours to\s+quote/);
    expect(after.stdout).toContain('01 stampede: interview follow-ups (figures from your grade of 2026-01-01)');
    expect(after.stdout).toMatch(/\n   Your run of 01 measured 6 boundaries with a herd of 58 to 86/);
    expect(after.stdout.split('\n').filter((l) => l.length > W)).toEqual([]);
  });
});
