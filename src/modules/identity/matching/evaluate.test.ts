import { describe, expect, it } from 'vitest';
import { synthesisePopulation } from '../synth/index.js';
import { CANDIDATE_BLOCKS } from './blocks.js';
import { evaluateMatching, formatEvaluation } from './evaluate.js';

describe('duplicate detection quality on a synthetic register', () => {
  it('finds re-registrations among 20,000 people with precision ≥ 0.95 and recall ≥ 0.90', () => {
    const records = synthesisePopulation({ count: 20_000, seed: 2026, duplicateShare: 0.02 });
    const result = evaluateMatching(records);
    const report = formatEvaluation(result, 3);
    expect(result.duplicates, report).toBe(400);
    expect(result.precision, report).toBeGreaterThanOrEqual(0.95);
    expect(result.recall, report).toBeGreaterThanOrEqual(0.9);
    expect(result.blockingRecall, report).toBeGreaterThanOrEqual(result.recall);
    // Every block contributes candidates, and together they stay small enough to score each one.
    for (const block of CANDIDATE_BLOCKS) expect(result.candidates[block].mean, block).toBeGreaterThan(0);
    expect(result.fullBlocks.union.p95).toBeLessThan(200);
  });

  it('flags almost nothing in a register without re-registrations', () => {
    const records = synthesisePopulation({ count: 5000, seed: 3, duplicateShare: 0 });
    const result = evaluateMatching(records);
    expect(result.duplicates).toBe(0);
    expect(result.recall).toBe(1);
    expect(result.flagged).toBeLessThanOrEqual(5);
  });
});
