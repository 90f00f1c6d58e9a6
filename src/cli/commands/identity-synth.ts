import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { SyntheticRecord } from '../../modules/identity/synth/index.js';
import { say, withKernel } from '../support.js';

/**
 * `mmuso identity synth`: a synthetic population for demonstrations, load tests and trying out
 * the legacy import. --out writes it as a legacy civil-registry export (the columns of
 * ../shared/data/legacy-civil-registry-sample.csv, but clean: ISO dates, district names, M/F);
 * --load puts the originals (not the injected re-registrations) straight into the register with
 * bulkLoadPersons, which makes no duplicate search: never against a register of real people.
 */

const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function wholeNumber(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text.replace(/_/g, ''));
    if (!/^\d[\d_]*$/.test(text) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${count(min)} to ${count(max)}.`);
    }
    return n;
  };
}

function share(text: string): number {
  const n = Number(text);
  if (!/^\d*\.?\d+$/.test(text) || n > 0.5) {
    throw new InvalidArgumentError('expected a share from 0 to 0.5, such as 0.02.');
  }
  return n;
}

interface SynthOptions {
  count: number;
  seed: number;
  duplicates: number;
  out?: string;
  load?: boolean;
  intoProduction?: boolean;
  batch: number;
}

export const CSV_HEADER = [
  'ID_NO',
  'SURNAME',
  'FIRST_NAMES',
  'SEX',
  'DOB',
  'PLACE_OF_BIRTH',
  'DISTRICT',
  'FATHER',
  'MOTHER',
  'PHONE',
  'REG_DATE',
  'STATUS',
  'DATE_OF_DEATH',
] as const;

const csvField = (value: string | undefined) => {
  const text = value ?? '';
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

const ROWS_PER_CHUNK = 2000;

/**
 * Writes the records as CSV, a chunk of rows at a time through a stream (so a file of millions
 * of rows never exists as one string in memory). Returns the rows written.
 */
export async function writeSyntheticCsv(
  file: string,
  records: readonly SyntheticRecord[],
  seed: number,
  today: Date,
): Promise<number> {
  const { DISTRICTS, isDistrictCode } = await import('../../core/districts/index.js');
  const { Random } = await import('../../modules/identity/synth/index.js');
  const { formatBirthDate, earliestDay } = await import('../../modules/identity/person.js');
  const { syntheticLegacyId } = await import('../../modules/identity/bulk.js');
  // Registration dates come from their own stream of the seed, so the people stay the same.
  const random = new Random(seed ^ 0x5eed);
  const dayMs = 86_400_000;
  const registered = new Map<string, string>();
  const regDate = (record: (typeof records)[number]): string => {
    const born = Date.parse(earliestDay(record.person.birth));
    const original = record.duplicateOf === undefined ? undefined : registered.get(record.duplicateOf);
    // Most births are registered within the year; a re-registration comes years after the first.
    const from = original === undefined ? born : Date.parse(original) + 365 * dayMs;
    const delay = record.duplicateOf === undefined && random.chance(0.85) ? 365 : 365 * 15;
    const date = new Date(Math.min(from + random.int(0, delay) * dayMs, today.getTime()))
      .toISOString()
      .slice(0, 10);
    if (record.duplicateOf === undefined) registered.set(record.id, date);
    return date;
  };
  const line = (record: (typeof records)[number]) => {
    const p = record.person;
    return [
      syntheticLegacyId(record),
      p.surname,
      p.givenNames,
      p.sex ?? '',
      formatBirthDate(p.birth),
      p.birthVillage,
      p.birthDistrict && isDistrictCode(p.birthDistrict) ? DISTRICTS[p.birthDistrict].en : '',
      p.fatherName,
      p.motherName,
      p.phone,
      regDate(record),
      'ALIVE',
      '',
    ]
      .map(csvField)
      .join(',');
  };
  function* chunks() {
    yield `${CSV_HEADER.join(',')}\n`;
    for (let i = 0; i < records.length; i += ROWS_PER_CHUNK) {
      const lines: string[] = [];
      for (const record of records.slice(i, i + ROWS_PER_CHUNK)) lines.push(line(record));
      yield `${lines.join('\n')}\n`;
    }
  }
  await pipeline(Readable.from(chunks()), fs.createWriteStream(file));
  return records.length;
}

async function synth(options: SynthOptions, command: Command): Promise<void> {
  if (!options.out && !options.load)
    command.error('error: nothing to do: give --out <file>, --load, or both');
  // Loaded people are indistinguishable from real ones and were never searched for duplicates.
  if (options.load && !options.intoProduction) {
    const { loadConfig } = await import('../../core/config/index.js');
    if (loadConfig().NODE_ENV === 'production') {
      command.error(
        'error: refusing to --load synthetic people into a production register (NODE_ENV=production); ' +
          'add --into-production if this really is a test system',
      );
    }
  }
  const { synthesisePopulation } = await import('../../modules/identity/synth/index.js');
  const today = new Date();
  const began = performance.now();
  const records = synthesisePopulation({
    count: options.count,
    seed: options.seed,
    duplicateShare: options.duplicates,
    bornBy: today.toISOString().slice(0, 10),
  });
  const originals = records.filter((r) => r.duplicateOf === undefined);
  say(
    `Synthesised ${count(records.length)} records with seed ${options.seed}: ${count(originals.length)} people ` +
      `and ${count(records.length - originals.length)} re-registrations of them (${seconds(performance.now() - began)})`,
  );

  if (options.out) {
    const started = performance.now();
    const rows = await writeSyntheticCsv(options.out, records, options.seed, today);
    say(
      `Wrote ${count(rows)} rows to ${options.out} (${seconds(performance.now() - started)}); ` +
        'import it with: mmuso identity import <file> --mapping src/modules/identity/legacy/mappings/civil-registry-legacy.json',
    );
  }

  if (options.load) {
    const { systemActor } = await import('../../core/actors/index.js');
    const { bulkLoadPersons } = await import('../../modules/identity/bulk.js');
    const every = Math.max(1, Math.round(originals.length / options.batch / 10));
    const result = await withKernel((kernel) =>
      bulkLoadPersons(kernel, originals, {
        actor: systemActor('identity-synth'),
        batchSize: options.batch,
        reason: `synthetic population, seed ${options.seed}`,
        onBatch: (p) => {
          if (p.batches % every === 0) {
            process.stderr.write(
              `identity synth: ${count(p.persons)} of ${count(originals.length)} loaded, ` +
                `${count(Math.round((p.persons * 1000) / Math.max(1, p.milliseconds)))} rows/s\n`,
            );
          }
        },
      }),
    );
    say(
      `Loaded ${count(result.persons)} people into the register in ${seconds(result.milliseconds)} ` +
        `(${count(Math.round(result.rowsPerSecond))} rows/s, ${count(result.batches)} batches, one audit entry each); ` +
        'the re-registrations were not loaded. No duplicate search was made: synthetic data only.',
    );
  }
}

/** Adds `synth` to the `identity` command group. */
export function addSynthCommand(identity: Command): Command {
  return identity
    .command('synth')
    .description(
      'make a synthetic population (deterministic for a seed): write it as a legacy CSV export,' +
        ' bulk-load it into the register without duplicate search (demo and test data only), or both',
    )
    .addOption(
      new Option('--count <n>', 'records, re-registrations included')
        .argParser(wholeNumber(1, 10_000_000))
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the population').argParser(wholeNumber(0, 2 ** 32 - 1)).default(1),
    )
    .addOption(
      new Option('--duplicates <share>', 'share of records that are re-registrations (in the CSV only)')
        .argParser(share)
        .default(0.02),
    )
    .option('--out <file>', 'write the records as CSV in the legacy civil-registry shape')
    .option('--load', 'bulk-load the people (not the re-registrations) into the register')
    .option('--into-production', 'allow --load when NODE_ENV=production (a test system run as production)')
    .addOption(
      new Option('--batch <n>', 'people per transaction with --load')
        .argParser(wholeNumber(1, 50_000))
        .default(5000),
    )
    .action((options: SynthOptions, command: Command) => synth(options, command));
}
