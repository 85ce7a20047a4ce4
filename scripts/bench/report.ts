import os from 'node:os';

/** One line of the results: an absolute figure, and where the issue asks for one, a ratio and a target. */
export interface Figure {
  id: string;
  label: string;
  /** The figure as a person reads it, e.g. "35.2/s, p99 5.4 s". */
  measured: string;
  /** The figure over its yardstick, e.g. 0.05 of raw upserts/s. */
  ratio?: { value: number; of: string };
  target?: string;
  /** Whether the target holds; absent where there is no target. */
  met?: boolean;
  /** The raw numbers behind `measured`. */
  detail: Record<string, number | string | boolean>;
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
  database: string;
}

export interface BenchResults {
  date: string;
  machine: Machine;
  options: Record<string, number | string | boolean>;
  figures: Figure[];
  /** Seconds the whole run took. */
  seconds: number;
}

export function describeMachine(database: string): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    database,
  };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function ratioText(ratio: Figure['ratio']): string {
  if (!ratio) return '';
  const digits = ratio.value >= 10 ? 0 : ratio.value >= 1 ? 1 : 2;
  return `${ratio.value.toFixed(digits)} of ${ratio.of}`;
}

/** The results as one Markdown table (also what the terminal shows). */
export function renderTable(results: BenchResults): string {
  const rows = results.figures.map((f) => {
    const target = f.target ? `${f.target}${f.met === undefined ? '' : f.met ? ' (met)' : ' (missed)'}` : '';
    return `| ${cell(f.label)} | ${cell(f.measured)} | ${cell(ratioText(f.ratio))} | ${cell(target)} |`;
  });
  return ['| figure | measured | ratio | target |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function describeRun(results: BenchResults, file?: string): string {
  const m = results.machine;
  const options = Object.entries(results.options)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  return (
    `Run of ${results.date} (${Math.round(results.seconds)} s) on ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ` +
    `${m.platform}, database ${m.database}; ${options}${file ? `; raw results in \`${file}\`` : ''}.`
  );
}

export const README_BEGIN = '<!-- bench:begin (written by npm run bench; edit scripts/bench/report.ts instead) -->';
export const README_END = '<!-- bench:end -->';

/** The README with the text between the markers replaced by this run's table; throws when the markers are missing. */
export function replaceMeasurements(readme: string, results: BenchResults, file?: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error('the README has no bench markers');
  const body = `${describeRun(results, file)}\n\n${renderTable(results)}\n`;
  return `${readme.slice(0, begin + README_BEGIN.length)}\n${body}${readme.slice(end)}`;
}

/** Where a run's JSON goes: bench-results/<date>T<time>.json (UTC, sortable). */
export function resultsFileName(date: Date): string {
  return `bench-results/${date.toISOString().slice(0, 19).replace(/:/g, '-')}Z.json`;
}
