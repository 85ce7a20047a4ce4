import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ferretdbCachePath } from '../../src/db/embedded.js';

/** The FerretDB binary scripts/build-ferretdb.sh caches, if this machine has it. */
export const ferretdbBinary = existsSync(ferretdbCachePath()) ? ferretdbCachePath() : undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/**
 * A FerretDB server of the test's own (SQLite handler, its own port and data directory),
 * which the test may stop and start again: never the shared server others use.
 */
export class OwnFerretDb {
  private child?: ChildProcess;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async create(): Promise<OwnFerretDb> {
    return new OwnFerretDb(await freePort(), mkdtempSync(path.join(os.tmpdir(), 'loyalty-outage-db-')));
  }

  uri(database: string): string {
    return `mongodb://127.0.0.1:${this.port}/${database}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts on the same port and data directory as before; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (!ferretdbBinary) throw new Error('no FerretDB binary; run npm run ferretdb:build');
    this.child = spawn(
      ferretdbBinary,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${this.dir}/`,
        `--state-dir=${this.dir}`,
        `--listen-addr=127.0.0.1:${this.port}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=error',
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 15_000;
    while (!(await accepts(this.port))) {
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error('FerretDB did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the server (as a crash would) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
