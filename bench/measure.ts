import autocannon from 'autocannon';

export interface LoadSettings {
  connections: number;
  /** Measured seconds per server and case, split over `rounds`. */
  seconds: number;
  warmupSeconds: number;
  /** Ours and the baseline take turns this many times (ABAB…), so drift in the machine's load hits both. */
  rounds: number;
}

export interface Measurement {
  url: string;
  /** Requests per second over the measured window (all rounds). */
  requestsPerSecond: number;
  /** Latency percentiles, mean over the rounds. */
  p50Ms: number;
  p99Ms: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Requests per second of each round. */
  rounds: number[];
}

function run(url: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

function combine(url: string, results: autocannon.Result[]): Measurement {
  const sum = (f: (r: autocannon.Result) => number) => results.reduce((n, r) => n + f(r), 0);
  const seconds = sum((r) => r.duration);
  return {
    url,
    requestsPerSecond: seconds > 0 ? sum((r) => r.requests.total) / seconds : 0,
    p50Ms: sum((r) => r.latency.p50) / results.length,
    p99Ms: sum((r) => r.latency.p99) / results.length,
    total: sum((r) => r.requests.total),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    rounds: results.map((r) => (r.duration > 0 ? r.requests.total / r.duration : 0)),
  };
}

/**
 * Warms each URL up (discarded), then measures them in turns with the same load: round 1 of each,
 * round 2 of each, … Each URL gets `seconds` in all.
 */
export async function measureInTurns(
  urls: readonly string[],
  settings: LoadSettings,
  onRound?: (url: string, round: number, requestsPerSecond: number) => void,
): Promise<Measurement[]> {
  if (settings.warmupSeconds > 0) {
    for (const url of urls) await run(url, settings.connections, settings.warmupSeconds);
  }
  const results: autocannon.Result[][] = urls.map(() => []);
  const perRound = settings.seconds / settings.rounds;
  for (let round = 1; round <= settings.rounds; round++) {
    for (const [i, url] of urls.entries()) {
      const result = await run(url, settings.connections, perRound);
      results[i]?.push(result);
      onRound?.(url, round, result.duration > 0 ? result.requests.total / result.duration : 0);
    }
  }
  return urls.map((url, i) => combine(url, results[i] ?? []));
}

/** Why a measurement does not count (not every answer a 2xx, or connection errors), if it does not. */
export function invalidReason(m: Measurement): string | undefined {
  if (m.total === 0) return 'no requests completed';
  if (m.non2xx > 0) return `${m.non2xx} non-2xx answers`;
  if (m.errors > 0) return `${m.errors} connection errors (${m.timeouts} timeouts)`;
  return undefined;
}

export interface Row {
  name: string;
  ours: Measurement;
  baseline?: Measurement | undefined;
  baselineLabel?: string;
  /** Minimum ours/baseline; undefined for a figure shown for information only. */
  target?: number | undefined;
  note?: string;
}

export interface Outcome extends Row {
  ratio?: number | undefined;
  verdict: 'ok' | 'MISSED' | 'INVALID' | 'info';
  invalid?: string | undefined;
}

export function judge(row: Row): Outcome {
  const invalid =
    invalidReason(row.ours) ?? (row.baseline ? invalidReason(row.baseline) : undefined) ?? undefined;
  const ratio = row.baseline ? row.ours.requestsPerSecond / row.baseline.requestsPerSecond : undefined;
  let verdict: Outcome['verdict'];
  if (invalid) verdict = 'INVALID';
  else if (row.target === undefined || ratio === undefined) verdict = 'info';
  else verdict = ratio >= row.target ? 'ok' : 'MISSED';
  return { ...row, ratio, verdict, invalid };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const latency = (m?: Measurement) => (m ? `${fmt(m.p50Ms, 1)} / ${fmt(m.p99Ms, 1)}` : '—');

export function table(outcomes: readonly Outcome[]): string {
  const head = [
    'case',
    'ours req/s',
    'baseline req/s',
    'ratio',
    'target',
    'ok',
    'ours p50/p99 ms',
    'baseline p50/p99 ms',
  ];
  const body = outcomes.map((o) => [
    o.name,
    fmt(o.ours.requestsPerSecond),
    o.baseline ? fmt(o.baseline.requestsPerSecond) : '—',
    o.ratio === undefined ? '—' : fmt(o.ratio, 2),
    o.target === undefined ? '—' : `≥ ${fmt(o.target, 2)}`,
    o.verdict,
    latency(o.ours),
    latency(o.baseline),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}
