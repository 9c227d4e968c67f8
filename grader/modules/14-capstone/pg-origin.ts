/**
 * The PostgreSQL origin: the machine's server, a table in the capstone's own schema, every read
 * one query that sleeps the configured latency (pg_sleep) and records itself in a log table, so
 * the queries are counted at the database, not by the service. Each worker's pool holds its share
 * of the origin's capacity. PUT writes the row and bumps its version.
 */
import { userInfo } from 'node:os';
import pg from 'pg';
import { HerdError, type Origin, type OriginValue } from '@herd/harness/engine';
import { ORIGIN } from './settings.js';
import type { CapstoneSettings } from './settings.js';

export const PG_SCHEMA = 'herd_capstone';
/** The machine's server, as the user this process runs as (what psql assumes; pg needs it said when USER is unset). */
export const PG_DEFAULT_URL = `postgres://${encodeURIComponent(userInfo().username)}@127.0.0.1:5432/test`;

export function pgOrigin(url: string, instance: string, _settings: CapstoneSettings, workers = 4): Origin & { close(): Promise<void> } & { origin: Origin } {
  const pool = new pg.Pool({ connectionString: url, max: Math.max(1, Math.ceil(ORIGIN.capacity / workers)), connectionTimeoutMillis: 2000 });
  pool.on('error', () => undefined);
  const seconds = ORIGIN.latencyMs / 1000;
  const origin: Origin & { write(key: string, value: string): Promise<void> } = {
    async fetch(key) {
      try {
        const r = await pool.query<{ version: number; present: boolean }>(
          `WITH logged AS (INSERT INTO ${PG_SCHEMA}.queries (key, instance) VALUES ($1, $2) RETURNING 1),
                bumped AS (UPDATE ${PG_SCHEMA}.items SET version = version + 1 WHERE id = $1 RETURNING version)
           SELECT (SELECT version FROM bumped) AS version, (SELECT count(*) FROM logged) > 0 AS present, pg_sleep($3)`,
          [key, instance, seconds],
        );
        const version = r.rows[0]?.version;
        if (version === null || version === undefined) return null;
        return { key, version, builtAt: Date.now(), by: instance } satisfies OriginValue;
      } catch (e) {
        throw new HerdError('ORIGIN_ERROR', `PostgreSQL query for "${key}" failed (${(e as Error).message})`, { key, instance });
      }
    },
    async write(key, value) {
      await pool.query(`INSERT INTO ${PG_SCHEMA}.items (id, value, version) VALUES ($1, $2, 0) ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value`, [key, value]);
    },
  };
  return { ...origin, origin, close: () => pool.end() };
}

/**
 * Creates the schema and tables (the hot keys and `n` items; ids starting with "absent-" are
 * left out), empties the log. Undefined when PostgreSQL is not reachable: the caller says so.
 */
export async function preparePg(url: string, ids: readonly string[]): Promise<{ queries(since: Date): Promise<Array<{ t: number; key: string; instance: string }>>; close(): Promise<void> } | string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
  } catch (e) {
    return (e as Error).message || String(e);
  }
  client.on('error', () => undefined);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${PG_SCHEMA}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${PG_SCHEMA}.items (id text PRIMARY KEY, value text NOT NULL, version int NOT NULL)`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${PG_SCHEMA}.queries (at timestamptz NOT NULL DEFAULT clock_timestamp(), key text NOT NULL, instance text NOT NULL)`);
  await client.query(`TRUNCATE ${PG_SCHEMA}.queries`);
  await client.query(`INSERT INTO ${PG_SCHEMA}.items (id, value, version) SELECT unnest($1::text[]), 'v', 0 ON CONFLICT (id) DO NOTHING`, [ids.filter((id) => !id.startsWith('absent-'))]);
  return {
    async queries(since) {
      const r = await client.query<{ ms: number; key: string; instance: string }>(
        `SELECT extract(epoch FROM at) * 1000 AS ms, key, instance FROM ${PG_SCHEMA}.queries WHERE at >= $1 ORDER BY at`,
        [since],
      );
      return r.rows.map((row) => ({ t: Number(row.ms), key: row.key, instance: row.instance }));
    },
    close: () => client.end(),
  };
}
