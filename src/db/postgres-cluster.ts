import { spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isOurProcess, onPath, sleep, spawnLogged, stopChild, stopLeftover } from './embedded-process.js';

/** initdb, postgres: the server binaries of one PostgreSQL version. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** PostgreSQL's server binaries: on PATH, else the newest of Debian's /usr/lib/postgresql/<version>/bin. */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env, debianRoot = '/usr/lib/postgresql'): PostgresBinaries | undefined {
  const initdb = onPath('initdb', env);
  const postgres = onPath('postgres', env);
  if (initdb && postgres) return { initdb, postgres };
  if (!existsSync(debianRoot)) return undefined;
  const versions = readdirSync(debianRoot)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = path.join(debianRoot, version, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'postgres'))) {
      return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
    }
  }
  return undefined;
}

/** The account the cluster runs as: ourselves, or (PostgreSQL refuses root) the `postgres` user. */
function clusterAccount(): { uid: number; gid: number; name: string } | undefined {
  const uid = process.getuid?.();
  if (uid !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const [u, g] = [id('-u'), id('-g')];
  if (u.status !== 0 || g.status !== 0) {
    throw new Error(
      'PostgreSQL refuses to run as root and this machine has no "postgres" user to run it as: run the app as an ordinary user, or install Debian\'s postgresql package (it creates that user)',
    );
  }
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()), name: 'postgres' };
}

/** A Unix socket path is limited to 107 bytes: a deep DATA_DIR puts the socket in a private temporary folder. */
function socketDirectory(clusterDir: string): { dir: string; temporary: boolean } {
  const inside = path.join(clusterDir, 'socket');
  if (Buffer.byteLength(path.join(inside, '.s.PGSQL.5432')) < 100) return { dir: inside, temporary: false };
  return { dir: mkdtempSync(path.join(os.tmpdir(), 'loyalty-pg-')), temporary: true };
}

export interface PostgresCluster {
  /** For FerretDB's --postgresql-url: the socket folder as host, no password (only this account can reach it). */
  url: string;
  stop(): Promise<void>;
}

const readyLine = (pgdata: string) => {
  try {
    // postmaster.pid's 8th line is the server's status; "ready" once it takes connections.
    return readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim();
  } catch {
    return undefined;
  }
};

async function waitUntilReady(pgdata: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}; see ${path.join(pgdata, '..', 'postgres.log')}`);
    if (readyLine(pgdata) === 'ready') return;
    await sleep(50);
  }
  throw new Error(`postgres was not ready within ${timeoutMs} ms`);
}

/**
 * A private PostgreSQL cluster under `clusterDir` (initialised on first use), listening only on
 * a Unix socket in a folder no other account can open. Stopped with a fast shutdown (SIGINT:
 * clients are disconnected, everything is written, the next start needs no recovery).
 */
export async function startPostgresCluster(binaries: PostgresBinaries, clusterDir: string): Promise<PostgresCluster> {
  const account = clusterAccount();
  const pgdata = path.join(clusterDir, 'data');
  const socket = socketDirectory(clusterDir);
  const asAccount = account ? { uid: account.uid, gid: account.gid } : {};
  // DATA_DIR itself keeps the usual mode: the cluster's account must be able to pass through it.
  mkdirSync(path.dirname(clusterDir), { recursive: true });
  for (const dir of [clusterDir, pgdata, socket.dir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (account) for (const dir of [clusterDir, pgdata, socket.dir]) chownSync(dir, account.uid, account.gid);

  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    const init = spawnSync(binaries.initdb, ['-D', pgdata, '-U', 'loyalty', '--auth=trust', '--encoding=UTF8', '--locale=C'], {
      encoding: 'utf8',
      ...asAccount,
    });
    if (init.status !== 0) {
      const who = account
        ? ` as user "${account.name}" (PostgreSQL refuses to run as root), which must be able to pass through every folder above ${clusterDir} (chmod o+x, or choose another DATA_DIR)`
        : '';
      throw new Error(`initdb failed${who}: ${(init.stderr || init.stdout || String(init.error)).trim().split('\n').slice(-2).join(' ')}`);
    }
  }

  // A server left running by a killed app holds the data directory: end it. A stale pid file
  // whose pid now belongs to another program would make postgres refuse to start: remove it.
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!(await stopLeftover(pid, pgdata, 'SIGINT')) && !isOurProcess(pid, pgdata)) rmSync(pidFile, { force: true });
  }

  const child = spawnLogged(
    binaries.postgres,
    ['-D', pgdata, '-c', 'listen_addresses=', '-c', `unix_socket_directories=${socket.dir}`, '-c', 'port=5432', '-c', 'max_connections=50'],
    clusterDir,
    'postgres',
    asAccount,
  );
  const stop = async () => {
    await stopChild(child, 'SIGINT', 30_000);
    if (socket.temporary) rmSync(socket.dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(pgdata, child, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://loyalty@/postgres?host=${encodeURIComponent(socket.dir)}`, stop };
}
