/**
 * pnpm room serve [--port 7319] [--host 127.0.0.1] [--state FILE]
 *
 * The instructor's room: serves one page listing learners by module and takes their verdicts
 * (pnpm grade NN --room URL --name NAME). State is kept in .herd/room/state.json (or --state), so a
 * restart keeps the learners, their rows and the room code. --host 0.0.0.0 opens it to the room's
 * network; the default listens on this machine only.
 */
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { GraderError } from '../learner-error.js';
import { manifest } from '../manifest.js';
import { paragraph } from '../render.js';
import { startRoom } from '../room/server.js';
import { stateDir } from '../saved-grade.js';
import { parseArgs } from './args.js';
import { main } from './main.js';

const USAGE = 'usage: pnpm room serve [--port 7319] [--host 127.0.0.1] [--state FILE]';

main(async () => {
  const args = parseArgs(process.argv.slice(2), ['help'], ['port', 'host', 'state']);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  if (args.positionals[0] !== 'serve' || args.positionals.length !== 1) throw new GraderError(USAGE, 1);
  const portRaw = args.values.get('port') ?? '7319';
  if (!/^\d+$/.test(portRaw) || Number(portRaw) > 65535) throw new GraderError(`--port takes a port number, got "${portRaw}"`, 1);
  const host = args.values.get('host') ?? '127.0.0.1';
  const stateFile = path.resolve(args.values.get('state') ?? path.join(stateDir(), 'room', 'state.json'));
  const modules = manifest.map((m) => ({ id: m.id, title: m.title, checks: m.checks.map((c) => c.name) }));
  let room;
  try {
    room = await startRoom({ stateFile, modules, host, port: Number(portRaw), log: (l) => console.log(l) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new GraderError(`port ${portRaw} is in use: is a room already running? Pick another with --port`, 1);
    throw error;
  }
  const port = new URL(room.url).port;
  const hosts = host === '0.0.0.0' || host === '::'
    ? Object.values(networkInterfaces()).flat().filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal).map((a) => a!.address)
    : [new URL(room.url).hostname];
  console.log(`Tame the Herd room ${room.code}: the page is at ${hosts.map((h) => `http://${h}:${port}/`).join(' or ')}`);
  console.log('Learners post their grade with:');
  for (const h of hosts.length > 0 ? hosts : ['127.0.0.1']) console.log(`  pnpm grade NN --room http://${h}:${port}/r/${room.code} --name NAME`);
  console.log(paragraph(`State: ${path.relative(process.cwd(), stateFile).startsWith('..') ? stateFile : path.relative(process.cwd(), stateFile)} (a restart keeps learners, rows and code). Ctrl-C stops.`, 2));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await room.close();
  return 0;
});
