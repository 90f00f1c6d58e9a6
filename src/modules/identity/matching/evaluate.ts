import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Random, SURNAMES, type SyntheticRecord, synthesisePopulation, typo } from '../synth/index.js';
import {
  type BlockKeys,
  blockKeys,
  CANDIDATE_BLOCKS,
  type CandidateBlock,
  CandidateBlocks,
  type MatchKeys,
  matchKeys,
  normalisedNames,
} from './blocks.js';
import { normaliseName } from './normalise.js';
import { phoneticKey } from './phonetic.js';
import {
  DEFAULT_MATCH_THRESHOLDS,
  DEFAULT_MATCH_WEIGHTS,
  type MatchWeights,
  type PreparedPerson,
  preparePerson,
  scoreOnly,
  scorePrepared,
} from './score.js';

/**
 * Offline quality harness for duplicate detection. It blocks exactly as the database does (the
 * five blocks of blocks.ts, which candidateQuery runs as SQL; blocks.test.ts holds the two equal),
 * scores every record against the candidates registered before it (registration order = array order),
 * flags the record when its best score reaches the review threshold, and compares the flags with the truth
 * (`duplicateOf`), which the scorer never sees.
 *
 *   npx tsx src/modules/identity/matching/evaluate.ts [count=100000] [seed=1] [duplicateShare=0.02]
 */

export interface Distribution {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface FlaggedExample {
  record: SyntheticRecord;
  candidate: SyntheticRecord;
  score: number;
}

export interface EvaluationResult {
  records: number;
  duplicates: number;
  /** Records whose best candidate scored at least the review threshold. */
  flagged: number;
  /** Flagged records that are re-registrations / flagged. */
  precision: number;
  /** Flagged records whose best candidate is their original / flagged. */
  strictPrecision: number;
  /** Re-registrations flagged with their original as best candidate / re-registrations. */
  recall: number;
  /** Re-registrations whose original was among the candidates at all / re-registrations. */
  blockingRecall: number;
  /** Candidate pairs at or above the review threshold: what the adjudication queue would receive. */
  pairsAtReview: number;
  truePairsAtReview: number;
  /** Flagged non-duplicates whose best candidate is of the same family (sibling or twin). */
  falseFlagsInFamily: number;
  /** Candidates scored per new record, registered before it, per block and together. */
  candidates: Record<CandidateBlock | 'union', Distribution>;
  /** Candidates a lookup would see against the whole register (everyone, not only earlier records). */
  fullBlocks: Record<CandidateBlock | 'union', Distribution>;
  pairsScored: number;
  /** Precision and recall had the review threshold been each of these values (same candidates). */
  curve: { threshold: number; precision: number; recall: number; flagged: number }[];
  milliseconds: { prepare: number; match: number };
  falsePositives: FlaggedExample[];
  falseNegatives: FlaggedExample[];
}

export interface EvaluationOptions {
  threshold?: number;
  weights?: MatchWeights;
  /** How many false positives and false negatives to keep as examples; default 20. */
  examples?: number;
}

const CURVE_THRESHOLDS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

function distribution(values: Int32Array | number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) {
    return { mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  }
  let sum = 0;
  for (const value of sorted) {
    sum += value;
  }
  const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * n))] ?? 0;
  return { mean: sum / n, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[n - 1] ?? 0 };
}

function blockDistributions(counts: Record<CandidateBlock | 'union', Int32Array>) {
  return Object.fromEntries(
    Object.entries(counts).map(([block, values]) => [block, distribution(values)]),
  ) as Record<CandidateBlock | 'union', Distribution>;
}

function blockCounts(n: number): Record<CandidateBlock | 'union', Int32Array> {
  return Object.fromEntries(
    [...CANDIDATE_BLOCKS, 'union'].map((block) => [block, new Int32Array(n)]),
  ) as Record<CandidateBlock | 'union', Int32Array>;
}

export function evaluateMatching(
  records: readonly SyntheticRecord[],
  options: EvaluationOptions = {},
): EvaluationResult {
  const threshold = options.threshold ?? DEFAULT_MATCH_THRESHOLDS.review;
  const weights = options.weights ?? DEFAULT_MATCH_WEIGHTS;
  const keep = options.examples ?? 20;
  const n = records.length;

  const prepareStart = performance.now();
  const keys = records.map((record) => matchKeys(record.person));
  const prepared = records.map((record, i) =>
    preparePerson(record.person, normalisedNames(keys[i] as MatchKeys)),
  );
  const probes: BlockKeys[] = records.map((record, i) => blockKeys(record.person, keys[i] as MatchKeys));
  const indexOfId = new Map(records.map((record, index) => [record.id, index]));
  const prepareMs = performance.now() - prepareStart;

  const matchStart = performance.now();
  const blocks = new CandidateBlocks<number>();
  const counts = blockCounts(n);
  let flagged = 0;
  let flaggedDuplicates = 0;
  let flaggedCorrect = 0;
  let duplicates = 0;
  let inBlocks = 0;
  let pairsAtReview = 0;
  let truePairsAtReview = 0;
  let falseFlagsInFamily = 0;
  let pairsScored = 0;
  const falsePositives: FlaggedExample[] = [];
  const falseNegatives: FlaggedExample[] = [];
  const bestScores = new Float64Array(n).fill(-1);
  const bestIsOriginal = new Uint8Array(n);
  const duplicate = new Uint8Array(n);

  for (let i = 0; i < n; i++) {
    const record = records[i] as SyntheticRecord;
    const p = prepared[i] as PreparedPerson;
    const originalIndex = record.duplicateOf === undefined ? -1 : (indexOfId.get(record.duplicateOf) ?? -1);
    let best = -1;
    let bestScore = -1;
    let originalScore = -1;
    const lookup = blocks.find(probes[i] as BlockKeys);
    for (const block of CANDIDATE_BLOCKS) counts[block][i] = lookup.perBlock[block];
    for (const j of lookup.found) {
      const score = scoreOnly(p, prepared[j] as PreparedPerson, weights);
      if (j === originalIndex) {
        originalScore = score;
      }
      if (score >= threshold) {
        pairsAtReview++;
        if (j === originalIndex) {
          truePairsAtReview++;
        }
      }
      // Ties go to the earlier record, so the choice does not depend on the order of the blocks.
      if (score > bestScore || (score === bestScore && j < best)) {
        bestScore = score;
        best = j;
      }
    }
    const union = lookup.found.length;
    counts.union[i] = union;
    pairsScored += union;
    bestScores[i] = bestScore;
    bestIsOriginal[i] = best >= 0 && best === originalIndex ? 1 : 0;
    duplicate[i] = originalIndex >= 0 ? 1 : 0;

    const isDuplicate = originalIndex >= 0;
    if (isDuplicate) {
      duplicates++;
      if (originalScore >= 0) {
        inBlocks++;
      }
    }
    if (bestScore >= threshold) {
      flagged++;
      if (isDuplicate) {
        flaggedDuplicates++;
      }
      if (best === originalIndex) {
        flaggedCorrect++;
      } else if (falsePositives.length < keep) {
        falsePositives.push({ record, candidate: records[best] as SyntheticRecord, score: bestScore });
      }
      if (!isDuplicate && records[best]?.person.familyId === record.person.familyId) {
        falseFlagsInFamily++;
      }
    } else if (isDuplicate && falseNegatives.length < keep) {
      falseNegatives.push({
        record,
        candidate: records[originalIndex] as SyntheticRecord,
        score: originalScore,
      });
    }

    blocks.add(i, record.person, keys[i] as MatchKeys);
  }
  const matchMs = performance.now() - matchStart;

  // Steady state: the candidates a lookup sees against the complete register.
  const full = blockCounts(n);
  for (let i = 0; i < n; i++) {
    const lookup = blocks.find(probes[i] as BlockKeys);
    for (const block of CANDIDATE_BLOCKS) full[block][i] = lookup.perBlock[block];
    full.union[i] = lookup.found.length;
  }

  const curve = CURVE_THRESHOLDS.map((t) => {
    let f = 0;
    let fd = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      if ((bestScores[i] ?? -1) >= t) {
        f++;
        fd += duplicate[i] ?? 0;
        correct += bestIsOriginal[i] ?? 0;
      }
    }
    return {
      threshold: t,
      precision: f === 0 ? 1 : fd / f,
      recall: duplicates === 0 ? 1 : correct / duplicates,
      flagged: f,
    };
  });

  return {
    records: n,
    curve,
    duplicates,
    flagged,
    precision: flagged === 0 ? 1 : flaggedDuplicates / flagged,
    strictPrecision: flagged === 0 ? 1 : flaggedCorrect / flagged,
    recall: duplicates === 0 ? 1 : flaggedCorrect / duplicates,
    blockingRecall: duplicates === 0 ? 1 : inBlocks / duplicates,
    pairsAtReview,
    truePairsAtReview,
    falseFlagsInFamily,
    candidates: blockDistributions(counts),
    fullBlocks: blockDistributions(full),
    pairsScored,
    milliseconds: { prepare: prepareMs, match: matchMs },
    falsePositives,
    falseNegatives,
  };
}

export interface KeyStability {
  /** Typo kind → typos tried and share of them that changed the key. */
  [kind: string]: { typos: number; changed: number };
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * How often a single typo changes the phonetic key: every deletion, adjacent transposition, substitution by
 * each letter A–Z and doubled letter of each name, on the normalised name, counting only typos that change
 * the normalised name itself.
 */
export function measureKeyStability(
  names: readonly string[],
  key: (name: string) => string = phoneticKey,
): KeyStability {
  const result: KeyStability = {
    deletion: { typos: 0, changed: 0 },
    transposition: { typos: 0, changed: 0 },
    substitution: { typos: 0, changed: 0 },
    insertion: { typos: 0, changed: 0 },
    all: { typos: 0, changed: 0 },
  };
  const count = (kind: string, original: string, variant: string, originalKey: string) => {
    if (variant === original || variant.trim() === '') {
      return;
    }
    const changed = key(variant) !== originalKey ? 1 : 0;
    for (const bucket of [result[kind], result.all]) {
      if (bucket !== undefined) {
        bucket.typos++;
        bucket.changed += changed;
      }
    }
  };
  for (const name of names) {
    const original = normaliseName(name);
    const originalKey = key(original);
    for (let i = 0; i < original.length; i++) {
      const before = original.slice(0, i);
      const letter = original[i] ?? '';
      const after = original.slice(i + 1);
      count('deletion', original, before + after, originalKey);
      count('insertion', original, before + letter + letter + after, originalKey);
      if (i + 1 < original.length) {
        count(
          'transposition',
          original,
          before + (original[i + 1] ?? '') + letter + original.slice(i + 2),
          originalKey,
        );
      }
      for (const replacement of LETTERS) {
        count('substitution', original, before + replacement + after, originalKey);
      }
    }
  }
  return result;
}

/** Share of typos from the synthesiser's typo model (keyboard slips) that change a surname's key. */
export function measureKeyStabilityOfTypoModel(names: readonly string[], samples: number, seed = 1): number {
  const random = new Random(seed);
  let changed = 0;
  let tried = 0;
  while (tried < samples) {
    const name = random.pick(names);
    const slipped = typo(name, random);
    if (normaliseName(slipped) === normaliseName(name)) {
      continue;
    }
    tried++;
    if (phoneticKey(slipped) !== phoneticKey(name)) {
      changed++;
    }
  }
  return changed / samples;
}

function describe(record: SyntheticRecord): string {
  const p = record.person;
  const birth = [p.birth.year, p.birth.month, p.birth.day].filter((x) => x !== undefined).join('-');
  return (
    `${record.id} ${p.givenNames} ${p.surname}${p.otherNames ? ` (${p.otherNames})` : ''} ${p.sex ?? '?'} ${birth} ` +
    `${p.birthDistrict ?? '-'}/${p.birthVillage ?? '-'} father=${p.fatherName ?? '-'} mother=${p.motherName ?? '-'} ` +
    `phone=${p.phone ?? '-'} family=${p.familyId}` +
    (record.variations ? ` variations=${record.variations.join(',')}` : '')
  );
}

function formatDistribution(d: Distribution): string {
  return `mean ${d.mean.toFixed(1)}, p50 ${d.p50}, p95 ${d.p95}, p99 ${d.p99}, max ${d.max}`;
}

function blockLines(blocks: Record<CandidateBlock | 'union', Distribution>): string[] {
  return Object.entries(blocks).map(([block, d]) => `  ${`${block}:`.padEnd(21)} ${formatDistribution(d)}`);
}

export function formatEvaluation(result: EvaluationResult, showExamples = 0): string {
  const lines = [
    `records ${result.records}, re-registrations ${result.duplicates}, flagged ${result.flagged}`,
    `precision ${result.precision.toFixed(4)} (strict, best candidate is the original: ${result.strictPrecision.toFixed(4)})`,
    `recall ${result.recall.toFixed(4)} (original among the candidates at all: ${result.blockingRecall.toFixed(4)})`,
    `pairs at or above review ${result.pairsAtReview} (true ${result.truePairsAtReview}); false flags within a family ${result.falseFlagsInFamily}`,
    `candidates per new record, registered before it:`,
    ...blockLines(result.candidates),
    `candidates against the whole register:`,
    ...blockLines(result.fullBlocks),
    `pairs scored ${result.pairsScored}; prepare ${result.milliseconds.prepare.toFixed(0)} ms, ` +
      `block and score ${result.milliseconds.match.toFixed(0)} ms ` +
      `(${((result.milliseconds.match * 1e6) / Math.max(1, result.pairsScored)).toFixed(0)} ns per pair)`,
  ];
  lines.push(
    `if the review threshold were: ${result.curve
      .map((c) => `${c.threshold} → P ${c.precision.toFixed(3)} R ${c.recall.toFixed(3)}`)
      .join('; ')}`,
  );
  if (showExamples > 0) {
    for (const [title, list] of [
      ['false positives', result.falsePositives],
      ['false negatives', result.falseNegatives],
    ] as const) {
      lines.push(`--- ${title}`);
      for (const example of list.slice(0, showExamples)) {
        lines.push(`score ${example.score.toFixed(3)}`, `  new:       ${describe(example.record)}`);
        lines.push(`  candidate: ${describe(example.candidate)}`);
        const reasons = scorePrepared(
          preparePerson(example.record.person),
          preparePerson(example.candidate.person),
        );
        for (const reason of reasons.reasons) {
          lines.push(
            `    ${reason.field} ${reason.agreement} ${reason.weight.toFixed(1)}: ${reason.detail ?? ''}`,
          );
        }
      }
    }
  }
  return lines.join('\n');
}

function main(argv: readonly string[]): void {
  const count = Number(argv[0] ?? 100_000);
  const seed = Number(argv[1] ?? 1);
  const duplicateShare = Number(argv[2] ?? 0.02);
  const examples = Number(process.env.EXAMPLES ?? 0);
  const start = performance.now();
  const records = synthesisePopulation({ count, seed, duplicateShare });
  const synthMs = performance.now() - start;
  const result = evaluateMatching(records, { examples: Math.max(examples, 1) });
  const stability = measureKeyStability(SURNAMES);
  const stabilityLine = Object.entries(stability)
    .map(
      ([kind, { typos, changed }]) =>
        `${kind} ${((100 * changed) / Math.max(1, typos)).toFixed(1)}% of ${typos}`,
    )
    .join('; ');
  const modelChange = measureKeyStabilityOfTypoModel(SURNAMES, 20_000);
  const totalMs = performance.now() - start;
  process.stdout.write(
    `${formatEvaluation(result, examples)}\n` +
      `one typo in a surname changes its phonetic key: every possible typo: ${stabilityLine}; ` +
      `the synthesiser's keyboard-slip model: ${(100 * modelChange).toFixed(1)}%\n` +
      `synthesis ${synthMs.toFixed(0)} ms; total ${(totalMs / 1000).toFixed(1)} s on one core (Node ${process.version})\n`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
