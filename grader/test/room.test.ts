/**
 * The instructor's room, end to end on loopback: learners post their verdicts through the same
 * client `pnpm grade --room` uses, the page lists them by module with the most failed checks on
 * top (in Debian's chromium, through playwright-core), a restart keeps every row, the code and
 * the tokens, and bad posts are refused with a clear 4xx, leaving the state as it was.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@herd/harness/engine';
import { postVerdict } from '../src/room/client.js';
import { MAX_BODY, startRoom, type Room } from '../src/room/server.js';
import type { RoomModule } from '../src/room/verdict.js';
import type { SavedGrade } from '../src/saved-grade.js';

const temp = mkdtempSync(path.join(tmpdir(), 'herd-room-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

// The room knows modules and their checks; a small course keeps the test independent of the real one.
const modules: RoomModule[] = [
  { id: '01-stampede', title: 'stampede', checks: ['herd reproduced', 'ttl honoured', 'prediction'] },
  { id: '02-single-flight', title: 'single-flight', checks: ['one query per boundary', 'p99 at the boundary'] },
];
const clock = { t: Date.parse('2026-03-02T10:00:00Z') };
const now = (): Date => new Date(clock.t);

const grade = (id: string, failing: string[] = []): SavedGrade => {
  const names = modules.find((m) => m.id === id)!.checks!;
  return {
    id,
    status: failing.length > 0 ? 'fail' : 'pass',
    hash: 'h',
    gradedAt: now().toISOString(),
    checks: names.map((name) => ({ name, status: failing.includes(name) ? 'fail' : 'pass', measured: `${name} figure`, target: 't', seed: 1 })),
  };
};

const post = (room: Room, body: unknown, headers: Record<string, string> = {}, code = room.code): Promise<Response> =>
  fetch(`${room.url}/r/${code}/verdicts`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const stateFile = path.join(temp, 'room', 'state.json');
const tokens = (who: string): string => path.join(temp, who, 'room-tokens.json');

/** Finds Debian's chromium (or CHROMIUM_PATH): the browser test needs it, and CI must have it. */
const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => p !== undefined && p !== '' && existsSync(p));

describe('the room', () => {
  let room: Room;

  it('learners post their verdicts; each gets a token, and the page lists them by module with the most failed checks on top', async () => {
    room = await startRoom({ stateFile, modules, now });
    expect(room.code).toMatch(/^[A-Z2-9]{6}$/);
    const ada = await postVerdict(room.joinUrl, 'ada', grade('01-stampede', ['prediction']), tokens('ada'));
    expect(ada).toMatchObject({ ok: true, status: 201 });
    expect(ada.message).toBe(`room: posted 01 (fail) to ${room.joinUrl} as ada`);
    clock.t += 120_000;
    expect(await postVerdict(room.joinUrl, 'ada', grade('01-stampede'), tokens('ada'))).toMatchObject({ ok: true, status: 200 });
    expect(await postVerdict(room.joinUrl, 'ada', grade('02-single-flight', ['p99 at the boundary']), tokens('ada'))).toMatchObject({ ok: true });
    expect(await postVerdict(room.joinUrl, 'grace', grade('01-stampede', ['prediction', 'ttl honoured']), tokens('grace'))).toMatchObject({ ok: true, status: 201 });
    clock.t += 60_000;
    expect(await postVerdict(room.joinUrl, 'grace', grade('01-stampede', ['prediction']), tokens('grace'))).toMatchObject({ ok: true, status: 200 });

    const view = (await (await fetch(`${room.url}/room.json`)).json()) as { learners: Array<{ name: string; modules: Record<string, { status: string }> }>; mostFailed: unknown[] };
    expect(view.learners.map((l) => [l.name, Object.fromEntries(Object.entries(l.modules).map(([k, v]) => [k, v.status]))])).toEqual([
      ['ada', { '01-stampede': 'pass', '02-single-flight': 'fail' }],
      ['grace', { '01-stampede': 'fail' }],
    ]);
    expect(view.mostFailed).toEqual([
      { module: '01-stampede', check: 'prediction', failedGrades: 3, stuckNow: 1 },
      { module: '02-single-flight', check: 'p99 at the boundary', failedGrades: 1, stuckNow: 1 },
      { module: '01-stampede', check: 'ttl honoured', failedGrades: 1, stuckNow: 0 },
    ]);
    expect(JSON.stringify(view)).not.toMatch(/token/i);
    const html = await (await fetch(`${room.url}/`)).text();
    expect(html).toContain('<strong>01 prediction</strong>');
    expect(html).toMatch(/<th scope="row">grace<\/th><td class="quiet">just now<\/td><td class="fail"><strong>FAIL<\/strong> 2\/3<div class="check">prediction<\/div>/);
    expect(readdirSync(path.dirname(stateFile)), 'the state is renamed into place: no temporary file left').toEqual(['state.json']);
  });

  it('refuses bad posts with a clear 4xx and leaves the state as it was', async () => {
    const before = readFileSync(stateFile, 'utf8');
    const ok = { name: 'lin', module: '01-stampede', status: 'pass', checks: [{ name: 'prediction', status: 'pass', measured: '' }] };
    const refusals: Array<[string, Promise<Response>, number, RegExp]> = [
      ['wrong room code', post(room, ok, {}, 'WRONG1'), 403, /wrong room code/],
      ['not JSON', post(room, '{"name": "lin",'), 400, /not JSON/],
      ['not application/json', post(room, ok, { 'content-type': 'text/plain' }), 415, /application\/json/],
      ['oversized', post(room, { ...ok, checks: [{ name: 'prediction', status: 'pass', measured: 'x'.repeat(MAX_BODY) }] }), 413, /at most 16384 bytes/],
      ['code sent along', post(room, { ...ok, files: { 'cache.ts': 'export {}' } }), 422, /unknown field "files"/],
      ['unknown module', post(room, { ...ok, module: '99-nope' }), 422, /not a module of this course/],
      ['unknown check', post(room, { ...ok, checks: [{ name: 'rm -rf', status: 'pass' }] }), 422, /has no check "rm -rf"/],
      ['bad status', post(room, { ...ok, status: 'great' }), 422, /status: one of pass, fail, error, skipped/],
      ['bad name', post(room, { ...ok, name: '<script>' }), 422, /name: 1 to 40 letters/],
      ["another learner's name, no token", post(room, { ...ok, name: 'ada' }), 401, /has posted here before: its token is missing/],
      ["another learner's name, wrong token", post(room, { ...ok, name: 'ada' }, { authorization: 'Bearer not-ada' }), 403, /belongs to another learner/],
      ['GET on the post route', fetch(`${room.url}/r/${room.code}/verdicts`), 405, /POST a verdict here/],
      ['no such page', fetch(`${room.url}/admin`), 404, /no such page/],
    ];
    for (const [what, response, status, says] of refusals) {
      const res = await response;
      expect(res.status, what).toBe(status);
      expect(((await res.json()) as { error: string }).error, what).toMatch(says);
    }
    // The client says the same in one line, and a name another learner holds is refused to it too.
    const stolen = await postVerdict(room.joinUrl, 'ada', grade('01-stampede', ['prediction']), tokens('mallory'));
    expect(stolen).toMatchObject({ ok: false, status: 401 });
    expect(stolen.message).toMatch(/^room: refused \(401\): the name "ada" has posted here before/);
    expect(await postVerdict(`${room.url}/r/${room.code}x`, 'lin', grade('01-stampede'), tokens('lin'))).toMatchObject({ ok: false, status: 403 });
    expect(readFileSync(stateFile, 'utf8')).toBe(before);
  });

  it('a restart keeps the learners, their rows, the code and their tokens', async () => {
    const code = room.code;
    await room.close();
    const unreachable = await postVerdict(room.joinUrl, 'ada', grade('01-stampede'), tokens('ada'));
    expect(unreachable.message).toMatch(/^room: could not reach http:\/\/127\.0\.0\.1:\d+ \((ECONNREFUSED|UND_ERR_SOCKET)\); your grade stands/);
    room = await startRoom({ stateFile, modules, now });
    expect(room.code).toBe(code);
    const html = await (await fetch(`${room.url}/`)).text();
    expect(html).toContain('<th scope="row">ada</th>');
    expect(html).toContain('<th scope="row">grace</th>');
    // ada's token from before the restart still works; the room's URL may have a new port.
    expect(await postVerdict(room.joinUrl, 'ada', grade('02-single-flight'), tokens('ada'))).toMatchObject({ ok: true, status: 200 });
    const view = (await (await fetch(`${room.url}/room.json`)).json()) as { learners: Array<{ name: string; modules: Record<string, { status: string }> }> };
    expect(view.learners[0]!.modules['02-single-flight']!.status).toBe('pass');
  });

  const browser = chromium !== undefined || process.env.CI === 'true' ? it : it.skip;
  const title = chromium !== undefined || process.env.CI === 'true' ? 'the page in chromium: learners by module, most failed checks on top' : 'the page in chromium: skipped, no chromium at /usr/bin/chromium (apt-get install -y chromium)';
  browser(title, async () => {
    if (chromium === undefined) throw new Error('no chromium at /usr/bin/chromium (or CHROMIUM_PATH): CI must install it (.ci/run: apt-get install -y chromium)');
    const { chromium: driver } = await import('playwright-core');
    const b = await driver.launch({ executablePath: chromium, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await b.newPage({ viewport: { width: 1000, height: 420 } });
      await page.goto(`${room.url}/`);
      expect(await page.title()).toBe(`Tame the Herd: room ${room.code}`);
      const rows = await page.locator('#learners tbody tr').allInnerTexts();
      expect(rows.map((r) => r.split('\t')[0])).toEqual(['ada', 'grace']);
      expect(await page.locator('#learners tbody tr').nth(1).locator('td.fail').innerText()).toMatch(/FAIL 2\/3\s+prediction/);
      expect(await page.locator('#most-failed li').first().innerText()).toMatch(/^01 prediction \(stampede\): 3 failed grades, 1 learner failing it now$/);
      const shot = process.env.HERD_ROOM_SCREENSHOT;
      if (shot) await page.screenshot({ path: path.resolve(repoRoot, shot), fullPage: true });
    } finally {
      await b.close();
      await room.close();
    }
  });
});
