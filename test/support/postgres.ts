import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { missingTool } from './tools.ts';
import { freePort } from './ports.ts';

/**
 * A throwaway PostgreSQL cluster for the tests of the PostgreSQL audit sink: `initdb` into a
 * fresh temp dir, `pg_ctl start` on a free loopback port, one database and one password user.
 * Debian installs the server binaries in /usr/lib/postgresql/<version>/bin, off PATH. PostgreSQL
 * refuses to run as root, so under root (containers, CI) the cluster runs as the unprivileged
 * `postgres` user Debian's package creates, and the temp dir is handed to it.
 */

export interface PgCluster {
  /** The password of the `mud` user every database() URL logs in as. */
  password: string;
  port: number;
  dir: string;
  /** pg_ctl stop -m fast: connections drop, as in an outage. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and removes the temp dir. */
  destroy(): Promise<void>;
  /** A fresh, empty database owned by `mud`: its URL, postgres://mud:<password>@127.0.0.1:<port>/<db>. */
  database(): Promise<string>;
  /** Runs SQL as the superuser (over the socket) in the database of `url`: tampering, checks. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params?: unknown[]): Promise<pg.QueryResult<T>>;
}

/** The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, else a PATH dir holding both. */
export function findPgBin(): string | null {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs.readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a))
    : [];
  const dirs = [...versions.map((v) => path.join(root, v, 'bin')), ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean)];
  for (const bin of dirs) {
    if (fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

/**
 * The bin dir, or null after a loud skip warning (an error under MUD_TEST_REQUIRE_TOOLS=1, as
 * for the other Debian programs the tests drive).
 */
export function requirePostgres(purpose: string): string | null {
  return (
    findPgBin() ??
    missingTool(`${purpose} need PostgreSQL's server programs (initdb and pg_ctl), which are not installed (apt-get install postgresql, as .ci/run does)`)
  );
}


const asRoot = () => process.getuid?.() === 0;

/** Runs a server binary, as `postgres` when we are root. */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

const execFileAsync = promisify(execFile);

async function runPg(bin: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(...pgCommand(bin, args), { encoding: 'utf8', timeout: 90_000 });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${path.basename(bin)} ${args[0] ?? ''} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

export async function startPgCluster(bin: string): Promise<PgCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mud-pg-'));
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'sock');
  const log = path.join(dir, 'postgres.log');
  const pgctl = path.join(bin, 'pg_ctl');
  // A test process that dies (a timeout, ^C) must not leave a postgres running: stop it at exit.
  const atExit = () => {
    try {
      execFileSync(...pgCommand(pgctl, ['stop', '-m', 'immediate', '-D', data]), { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // not running
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', atExit);
  const port = await freePort();
  // Throwaway data: no fsync, a small footprint on a shared two-core machine.
  const opts = `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=40`;
  const start = () => runPg(pgctl, ['start', '-w', '-t', '60', '-D', data, '-l', log, '-o', opts]);
  const stop = () => runPg(pgctl, ['stop', '-w', '-t', '60', '-m', 'fast', '-D', data]);
  try {
    fs.mkdirSync(sock);
    const superPw = path.join(dir, 'superpw');
    fs.writeFileSync(superPw, crypto.randomBytes(12).toString('hex'));
    if (asRoot()) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    // The socket trusts local connections (its dir is the cluster owner's); TCP needs a password.
    await runPg(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--pwfile', superPw, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    await start();
  } catch (error) {
    process.off('exit', atExit);
    atExit();
    throw error;
  }

  /** A superuser session over the socket (trusted there), for setup and for tampering. */
  const asSuper = async <T extends pg.QueryResultRow>(database: string, sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ host: sock, port, user: 'postgres', database });
    await client.connect();
    try {
      return await client.query<T>(sql, params);
    } finally {
      await client.end();
    }
  };
  const password = 'S3cret-Pg-Pw-7731';
  await asSuper('postgres', `CREATE ROLE mud LOGIN PASSWORD '${password}'`);
  const urlOf = (db: string) => `postgres://mud:${password}@127.0.0.1:${port}/${db}`;
  let databases = 0;
  let running = true;
  return {
    password,
    port,
    dir,
    async database() {
      const name = `mud_audit_${++databases}`;
      await asSuper('postgres', `CREATE DATABASE ${name} OWNER mud`);
      return urlOf(name);
    },
    query: (url, sql, params) => asSuper(new URL(url).pathname.slice(1), sql, params),
    stop: async () => {
      if (running) await stop();
      running = false;
    },
    start: async () => {
      if (!running) await start();
      running = true;
    },
    destroy: async () => {
      try {
        if (running) await stop();
      } finally {
        running = false;
        process.off('exit', atExit);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
