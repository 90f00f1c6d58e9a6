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

/** A URL to GET, or a request of its own (method, headers, a body made anew for each request). */
export type LoadTarget =
  | string
  | {
      url: string;
      method: 'GET' | 'POST';
      headers?: Record<string, string>;
      /** Called once per request, so each can carry something used once (a code) or its own token. */
      each?: () => { body?: string; headers?: Record<string, string> };
    };

const urlOf = (target: LoadTarget) => (typeof target === 'string' ? target : target.url);

function run(target: LoadTarget, connections: number, seconds: number): Promise<autocannon.Result> {
  const request =
    typeof target === 'string'
      ? {}
      : {
          method: target.method,
          headers: target.headers ?? {},
          ...(target.each
            ? {
                requests: [
                  {
                    setupRequest: (r: autocannon.Request) => {
                      const own = target.each?.() ?? {};
                      return { ...r, ...own, headers: { ...r.headers, ...own.headers } };
                    },
                  },
                ],
              }
            : {}),
        };
  return new Promise((resolve, reject) => {
    autocannon({ url: urlOf(target), connections, duration: seconds, ...request }, (error, result) =>
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
 * round 2 of each, … Each URL gets `seconds` in all. `beforeRound` runs before the warm-up (round 0)
 * and before each round: to prepare what the requests use up.
 */
export async function measureInTurns(
  targets: readonly LoadTarget[],
  settings: LoadSettings,
  onRound?: (url: string, round: number, requestsPerSecond: number) => void,
  beforeRound?: (round: number) => Promise<void>,
): Promise<Measurement[]> {
  await beforeRound?.(0);
  if (settings.warmupSeconds > 0) {
    for (const target of targets) await run(target, settings.connections, settings.warmupSeconds);
  }
  const results: autocannon.Result[][] = targets.map(() => []);
  const perRound = settings.seconds / settings.rounds;
  for (let round = 1; round <= settings.rounds; round++) {
    await beforeRound?.(round);
    for (const [i, target] of targets.entries()) {
      const result = await run(target, settings.connections, perRound);
      results[i]?.push(result);
      onRound?.(urlOf(target), round, result.duration > 0 ? result.requests.total / result.duration : 0);
    }
  }
  return targets.map((target, i) => combine(urlOf(target), results[i] ?? []));
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
  /** A minimum of our requests per second instead (the baseline's ratio is then shown for scale). */
  minimum?: number | undefined;
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
  else if (row.minimum !== undefined) verdict = row.ours.requestsPerSecond >= row.minimum ? 'ok' : 'MISSED';
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
    o.minimum !== undefined
      ? `≥ ${fmt(o.minimum)}/s`
      : o.target === undefined
        ? '—'
        : `≥ ${fmt(o.target, 2)}`,
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
