import fs from 'node:fs';
import { type CsvError, type InfoRecord, type Options, parse } from 'csv-parse';

/** One data row of the file, in order; `index` counts data rows from 0 and keys resumption. */
export interface CsvRecord {
  kind: 'record';
  index: number;
  /** The line the row starts on, the header being line 1: what a spreadsheet shows as the row. */
  line: number;
  fields: string[];
  /** Bytes of the file read up to the end of this row. */
  endByte: number;
}

/** Text that is no CSV row (a quote never closed, say), skipped so the rest can be read. */
export interface CsvBroken {
  kind: 'broken';
  line: number;
  message: string;
  raw: string;
  endByte: number;
}

export interface CsvHeader {
  kind: 'header';
  fields: string[];
}

export type CsvItem = CsvHeader | CsvRecord | CsvBroken;

export interface ReadOptions {
  delimiter: string;
  encoding: 'utf8' | 'latin1';
  /** A row longer than this is broken: it bounds the memory an unclosed quote can take. */
  maxRecordBytes?: number;
  /**
   * Headers of columns whose values never hold a line break (names, dates): a row where one does
   * is a quote run on from an earlier line, so its first line is reported and reading restarts.
   */
  singleLineColumns?: readonly string[];
}

/** Headers compare without case, surrounding spaces or a byte-order mark. */
export const headerKey = (name: string) =>
  name
    .replace(/^\ufeff/, '')
    .trim()
    .toLowerCase();

/** Bytes 0x80-0x9F as Windows-1252 reads them; latin1 exports from Windows are really this. */
const CP1252 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
const C1 = /[\u0080-\u009F]/g;
const fromCp1252 = (text: string) => text.replace(C1, (c) => CP1252[c.charCodeAt(0) - 0x80] as string);

const NEWLINES = /\r\n|\r|\n/g;
const newlinesIn = (text: string) => text.match(NEWLINES)?.length ?? 0;

interface Parsed {
  fields: string[];
  line: number;
  endByte: number;
  seq: number;
}

/** Where reading stopped on broken text: after the last good row of the segment. */
interface Stop {
  endByte: number;
  endLine: number;
  message: string;
}

/**
 * The first line at or after `offset` that is not empty: its first 200 bytes, how many empty
 * lines came before it, and the offset just after it.
 */
async function lineAt(
  file: string,
  offset: number,
): Promise<{ bytes: Buffer; emptyLines: number; next: number }> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let position = offset;
    let emptyLines = 0;
    let started = false;
    const taken: Buffer[] = [];
    let takenBytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        const byte = chunk[i] as number;
        if (byte === 0x0a) {
          if (started) {
            return { bytes: Buffer.concat(taken), emptyLines, next: position + i + 1 };
          }
          emptyLines += 1;
        } else if (byte !== 0x0d) {
          started = true;
          if (takenBytes < 200) {
            taken.push(chunk.subarray(i, i + 1));
            takenBytes += 1;
          }
        }
      }
      position += bytesRead;
    }
    return { bytes: Buffer.concat(taken), emptyLines, next: position };
  } finally {
    await handle.close();
  }
}

const describe = (error: CsvError) => {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quote opened on this line is never closed';
    case 'CSV_MAX_RECORD_SIZE':
      return 'a quote opened on this line runs on for too long to be one row';
    default:
      return error.message.replace(/\s+at line \d+.*$/s, '');
  }
};

/**
 * Reads a CSV file as a stream: the header first, then every row with its line number, never the
 * whole file in memory. Broken text does not end the reading: a quote opened and never closed (or
 * closed lines later, swallowing the rows in between) makes its first line a `broken` item, and
 * reading starts again on the next line, so one stray quote costs one row, not the rest of the file.
 */
export async function* readCsv(file: string, options: ReadOptions): AsyncGenerator<CsvItem> {
  const maxRecordBytes = options.maxRecordBytes ?? 64 * 1024;
  const decode = options.encoding === 'latin1' ? fromCp1252 : (text: string) => text;
  const size = (await fs.promises.stat(file)).size;
  let segmentStart = 0;
  let lineBase = 0;
  let columns = 0;
  let singleLine: number[] = [];
  let index = 0;

  while (segmentStart < size) {
    const first = segmentStart === 0;
    const base = segmentStart;
    const lines = lineBase;
    const pending: { after: number; item: CsvBroken }[] = [];
    let stop: Stop | undefined;
    let last = { endByte: base, endLine: lines };
    let seq = 0;

    const source = fs.createReadStream(file, { start: segmentStart });
    const parser = parse({
      delimiter: options.delimiter,
      encoding: options.encoding,
      bom: first,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: maxRecordBytes,
      on_record: ((record: string[], context: InfoRecord): Parsed | null => {
        if (stop) return null;
        const endLine = lines + context.lines;
        // Runs here, as the parser goes (ahead of the consumer): the header fixes the row shape.
        if (first && seq === 0) {
          columns = record.length;
          const wanted = new Set((options.singleLineColumns ?? []).map(headerKey));
          singleLine = record.flatMap((name, i) => (wanted.has(headerKey(name)) ? [i] : []));
        }
        const spanned = record.reduce((n, field) => n + newlinesIn(field), 0);
        if (
          spanned > 0 &&
          (record.length !== columns || singleLine.some((i) => newlinesIn(record[i] ?? '') > 0))
        ) {
          halt('a quote opened on this line is closed only lines later');
          return null;
        }
        seq += 1;
        last = { endByte: base + context.bytes, endLine };
        return { fields: record.map(decode), line: endLine - spanned, endByte: last.endByte, seq };
      }) as Options['on_record'],
    });
    // Stops this segment after the last good row; reading resumes after the broken line.
    const halt = (message: string) => {
      stop = { ...last, message };
      setImmediate(() => {
        source.unpipe(parser);
        source.destroy();
        if (!parser.writableEnded) parser.end();
      });
    };
    parser.on('skip', (error: CsvError) => {
      if (stop) return;
      if (error.code === 'CSV_QUOTE_NOT_CLOSED' || error.code === 'CSV_MAX_RECORD_SIZE') {
        halt(describe(error));
        return;
      }
      const line = lines + (typeof error.lines === 'number' ? error.lines : last.endLine - lines + 1);
      pending.push({
        after: seq,
        item: { kind: 'broken', line, message: describe(error), raw: '', endByte: last.endByte },
      });
    });
    source.on('error', (error) => parser.destroy(error));
    source.pipe(parser);

    for await (const parsed of parser as AsyncIterable<Parsed>) {
      while (pending[0] && pending[0].after < parsed.seq) yield (pending.shift() as { item: CsvBroken }).item;
      if (first && parsed.seq === 1) {
        yield { kind: 'header', fields: parsed.fields };
        continue;
      }
      yield {
        kind: 'record',
        index: index++,
        line: parsed.line,
        fields: parsed.fields,
        endByte: parsed.endByte,
      };
    }
    for (const { item } of pending) yield item;
    const stopped = stop as Stop | undefined;
    if (!stopped) return;
    if (columns === 0) return; // not even a header could be read: the caller says so
    const broken = await lineAt(file, stopped.endByte);
    const line = stopped.endLine + broken.emptyLines + 1;
    const raw = decode(broken.bytes.toString(options.encoding));
    yield { kind: 'broken', line, message: stopped.message, raw, endByte: broken.next };
    segmentStart = broken.next;
    lineBase = line;
  }
}
