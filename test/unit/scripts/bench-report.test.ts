import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src/paths.js';
import { README_BEGIN, README_END, renderTable, replaceMeasurements, resultsFileName, type BenchResults } from '../../../scripts/bench/report.js';
import { TelegramRateWindow } from '../../support/telegram-limits.js';

const results: BenchResults = {
  date: '2026-12-01T10:00:00.000Z',
  machine: { cores: 2, cpu: 'Test CPU', memoryGiB: 24, node: 'v20.20.2', platform: 'linux', database: 'FerretDB v1.24.0 on PostgreSQL 15' },
  options: { customers: 20000, soakSeconds: 60 },
  seconds: 301,
  figures: [
    { id: 'raw-upserts', label: 'raw upserts/s', measured: '800/s', target: '(the ceiling)', detail: { perSecond: 800 } },
    {
      id: 'landing',
      label: '`GET /r/<code>` with a | in it',
      measured: '400 req/s',
      ratio: { value: 0.123, of: 'the bare Express route' },
      target: '≥ 1,500 req/s',
      met: false,
      detail: { perSecond: 400 },
    },
  ],
};

describe('the benchmark report', () => {
  it('renders one table row per figure, with ratio and verdict, pipes escaped', () => {
    const lines = renderTable(results).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('| `GET /r/<code>` with a \\| in it | 400 req/s | 0.12 of the bare Express route | ≥ 1,500 req/s (missed) |');
  });

  it('rewrites only the text between the README markers, with date and machine', () => {
    const readme = `# Title\n\n## Measurements\n\nHow to run.\n\n${README_BEGIN}\nold table\n${README_END}\n\nAfter.\n`;
    const once = replaceMeasurements(readme, results, 'bench-results/x.json');
    expect(once).not.toContain('old table');
    expect(once).toContain('Run of 2026-12-01T10:00:00.000Z (301 s) on 2 cores (Test CPU), 24 GiB, Node v20.20.2');
    expect(once).toContain('database FerretDB v1.24.0 on PostgreSQL 15');
    expect(once).toContain('| raw upserts/s | 800/s |  | (the ceiling) |');
    expect(once.startsWith('# Title\n\n## Measurements\n\nHow to run.\n\n')).toBe(true);
    expect(once.endsWith(`${README_END}\n\nAfter.\n`)).toBe(true);
    expect(replaceMeasurements(once, results, 'bench-results/x.json')).toBe(once);
    expect(() => replaceMeasurements('# no markers', results)).toThrow(/markers/);
  });

  it('finds its markers in the project README and names result files by time', () => {
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    expect(readme.indexOf(README_BEGIN)).toBeGreaterThan(readme.indexOf('## Measurements'));
    expect(readme.indexOf(README_END)).toBeGreaterThan(readme.indexOf(README_BEGIN));
    expect(resultsFileName(new Date('2026-12-01T10:00:05.123Z'))).toBe('bench-results/2026-12-01T10-00-05Z.json');
  });
});

describe("the emulator's Telegram limits", () => {
  it('takes 30 sends a second for the bot and one a second per chat, answering retry_after beyond', () => {
    const window = new TelegramRateWindow({ perSecond: 30, perChatBurst: 1, perChatIntervalMs: 1000 });
    for (let chat = 1; chat <= 30; chat++) expect(window.take(chat, 1000 + chat)).toBeUndefined();
    expect(window.take(31, 1100)).toBe(1);
    expect(window.take(1, 1500)).toBe(1);
    expect(window.take(31, 2000)).toBe(1);
    expect(window.take(31, 2002)).toBeUndefined();
    expect(window.take(31, 2500)).toBe(1);
  });
});
