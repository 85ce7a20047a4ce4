import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { EmbeddedKind } from './embedded-kinds.js';

/** The full path of `command` when the PATH of `env` finds it. */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8', env });
  const location = found.stdout.trim();
  return found.status === 0 && location.startsWith('/') ? location : undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntilAnswering(uri: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode} before answering`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, directConnection: true });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await client.close().catch(() => undefined);
    }
    await sleep(100);
  }
  throw new Error(`did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/** Sends `signal`, then SIGKILL if the process is still there after `graceMs`; resolves once it exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Whether `pid` still runs: a zombie (an orphan that exited and nobody reaped) does not. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    if (existsSync('/proc/self/stat')) return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when `pid` runs a program whose command line mentions `marker` (our data directory). */
export function isOurProcess(pid: number, marker: string): boolean {
  if (!alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(marker);
  } catch {
    return false;
  }
}

/**
 * Ends a server a previous run left behind (the app was killed with SIGKILL, its children lived
 * on): it would hold the data files and refuse a second server on them.
 */
export async function stopLeftover(pid: number, marker: string, signal: NodeJS.Signals, graceMs = 15_000): Promise<boolean> {
  if (!isOurProcess(pid, marker)) return false;
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await sleep(50);
  return true;
}

/** A server process started with its output appended to `<dir>/<name>.log`. */
export function spawnLogged(binary: string, args: string[], dir: string, name: string, options: SpawnOptions = {}): ChildProcess {
  mkdirSync(dir, { recursive: true });
  const log = createWriteStream(path.join(dir, `${name}.log`), { flags: 'a' });
  // A process group of its own: Ctrl-C in the terminal reaches the app only, which then stops
  // the servers in order (FerretDB before PostgreSQL) once its own work has drained.
  const child = spawn(binary, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // Two sources share one file: neither may end it, and 'exit' can come before the last output
  // is read, so the file is closed only once both pipes have closed.
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('close', () => log.end());
  return child;
}

/** A MongoDB-compatible server this process started for itself. */
export interface EmbeddedMongo {
  uri: string;
  kind: EmbeddedKind;
  stop(): Promise<void>;
}

/**
 * Starts a server answering the MongoDB protocol on a free loopback port and waits until it
 * answers a ping. Its pid is kept in `<dir>/<kind>.pid` so the next start can end a leftover.
 */
export async function startMongoProcess(
  kind: EmbeddedKind,
  binary: string,
  args: (port: number) => string[],
  dir: string,
  database: string,
): Promise<EmbeddedMongo> {
  mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, `${kind}.pid`);
  if (existsSync(pidFile)) await stopLeftover(Number(readFileSync(pidFile, 'utf8')), dir, 'SIGTERM');
  const port = await freePort();
  const child = spawnLogged(binary, args(port), dir, kind);
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  const uri = `mongodb://127.0.0.1:${port}/${database}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(pidFile, { force: true });
  };
  try {
    await waitUntilAnswering(uri, child, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { uri, kind, stop };
}
