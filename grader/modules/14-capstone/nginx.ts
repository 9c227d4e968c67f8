/**
 * nginx's proxy_cache in front of the origin, for the table's nginx rows: the machine's nginx as
 * a child process (daemon off) on a port and a cache directory of its own, every file it writes
 * in one temp directory that stop() deletes. The workers read through it; the origin still counts
 * every query nginx lets through. The cache key is the item's id alone, so one entry serves the
 * whole fleet, as a shared proxy cache would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from '@herd/harness/engine';

export interface NginxCache {
  /** What the workers query instead of the origin: the origin's own API, cached. */
  url: string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** The HTTP origin's URL (http://127.0.0.1:PORT). */
  originUrl: string;
  /** Adds `proxy_cache_use_stale updating` and `proxy_cache_background_update on` to the lock. */
  stale: boolean;
  ttlMs: number;
}

/** The nginx binary, or undefined when the machine has none. */
export function nginxBinary(): string | undefined {
  for (const bin of [process.env.NGINX ?? '', 'nginx', '/usr/sbin/nginx']) {
    if (bin !== '' && spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0) return bin;
  }
  return undefined;
}

/**
 * The config. nginx counts a cache entry's validity in whole seconds, so the TTL is rounded to
 * them (at least 1 s), and an entry lives from that to a second more: its boundaries fall on
 * whole seconds.
 */
export function nginxConfig(dir: string, port: number, o: NginxOptions): string {
  const origin = new URL(o.originUrl);
  const ttl = Math.max(1, Math.round(o.ttlMs / 1000));
  return `
${process.getuid?.() === 0 ? `user ${userInfo().username};` : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=capstone:1m inactive=10m use_temp_path=off;
  upstream origin {
    server ${origin.hostname}:${origin.port};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache capstone;
      proxy_cache_key $arg_key;
      proxy_cache_valid 200 ${ttl}s;
      proxy_cache_lock on;
${o.stale ? '      proxy_cache_use_stale updating;\n      proxy_cache_background_update on;\n' : ''}      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`;
}

/** nginx ($2, prefix $3, config $4) for as long as process $1 lives; SIGTERM stops both. */
const WATCHED_NGINX = `"$2" -p "$3" -c "$4" -e "$3/error.log" 2>>"$3/error.log" & N=$!
trap 'kill $N 2>/dev/null; wait $N; exit 0' TERM INT
while kill -0 "$1" 2>/dev/null && kill -0 $N 2>/dev/null; do sleep 0.5; done
kill $N 2>/dev/null; wait $N`;

/**
 * An entry's lifetime under a steady load: the whole seconds of its validity, plus the rest of the
 * second it was stored in, which is all of it when the first caller after an expiry refills it.
 */
export const nginxLifetimeMs = (ttlMs: number): number => (Math.max(1, Math.round(ttlMs / 1000)) + 1) * 1000;

/** Starts nginx; resolves once it accepts connections, or throws one line from its error log. */
export async function startNginx(bin: string, o: NginxOptions): Promise<NginxCache> {
  const dir = mkdtempSync(path.join(tmpdir(), 'herd-nginx-'));
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, port, o));
  // Through a shell that watches this process: a table killed outright must not leave nginx behind.
  const child = spawn('sh', ['-c', WATCHED_NGINX, 'sh', String(process.pid), bin, dir, conf], { stdio: 'ignore' });
  let exited = false;
  const gone = new Promise<void>((resolve) => {
    child.once('error', () => ((exited = true), resolve()));
    child.once('exit', () => ((exited = true), resolve()));
  });
  const kill = (): void => void child.kill('SIGTERM');
  process.once('exit', kill);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', kill);
    kill();
    await Promise.race([gone, sleep(3000)]);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 50 && !exited; i++) {
    if (await accepts(port)) return { url: `http://127.0.0.1:${port}`, stop };
    await sleep(100);
  }
  const why = lastError(path.join(dir, 'error.log'));
  await stop();
  throw new Error(`nginx did not start: ${why}`);
}

function lastError(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => /\[(emerg|alert|crit|error)\]/.test(l));
    return (lines.pop() ?? 'no error logged').replace(/^.*?\[(emerg|alert|crit|error)\] [0-9#]+: /, '');
  } catch {
    return 'no error log';
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
